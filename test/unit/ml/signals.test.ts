import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/ml/rng';
import { rankMe, singularValues, symmetricEigenvalues } from '../../../src/ml/signals';
import { CollapseMonitor } from '../../../src/trainer/collapse';

/** A random orthogonal matrix [d, d] (Gram-Schmidt on Gaussian columns), row-major. */
function randomOrthogonal(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += v[r] * q[r * d + p];
      for (let r = 0; r < d; r++) v[r] -= dot * q[r * d + p];
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < d; r++) q[r * d + c] = v[r] / norm;
  }
  return q;
}

/** n rows spanning exactly k directions with equal energy, rotated by a random orthogonal map. */
function rankK(n: number, d: number, k: number, rng: Rng): Float32Array {
  const rot = randomOrthogonal(d, rng);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const axis = i % k;
    for (let j = 0; j < d; j++) x[i * d + j] = rot[axis * d + j]; // row `axis` of the rotation
  }
  return x;
}

test('Jacobi eigenvalues of a known symmetric matrix', () => {
  const ev = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3)).sort((a, b) => a - b);
  [1, 3, 5].forEach((e, i) => assert.ok(Math.abs(ev[i] - e) < 1e-10, `${ev[i]} vs ${e}`));
});

test('singular values agree whichever side the Gram matrix is taken on', () => {
  const rng = new Rng(2);
  const x = Float32Array.from({ length: 6 * 4 }, () => rng.normal());
  const a = Array.from(singularValues(x, 6, 4)).sort((p, q) => q - p);
  const xt = new Float32Array(4 * 6);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) xt[j * 6 + i] = x[i * 4 + j];
  const b = Array.from(singularValues(xt, 4, 6)).sort((p, q) => q - p);
  a.forEach((s, i) => assert.ok(Math.abs(s - b[i]) < 1e-6, `${s} vs ${b[i]}`));
});

test('RankMe of constructed rank-k features is k', () => {
  for (const [n, d, k] of [[256, 64, 1], [256, 64, 5], [256, 64, 20], [256, 64, 64], [40, 64, 8]] as const) {
    const r = rankMe(rankK(n, d, k, new Rng(k)), n, d);
    assert.ok(Math.abs(r - k) < 0.01 * k + 1e-3, `n ${n} d ${d} k ${k}: RankMe ${r}`);
  }
  // Unequal energies count less than fully: Gaussian rank-8 features have RankMe in (4, 8].
  const rng = new Rng(9);
  const a = Float32Array.from({ length: 500 * 8 }, () => rng.normal());
  const b = Float32Array.from({ length: 8 * 32 }, () => rng.normal());
  const x = new Float32Array(500 * 32);
  for (let i = 0; i < 500; i++) for (let j = 0; j < 32; j++) for (let t = 0; t < 8; t++) x[i * 32 + j] += a[i * 8 + t] * b[t * 32 + j];
  const r = rankMe(x, 500, 32);
  assert.ok(r > 4 && r <= 8.01, `Gaussian rank 8: ${r}`);
  assert.equal(rankMe(new Float32Array(10 * 4), 10, 4), 0, 'all-zero features');
});

test('the rank warning fires once, only when rank_me has dropped below rankDrop × its peak while loss_main stalls', () => {
  const m = new CollapseMonitor(0, 5, 0.5);
  for (let s = 1; s <= 10; s++) m.observe(s, 1 / s, null); // loss_main improving
  assert.equal(m.observeRank(10, 40), null);
  assert.equal(m.observeRank(10, 10), null, 'dropped, but loss_main is still improving');
  for (let s = 11; s <= 20; s++) m.observe(s, 0.1, null); // stalls for 10 steps
  assert.equal(m.observeRank(20, 25), null, 'stalled, but above half the peak');
  const w = m.observeRank(20, 15);
  assert.match(w ?? '', /rank_me 15\.0 < 0\.5 × its peak 40\.0/);
  assert.equal(m.observeRank(20, 1), null, 'once');
  const off = new CollapseMonitor(0, 5, 0);
  for (let s = 1; s <= 20; s++) off.observe(s, 0.1, null);
  off.observeRank(20, 40);
  assert.equal(off.observeRank(20, 1), null, 'rankDrop 0 disables it');
});
