import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { resumeCommand } from '../../../src/cli/jobs';
import type { Config } from '../../../src/config/schema';
import { AdamW } from '../../../src/ml/optimizer';
import { createModel } from '../../../src/ml/create-model';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { listCheckpoints, loadCheckpoint, saveCheckpoint } from '../../../src/trainer/checkpoint';
import { exportState, importState } from '../../../src/trainer/model-state';
import { disposeInputs } from '../../../src/ml/inputs';
import { trainStep } from '../../../src/ml/train-step';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';
import { lossesOf, metricsOf, silent, tempDir, train } from '../../helpers/runs';

before(useWasm);

describe('checkpoints', () => {
  it('round trip is exact for model, teacher and optimizer state', async () => {
    const config = tinyConfig();
    const spec = modelSpecFromConfig(config);
    const model = createModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const { inputs } = tinyInputs(config);
    await trainStep(model, opt, [inputs], 1e-3, 3);
    disposeInputs(inputs);
    const saved = await exportState(model, opt);
    const root = join(tempDir('ckpt'), 'checkpoints');
    saveCheckpoint(root, { step: 1, epoch: 0, optimizerT: saved.optimizerT, config, rng: { seed: 0, step: 1 }, createdAt: '' }, saved.arrays, 2);
    const loaded = loadCheckpoint(root, 1);
    const fresh = createModel({ ...spec, seed: 99 });
    const freshOpt = new AdamW(fresh.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    importState(fresh, freshOpt, loaded.arrays, loaded.meta.optimizerT, 'test');
    const again = await exportState(fresh, freshOpt);
    assert.equal(again.optimizerT, 1);
    assert.deepEqual(again.arrays.map((a) => a.name), saved.arrays.map((a) => a.name));
    again.arrays.forEach((a, i) => assert.deepEqual(Array.from(a.data), Array.from(saved.arrays[i].data), a.name));
    for (const m of [model, fresh]) m.dispose();
    for (const o of [opt, freshOpt]) o.dispose();
  });

  it('a half-written checkpoint is never taken for a finished one', () => {
    const root = join(tempDir('ckpt'), 'checkpoints');
    const config = tinyConfig();
    saveCheckpoint(root, { step: 4, epoch: 0, optimizerT: 4, config, rng: { seed: 0, step: 4 }, createdAt: '' }, [{ name: 'a', shape: [2], data: new Float32Array([1, 2]) }], 3);
    mkdirSync(join(root, '.tmp-step-000008-99999999'));
    mkdirSync(join(root, 'step-000009'));
    writeFileSync(join(root, 'step-000009', 'meta.json'), '{"arrays":[{"length":100}]}');
    writeFileSync(join(root, 'step-000009', 'weights.bin'), Buffer.alloc(12));
    assert.deepEqual(listCheckpoints(root), [4]);
    assert.ok(!existsSync(join(root, '.tmp-step-000008-99999999')), 'leftovers of an interrupted write are cleaned');
  });
});

describe('resume', () => {
  const sets = ['train.steps=12', 'train.checkpointEvery=4', 'train.batchSize=4'];

  it('interrupted then resumed logs the same losses as an uninterrupted run, each step once', async () => {
    const reference = await train(tinyConfig(sets));
    const interrupted = await train(tinyConfig(sets), { stopAt: 6 });
    assert.equal(interrupted.state, 'stopped');
    assert.deepEqual(listCheckpoints(join(interrupted.runDir, 'checkpoints')).slice(-1), [6], 'stop writes a checkpoint');
    const resumed = await train(tinyConfig(sets), { resumeDir: interrupted.runDir });
    assert.equal(resumed.state, 'completed');
    const rows = metricsOf(interrupted.runDir);
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(lossesOf(rows), lossesOf(metricsOf(reference.runDir)));
  });

  it('after a crash, lines past the checkpoint and a torn last line are dropped and replayed', async () => {
    const reference = await train(tinyConfig(sets));
    const crashed = await train(tinyConfig(sets), { stopAt: 10 });
    // Simulate kill -9 after step 10 with the last checkpoint at 8: remove the stop checkpoint, add a torn line.
    const ckpts = join(crashed.runDir, 'checkpoints');
    for (const d of readdirSync(ckpts)) if (d === 'step-000010') rmDir(join(ckpts, d));
    appendFileSync(join(crashed.runDir, 'metrics.jsonl'), '{"step": 11, "loss"');
    const resumed = await train(tinyConfig(sets), { resumeDir: crashed.runDir });
    assert.equal(resumed.state, 'completed');
    const rows = metricsOf(crashed.runDir);
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(lossesOf(rows), lossesOf(metricsOf(reference.runDir)));
  });

  it('resume --set rewrites config.json and records what changed in log.txt', async () => {
    const run = await train(tinyConfig(['train.steps=4', 'train.checkpointEvery=2']), { stopAt: 2 });
    const before = readFileSync(join(run.runDir, 'log.txt'), 'utf8');
    const code = await resumeCommand(parseArgs([run.runDir, '--set', 'train.steps=5', '--set', 'train.lr=1e-3']), { reporter: silent, print: () => {} });
    assert.equal(code, 0);
    const config = JSON.parse(readFileSync(join(run.runDir, 'config.json'), 'utf8')) as Config;
    assert.equal(config.train.steps, 5);
    assert.equal(config.train.lr, 1e-3);
    assert.deepEqual(metricsOf(run.runDir).map((r) => r.step), [1, 2, 3, 4, 5]);
    const added = readFileSync(join(run.runDir, 'log.txt'), 'utf8').slice(before.length);
    assert.match(added, /resume changed the config \(config\.json rewritten\): train\.lr: 0\.0005 → 0\.001; train\.steps: 4 → 5/);
  });

  it('resume without overrides leaves config.json as it was', async () => {
    const run = await train(tinyConfig(['train.steps=3', 'train.checkpointEvery=1']), { stopAt: 1 });
    const before = readFileSync(join(run.runDir, 'config.json'), 'utf8');
    assert.equal(await resumeCommand(parseArgs([run.runDir]), { reporter: silent, print: () => {} }), 0);
    assert.equal(readFileSync(join(run.runDir, 'config.json'), 'utf8'), before);
    assert.doesNotMatch(readFileSync(join(run.runDir, 'log.txt'), 'utf8'), /resume changed the config/);
  });

  it('resume without any checkpoint starts again from step 0', async () => {
    const run = await train(tinyConfig(['train.steps=3', 'train.checkpointEvery=100']), { stopAt: 1 });
    rmDir(join(run.runDir, 'checkpoints'));
    const resumed = await train(tinyConfig(['train.steps=3', 'train.checkpointEvery=100']), { resumeDir: run.runDir });
    assert.equal(resumed.state, 'completed');
    assert.deepEqual(metricsOf(run.runDir).map((r) => r.step), [1, 2, 3]);
  });
});

function rmDir(p: string): void {
  rmSync(p, { recursive: true, force: true });
}
