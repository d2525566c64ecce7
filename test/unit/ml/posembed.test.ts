import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get1dSincosPosEmbed, get2dSincosPosEmbed } from '../../../src/ml/posembed';

const EPS = 1e-6; // float32 storage

function near(actual: number, expected: number, label: string): void {
  assert.ok(Math.abs(actual - expected) < EPS, `${label}: ${actual} vs ${expected}`);
}

test('1-D embedding: [sin(pos·ω) | cos(pos·ω)], ω_k = 10000^(−k/(dim/2))', () => {
  const e = get1dSincosPosEmbed(4, [0, 3]);
  assert.deepEqual(Array.from(e.subarray(0, 4)), [0, 0, 1, 1]);
  near(e[4], Math.sin(3), 'sin 3·1');
  near(e[5], Math.sin(0.03), 'sin 3·0.01');
  near(e[6], Math.cos(3), 'cos 3·1');
  near(e[7], Math.cos(0.03), 'cos 3·0.01');
});

test('2-D embedding matches hand-computed MAE values on a 2×3 grid (first half = column, second = row)', () => {
  // D = 8: each quarter has D/4 = 2 frequencies ω = [1, 10000^(−1/2) = 0.01].
  const e = get2dSincosPosEmbed(8, 2, 3);
  assert.equal(e.length, 6 * 8);
  const row = (p: number): number[] => Array.from(e.subarray(p * 8, p * 8 + 8));
  const expected: Record<number, number[]> = {
    0: [0, 0, 1, 1, 0, 0, 1, 1],
    // patch 2 = (row 0, col 2)
    2: [0.9092974268, 0.0199986667, -0.4161468365, 0.9998000067, 0, 0, 1, 1],
    // patch 3 = (row 1, col 0)
    3: [0, 0, 1, 1, 0.8414709848, 0.0099998333, 0.5403023059, 0.9999500004],
    // patch 4 = (row 1, col 1)
    4: [0.8414709848, 0.0099998333, 0.5403023059, 0.9999500004, 0.8414709848, 0.0099998333, 0.5403023059, 0.9999500004],
  };
  for (const [p, want] of Object.entries(expected)) {
    row(Number(p)).forEach((v, i) => near(v, want[i], `patch ${p} ch ${i}`));
  }
});

test('2-D embedding: D = 16 channel layout on a 4×5 grid', () => {
  // D/4 = 4 frequencies ω_k = 10000^(−k/4) = 1, 0.1, 0.01, 0.001. Patch (row 2, col 3) = index 13.
  const D = 16;
  const e = get2dSincosPosEmbed(D, 4, 5);
  const base = 13 * D;
  near(e[base + 1], Math.sin(0.3), 'col sin k=1');
  near(e[base + 4 + 1], Math.cos(0.3), 'col cos k=1'); // 0.9553364891
  near(e[base + 8 + 2], Math.sin(0.02), 'row sin k=2');
  near(e[base + 12 + 3], Math.cos(0.002), 'row cos k=3');
  near(e[base + 0], Math.sin(3), 'col sin k=0');
  near(e[base + 8], Math.sin(2), 'row sin k=0');
});

test('cls token adds an all-zero first row and shifts patches by one', () => {
  const plain = get2dSincosPosEmbed(12, 3, 4);
  const cls = get2dSincosPosEmbed(12, 3, 4, true);
  assert.equal(cls.length, plain.length + 12);
  assert.deepEqual(Array.from(cls.subarray(0, 12)), new Array(12).fill(0));
  assert.deepEqual(cls.subarray(12), plain);
});

test('sin² + cos² = 1 for every frequency pair of every patch', () => {
  const D = 32;
  const e = get2dSincosPosEmbed(D, 7, 9);
  const q = D / 4;
  for (let p = 0; p < 63; p++) {
    for (const half of [0, D / 2]) {
      for (let k = 0; k < q; k++) {
        const s = e[p * D + half + k];
        const c = e[p * D + half + q + k];
        assert.ok(Math.abs(s * s + c * c - 1) < 1e-6, `patch ${p} half ${half} k ${k}`);
      }
    }
  }
});

test('square grid: transposing the patch swaps the two halves', () => {
  const D = 16;
  const g = 6;
  const e = get2dSincosPosEmbed(D, g, g);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const a = e.subarray((i * g + j) * D, (i * g + j + 1) * D);
      const b = e.subarray((j * g + i) * D, (j * g + i + 1) * D);
      assert.deepEqual(a.subarray(0, D / 2), b.subarray(D / 2));
    }
  }
});

test('rejects widths not divisible by 4 and bad grids', () => {
  assert.throws(() => get2dSincosPosEmbed(6, 2, 2), /divisible by 4.*6/);
  assert.throws(() => get2dSincosPosEmbed(0, 2, 2), /divisible by 4/);
  assert.throws(() => get2dSincosPosEmbed(8, 0, 2), /grid/);
  assert.throws(() => get1dSincosPosEmbed(3, [0]), /even/);
});
