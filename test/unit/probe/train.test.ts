import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticDataset } from '../../../src/data/synthetic';
import { initBackend } from '../../../src/ml/backend';
import { get2dSincosPosEmbed } from '../../../src/ml/posembed';
import { Rng } from '../../../src/ml/rng';
import { tf } from '../../../src/ml/tf';
import { createEncoder, type VitSpec } from '../../../src/ml/vit';
import { AttentiveHead, normaliseTokens, tokenBatcher } from '../../../src/probe/attentive';
import { extractSplit, type EncoderView } from '../../../src/diagnostics/features';
import { LinearHead, pooledBatcher } from '../../../src/probe/linear';
import { SgdMomentum } from '../../../src/probe/sgd';
import { trainProbe, type TrainOptions } from '../../../src/probe/train';

before(async () => {
  await initBackend('wasm');
});

function gaussian(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(classes));
}

const D = 16;
const C = 10;
const opts: TrainOptions = { epochs: 25, warmupEpochs: 2, batchSize: 64, lr: 0.1, seed: 0, numClasses: C };

async function linearProbe(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, testY: Int32Array): Promise<{ test: number; train: number }> {
  const head = new LinearHead(D, C, 0);
  const opt = new SgdMomentum(head.params, { momentum: 0.9, weightDecay: 0 });
  const r = await trainProbe(head, opt, pooledBatcher(trainX, D, trainY), pooledBatcher(testX, D, testY), opts);
  opt.dispose();
  head.dispose();
  return { test: r.top1, train: r.rows[r.rows.length - 1].train_top1 ?? 0 };
}

test('linear probe learns a linearly decodable label (positive control for the chance test below)', async () => {
  const x = gaussian(800 * D, 1);
  const w = gaussian(D * C, 2);
  const labels = Int32Array.from({ length: 800 }, (_, i) => {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < C; c++) {
      let v = 0;
      for (let j = 0; j < D; j++) v += x[i * D + j] * w[j * C + c];
      if (v > bestV) [best, bestV] = [c, v];
    }
    return best;
  });
  const r = await linearProbe(x.subarray(0, 600 * D), labels.subarray(0, 600), x.subarray(600 * D), labels.subarray(600));
  assert.ok(r.test > 0.8, `test top-1 ${r.test}`);
});

test('linear probe on random labels stays at chance on the test split', async () => {
  const nTest = 1000;
  const r = await linearProbe(gaussian(600 * D, 3), randomLabels(600, C, 4), gaussian(nTest * D, 5), randomLabels(nTest, C, 6));
  const se = Math.sqrt((0.1 * 0.9) / nTest);
  assert.ok(Math.abs(r.test - 0.1) < 4 * se, `test top-1 ${r.test} is not chance (0.1 ± ${(4 * se).toFixed(3)})`);
  assert.ok(r.train > 0.15, `the probe did train (memorised some random labels): train top-1 ${r.train}`);
});

test('frozen encoder: probes train on extracted features and leave every encoder weight bit-identical', async () => {
  const spec: VitSpec = { dim: D, heads: 2, mlpRatio: 2, layerScale: 0.1, depth: 1, patchDim: 4 * 4 * 3, dropPath: 0 };
  const store = createEncoder(7, 'encoder', spec); // trainable variables, as in a loaded run
  const enc: EncoderView = { store, spec, geometry: { imageSize: 16, patchSize: 4, channels: 3 }, pos: get2dSincosPosEmbed(D, 4, 4) };
  const ds = syntheticDataset({ train: 48, test: 24, size: 16 });
  const view = { imageSize: 16, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
  const before = await store.export();
  const train = await extractSplit(enc, ds.train, view, 32, true);
  const test = await extractSplit(enc, ds.test, view, 32, true);
  const T = 17;
  const o: TrainOptions = { ...opts, epochs: 3, warmupEpochs: 0, batchSize: 16, lr: 1, numClasses: C };
  const lin = new LinearHead(D, C, 1);
  const linOpt = new SgdMomentum(lin.params, { momentum: 0.9, weightDecay: 0.1 });
  await trainProbe(lin, linOpt, pooledBatcher(train.mean, D, train.labels), pooledBatcher(test.mean, D, test.labels), o);
  const att = new AttentiveHead({ dim: D, heads: 2, numClasses: C, seed: 1 });
  const attOpt = new SgdMomentum(att.params, { momentum: 0.9, weightDecay: 0.1 });
  const a = normaliseTokens(train.tokens as Float32Array, D, T, enc.pos);
  const b = normaliseTokens(test.tokens as Float32Array, D, T, enc.pos);
  const attBefore = await att.store.export();
  await trainProbe(att, attOpt, tokenBatcher(a.xk, a.xv, D, T, train.labels), tokenBatcher(b.xk, b.xv, D, T, test.labels), o);
  const after = await store.export();
  for (let i = 0; i < before.length; i++) assert.deepEqual(after[i].data, before[i].data, `encoder ${before[i].name} changed`);
  const again = await extractSplit(enc, ds.test, view, 32, false);
  assert.deepEqual(again.mean, test.mean, 'features changed after probing');
  // The probe itself did train (so "unchanged" above is not because nothing moved).
  const attAfter = await att.store.export();
  assert.ok(attAfter.some((p, i) => p.data.some((v, j) => v !== attBefore[i].data[j])), 'attentive head did not change');
  for (const x of [linOpt, attOpt, lin, att]) x.dispose();
  store.dispose();
});

test('probe training keeps the tensor count flat across epochs (no leak per step)', async () => {
  const head = new LinearHead(D, C, 0);
  const opt = new SgdMomentum(head.params, { momentum: 0.9, weightDecay: 0 });
  const x = pooledBatcher(gaussian(128 * D, 8), D, randomLabels(128, C, 9));
  const counts: number[] = [];
  await trainProbe(head, opt, x, x, { ...opts, epochs: 4, warmupEpochs: 0, batchSize: 32, onEpoch: () => counts.push(tf.memory().numTensors) });
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per epoch: ${counts.join(', ')}`);
  opt.dispose();
  head.dispose();
});
