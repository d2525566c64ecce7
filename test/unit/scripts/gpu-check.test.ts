// scripts/gpu-check.sh, the torch engine's check for a GPU machine without Node: its resolved configs are the ones
// the TypeScript resolver gives today, and with --tiny it runs end to end on this CPU (bench of both presets, a run,
// a resume) and leaves its results under $OUT.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { gpuCheckConfigs } from '../../../src/bench/torch-bench-config';
import { tempDir } from '../../helpers/runs';
import { PYTHON } from '../torch/python';

const ROOT = resolve(__dirname, '..', '..', '..');
const CONFIGS = join(ROOT, 'scripts', 'gpu-check', 'configs');

describe('the GPU check', () => {
  it('ships the configs the resolver gives now (regenerate: node --import tsx scripts/gpu-check-configs.ts)', () => {
    const want = gpuCheckConfigs();
    assert.deepEqual(readdirSync(CONFIGS).sort(), Object.keys(want).map((n) => `${n}.json`).sort());
    for (const [name, config] of Object.entries(want)) {
      assert.deepEqual(JSON.parse(readFileSync(join(CONFIGS, `${name}.json`), 'utf8')), config, name);
    }
    for (const preset of ['cae-vit-b16-224', 'mae-vit-b16-224']) {
      const c = want[preset];
      assert.equal(c.preset, preset);
      assert.equal(c.engine, 'torch');
      assert.equal(c.train.precision, 'bf16');
      assert.equal(c.train.batchSize, 64);
      assert.equal(c.train.steps, 200);
      assert.equal(c.model.dim, 768);
      assert.equal(want[`${preset}-tiny`].train.batchSize, 2);
    }
  });

  it('--tiny runs on a CPU: both benches, a run and its resume, with the results under $OUT', () => {
    const out = join(tempDir('gpu-check'), 'out');
    const r = spawnSync(join(ROOT, 'scripts', 'gpu-check.sh'), ['--tiny', '--steps', '1', '--warmup', '0'], {
      encoding: 'utf8', env: { ...process.env, OUT: out, MIMLAB_PYTHON: PYTHON, MIMLAB_TORCH_THREADS: '1', MIMLAB_DEVICE: 'cpu', MIMLAB_LOADER_WORKERS: '0' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const f of ['env.json', 'bench-cae-vit-b16-224.json', 'bench-mae-vit-b16-224.json', 'summary.json', 'gpu-check.log',
      'run/metrics.jsonl', 'run/status.json', 'run/log.txt', 'run/config.json']) assert.ok(existsSync(join(out, f)), f);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    for (const preset of ['cae-vit-b16-224', 'mae-vit-b16-224']) {
      const b = summary.bench[preset];
      assert.equal(b.type, 'bench');
      assert.equal(b.precision, 'bf16');
      assert.equal(b.batch, 2);
      assert.equal(b.mfu, null);
      assert.match(b.mfuUnavailable, /CPU/);
    }
    assert.equal(summary.run.exit, 0);
    assert.deepEqual(summary.run.resume, { ...summary.run.resume, exit: 0, lastStep: 40, everyStepOnce: true });
    const status = JSON.parse(readFileSync(join(out, 'run', 'status.json'), 'utf8'));
    assert.equal(status.state, 'completed');
    assert.equal(status.step, 40);
    assert.equal(status.optimizer, 'adamw-single-tensor');
    assert.equal(status.pinMemory, false);
    const steps = readFileSync(join(out, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
    assert.deepEqual(steps, Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    assert.match(readFileSync(join(out, 'gpu-check.log'), 'utf8'), /run cae-vit-b16-224: exit 0, 20 steps .*; ok/);
  });
});
