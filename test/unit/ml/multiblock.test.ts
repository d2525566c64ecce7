import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateMasks, maskStatistics, validateMaskSpec, type MaskSpec } from '../../../src/ml/masking';
import { sampleBlockSize, sampleMultiblockMask, type MultiblockSpec } from '../../../src/ml/multiblock';
import { Rng } from '../../../src/ml/rng';
import { resolveConfig } from '../../../src/config/resolve';

const ijepa = (gridH: number, count: number, blocks = 4): MultiblockSpec => ({ gridH, gridW: gridH, count, blocks, scale: [0.15, 0.2], aspect: [0.75, 1.5] });

test('multiblock draws mask.blocks blocks of one I-JEPA size per image, within the scale and aspect ranges', () => {
  for (const [grid, count] of [[14, 98], [8, 32], [4, 8]] as const) {
    const s = ijepa(grid, count);
    const N = grid * grid;
    for (let i = 0; i < 300; i++) {
      const t = sampleMultiblockMask(s, Rng.derive(3, 'mb', grid, i));
      assert.equal(t.blocks.length, 4);
      const { h, w } = t.blocks[0];
      for (const b of t.blocks) {
        assert.deepEqual([b.h, b.w], [h, w], 'one size per image');
        assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.h <= grid && b.left + b.w <= grid, 'inside the grid');
      }
      // I-JEPA's rounding of √(⌊N·scale⌋·ar) and √(⌊N·scale⌋/ar) bounds each side.
      const lo = Math.floor(N * 0.15);
      const hi = Math.floor(N * 0.2);
      assert.ok(h >= Math.max(1, Math.round(Math.sqrt(lo * 0.75))) && h <= Math.round(Math.sqrt(hi * 1.5)), `h ${h} on ${grid}×${grid}`);
      assert.ok(w >= Math.max(1, Math.round(Math.sqrt(lo / 1.5))) && w <= Math.round(Math.sqrt(hi / 0.75)), `w ${w} on ${grid}×${grid}`);
    }
  }
  // On the paper's 14×14 grid the area is close to the stated scale (the rounding of h and w aside).
  const areas = Array.from({ length: 400 }, (_, i) => {
    const { h, w } = sampleBlockSize(ijepa(14, 98), Rng.derive(1, 'size', i));
    return (h * w) / 196;
  });
  const mean = areas.reduce((a, b) => a + b, 0) / areas.length;
  assert.ok(mean > 0.13 && mean < 0.22, `mean area fraction ${mean}`);
});

test('multiblock masks exactly mask.count patches; blocks kept whole are masked, the context never overlaps them', () => {
  for (const [grid, count] of [[14, 98], [14, 40], [8, 32], [8, 10], [4, 8], [4, 1], [4, 15]] as const) {
    const s = ijepa(grid, count);
    let filled = 0;
    let trimmed = 0;
    for (let i = 0; i < 200; i++) {
      const t = sampleMultiblockMask(s, Rng.derive(5, 'mb', grid, count, i));
      assert.equal(t.mask.reduce((a, b) => a + b, 0), count, `${grid}×${grid} count ${count}`);
      assert.ok(t.filled === 0 || t.trimmed === 0, 'either filled or trimmed, never both');
      for (const b of t.blocks.slice(0, t.firstCut)) {
        for (let r = b.top; r < b.top + b.h; r++) for (let c = b.left; c < b.left + b.w; c++) assert.equal(t.mask[r * grid + c], 1, 'kept block cell is masked');
      }
      filled += t.filled;
      trimmed += t.trimmed;
    }
    if (count === 1) assert.ok(trimmed > 0, 'a count below one block trims it');
    if (count === 15 && grid === 4) assert.ok(filled > 0, 'a count above four blocks fills');
  }
  // Through the batch generator: visible (the context) and masked lists are disjoint and cover the grid.
  const spec: MaskSpec = { kind: 'multiblock', gridH: 8, gridW: 8, count: 32, minBlock: 0, blocks: 4, blockScale: [0.15, 0.2], blockAspect: [0.75, 1.5] };
  const mb = generateMasks(spec, 16, 0, 7);
  for (let b = 0; b < 16; b++) {
    const vis = new Set(mb.visible.subarray(b * mb.Nv, (b + 1) * mb.Nv));
    for (const p of mb.masked.subarray(b * mb.Nm, (b + 1) * mb.Nm)) assert.ok(!vis.has(p));
    assert.equal(vis.size + mb.Nm, 64);
  }
  // Blocks stay clumped: far fewer components than random masking of the same count.
  const blockStats = maskStatistics(generateMasks(spec, 200, 1, 0).masks, spec);
  const randomStats = maskStatistics(generateMasks({ ...spec, kind: 'random' }, 200, 1, 0).masks, spec);
  assert.ok(blockStats.meanComponents < randomStats.meanComponents / 2, `${blockStats.meanComponents} vs ${randomStats.meanComponents}`);
});

test('multiblock options are validated with the key named', () => {
  const spec: MaskSpec = { kind: 'multiblock', gridH: 4, gridW: 4, count: 8, minBlock: 0, blocks: 0 };
  assert.throws(() => validateMaskSpec(spec), /mask\.blocks/);
  assert.throws(() => validateMaskSpec({ ...spec, blocks: 4, blockScale: [0.3, 0.2] }), /mask\.blockScale/);
  assert.throws(() => resolveConfig({ sets: ['mask.kind=multiblock', 'mask.blockAspect=0,1'] }), /mask\.blockAspect/);
  assert.throws(() => resolveConfig({ sets: ['mask.kind=multiblock', 'mask.blockScale=0.1,1.5'] }), /mask\.blockScale/);
  assert.equal(resolveConfig({ preset: 'cae-demo', sets: ['mask.kind=multiblock'] }).mask.blocks, 4);
});
