import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  effectiveMinBlock, generateMasks, maskStatistics, sampleBlockMask, validateMaskSpec,
  type MaskBatch, type MaskSpec,
} from '../../../src/ml/masking';
import { Rng } from '../../../src/ml/rng';

function spec(kind: MaskSpec['kind'], gridH: number, gridW: number, count: number, minBlock = 0): MaskSpec {
  return { kind, gridH, gridW, count, minBlock };
}

/** Checks every invariant of a MaskBatch: exact counts, sorted disjoint lists covering the grid, masks agree. */
function checkBatch(mb: MaskBatch, s: MaskSpec, label: string): void {
  const N = s.gridH * s.gridW;
  assert.equal(mb.N, N, label);
  assert.equal(mb.Nm, s.count, label);
  assert.equal(mb.Nv, N - s.count, label);
  assert.equal(mb.masks.length, mb.B * N, label);
  assert.equal(mb.masked.length, mb.B * mb.Nm, label);
  assert.equal(mb.visible.length, mb.B * mb.Nv, label);
  for (let b = 0; b < mb.B; b++) {
    const m = mb.masks.subarray(b * N, (b + 1) * N);
    let sum = 0;
    for (const v of m) {
      assert.ok(v === 0 || v === 1, label);
      sum += v;
    }
    assert.equal(sum, s.count, `${label} sample ${b}: masked ${sum}`);
    const masked = Array.from(mb.masked.subarray(b * mb.Nm, (b + 1) * mb.Nm));
    const visible = Array.from(mb.visible.subarray(b * mb.Nv, (b + 1) * mb.Nv));
    for (let i = 1; i < masked.length; i++) assert.ok(masked[i - 1] < masked[i], `${label}: masked sorted`);
    for (let i = 1; i < visible.length; i++) assert.ok(visible[i - 1] < visible[i], `${label}: visible sorted`);
    for (const p of masked) assert.equal(m[p], 1, label);
    for (const p of visible) assert.equal(m[p], 0, label);
    // Strictly sorted + right lengths + agreeing with the mask ⇒ disjoint and union = all N indices.
    assert.deepEqual([...masked, ...visible].sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i), label);
  }
}

test('effectiveMinBlock scales BEiT’s 16 by grid area unless given', () => {
  assert.equal(effectiveMinBlock(spec('block', 14, 14, 98)), 16);
  assert.equal(effectiveMinBlock(spec('block', 8, 8, 32)), 5);
  assert.equal(effectiveMinBlock(spec('block', 7, 7, 24)), 4);
  assert.equal(effectiveMinBlock(spec('block', 4, 4, 8)), 1);
  assert.equal(effectiveMinBlock(spec('block', 2, 2, 1)), 1);
  assert.equal(effectiveMinBlock(spec('block', 7, 7, 24, 9)), 9);
});

test('every sample has exactly count masked patches, for many grids, counts and seeds', () => {
  const grids: [number, number][] = [[4, 4], [7, 7], [8, 8], [14, 14], [3, 5], [2, 2], [1, 6], [6, 1]];
  for (const [h, w] of grids) {
    const N = h * w;
    const counts = [...new Set([1, 2, Math.floor(N / 2), Math.floor(N * 0.75), N - 2, N - 1])].filter((c) => c >= 1 && c <= N - 1);
    for (const count of counts) {
      for (const kind of ['block', 'random'] as const) {
        const s = spec(kind, h, w, count);
        for (const seed of [0, 1, 7, 12345]) {
          for (const step of [0, 3]) checkBatch(generateMasks(s, 16, seed, step), s, `${kind} ${h}×${w} count ${count} seed ${seed} step ${step}`);
        }
      }
    }
  }
});

test('explicit minBlock larger than the grid allows still ends exact', () => {
  for (const count of [1, 10, 15]) {
    const s = spec('block', 4, 4, count, 50);
    checkBatch(generateMasks(s, 20, 3, 0), s, `minBlock 50 count ${count}`);
  }
});

