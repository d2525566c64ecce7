import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatherRows, normalisePatches, patchify, unpatchify } from '../../../src/ml/patches';

describe('patches', () => {
  const g = { imageSize: 4, patchSize: 2, channels: 2 };

  it('patchify orders patches row-major and values (row, col, channel) like MAE', () => {
    // pixel value encodes (b, y, x, c)
    const img = Float32Array.from({ length: 2 * 4 * 4 * 2 }, (_, i) => i);
    const p = patchify(img, 2, g);
    const at = (b: number, y: number, x: number, c: number): number => ((b * 4 + y) * 4 + x) * 2 + c;
    // sample 1, patch 1 (top-right): rows y=0..1, cols x=2..3
    const P = 8;
    const patch = Array.from(p.subarray((1 * 4 + 1) * P, (1 * 4 + 2) * P));
    assert.deepEqual(patch, [at(1, 0, 2, 0), at(1, 0, 2, 1), at(1, 0, 3, 0), at(1, 0, 3, 1), at(1, 1, 2, 0), at(1, 1, 2, 1), at(1, 1, 3, 0), at(1, 1, 3, 1)]);
    assert.deepEqual(Array.from(unpatchify(p, 2, g)), Array.from(img));
  });

  it('gatherRows selects per-sample rows, or rows of a shared table', () => {
    const table = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // [B=2, N=3, W=2]
    assert.deepEqual(Array.from(gatherRows(table, 2, 3, Int32Array.from([2, 0, 1, 1]), 2)), [4, 5, 0, 1, 8, 9, 8, 9]);
    assert.deepEqual(Array.from(gatherRows(table, 2, 0, Int32Array.from([2, 0, 1, 1]), 2, true)), [4, 5, 0, 1, 2, 3, 2, 3]);
  });

  it('norm-pix normalises each patch to zero mean and unit (unbiased) variance', () => {
    const out = normalisePatches(Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10]), 4);
    const first = Array.from(out.subarray(0, 4));
    assert.ok(Math.abs(first.reduce((a, b) => a + b, 0)) < 1e-6);
    assert.ok(Math.abs(first.reduce((a, b) => a + b * b, 0) / 3 - 1) < 1e-5);
    assert.deepEqual(Array.from(out.subarray(4)), [0, 0, 0, 0]);
  });
});
