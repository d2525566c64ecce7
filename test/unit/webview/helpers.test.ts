// Pure webview helpers: EMA smoothing, attention colour map and normalisation, regressor key mapping, tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emaSmooth, emaStart } from '../../../webview/smoothing';
import { regressorToGrid } from '../../../webview/attention';
import { normalizeRange, viridis } from '../../../src/protocol/colormap';
import { tileOf } from '../../../webview/image-grid';

test('EMA smoothing is debiased, keeps gaps and continues incrementally', () => {
  assert.deepEqual(emaSmooth([1, 1, 1], 0.9), [1, 1, 1]);
  assert.deepEqual(emaSmooth([2, null, 2], 0.5), [2, null, 2]);
  assert.deepEqual(emaSmooth([1, 3], 0), [1, 3]);
  const all = emaSmooth([1, 2, 3, 4, 5], 0.6);
  const st = emaStart();
  const parts = [...emaSmooth([1, 2], 0.6, st), ...emaSmooth([3, 4, 5], 0.6, st)];
  parts.forEach((v, i) => assert.ok(Math.abs((v as number) - (all[i] as number)) < 1e-12));
  assert.ok((all[4] as number) < 5 && (all[4] as number) > 3);
});

test('attention helpers', () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  assert.deepEqual(viridis(Number.NaN), [68, 1, 84]);
  assert.deepEqual(normalizeRange([0, 1, null, 0.5]), [0, 1, 0, 0.5]);
  assert.deepEqual(normalizeRange([0.25, 0.25]), [0.5, 0.5]);
  // 2×2 grid, patch 1 masked: keys are visible patches 0, 2, 3 then the masked query (patch 1).
  assert.deepEqual(regressorToGrid([0.1, 0.2, 0.3, 0.4], [1], 4), [0.1, 0.4, 0.2, 0.3]);
});

test('tiles of a reconstruction grid', () => {
  assert.deepEqual(tileOf({ naturalWidth: 80, naturalHeight: 64 }, 4, 5, 2, 3), { sx: 48, sy: 32, sw: 16, sh: 16 });
});
