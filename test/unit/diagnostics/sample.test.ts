// The sample step on a real (untrained) cae-tiny / mae-tiny model on wasm: attention rows, PNG sizes, the
// encoder-only decode's independence from the regressor, and the fixed sample batch.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/config/resolve';
import type { Config } from '../../../src/config/schema';
import { openDataset } from '../../../src/data/open';
import { decodeImage } from '../../../src/data/png';
import { chooseQuery } from '../../../src/diagnostics/attention';
import { evalForward } from '../../../src/diagnostics/eval-forward';
import { loadSampleBatch, sampleIndices, type SampleBatch } from '../../../src/diagnostics/sample-batch';
import { computeSample } from '../../../src/diagnostics/sample-step';
import { initBackend } from '../../../src/ml/backend';
import { CaeModel } from '../../../src/ml/cae';
import { createModel } from '../../../src/ml/create-model';
import { buildInputs, disposeInputs } from '../../../src/ml/inputs';
import { generateMasks } from '../../../src/ml/masking';
import type { MimModel } from '../../../src/ml/model';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { tf } from '../../../src/ml/tf';
import { maskSpecOf } from '../../../src/ml/mask-spec';

const NORM = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const sum = (r: ArrayLike<number>): number => Array.from(r).reduce((a, b) => a + b, 0);

async function setup(preset: string): Promise<{ config: Config; model: MimModel; batch: SampleBatch }> {
  const config = resolveConfig({ preset, sets: ['backend=wasm'] });
  const batch = await loadSampleBatch(config, await openDataset(config), NORM);
  return { config, model: createModel(modelSpecFromConfig(config)), batch };
}

before(async () => {
  await initBackend('wasm');
});

test('CAE sample: five views, attention rows sum to 1 before rendering, PNGs decode with the right sizes', async () => {
  const { config, model, batch } = await setup('cae-tiny');
  try {
    const s = await computeSample(model, batch, 10);
    const m = s.manifest;
    const B = config.sample.count;
    const S = config.data.imageSize;
    const N = (S / config.model.patchSize) ** 2;
    assert.deepEqual(m.views, ['original', 'masked', 'prediction', 'pasted', 'encoder-decode']);
    assert.equal(m.indices.length, B);
    assert.equal(m.masked.length, B);
    assert.ok(m.masked.every((mk) => mk.length === config.mask.count));

    // The rows exactly as rendered: [image][layer][head + avg][patch] and [image][layer][patch].
    assert.equal(s.encoderRows.length, B);
    for (const im of s.encoderRows) {
      assert.equal(im.length, config.model.depth);
      for (const layer of im) {
        assert.equal(layer.length, config.model.heads + 1);
        for (const row of layer) {
          assert.equal(row.length, N);
          assert.ok(Math.abs(sum(row) - 1) < 1e-6, `encoder row sums to ${sum(row)}`);
        }
      }
    }
    assert.equal(s.regressorRows.length, B);
    for (const im of s.regressorRows) for (const row of im) assert.ok(Math.abs(sum(row) - 1) < 1e-6);
    // The saved JSON (6 significant digits) still sums to 1.
    const enc = JSON.parse(s.files.get('encoder-attention.json') as string) as number[][][][];
    for (const row of enc.flat(2)) assert.ok(Math.abs(sum(row) - 1) < 1e-5);
    const reg = JSON.parse(s.files.get('regressor-attention.json') as string) as number[][][];
    assert.equal(reg[0].length, config.model.regressorDepth);
    for (const row of reg.flat(1)) assert.ok(Math.abs(sum(row) - 1) < 1e-5);
    assert.ok(m.regressorAttention);
    m.regressorAttention.query.forEach((q, b) => assert.ok(m.masked[b].includes(q), 'the query is a masked patch'));
    assert.deepEqual(m.regressorAttention.keys?.[0].slice(-config.mask.count), m.masked[0]);

    const png = (name: string): { width: number; height: number } => {
      const bytes = s.files.get(name);
      assert.ok(bytes instanceof Uint8Array, `${name} is written`);
      return decodeImage(bytes, name);
    };
    const { scale, pad } = m.display ?? { scale: 1, pad: 0 };
    assert.ok(S * scale >= 96, 'tiles are upscaled to a readable size');
    assert.deepEqual(png(m.reconstruction), { ...png(m.reconstruction), width: 5 * S, height: B * S });
    for (const strip of m.strips) assert.deepEqual([png(strip).width, png(strip).height], [5 * S * scale + 6 * pad, S * scale + 2 * pad]);
    assert.equal(m.encoderAttention.maps.length, config.model.depth * (config.model.heads + 1));
    for (const map of [...m.encoderAttention.maps, ...m.regressorAttention.maps]) {
      const img = png(map.png);
      assert.deepEqual([img.width, img.height], [B * S * scale + (B + 1) * pad, S * scale + 2 * pad]);
    }
  } finally {
    model.dispose();
  }
});