test('deterministic under (seed, step, sample); differs across steps, samples and seeds', () => {
  for (const kind of ['block', 'random'] as const) {
    const s = spec(kind, 8, 8, 32);
    const a = generateMasks(s, 8, 42, 5);
    const b = generateMasks(s, 8, 42, 5);
    assert.deepEqual(a.masks, b.masks);
    assert.deepEqual(a.visible, b.visible);
    assert.deepEqual(a.masked, b.masked);
    assert.notDeepEqual(generateMasks(s, 8, 42, 6).masks, a.masks, 'next step differs');
    assert.notDeepEqual(generateMasks(s, 8, 43, 5).masks, a.masks, 'other seed differs');
    const N = 64;
    const distinct = new Set<string>();
    for (let i = 0; i < 8; i++) distinct.add(a.masks.subarray(i * N, (i + 1) * N).join(''));
    assert.ok(distinct.size >= 7, `${kind}: samples in a batch differ (${distinct.size} distinct of 8)`);
    // Sample b depends only on (seed, step, b), not on the batch size.
    const small = generateMasks(s, 3, 42, 5);
    assert.deepEqual(small.masks, a.masks.subarray(0, 3 * N));
    assert.deepEqual(small.masked, a.masked.subarray(0, 3 * 32));
  }
});

test('invalid specs throw errors naming the key', () => {
  assert.throws(() => validateMaskSpec(spec('block', 7, 7, 0)), /mask\.count/);
  assert.throws(() => validateMaskSpec(spec('block', 7, 7, 49)), /mask\.count \(49\).*\[1, 48\]/);
  assert.throws(() => validateMaskSpec(spec('random', 7, 7, 2.5)), /mask\.count/);
  assert.throws(() => validateMaskSpec(spec('block', 0, 7, 3)), /grid/);
  assert.throws(() => validateMaskSpec(spec('block', 7, 1.5, 3)), /grid/);
  assert.throws(() => validateMaskSpec(spec('block', 1, 1, 1)), /mask\.count/);
  assert.throws(() => validateMaskSpec(spec('block', 7, 7, 3, -1)), /mask\.minBlock/);
  assert.throws(() => validateMaskSpec({ ...spec('block', 7, 7, 3), kind: 'grid' as MaskSpec['kind'] }), /mask\.kind/);
  assert.throws(() => generateMasks(spec('random', 4, 4, 16), 2, 0, 0), /mask\.count/);
  assert.throws(() => generateMasks(spec('random', 4, 4, 8), -1, 0, 0), /batch/);
  assert.equal(generateMasks(spec('random', 4, 4, 8), 0, 0, 0).masks.length, 0);
});

test('block masks are clumped: fewer connected components than random masks', () => {
  for (const [g, count] of [[7, 24], [8, 32], [14, 98], [14, 75]] as const) {
    const bs = spec('block', g, g, count);
    const rs = spec('random', g, g, count);
    const block = maskStatistics(generateMasks(bs, 400, 9, 0).masks, bs);
    const rand = maskStatistics(generateMasks(rs, 400, 9, 0).masks, rs);
    assert.equal(block.meanCount, count);
    assert.equal(rand.meanCount, count);
    assert.ok(block.meanComponents < 0.5 * rand.meanComponents, `${g}×${g}/${count}: ${block.meanComponents} vs ${rand.meanComponents}`);
    assert.ok(block.meanLargestFraction > rand.meanLargestFraction, `${g}×${g}/${count}: largest component`);
  }
});

