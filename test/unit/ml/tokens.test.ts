import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../src/config/schema';
import { createModel } from '../../../src/ml/create-model';
import { buildInputs, disposeInputs, type MimInputs } from '../../../src/ml/inputs';
import { generateMasks } from '../../../src/ml/masking';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { AdamW } from '../../../src/ml/optimizer';
import { Rng } from '../../../src/ml/rng';
import { tf } from '../../../src/ml/tf';
import { trainStep } from '../../../src/ml/train-step';
import { tokenAccuracy, tokenCrossEntropy } from '../../../src/ml/objective';
import { maskSpecOf } from '../../../src/ml/mask-spec';
import { randomImages, tinyConfig, useWasm } from '../../helpers/engine';
import { metricsOf, tempDir, train } from '../../helpers/runs';

before(useWasm);

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function tokenConfig(vocab: number, sets: string[] = []): Config {
  return tinyConfig(['loss.target=tokens', 'tokenizer.path=auto', `tokenizer.vocab=${vocab}`, ...sets]);
}

/** Step inputs with random codes in [0, vocab) for every patch. */
function tokenInputs(config: Config, step: number): MimInputs {
  const spec = modelSpecFromConfig(config);
  const B = config.train.batchSize;
  const masks = generateMasks(maskSpecOf(config), B, config.train.seed, step);
  const rng = new Rng(step + 11);
  const codes = Int32Array.from({ length: B * spec.numPatches }, () => rng.int(spec.vocabSize));
  return buildInputs(randomImages(config, B, step + 1), masks, spec.geometry, false, { seed: 0, step }, { codes, vocab: spec.vocabSize });
}

describe('token targets: cross-entropy over the tokenizer vocabulary', () => {
  it('cross-entropy matches −log softmax at the target, and accuracy counts argmax hits', async () => {
    const logits = tf.tensor2d([[2, 1, 0], [0, 0, 3], [1, 5, 1]]);
    const oneHot = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 1, 0]]);
    const lse = (r: number[]): number => Math.log(r.reduce((a, x) => a + Math.exp(x), 0));
    const expected = mean([lse([2, 1, 0]) - 2, lse([0, 0, 3]) - 0, lse([1, 5, 1]) - 5]);
    assert.ok(Math.abs((await tokenCrossEntropy(logits, oneHot).data())[0] - expected) < 1e-5);
    assert.ok(Math.abs((await tokenAccuracy(logits, oneHot).data())[0] - 2 / 3) < 1e-6);
    tf.dispose([logits, oneHot]);
  });

  it('is zero with a one-code vocabulary, for CAE and MAE, and the token heads output V logits', () => {
    for (const algorithm of ['cae', 'mae']) {
      const config = tokenConfig(1, [`algorithm=${algorithm}`]);
      const model = createModel(modelSpecFromConfig(config));
      const inp = tokenInputs(config, 0);
      tf.tidy(() => {
        const parts = model.losses(inp, model.prepare(inp).targets);
        assert.equal(parts.main.dataSync()[0], 0, `${algorithm} loss_main`);
        assert.equal(parts.acc?.dataSync()[0], 1, `${algorithm} mlm_acc`);
      });
      disposeInputs(inp);
      model.dispose();
    }
    const config = tokenConfig(24);
    const spec = modelSpecFromConfig(config);
    assert.equal(spec.vocabSize, 24);
    const model = createModel(spec);
    assert.deepEqual(model.trainable.decoder.get('head.w').shape, [spec.encoder.dim, 24]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat and reports mlm_acc (null for pixel targets)', async () => {
    const config = tokenConfig(16);
    const model = createModel(modelSpecFromConfig(config));
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const step = async (s: number): Promise<number | null> => {
      const inp = tokenInputs(config, s);
      const r = await trainStep(model, opt, [inp], 1e-3, 3);
      disposeInputs(inp);
      return r.mlmAcc;
    };
    await step(0);
    const after = tf.memory().numTensors;
    for (let s = 1; s < 4; s++) {
      const acc = await step(s);
      assert.ok(acc !== null && acc >= 0 && acc <= 1);
    }
    assert.equal(tf.memory().numTensors, after);
    model.dispose();
    opt.dispose();
    const pixels = tinyConfig();
    const pm = createModel(modelSpecFromConfig(pixels));
    const po = new AdamW(pm.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const masks = generateMasks(maskSpecOf(pixels), 4, 0, 0);
    const inp = buildInputs(randomImages(pixels, 4), masks, pm.spec.geometry, true);
    assert.equal((await trainStep(pm, po, [inp], 1e-3, 3)).mlmAcc, null);
    disposeInputs(inp);
    pm.dispose();
    po.dispose();
  });

  it('mlm_acc rises above chance and cross-entropy falls on the built-in dataset in a short run (tokenizer.path=auto)', async () => {
    const vocab = 32;
    const config = tokenConfig(vocab, ['tokenizer.steps=80', 'train.steps=60', 'train.batchSize=16', 'train.lr=2e-3', 'train.warmupSteps=5',
      'train.checkpointEvery=60', 'sample.every=0', 'data.syntheticTrain=512', 'data.syntheticTest=128']);
    const { runDir, state } = await train(config, { runsDir: tempDir('tokens') });
    assert.equal(state, 'completed');
    const saved = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Config;
    assert.equal(saved.tokenizer.path, join(runDir, 'tokenizer'), 'config.json records the trained tokenizer');
    assert.equal(saved.tokenizer.vocab, vocab);
    const rows = metricsOf(runDir);
    const acc = rows.map((r) => r.mlm_acc ?? NaN);
    const ce = rows.map((r) => r.loss_main);
    assert.ok(acc.every((a) => a >= 0 && a <= 1));
    // Codes of normalised patches are spread over the vocabulary (no code dominates), so chance is ≈ 1/vocab.
    assert.ok(mean(ce.slice(-10)) < mean(ce.slice(0, 10)) - 0.1, `cross-entropy ${mean(ce.slice(0, 10))} → ${mean(ce.slice(-10))}`);
    assert.ok(mean(acc.slice(-10)) > 2 / vocab, `mlm_acc ${mean(acc.slice(0, 10))} → ${mean(acc.slice(-10))} (chance ${1 / vocab})`);
    assert.ok(mean(acc.slice(-10)) > mean(acc.slice(0, 10)), `mlm_acc ${mean(acc.slice(0, 10))} → ${mean(acc.slice(-10))}`);
  });
});
