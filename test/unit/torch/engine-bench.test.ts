// The bench's torch-engine line: `python -m mimlab_torch bench --job JOB.json` times the engine's own step on a config
// and the TS side reads its result line; a bad job is refused with exit 2 and a message naming the field.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stepFlops } from '../../../src/bench/flops';
import { benchTorchEngine } from '../../../src/bench/torch-engine';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { findPythonTorch } from '../../../src/trainer/python-torch';
import { tinyConfig } from '../../helpers/engine';
import { tempDir } from '../../helpers/runs';
import { ENGINE_DIR, PYTHON, pythonEnv } from './python';

Object.assign(process.env, { ...pythonEnv(), MIMLAB_LOADER_WORKERS: '0' });

describe('torch engine bench command', () => {
  it('times the engine on a config: median ms, img/s consistent with the batch, the backend', () => {
    const config = tinyConfig(['engine=torch', 'train.batchSize=8']);
    const r = benchTorchEngine(findPythonTorch(PYTHON), config, 3, 1, ENGINE_DIR);
    assert.ok(typeof r !== 'string', String(r));
    assert.equal(r.backend, 'torch-cpu');
    assert.ok(r.medianMs > 0);
    assert.ok(Math.abs(r.imgsPerSec - 8 / (r.medianMs / 1000)) < 1e-6 * r.imgsPerSec);
  });

  it('reports the model FLOPs of the step (as the TypeScript bench counts them), the FLOP/s, and why there is no MFU on a CPU', () => {
    const config = tinyConfig(['engine=torch', 'train.batchSize=8']);
    const r = benchTorchEngine(findPythonTorch(PYTHON), config, 2, 1, ENGINE_DIR);
    assert.ok(typeof r !== 'string', String(r));
    const grid = config.data.imageSize / config.model.patchSize;
    const flops = stepFlops(modelSpecFromConfig(config), 8, grid * grid - config.mask.count, config.mask.count).total;
    assert.equal(r.gflopPerStep, flops / 1e9);
    assert.ok(Math.abs((r.achievedTflops ?? 0) - flops / (r.medianMs / 1000) / 1e12) < 1e-9 * (r.achievedTflops ?? 1));
    assert.equal(r.mfu, null);
    assert.equal(r.peak, null);
    assert.match(r.mfuUnavailable ?? '', /no datasheet peak for a CPU/);
    assert.equal(r.optimizer, 'adamw-single-tensor');
    assert.equal(r.pinMemory, false);
    assert.equal(r.precision, 'fp32');
    assert.equal(r.batch, 8);
    assert.equal(r.steps, 2);
    assert.ok((r.loaderImgsPerSec ?? 0) > 0);
    assert.match(r.flopConvention ?? '', /×3 .* teacher forward once/);
  });

  it('a job without steps exits 2 naming the field', () => {
    const job = join(tempDir('engine-bench'), 'job.json');
    writeFileSync(job, JSON.stringify({ version: 1, config: tinyConfig(['engine=torch']), steps: 0 }));
    const r = spawnSync(PYTHON, ['-m', 'mimlab_torch', 'bench', '--job', job], { env: pythonEnv(), encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /steps must be an integer ≥ 1/);
  });
});
