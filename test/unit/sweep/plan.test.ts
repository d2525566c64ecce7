import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan, sweepId } from '../../../src/sweep/plan';
import { parseGridOption, parseSeeds, splitValues, type SweepSpec } from '../../../src/sweep/spec';
import { readSweepFile } from '../../../src/sweep/sweep-file';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

const spec = (over: Partial<SweepSpec> = {}): SweepSpec => ({ preset: 'cae-tiny', sets: [], grid: [], seeds: [0], probes: ['knn'], runsDir: '/tmp/runs', ...over });

test('grid and seed parsing: lists stay whole, ranges expand, the value type is checked per key', () => {
  assert.deepEqual(splitValues('[0.2,1],[0.35,1]'), ['[0.2,1]', '[0.35,1]']);
  assert.deepEqual(parseGridOption('data.cropScale=[0.2,1],[0.35,1]'), { key: 'data.cropScale', values: ['[0.2,1]', '[0.35,1]'] });
  assert.deepEqual(parseSeeds('0-2,7'), [0, 1, 2, 7]);
  assert.throws(() => parseGridOption('mask.kind=block,spiral'), /--grid mask\.kind=block,spiral: mask\.kind must be one of block, random, multiblock, got "spiral"/);
  assert.throws(() => parseGridOption('mask.count=4,'), /empty value/);
  assert.throws(() => parseSeeds('1,1'), /listed twice/);
});

test('buildPlan: grid × seeds in order, every run resolved by the config validator, baselines per encoder shape and seed', () => {
  const plan = buildPlan(spec({
    grid: [{ key: 'loss.alignWeight', values: ['0', '2'] }, { key: 'model.dim', values: ['32', '64'] }], seeds: [0, 1], sets: ['train.steps=5'],
  }));
  assert.equal(plan.runs.length, 8);
  assert.deepEqual(plan.runs.slice(0, 3).map((r) => r.sets), [
    ['train.steps=5', 'loss.alignWeight=0', 'model.dim=32', 'train.seed=0'],
    ['train.steps=5', 'loss.alignWeight=0', 'model.dim=32', 'train.seed=1'],
    ['train.steps=5', 'loss.alignWeight=0', 'model.dim=64', 'train.seed=0'],
  ]);
  assert.equal(new Set(plan.runs.map((r) => r.name)).size, 8);
  // λ does not change the random-init encoder, the width does: 2 widths × 2 seeds, each first met at runs 0, 1, 2, 3.
  assert.deepEqual(plan.baselineRuns, [0, 1, 2, 3]);
  assert.equal(plan.runs[4].baseline, plan.runs[0].baseline);
  assert.notEqual(plan.runs[2].baseline, plan.runs[0].baseline);
  // Combinations are validated together: 64 heads of width 32 is refused, naming the run.
  assert.throws(() => buildPlan(spec({ grid: [{ key: 'model.heads', values: ['2', '64'] }] })), /run model\.heads=64 seed 0: model\.heads \(64\) must divide model\.dim \(32\)/);
  // The same spec gives the same id (a restart finds its folder); another grid another one.
  assert.equal(sweepId(spec({ grid: [{ key: 'loss.alignWeight', values: ['0', '2'] }] })), sweepId(spec({ grid: [{ key: 'loss.alignWeight', values: ['0', '2'] }] })));
  assert.notEqual(sweepId(spec({ grid: [{ key: 'loss.alignWeight', values: ['0', '2'] }] })), sweepId(spec({ grid: [{ key: 'loss.alignWeight', values: ['0', '1'] }] })));
});

test('sweep files: typed JSON values, paths relative to the file, unknown fields named', () => {
  const dir = tempDir('sweep-file');
  const file = join(dir, 'ablation.mimlab-sweep.json');
  writeFileSync(file, JSON.stringify({ preset: 'cae-tiny', set: { 'train.steps': 5 }, grid: { 'loss.alignWeight': [0, 2], 'data.cropScale': [[0.2, 1]] }, seeds: '0-1', probe: ['knn'], jobs: 2, runsDir: 'runs' }));
  const f = readSweepFile(file);
  assert.deepEqual(f.sets, ['train.steps=5']);
  assert.deepEqual(f.grid, [{ key: 'loss.alignWeight', values: ['0', '2'] }, { key: 'data.cropScale', values: ['[0.2,1]'] }]);
  assert.deepEqual([f.seeds, f.jobs, f.runsDir], [[0, 1], 2, join(dir, 'runs')]);
  writeFileSync(file, JSON.stringify({ preset: 'cae-tiny', grids: {} }));
  assert.throws(() => readSweepFile(file), /unknown field "grids"/);
  writeFileSync(file, JSON.stringify({ preset: 'cae-tiny', grid: { 'loss.alignWeight': [] } }));
  assert.throws(() => readSweepFile(file), /grid\.loss\.alignWeight: expected one or more comma-separated values/);
  writeFileSync(file, JSON.stringify({ preset: 'cae-tiny', grid: { 'loss.alignWeight': ['x'] } }));
  assert.throws(() => readSweepFile(file), /loss\.alignWeight: expected a number ≥ 0, got "x"/);
});

test('mim-lab sweep refuses a bad grid with exit 2 before anything is written', () => {
  ensureBuilt();
  const cwd = tempDir('sweep-refuse');
  const base = ['sweep', '--preset', 'cae-tiny', '--runs-dir', join(cwd, 'runs'), '--sweeps-dir', join(cwd, 'sweeps')];
  const cases: [string[], RegExp][] = [
    [['--grid', 'loss.alignWeigh=0,2'], /unknown config key "loss\.alignWeigh"/],
    [['--grid', 'loss.alignWeight=0,two'], /--grid loss\.alignWeight=0,two: loss\.alignWeight: expected a number ≥ 0, got "two"/],
    [['--grid', 'loss.alignWeight='], /--grid loss\.alignWeight=: expected one or more comma-separated values/],
    [['--grid', 'mask.count=4,16'], /run mask\.count=16 seed 0: mask\.count \(16\) must be smaller than the number of patches/],
    [['--grid', 'loss.alignWeight=0,2', '--seeds', 'a-b'], /--seeds: expected seeds like 0-4/],
    [['--grid', 'loss.alignWeight=0,2', '--jobs', '0'], /--jobs: expected an integer from 1 to 64/],
    [['--grid', 'loss.alignWeight=0,2', '--probe', 'svm'], /--probe: expected probe kinds from/],
  ];
  for (const [extra, message] of cases) {
    const r = cli([...base, ...extra], cwd);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!existsSync(join(cwd, 'sweeps')) && !existsSync(join(cwd, 'runs')), 'nothing written');
});
