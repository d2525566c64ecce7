// Issue 18's research options give the same numbers on both engines: the same config (same data, augmentation,
// masks and initial weights) trained a few steps by the TF.js engine and by the torch engine logs the same losses,
// collapse signals (latent_std, target_var, pred_var, rank_me) and teacher momentum at every step. Each option is
// also checked against the paper-default run, so an option both engines ignored could not pass.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { MetricsRow } from '../../../src/protocol/run-files';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { metricsOf, tempDir, train } from '../../helpers/runs';
import { startEngine, writeJob } from './python';

before(useWasm);

const STEPS = 6;
/** Float32 in two op orders (the equivalence tests' bound): observed differences are ~1e-6 relative. */
const REL = 1e-3;
/** teacher_momentum is the same float64 formula in both engines (cos from two libms: at most an ulp apart). */
const MOMENTUM_ABS = 1e-12;
const COMPARED = ['loss', 'loss_main', 'loss_align', 'latent_std', 'grad_norm', 'target_var', 'pred_var', 'rank_me'] as const;

/** Every step logged, rank_me at steps 3 and 6, no checkpoints or samples between (they are the run-folder test's). */
const BASE = ['train.batchSize=8', `train.steps=${STEPS}`, 'train.logEvery=1', 'monitor.rankEvery=3', 'train.checkpointEvery=100', 'sample.every=0'];

async function bothEngines(sets: readonly string[]): Promise<{ tfjs: MetricsRow[]; torch: MetricsRow[] }> {
  const config = tinyConfig([...BASE, ...sets]);
  const tfjs = await train(config);
  assert.equal(tfjs.state, 'completed');
  const runDir = join(tempDir('torch-research'), 'run');
  const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config));
  assert.equal(r.code, 0, r.stderr);
  return { tfjs: metricsOf(tfjs.runDir), torch: metricsOf(runDir) };
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

function assertSameRows(torch: MetricsRow[], tfjs: MetricsRow[], what: string): void {
  assert.deepEqual(torch.map((m) => m.step), tfjs.map((m) => m.step), `${what}: logged steps`);
  torch.forEach((row, i) => {
    const t = tfjs[i];
    assert.deepEqual(Object.keys(row).sort(), Object.keys(t).sort(), `${what} step ${row.step}: same fields`);
    for (const k of COMPARED) {
      const a = row[k];
      const b = t[k];
      if (b === null || b === undefined) assert.equal(a, b, `${what} step ${row.step} ${k}`);
      else assert.ok(rel(a as number, b) < REL, `${what} step ${row.step} ${k}: torch ${a} vs TF.js ${b}`);
    }
    if (t.teacher_momentum !== undefined) {
      assert.ok(Math.abs((row.teacher_momentum as number) - t.teacher_momentum) <= MOMENTUM_ABS, `${what} step ${row.step} teacher_momentum`);
    }
  });
  for (const k of ['target_var', 'pred_var'] as const) assert.ok(tfjs.every((m) => typeof m[k] === 'number'), `${what}: ${k} logged at every step`);
  assert.deepEqual(tfjs.filter((m) => m.rank_me !== undefined).map((m) => m.step), [3, 6], `${what}: rank_me at monitor.rankEvery steps and the last`);
}

describe('issue 18 options: torch engine ≡ TF.js engine', () => {
  let paper: MetricsRow[] = [];

  it('paper defaults (constant copy teacher, raw MSE alignment, block masks) log the same signals', async () => {
    const { tfjs, torch } = await bothEngines([]);
    assertSameRows(torch, tfjs, 'defaults');
    assert.equal(tfjs[0].teacher_momentum, undefined, 'a constant schedule logs no teacher_momentum');
    paper = tfjs;
  });

  // [name, overrides, the step from which the option must have changed loss_align against the paper default]
  const options: [string, string[], number][] = [
    ['teacher.schedule=cosine 0 → 1', ['teacher.schedule=cosine', 'teacher.momentumEnd=1'], 3],
    ['teacher.schedule=linear 0.9 → 0.999', ['teacher.schedule=linear', 'teacher.momentum=0.9', 'teacher.momentumEnd=0.999'], 2],
    ['loss.alignTarget=layernorm', ['loss.alignTarget=layernorm'], 1],
    ['loss.alignTarget=instancenorm-topk (both blocks)', ['loss.alignTarget=instancenorm-topk', 'loss.alignTopK=0'], 1],
    ['loss.alignTarget=instancenorm-topk (last block)', ['loss.alignTarget=instancenorm-topk', 'loss.alignTopK=1'], 1],
    ['loss.alignLoss=smooth-l1 (beta 0.1: both branches)', ['loss.alignLoss=smooth-l1', 'loss.alignBeta=0.1'], 1],
    ['loss.alignLoss=smooth-l1 (beta 0: L1)', ['loss.alignLoss=smooth-l1', 'loss.alignBeta=0'], 1],
    ['mask.kind=multiblock', ['mask.kind=multiblock'], 1],
    ['the issue\'s check: cosine to 1 with multiblock masks', ['teacher.schedule=cosine', 'teacher.momentumEnd=1', 'mask.kind=multiblock'], 1],
  ];
  for (const [name, sets, from] of options) {
    it(`${name}: first-step and ${STEPS}-step losses and signals agree to ${REL}`, async () => {
      const { tfjs, torch } = await bothEngines(sets);
      assertSameRows(torch, tfjs, name);
      assert.ok(paper.length === STEPS, 'the paper-default run ran first');
      for (let s = 0; s < STEPS; s++) {
        const same = tfjs[s].loss_align === paper[s].loss_align;
        assert.equal(same, s + 1 < from, `${name}: step ${s + 1} loss_align ${same ? 'equals' : 'differs from'} the paper default's`);
      }
      if (sets.includes('teacher.schedule=cosine')) {
        assert.deepEqual(torch.map((m) => m.teacher_momentum?.toFixed(6)), ['0.000000', '0.095492', '0.345492', '0.654508', '0.904508', '1.000000']);
      }
    });
  }
});

