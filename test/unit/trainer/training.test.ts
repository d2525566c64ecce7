import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInputs, disposeInputs, sliceMasks, type MimInputs } from '../../../src/ml/inputs';
import { maskSpecOf } from '../../../src/ml/mask-spec';
import { generateMasks } from '../../../src/ml/masking';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { createModel } from '../../../src/ml/create-model';
import { AdamW } from '../../../src/ml/optimizer';
import { tf } from '../../../src/ml/tf';
import { stepGradients, trainStep } from '../../../src/ml/train-step';
import type { RunStatus } from '../../../src/protocol/run-files';
import { randomImages, tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';
import { metricsOf, train } from '../../helpers/runs';

before(useWasm);

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('training on the built-in dataset', () => {
  it('lowers loss_main and loss_align over a short run and writes a complete run folder', async () => {
    const config = tinyConfig(['train.steps=60', 'train.batchSize=16', 'train.lr=2e-3', 'train.warmupSteps=5', 'train.checkpointEvery=30']);
    const { runDir, state } = await train(config);
    assert.equal(state, 'completed');
    const rows = metricsOf(runDir);
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 60 }, (_, i) => i + 1));
    const first = rows.slice(0, 10);
    const last = rows.slice(-10);
    assert.ok(mean(last.map((r) => r.loss_main)) < 0.8 * mean(first.map((r) => r.loss_main)), 'loss_main falls');
    assert.ok(mean(last.map((r) => r.loss_align ?? NaN)) < 0.5 * mean(first.map((r) => r.loss_align ?? NaN)), 'loss_align falls');
    for (const r of rows) {
      for (const key of ['step', 'epoch', 'lr', 'loss', 'loss_main', 'loss_align', 'imgs_per_s'] as const) assert.equal(typeof r[key], 'number', key);
    }
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.equal(status.state, 'completed');
    assert.equal(status.step, 60);
    assert.equal(status.backend, 'wasm');
    assert.ok(existsSync(join(runDir, 'config.json')));
    assert.ok(existsSync(join(runDir, 'checkpoints', 'step-000060', 'weights.safetensors')));
  });

  it('MAE logs loss_align as null', async () => {
    const { runDir, state } = await train(tinyConfig(['algorithm=mae', 'train.steps=3']));
    assert.equal(state, 'completed');
    for (const r of metricsOf(runDir)) assert.equal(r.loss_align, null);
  });

  it('keeps tf.memory().numTensors flat after a burn-in step', async () => {
    const config = tinyConfig();
    const model = createModel(tinyInputs(config).spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const step = async (s: number): Promise<void> => {
      const { inputs } = tinyInputs(config, s, true);
      await trainStep(model, opt, [inputs], 1e-3, 3);
      disposeInputs(inputs);
    };
    await step(0);
    const after = tf.memory().numTensors;
    for (let s = 1; s < 5; s++) await step(s);
    assert.equal(tf.memory().numTensors, after);
    model.dispose();
    opt.dispose();
  });

  it('gradient accumulation over micro-batches equals one big batch', async () => {
    const big = await train(tinyConfig(['train.steps=3', 'train.batchSize=8']));
    const micro = await train(tinyConfig(['train.steps=3', 'train.batchSize=8', 'train.microBatch=2']));
    const a = metricsOf(big.runDir);
    const b = metricsOf(micro.runDir);
    a.forEach((r, i) => {
      assert.ok(Math.abs(r.loss - b[i].loss) < 1e-4 * Math.max(1, Math.abs(r.loss)), `step ${r.step}: ${r.loss} vs ${b[i].loss}`);
    });
  });

  it('accumulated micro-batch gradients equal the whole batch\'s gradients, parameter by parameter', async () => {
    const config = tinyConfig(['train.batchSize=8']);
    const spec = modelSpecFromConfig(config);
    const B = 8;
    const masks = generateMasks(maskSpecOf(config), B, config.train.seed, 0);
    const images = randomImages(config, B, 1);
    const per = config.data.imageSize ** 2 * config.data.channels;
    const inputs = (start: number, n: number): MimInputs => buildInputs(images.subarray(start * per, (start + n) * per), sliceMasks(masks, start, n), spec.geometry, config.loss.normPix);
    const model = createModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const read = async (micro: MimInputs[]): Promise<Float32Array[]> => {
      const { grads, sums } = stepGradients(model, opt, micro);
      const out = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
      tf.dispose([...grads, ...Object.values(sums)]);
      micro.forEach(disposeInputs);
      return out;
    };
    const whole = await read([inputs(0, 8)]);
    const accumulated = await read([inputs(0, 4), inputs(4, 4)]);
    const firstHalf = await read([inputs(0, 4)]);
    const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((g, i) => Math.max(...g.map((x, j) => Math.abs(x - b[i][j])))));
    const scale = Math.max(...whole.map((g) => Math.max(...g.map(Math.abs))));
    assert.ok(scale > 1e-3, 'the gradients are not trivially zero');
    const names = opt.params().map((p) => p.name);
    whole.forEach((g, i) => assert.ok(maxDiff([g], [accumulated[i]]) <= 1e-5 * scale, `${names[i]}: ${maxDiff([g], [accumulated[i]])}`));
    assert.ok(maxDiff(whole, firstHalf) > 1e-3 * scale, 'half the batch alone gives other gradients (the comparison can fail)');
    model.dispose();
    opt.dispose();
  });

  it('a non-finite loss stops the run as diverged and keeps the last good checkpoint', async () => {
    const config = tinyConfig(['train.steps=20', 'train.lr=1e6', 'train.warmupSteps=0', 'train.clipGrad=0', 'train.checkpointEvery=1']);
    const { runDir, state } = await train(config);
    assert.equal(state, 'diverged');
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.match(status.error ?? '', /non-finite loss/);
    assert.ok(status.step < 20);
    for (const r of metricsOf(runDir)) assert.ok(Number.isFinite(r.loss));
    assert.ok(existsSync(join(runDir, 'checkpoints', `step-${String(status.checkpointStep).padStart(6, '0')}`)));
  });
});
