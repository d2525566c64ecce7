import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/ml/backend';
import { topkAccuracy } from '../../../src/probe/accuracy';
import { knnClassify, l2Normalise } from '../../../src/probe/knn';

before(async () => {
  await initBackend('wasm');
});

/** Unit vectors in 2-D at the given angles (degrees), times a length (cosine similarity ignores it). */
function atAngles(deg: number[], length = 1): Float32Array {
  return Float32Array.from(deg.flatMap((d) => [length * Math.cos((d * Math.PI) / 180), length * Math.sin((d * Math.PI) / 180)]));
}

test('k-NN: a query takes the class of its cosine neighbours, whatever the feature norms', async () => {
  // Class 0 around 0°, class 1 around 120°, class 2 around 240°; train norms vary wildly.
  const train = { features: Float32Array.from([...atAngles([-5, 0, 5], 0.1), ...atAngles([115, 120, 125], 50), ...atAngles([235, 240, 245], 3)]), labels: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]) };
  const test_ = { features: atAngles([2, 118, 250, 60.5]), labels: Int32Array.from([0, 1, 2, 1]) };
  const r = await knnClassify(train, test_, 2, { k: 3, temperature: 0.07, numClasses: 3 });
  const predicted = Array.from({ length: 4 }, (_, i) => [0, 1, 2].reduce((best, c) => (r.scores[i * 3 + c] > r.scores[i * 3 + best] ? c : best), 0));
  // 60.5° lies between class 0 (5°) and class 1 (115°): 55.5° vs 54.5° away, so class 1 is nearer.
  assert.deepEqual(predicted, [0, 1, 2, 1]);
  assert.equal(r.top1, 1);
  assert.equal(r.top5, null, 'top-5 is undefined with 3 classes');
});

test('k-NN vote is weighted by exp(sim/T): one close neighbour outvotes two far ones at low T, not at high T', async () => {
  // Query at 0°. Class 1: one neighbour at 10°. Class 0: two neighbours at 40°. k = 3.
  const train = { features: atAngles([10, 40, -40]), labels: Int32Array.from([1, 0, 0]) };
  const query = { features: atAngles([0]), labels: Int32Array.from([1]) };
  const cos = (d: number): number => Math.cos((d * Math.PI) / 180);
  for (const [T, winner] of [[0.05, 1], [10, 0]] as const) {
    const r = await knnClassify(train, query, 2, { k: 3, temperature: T, numClasses: 2 });
    assert.ok(Math.abs(r.scores[1] - Math.exp(cos(10) / T)) / Math.exp(cos(10) / T) < 1e-4, `class 1 vote at T=${T}`);
    assert.ok(Math.abs(r.scores[0] - 2 * Math.exp(cos(40) / T)) / (2 * Math.exp(cos(40) / T)) < 1e-4, `class 0 vote at T=${T}`);
    assert.equal(r.scores[winner] > r.scores[1 - winner], true, `T=${T}`);
  }
});

test('k-NN only counts the k nearest', async () => {
  // Two class-0 neighbours very close, three class-1 ones further: k=2 → class 0, k=5 at high T → class 1.
  const train = { features: atAngles([1, -1, 30, 31, 32]), labels: Int32Array.from([0, 0, 1, 1, 1]) };
  const q = { features: atAngles([0]), labels: Int32Array.from([0]) };
  assert.equal((await knnClassify(train, q, 2, { k: 2, temperature: 1, numClasses: 2 })).top1, 1);
  assert.equal((await knnClassify(train, q, 2, { k: 5, temperature: 100, numClasses: 2 })).top1, 0);
});

test('l2Normalise keeps zero rows at zero and makes others unit length', () => {
  const x = l2Normalise(Float32Array.from([3, 4, 0, 0]), 2);
  assert.deepEqual(Array.from(x), [0.6000000238418579, 0.800000011920929, 0, 0]);
});

test('top-k accuracy: label among the k highest, ties count against', () => {
  const scores = Float32Array.from([0.1, 0.5, 0.4, /* */ 0.3, 0.3, 0.3]);
  assert.equal(topkAccuracy(scores, 3, Int32Array.from([1, 0]), 1), 0.5);
  assert.equal(topkAccuracy(scores, 3, Int32Array.from([2, 0]), 2), 0.5);
  assert.equal(topkAccuracy(scores, 3, Int32Array.from([0, 0]), 3), 1);
});