test('each block is an in-bounds rectangle whose aspect ratio is reachable from [0.3, 1/0.3] by rounding', () => {
  for (const [h, w, count] of [[14, 14, 98], [7, 7, 24], [8, 8, 48], [4, 4, 12], [5, 9, 20]] as const) {
    const s = spec('block', h, w, count);
    const minBlock = effectiveMinBlock(s);
    let blocks = 0;
    for (let seed = 0; seed < 200; seed++) {
      const trace = sampleBlockMask(s, Rng.derive(seed, 'blocks'));
      const union = new Uint8Array(h * w);
      for (const blk of trace.blocks) {
        blocks++;
        assert.ok(blk.h >= 1 && blk.w >= 1 && blk.h < h && blk.w < w, `block ${JSON.stringify(blk)} on ${h}×${w}`);
        assert.ok(blk.top >= 0 && blk.left >= 0 && blk.top + blk.h <= h && blk.left + blk.w <= w);
        // h = round(√(A·r)), w = round(√(A/r)) ⇒ some x ∈ h±½, y ∈ w±½ with x/y = r ∈ [0.3, 1/0.3].
        assert.ok((blk.h + 0.5) / (blk.w - 0.5) >= 0.3 - 1e-12, `too flat: ${blk.h}×${blk.w}`);
        assert.ok((blk.h - 0.5) / (blk.w + 0.5) <= 1 / 0.3 + 1e-12, `too tall: ${blk.h}×${blk.w}`);
        // ...and x·y = A lies between min(minBlock, remaining) ≥ 1 and max(minBlock, count).
        assert.ok((blk.h - 0.5) * (blk.w - 0.5) <= Math.max(minBlock, count) + 1e-9, `too large: ${blk.h}×${blk.w}`);
        for (let i = blk.top; i < blk.top + blk.h; i++) for (let j = blk.left; j < blk.left + blk.w; j++) union[i * w + j] = 1;
      }
      // Without a top-up the mask is exactly the union of the blocks.
      if (trace.toppedUp === 0) assert.deepEqual(union, trace.mask);
    }
    assert.ok(blocks > 200, `placed ${blocks} blocks`);
  }
});

test('block aspect ratios use both orientations', () => {
  let tall = 0;
  let wide = 0;
  for (let seed = 0; seed < 300; seed++) {
    for (const b of sampleBlockMask(spec('block', 14, 14, 98), Rng.derive(seed, 'orient')).blocks) {
      if (b.h > b.w) tall++;
      if (b.w > b.h) wide++;
    }
  }
  assert.ok(tall > 100 && wide > 100, `tall ${tall} wide ${wide}`);
  assert.ok(Math.abs(tall - wide) / (tall + wide) < 0.15, `orientation balanced: tall ${tall} wide ${wide}`);
});

test('a grid too thin for any block is topped up with adjacent cells, still exact and contiguous', () => {
  const s = spec('block', 1, 10, 4);
  const trace = sampleBlockMask(s, Rng.derive(1, 'thin'));
  assert.equal(trace.blocks.length, 0);
  assert.equal(trace.toppedUp, 4);
  const stats = maskStatistics(generateMasks(s, 50, 2, 0).masks, s);
  assert.equal(stats.meanCount, 4);
  assert.equal(stats.meanComponents, 1);
});

test('random masking covers every cell uniformly (frequency ≈ count/N)', () => {
  for (const [g, count] of [[7, 24], [4, 3]] as const) {
    const s = spec('random', g, g, count);
    const samples = 4000;
    const stats = maskStatistics(generateMasks(s, samples, 5, 0).masks, s);
    const p = count / (g * g);
    const tol = 5 * Math.sqrt((p * (1 - p)) / samples);
    for (let i = 0; i < g * g; i++) {
      assert.ok(Math.abs(stats.cellFrequency[i] - p) < tol, `cell ${i}: ${stats.cellFrequency[i]} vs ${p} ± ${tol}`);
    }
  }
});

test('maskStatistics counts components on a hand-made mask', () => {
  // 3×3: two components (top-left L of 3 cells, bottom-right single cell).
  const m = Uint8Array.from([1, 1, 0, 1, 0, 0, 0, 0, 1]);
  const st = maskStatistics(m, { gridH: 3, gridW: 3 });
  assert.equal(st.samples, 1);
  assert.equal(st.meanCount, 4);
  assert.equal(st.meanComponents, 2);
  assert.equal(st.meanLargestFraction, 0.75);
  assert.deepEqual(Array.from(st.cellFrequency), [1, 1, 0, 1, 0, 0, 0, 0, 1]);
  assert.throws(() => maskStatistics(new Uint8Array(5), { gridH: 3, gridW: 3 }), /multiple/);
});
