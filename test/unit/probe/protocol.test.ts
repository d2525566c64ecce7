import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveConfig } from '../../../src/config/resolve';
import { initBackend } from '../../../src/ml/backend';
import { Rng } from '../../../src/ml/rng';
import { buildTable, readRunRow } from '../../../src/probe/compare';
import type { FeatureSplit } from '../../../src/diagnostics/features';
import { gridPoints, trainLinearGrid } from '../../../src/probe/grid';
import { runProbe, type ProbeJob } from '../../../src/probe/job';
import { pooledBatcher } from '../../../src/probe/linear';
import { standardise } from '../../../src/probe/pixel-features';
import { holdOutValidation, validationSize } from '../../../src/probe/val-split';
import { parseJsonLines, type ProbeMetricsRow } from '../../../src/protocol/run-files';
import { runPretrain } from '../../../src/trainer/pretrain';
import { StopSignal } from '../../../src/trainer/stop';

let root = '';
let runDir = '';

before(async () => {
  await initBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'mimlab-protocol-'));
  const config = resolveConfig({
    preset: 'cae-tiny',
    sets: ['backend=wasm', 'train.steps=2', 'train.checkpointEvery=2', 'data.syntheticTrain=120', 'data.syntheticTest=40', 'sample.every=0', 'model.dim=16'],
  });
  const r = await runPretrain({ config, runsDir: root, name: 'protocol', reporter: { emit: () => {} }, stop: new StopSignal() });
  assert.equal(r.state, 'completed');
  runDir = r.runDir;
});

after(() => rmSync(root, { recursive: true, force: true }));

function job(kind: string, extra: Partial<ProbeJob> = {}): ProbeJob {
  return { runDir, kind, randomInit: false, checkpoint: 'latest', sets: ['probe.epochs=3', 'probe.warmupEpochs=1', 'probe.batchSize=32'], reporter: { emit: () => {} }, ...extra };
}

function split(n: number, dim: number, seed: number): FeatureSplit {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * dim }, () => rng.normal());
  return { n, labels: Int32Array.from({ length: n }, (_, i) => i % 5), cls: x, mean: x.map((v) => v * 2), tokens: null };
}

test('the validation split is seeded, disjoint from train, of the stated size, and keeps rows with their labels', () => {
  const s = split(200, 3, 1);
  const a = holdOutValidation(s, 3, 0.1, 7);
  const b = holdOutValidation(s, 3, 0.1, 7);
  const c = holdOutValidation(s, 3, 0.1, 8);
  assert.equal(a.val.n, 20);
  assert.equal(a.train.n, 180);
  assert.deepEqual(Array.from(a.val.cls), Array.from(b.val.cls), 'same seed, same split');
  assert.notDeepEqual(Array.from(a.val.cls), Array.from(c.val.cls), 'another seed, another split');
  const rowKey = (x: Float32Array, i: number): string => Array.from(x.subarray(i * 3, i * 3 + 3)).join(',');
  const trainRows = new Set(Array.from({ length: a.train.n }, (_, i) => rowKey(a.train.cls, i)));
  const origin = new Map(Array.from({ length: s.n }, (_, i) => [rowKey(s.cls, i), i]));
  for (let i = 0; i < a.val.n; i++) {
    const k = rowKey(a.val.cls, i);
    assert.ok(!trainRows.has(k), 'disjoint');
    const o = origin.get(k) as number;
    assert.equal(a.val.labels[i], s.labels[o], 'label travels with its row');
    assert.equal(a.val.mean[i * 3], s.mean[o * 3], 'mean features travel with their row');
  }
  assert.equal(validationSize(10, 0.05), 1);
  assert.throws(() => validationSize(10, 0), /probe\.valFraction/);
});

