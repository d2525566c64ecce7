// The sampler as a training hook: two short cae-tiny runs with the same seed, with and without sampling,
// must log identical metrics; the sampled run gets its samples/<step>/ folders and `sample` events.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/resolve';
import { createSampler, isSampleStep } from '../../../src/trainer/sampler';
import { writeSampleDir } from '../../../src/diagnostics/write-sample';
import { initBackend } from '../../../src/ml/backend';
import type { TrainerEvent } from '../../../src/protocol/events';
import { parseJsonLines, type MetricsRow } from '../../../src/protocol/run-files';
import type { SampleManifest } from '../../../src/protocol/samples';
import { runPretrain, type StepHook } from '../../../src/trainer/pretrain';
import { StopSignal } from '../../../src/trainer/stop';

before(async () => {
  await initBackend('wasm');
});

// Drop path and augmentation on, so any stray draw from the training streams would show in the losses.
const SETS = ['backend=wasm', 'train.steps=6', 'sample.every=2', 'train.checkpointEvery=100', 'model.dropPath=0.2', 'train.logEvery=1'];

async function train(root: string, hooks: StepHook[]): Promise<{ runDir: string; rows: MetricsRow[]; events: TrainerEvent[] }> {
  const config = resolveConfig({ preset: 'cae-tiny', sets: SETS });
  const events: TrainerEvent[] = [];
  const r = await runPretrain({ config, runsDir: root, name: hooks.length ? 'sampled' : 'plain', reporter: { emit: (e) => events.push(e) }, stop: new StopSignal(), hooks });
  assert.equal(r.state, 'completed');
  const rows = parseJsonLines<MetricsRow>(readFileSync(join(r.runDir, 'metrics.jsonl'), 'utf8'));
  return { runDir: r.runDir, rows, events };
}

/** The sampler, after planting what a process killed mid-write would leave behind. */
function leftoverThenSample(): StepHook {
  const sampler = createSampler();
  return async (step, ctx, moment) => {
    if (moment === 'start') mkdirSync(join(ctx.run.dir, 'samples', '.tmp-000002-999999'), { recursive: true });
    await sampler(step, ctx, moment);
  };
}

/** What must not change: everything but wall-clock fields. */
function trajectory(rows: MetricsRow[]): unknown[] {
  return rows.map(({ time: _t, imgs_per_s: _s, ...rest }) => rest);
}

test('sampling does not perturb training: identical metrics with and without the sampler', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-sampler-'));
  try {
    const plain = await train(root, []);
    const sampled = await train(root, [leftoverThenSample()]);
    assert.equal(plain.rows.length, 6);
    assert.deepEqual(trajectory(sampled.rows), trajectory(plain.rows));

    const samples = join(sampled.runDir, 'samples');
    assert.deepEqual(readdirSync(samples).sort(), ['000000', '000002', '000004', '000006'], 'the untrained model, every 2 steps; no temporaries left');
    const ev = sampled.events.filter((e): e is Extract<TrainerEvent, { type: 'sample' }> => e.type === 'sample');
    assert.deepEqual(ev.map((e) => e.sample.step), [0, 2, 4, 6]);
    for (const e of ev) {
      assert.equal(e.sample.dir, `samples/${String(e.sample.step).padStart(6, '0')}`);
      for (const f of e.sample.files) assert.ok(existsSync(join(sampled.runDir, e.sample.dir, f)), `${f} exists`);
      assert.ok(e.sample.files.includes('sample.json'));
    }
    const m = JSON.parse(readFileSync(join(samples, '000006', 'sample.json'), 'utf8')) as SampleManifest;
    assert.equal(m.step, 6);
    assert.ok(typeof m.elapsedMs === 'number' && m.elapsedMs >= 0);
    assert.equal(sampled.events.filter((e) => e.type === 'log' && e.level === 'warn').length, 0, 'no sampling warnings');
    assert.equal(existsSync(join(plain.runDir, 'samples')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a stopped run gets a sample of the step it stopped at, once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-sampler-stop-'));
  try {
    const config = resolveConfig({ preset: 'cae-tiny', sets: [...SETS, 'train.steps=20', 'sample.every=4'] });
    const stop = new StopSignal();
    const sampler = createSampler();
    const stopAfter3: StepHook = async (step, ctx, moment) => {
      await sampler(step, ctx, moment);
      if (step === 3) stop.request('test');
    };
    const r = await runPretrain({ config, runsDir: root, name: 'stopped', reporter: { emit: () => {} }, stop, hooks: [stopAfter3] });
    assert.equal(r.state, 'stopped');
    assert.deepEqual(readdirSync(join(r.runDir, 'samples')).sort(), ['000000', '000003']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('isSampleStep: every N steps and the last step; 0 disables', () => {
  const c = resolveConfig({ preset: 'cae-tiny', sets: ['train.steps=25', 'sample.every=10'] });
  assert.deepEqual([1, 10, 20, 24, 25].map((s) => isSampleStep(s, c)), [false, true, true, false, true]);
  c.sample.every = 0;
  assert.equal(isSampleStep(25, c), false);
});

test('writeSampleDir replaces an existing step folder in one rename (a resumed run re-sampling a step)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-write-sample-'));
  try {
    const manifest = { step: 7 } as SampleManifest;
    writeSampleDir(root, manifest, new Map([['a.json', '1'], ['old.json', 'x']]));
    const names = writeSampleDir(root, manifest, new Map([['a.json', '2']]));
    assert.deepEqual(names, ['a.json', 'sample.json']);
    const dir = join(root, 'samples', '000007');
    assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'sample.json']);
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), '2');
    assert.deepEqual(readdirSync(join(root, 'samples')), ['000007']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
