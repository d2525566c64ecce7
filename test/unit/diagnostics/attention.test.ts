import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRows, chooseQuery, headRows, keyPatches, patchDistribution, rounded, toGridOrder } from '../../../src/diagnostics/attention';
import { attentionOverlay } from '../../../src/diagnostics/heatmap';
import { viridis } from '../../../src/protocol/colormap';

const sum = (r: ArrayLike<number>): number => Array.from(r).reduce((a, b) => a + b, 0);

test('patchDistribution drops the cls key and renormalises the patch weights to sum 1', () => {
  const row = [0.5, 0.1, 0.3, 0.1]; // cls holds half the mass
  const d = patchDistribution(row);
  assert.equal(d.length, 3);
  assert.ok(Math.abs(sum(d) - 1) < 1e-12);
  assert.deepEqual(Array.from(d, (x) => Number(x.toFixed(6))), [0.2, 0.6, 0.2]);
  // All mass on cls: no spatial information, shown as uniform rather than NaN.
  assert.deepEqual(Array.from(patchDistribution([1, 0, 0])), [0.5, 0.5]);
});

test('headRows: per-head rows and their average each sum to 1', () => {
  const B = 2;
  const H = 3;
  const K = 1 + 4;
  const probs = new Float32Array(B * H * K);
  for (let i = 0; i < probs.length; i++) probs[i] = ((i * 7) % 5) + 0.5;
  for (let r = 0; r < B * H; r++) { // softmax-like rows
    const s = sum(probs.subarray(r * K, (r + 1) * K));
    for (let k = 0; k < K; k++) probs[r * K + k] /= s;
  }
  const rows = headRows([probs, probs], { batch: B, heads: H, keys: K });
  assert.equal(rows.length, B);
  assert.equal(rows[0].length, 2); // layers
  assert.equal(rows[0][0].length, H + 1); // heads + avg
  for (const im of rows) for (const layer of im) for (const r of layer) assert.ok(Math.abs(sum(r) - 1) < 1e-9);
  assert.deepEqual(Array.from(rows[1][0][H]), Array.from(averageRows(rows[1][0].slice(0, H))));
});

test('token order [visible…, masked…] maps back to grid order', () => {
  const vis = new Int32Array([0, 2, 1, 3]); // sample 0 sees 0,2; sample 1 sees 1,3
  const mask = new Int32Array([1, 3, 0, 2]);
  const keys = keyPatches(vis, mask, 1, 2, 2);
  assert.deepEqual(keys, [1, 3, 0, 2]);
  assert.deepEqual(Array.from(toGridOrder(new Float64Array([0.1, 0.2, 0.3, 0.4]), keys)), [0.3, 0.1, 0.4, 0.2]);
});

test('chooseQuery picks the masked patch nearest the centre of the masked region', () => {
  // 4×4 grid, a 3×3 block at the top-left: its centre is patch 5.
  const masked = [0, 1, 2, 4, 5, 6, 8, 9, 10];
  assert.equal(masked[chooseQuery(masked, 4)], 5);
});

test('rounded keeps 6 significant digits, so a row still sums to 1 within 1e-5', () => {
  const row = Array.from({ length: 64 }, (_, i) => (i + 1) / 2080);
  assert.ok(Math.abs(sum(rounded(row)) - 1) < 1e-5);
});

test('attentionOverlay upscales to S·scale RGB, colours the strongest patch yellow and outlines the query', () => {
  const img = { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(0) };
  const w = [0, 0, 0, 1]; // 2×2 grid, bottom-right patch strongest
  const o = attentionOverlay(img, w, { grid: 2, scale: 4, alpha: 1, outline: 0 });
  assert.equal(o.width, 16);
  assert.equal(o.height, 16);
  assert.equal(o.channels, 3);
  const px = (x: number, y: number): number[] => Array.from(o.data.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3));
  assert.deepEqual(px(12, 12), viridis(1));
  assert.deepEqual(px(12, 2), viridis(0));
  assert.deepEqual(px(0, 0), [255, 64, 64]); // outline of the query patch
  assert.deepEqual(px(4, 4), viridis(0)); // inside the query patch: heatmap, not outline
});
