import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/ml/backend';
import { fusedActive, setFusedKernels } from '../../../src/ml/kernels/fused';
import { Rng } from '../../../src/ml/rng';
import { tf, type Tensor2D } from '../../../src/ml/tf';
import { BatchNormNoAffine } from '../../../src/probe/batchnorm';

let fusedAtStart = false;
before(async () => {
  await initBackend('wasm');
  fusedAtStart = fusedActive();
});
after(() => setFusedKernels(fusedAtStart));

/** Column mean and biased variance in float64 (PyTorch BatchNorm1d's train-mode statistics). */
function moments64(x: Float32Array, n: number, d: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: d }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += x[i * d + j]; return s / n; });
  const variance = mean.map((m, j) => { let s = 0; for (let i = 0; i < n; i++) s += (x[i * d + j] - m) ** 2; return s / n; });
  return { mean, variance };
}

function batch(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed); // columns with different offsets and scales, as raw pixels have
  return Float32Array.from({ length: n * d }, (_, k) => 3 * Math.sin(k % d) + (1 + (k % d) % 7) * rng.normal());
}

for (const fused of [true, false]) {
  for (const [n, d] of [[37, 3072], [8, 5]] as const) {
    test(`BatchNorm without affine, ${fused ? 'fused column sums' : 'matmul column sums'}, [${n}, ${d}]: batch statistics in train mode, running ones in eval`, async () => {
      setFusedKernels(fused);
      const x = batch(n, d, n + d);
      const { mean, variance } = moments64(x, n, d);
      const bn = new BatchNormNoAffine(d);
      const y = tf.tidy(() => bn.apply(tf.tensor2d(x, [n, d]), true));
      const out = (await y.data()) as Float32Array;
      for (let k = 0; k < n * d; k++) {
        const j = k % d;
        const want = (x[k] - mean[j]) / Math.sqrt(variance[j] + 1e-6);
        assert.ok(Math.abs(out[k] - want) < 1e-4, `train output [${Math.floor(k / d)}, ${j}]: ${out[k]} vs ${want}`);
      }
      bn.commit(); // running = 0.9·init + 0.1·batch (unbiased variance)
      const probe = Float32Array.from({ length: d }, (_, j) => j % 3);
      const e = tf.tidy(() => bn.apply(tf.tensor2d(probe, [1, d]) as Tensor2D, false));
      const evalOut = (await e.data()) as Float32Array;
      for (let j = 0; j < d; j++) {
        const rm = 0.1 * mean[j];
        const rv = 0.9 + 0.1 * variance[j] * n / (n - 1);
        const want = (probe[j] - rm) / Math.sqrt(rv + 1e-6);
        assert.ok(Math.abs(evalOut[j] - want) < 1e-4 * Math.max(1, Math.abs(want)), `eval output ${j}: ${evalOut[j]} vs ${want}`);
      }
      tf.dispose([y, e]);
      bn.dispose();
    });
  }
}

test('BatchNorm without affine: the gradient through the batch statistics is the same with and without the fused column sums', async () => {
  const [n, d] = [9, 6];
  const x = tf.tensor2d(batch(n, d, 3), [n, d]);
  const w = tf.tensor2d(batch(n, d, 4), [n, d]);
  const gradient = async (fused: boolean): Promise<Float32Array> => {
    setFusedKernels(fused);
    const bn = new BatchNormNoAffine(d);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.square(bn.apply(v as Tensor2D, true)), w)))(x);
    const out = (await g.data()) as Float32Array;
    tf.dispose(g);
    bn.dispose();
    return out;
  };
  const a = await gradient(true);
  const b = await gradient(false);
  assert.ok(a.some((v) => Math.abs(v) > 1e-3), 'a gradient reaches the input');
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-4, `d/dx[${k}]: ${a[k]} vs ${b[k]}`);
  tf.dispose([x, w]);
});