describe('issue 18 options across a stop and resume (torch engine)', () => {
  it('a run stopped mid-ramp and resumed logs the rows of an uninterrupted run (momentum, targets, rank_me)', async () => {
    const config = tinyConfig([...BASE, 'teacher.schedule=cosine', 'teacher.momentumEnd=1', 'loss.alignTarget=instancenorm-topk', 'mask.kind=multiblock']);
    const jobs = tempDir('jobs');
    const whole = join(tempDir('torch-whole'), 'run');
    assert.equal((await startEngine(writeJob(jobs, 'pretrain', whole, config))).code, 0);
    const runDir = join(tempDir('torch-stopped'), 'run');
    let sent = false;
    const stopped = await startEngine(writeJob(jobs, 'pretrain', runDir, config), (e, proc) => {
      if (e.type === 'metrics' && e.row.step === 2 && !sent) {
        sent = true;
        proc.kill('SIGTERM');
      }
    });
    assert.equal(stopped.code, 130, stopped.stderr);
    const stopStep = metricsOf(runDir).length;
    assert.ok(stopStep < STEPS, `stopped at step ${stopStep}, before the end`);
    assert.equal((await startEngine(writeJob(jobs, 'resume', runDir, config))).code, 0);
    const deterministic = (rows: MetricsRow[]): unknown[] => rows.map(({ time, imgs_per_s, ...rest }) => rest);
    assert.deepEqual(deterministic(metricsOf(runDir)), deterministic(metricsOf(whole)), `stopped at step ${stopStep}: the same rows, bit for bit`);
  });
});

describe('issue 18 options the torch engine is handed wrong (a hand-written JOB.json)', { concurrency: true }, () => {
  const cases: [string, (c: Record<string, Record<string, unknown>>) => void, RegExp][] = [
    ['teacher.schedule', (c) => { c.teacher.schedule = 'exponential'; }, /teacher\.schedule must be one of constant, linear, cosine, got 'exponential'/],
    ['teacher.momentumEnd', (c) => { c.teacher.schedule = 'linear'; c.teacher.momentumEnd = 1.5; }, /teacher\.momentumEnd must be in \[0, 1\], got 1\.5/],
    ['loss.alignTarget', (c) => { c.loss.alignTarget = 'whitened'; }, /loss\.alignTarget must be one of raw, layernorm, instancenorm-topk, got 'whitened'/],
    ['loss.alignTopK', (c) => { c.loss.alignTopK = 5; }, /loss\.alignTopK must be an integer in \[0, model\.depth = 2\]/],
    ['loss.alignLoss', (c) => { c.loss.alignLoss = 'huber'; }, /loss\.alignLoss must be one of mse, smooth-l1, got 'huber'/],
    ['mask.blockScale', (c) => { c.mask.kind = 'multiblock'; c.mask.blockScale = [0, 2]; }, /mask\.blockScale must be \[min, max\] with 0 < min ≤ max ≤ 1, got \[0, 2\]/],
    ['monitor.rankImages', (c) => { c.monitor.rankImages = 1; }, /monitor\.rankImages must be an integer ≥ 2, got 1/],
  ];
  for (const [key, spoil, message] of cases) {
    it(`refuses a bad ${key} with exit 2, naming it, before making the run folder`, async () => {
      const config = tinyConfig(BASE) as unknown as Record<string, Record<string, unknown>>;
      spoil(config);
      const runDir = join(tempDir('torch-bad'), 'run');
      const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config as never));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(existsSync(runDir), false, 'no run folder');
    });
  }
});