test('encoder-only decode uses no regressor parameters (zeroing them changes only the prediction view)', async () => {
  const { model, batch } = await setup('cae-tiny');
  assert.ok(model instanceof CaeModel);
  const side = Math.sqrt(model.spec.numPatches);
  const m = batch.masks;
  const queries = Array.from({ length: m.B }, (_, b) => chooseQuery(m.masked.subarray(b * m.Nm, (b + 1) * m.Nm), side));
  const run = async (): Promise<{ prediction: Float32Array; encoderDecode: Float32Array }> => {
    const inp = buildInputs(batch.images, m, model.spec.geometry, model.spec.normPix);
    try {
      const o = await evalForward(model, inp, queries);
      assert.ok(o.encoderDecode);
      return { prediction: o.prediction, encoderDecode: o.encoderDecode };
    } finally {
      disposeInputs(inp);
    }
  };
  const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i])), 0);
  try {
    const before = await run();
    for (const [, v] of model.regressor.entries()) tf.tidy(() => v.assign(tf.zerosLike(v)));
    const zeroed = await run();
    assert.deepEqual(zeroed.encoderDecode, before.encoderDecode, 'encoder-decode is bit-identical without the regressor');
    assert.ok(maxDiff(zeroed.prediction, before.prediction) > 1e-3, 'the prediction view does depend on the regressor');
    // Not vacuous: the encoder-decode view does go through the decoder.
    const w = model.decoder.get('head.w');
    tf.tidy(() => w.assign(tf.mul(w, 2)));
    assert.ok(maxDiff((await run()).encoderDecode, before.encoderDecode) > 1e-3);
  } finally {
    model.dispose();
  }
});

test('sampling leaks no tensors (numTensors flat after a burn-in sample)', async () => {
  const { model, batch } = await setup('cae-tiny');
  try {
    await computeSample(model, batch, 1);
    const before = tf.memory().numTensors;
    await computeSample(model, batch, 2);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
  }
});

test('MAE sample: the first four views and no regressor attention', async () => {
  const { config, model, batch } = await setup('cae-tiny');
  model.dispose();
  const mae = resolveConfig({ preset: 'cae-tiny', sets: ['backend=wasm', 'algorithm=mae', 'loss.alignWeight=0'] });
  const maeModel = createModel(modelSpecFromConfig(mae));
  try {
    const s = await computeSample(maeModel, batch, 3);
    assert.deepEqual(s.manifest.views, ['original', 'masked', 'prediction', 'pasted']);
    assert.equal(s.manifest.regressorAttention, null);
    assert.equal(decodeImage(s.files.get('reconstruction.png') as Uint8Array, 'r').width, 4 * config.data.imageSize);
    for (const row of s.encoderRows.flat(2)) assert.ok(Math.abs(sum(row) - 1) < 1e-6);
  } finally {
    maeModel.dispose();
  }
});

test('the sample batch is fixed: seeded test indices, masks from their own stream, not training step 0', async () => {
  const { config, model, batch } = await setup('cae-tiny');
  model.dispose();
  const again = await loadSampleBatch(config, await openDataset(config), NORM);
  assert.deepEqual(again.indices, batch.indices);
  assert.deepEqual(again.masks.masked, batch.masks.masked);
  assert.deepEqual(sampleIndices(256, 4, 0), sampleIndices(256, 4, 0));
  assert.notDeepEqual(sampleIndices(256, 4, 0), sampleIndices(256, 4, 1));
  const train0 = generateMasks(maskSpecOf(config), batch.indices.length, config.train.seed, 0);
  assert.notDeepEqual(train0.masked, batch.masks.masked);
});