test('the grid chooses on validation only: a planted test-only signal changes the reported test score, never the choice', async () => {
  // Train/val: the label is decodable from dimension 0. Test A has the same rule; test B plants a different rule
  // (the label is decodable from dimension 1 only), which the grid could only prefer by looking at test labels.
  const D = 4;
  const C = 2;
  const make = (n: number, seed: number, labelDim: number): { x: Float32Array; y: Int32Array } => {
    const rng = new Rng(seed);
    const x = Float32Array.from({ length: n * D }, () => rng.normal());
    return { x, y: Int32Array.from({ length: n }, (_, i) => (x[i * D + labelDim] + 0.3 * rng.normal() > 0 ? 1 : 0)) };
  };
  const tr = make(400, 1, 0);
  const va = make(200, 2, 0);
  const points = gridPoints([1e-4, 0.01, 0.3], [0, 1e-3]);
  const run = async (test: { x: Float32Array; y: Int32Array }): Promise<Awaited<ReturnType<typeof trainLinearGrid>>> => trainLinearGrid(
    { dim: D, train: pooledBatcher(tr.x, D, tr.y), val: pooledBatcher(va.x, D, va.y), test: pooledBatcher(test.x, D, test.y) }, C, points,
    { epochs: 6, warmupEpochs: 1, batchSize: 64, lr: 0, seed: 0, numClasses: C }, 0.9,
  );
  const a = await run(make(300, 3, 0));
  const b = await run(make(300, 3, 1));
  assert.equal(a.entries.length, 6);
  assert.deepEqual(a.entries, b.entries, 'validation scores do not depend on the test split');
  assert.equal(a.best, b.best);
  assert.equal(a.entries[a.best].valTop1, Math.max(...a.entries.map((e) => e.valTop1)), 'best on validation');
  assert.ok(a.entries[a.best].lr >= 0.01, `a useful lr is chosen (${a.entries[a.best].lr})`);
  assert.ok(a.top1 > 0.8, `test A follows the train rule: ${a.top1}`);
  assert.ok(b.top1 < 0.65, `test B's planted rule is not what the chosen head learnt: ${b.top1}`);
});

test('--grid reports the val-chosen head, the whole grid and the split sizes; per-epoch rows never show test', async () => {
  const r = await runProbe(job('linear', { grid: true }));
  assert.equal(r.state, 'completed', r.error);
  const res = r.result;
  assert.ok(res && res.grid && res.gridBest !== undefined && res.numVal !== undefined);
  assert.equal(res.grid.length, 15);
  assert.equal(res.numVal, 12, '10 % of 120 train images');
  assert.equal(res.numTrain, 108);
  assert.equal(res.valTop1, res.grid[res.gridBest].valTop1);
  const rows = parseJsonLines<ProbeMetricsRow>(readFileSync(join(r.probeDir ?? '', 'metrics.jsonl'), 'utf8'));
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.equal(row.test_top1, null);
    assert.equal(typeof row.val_top1, 'number');
  }
  await assert.rejects(runProbe(job('knn', { grid: true })), (e: unknown) => e instanceof ConfigError && /--grid/.test(e.message));
  await assert.rejects(runProbe(job('knn', { sets: ['probe.valFraction=0.1'] })), (e: unknown) => e instanceof ConfigError && /probe\.valFraction/.test(e.message));
});

test('probe.valFraction holds out validation for a single probe, and the test split is evaluated once', async () => {
  const r = await runProbe(job('linear', { sets: ['probe.epochs=2', 'probe.warmupEpochs=1', 'probe.batchSize=32', 'probe.valFraction=0.25'] }));
  assert.equal(r.state, 'completed', r.error);
  assert.equal(r.result?.numVal, 30);
  assert.equal(r.result?.numTrain, 90);
  const rows = parseJsonLines<ProbeMetricsRow>(readFileSync(join(r.probeDir ?? '', 'metrics.jsonl'), 'utf8'));
  assert.equal(rows[rows.length - 1].val_top1, r.result?.valTop1);
  assert.ok(rows.every((row) => row.test_top1 === null));
});

test('--pixels probes standardised raw pixels and shows as its own column beside random init in compare', async () => {
  for (const kind of ['linear', 'knn']) {
    const r = await runProbe(job(kind, { pixels: true }));
    assert.equal(r.state, 'completed', r.error);
    assert.equal(r.result?.pixels, true);
    assert.equal(r.result?.features, 'pixels');
    assert.match(r.probeDir ?? '', new RegExp(`${kind}-pixels-`));
  }
  const rnd = await runProbe(job('knn', { randomInit: true }));
  assert.equal(rnd.state, 'completed');
  const table = buildTable([readRunRow(runDir)]);
  assert.ok(table.header.includes('k-NN (random init) %') && table.header.includes('k-NN (pixels) %') && table.header.includes('linear (pixels) %'));
  const row = readRunRow(runDir);
  assert.equal(row.probes.knn, undefined, 'a pixel probe is not the encoder\'s');
  await assert.rejects(runProbe(job('attentive', { pixels: true })), /--pixels/);
});

test('pixel standardisation uses the train statistics for both splits', () => {
  const train = Float32Array.from([1, 10, 3, 10, 5, 10]); // dim 2: column 0 mean 3 sd √(8/3), column 1 constant
  const test = Float32Array.from([3, 7]);
  standardise(train, [test], 2);
  assert.ok(Math.abs(train[0] + Math.sqrt(1.5)) < 1e-6 && Math.abs(train[4] - Math.sqrt(1.5)) < 1e-6);
  assert.equal(test[0], 0);
  assert.equal(train[1], 0, 'a constant dimension becomes 0');
  assert.equal(Math.abs(test[1]), 0, 'and stays 0 on test');
});
