// The run panel's model replayed from a message log recorded while the real trainer ran (scripts/record-run-messages.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMessage, type RunModel } from '../../../webview/run-state';
import { isHostToRunPanel, type HostToRunPanel } from '../../../src/protocol/webview';

const LOG: HostToRunPanel[] = JSON.parse(readFileSync(join(__dirname, 'fixtures/run-panel-messages.json'), 'utf8'));

function replay(msgs: HostToRunPanel[]): { model: RunModel | null; resyncs: number[] } {
  let model: RunModel | null = null;
  const resyncs: number[] = [];
  for (const m of msgs) {
    assert.ok(isHostToRunPanel(m));
    const r = applyMessage(model, structuredClone(m));
    if (r.kind === 'snapshot' || r.kind === 'delta') model = r.model;
    if (r.kind === 'resync') resyncs.push(r.lastSeq);
  }
  return { model, resyncs };
}

test('the recorded session ends with every step once, the final status and all samples', () => {
  const { model, resyncs } = replay(LOG);
  assert.deepEqual(resyncs, []);
  assert.ok(model);
  const steps = model.metrics.step;
  assert.deepEqual(steps, Array.from({ length: 60 }, (_, i) => i + 1));
  assert.equal(model.run.displayState, 'completed');
  assert.equal(model.run.status?.step, 60);
  assert.deepEqual(model.run.samples, [20, 40, 60]);
  assert.deepEqual(model.run.checkpoints.at(-1), 60);
  assert.equal(model.run.actions.stop, false);
  for (const k of ['loss', 'loss_main', 'loss_align', 'lr', 'imgs_per_s'] as const) assert.equal(model.metrics[k].length, 60, k);
});

test('a lost delta makes the panel ask for a snapshot instead of drawing a wrong curve', () => {
  const gap = LOG.filter((m) => m.type !== 'delta' || m.seq !== 5);
  const { resyncs } = replay(gap);
  assert.equal(resyncs[0], 4);
});

test('a stale or duplicated delta is ignored; a delta before any snapshot asks for one', () => {
  const snap = LOG[0];
  const d = LOG[1];
  let r = applyMessage(null, structuredClone(d));
  assert.equal(r.kind, 'resync');
  r = applyMessage(null, structuredClone(snap));
  assert.equal(r.kind, 'snapshot');
  const m1 = r.kind === 'snapshot' ? r.model : null;
  r = applyMessage(m1, structuredClone(d));
  assert.equal(r.kind, 'delta');
  assert.equal(applyMessage(r.kind === 'delta' ? r.model : null, structuredClone(d)).kind, 'ignored');
});

test('a new snapshot (panel shown again, window reloaded) replaces the model', () => {
  const { model } = replay(LOG);
  const r = applyMessage(model, { type: 'snapshot', seq: 1, snapshot: structuredClone((LOG[0] as Extract<HostToRunPanel, { type: 'snapshot' }>).snapshot) });
  assert.ok(r.kind === 'snapshot' && r.model.metrics.step.length === 0 && r.model.seq === 1);
});
