// Snapshot + numbered deltas from a run folder that grows like a live run, at ≤ 4 messages/s.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFeed } from '../../../src/host/run-feed';
import { JsonLinesTail } from '../../../src/host/metrics-tail';
import type { HostToRunPanel } from '../../../src/protocol/webview';

const FIXTURE = join(__dirname, '../../fixtures/runs/20261121-100000-cae-tiny');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const row = (step: number): string => `${JSON.stringify({ step, epoch: 0, lr: 1e-4, loss: 1, loss_main: 0.5, loss_align: 0.25, imgs_per_s: 100, time: '' })}\n`;

/** A copy of the running-looking fixture with 14 clean metrics rows; the feed is disposed after the test. */
function setup(t: TestContext): { dir: string; msgs: HostToRunPanel[]; feed: RunFeed } {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-feed-'));
  const dir = join(root, 'run');
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: 14 }, (_, i) => row(i + 1)).join(''));
  const msgs: HostToRunPanel[] = [];
  const feed = new RunFeed({
    runDir: dir, post: (m) => msgs.push(JSON.parse(JSON.stringify(m))), isLiveRun: () => true, isLiveProbe: () => false,
    actions: (v) => ({ stop: v.displayState === 'running', resume: false, probe: v.checkpoints.length > 0 }), minIntervalMs: 250, activePollMs: 20,
  });
  t.after(() => {
    feed.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  return { dir, msgs, feed };
}

test('snapshot, then numbered deltas with appended metrics and changed fields only', async (t) => {
  const { dir, msgs, feed } = setup(t);
  writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: 14 }, (_, i) => row(i + 1)).join('') + '{"step": 15, "lo');
  feed.snapshot();
  assert.equal(msgs.length, 1);
  const snap = msgs[0];
  assert.ok(snap.type === 'snapshot');
  assert.equal(snap.seq, 1);
  assert.equal(snap.snapshot.metrics.step.length, 14, 'the torn line waits for its newline');
  assert.equal(snap.snapshot.run.displayState, 'running');
  // The torn line completes, more rows and a checkpoint arrive.
  appendFileSync(join(dir, 'metrics.jsonl'), 'ss": 1}\n');
  appendFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: 5 }, (_, i) => row(i + 16)).join(''));
  mkdirSync(join(dir, 'checkpoints', 'step-000020'));
  await sleep(400);
  const deltas = msgs.filter((m) => m.type === 'delta');
  assert.ok(deltas.length >= 1);
  assert.deepEqual(deltas.map((d) => d.seq), deltas.map((_, i) => i + 2), 'deltas are numbered after the snapshot');
  const steps = deltas.flatMap((d) => (d.type === 'delta' ? d.delta.metrics?.step ?? [] : []));
  assert.deepEqual(steps, [15, 16, 17, 18, 19, 20]);
  const changed = deltas.flatMap((d) => (d.type === 'delta' ? Object.keys(d.delta.run ?? {}) : []));
  assert.deepEqual([...new Set(changed)], ['checkpoints']);
});

test('deltas are rate limited to one per 250 ms however often the folder changes', async (t) => {
  const { dir, msgs, feed } = setup(t);
  feed.snapshot();
  const t0 = Date.now();
  let step = 15;
  while (Date.now() - t0 < 1100) {
    appendFileSync(join(dir, 'metrics.jsonl'), row(step++));
    feed.poll();
    await sleep(5);
  }
  await sleep(700);
  const deltas = msgs.filter((m) => m.type === 'delta');
  assert.ok(deltas.length >= 3 && deltas.length <= 7, `got ${deltas.length} deltas in ~1.1 s`);
  const total = deltas.reduce((n, d) => n + (d.type === 'delta' ? d.delta.metrics?.step.length ?? 0 : 0), 0);
  assert.equal(total, step - 15, 'every row arrives exactly once');
});

test('paused feeds send nothing; a new snapshot restarts the numbering from the current state', async (t) => {
  const { dir, msgs, feed } = setup(t);
  feed.snapshot();
  feed.pause();
  appendFileSync(join(dir, 'metrics.jsonl'), row(15));
  feed.poll();
  await sleep(300);
  assert.equal(msgs.length, 1);
  feed.snapshot();
  const snap = msgs[1];
  assert.ok(snap.type === 'snapshot' && snap.seq === 2 && snap.snapshot.metrics.step.length === 15);
});

test('a file that shrinks (run recreated) resets the tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mimlab-tail-'));
  const f = join(dir, 'm.jsonl');
  writeFileSync(f, row(1) + row(2));
  const tail = new JsonLinesTail<{ step: number }>(f);
  assert.deepEqual(tail.read().rows.map((r) => r.step), [1, 2]);
  writeFileSync(f, row(7));
  const r = tail.read();
  assert.equal(r.reset, true);
  assert.deepEqual(r.rows.map((x) => x.step), [7]);
  assert.deepEqual(new JsonLinesTail(join(dir, 'missing')).read(), { rows: [], reset: false });
  rmSync(dir, { recursive: true, force: true });
});
