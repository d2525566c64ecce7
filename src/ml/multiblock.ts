// Multi-block masking (I-JEPA's MaskCollator, src/masks/multiblock.py), fitted to CAE's fixed masked count.
// I-JEPA draws `npred` target blocks (area scale 0.15–0.2 of the grid, aspect h/w 0.75–1.5, one size shared by the
// blocks) and a context that excludes them. Here the masked patches are the targets and every other patch is the
// context, so the context never overlaps a target by construction. What differs: CAE's tensors need exactly
// `count` masked patches per image, while a union of overlapping blocks varies in size. The choice made here:
// - blocks are placed in order; the block that would push the union past `count` keeps only its first new cells in
//   row-major order within the block (whole rows, then part of one: still one connected piece), and later blocks
//   are dropped (`trimmed` says how many cells were left out);
// - a union smaller than `count` is filled one cell at a time next to the masked region (`filled`), as the
//   block-wise generator tops up.
// One block size per image (I-JEPA: per batch), because a mask here depends only on (seed, step, b).
import { topUpCell, type MaskBlock } from './mask-grid';
import type { Rng } from './rng';

export interface MultiblockSpec {
  gridH: number;
  gridW: number;
  /** Masked patches per image, exact. */
  count: number;
  /** Target blocks per image (I-JEPA: 4). */
  blocks: number;
  /** Area of a block as a fraction of the grid, [min, max] (I-JEPA: 0.15–0.2). */
  scale: [number, number];
  /** Aspect ratio h/w of a block, [min, max] (I-JEPA: 0.75–1.5). */
  aspect: [number, number];
}

export interface MultiblockTrace {
  mask: Uint8Array;
  /** The blocks as drawn, in placement order (all `blocks` of them, including any trimmed or dropped). */
  blocks: MaskBlock[];
  /** Index of the first block not kept whole (blocks.length when all were). */
  firstCut: number;
  /** Cells of the drawn blocks left visible to keep the count exact. */
  trimmed: number;
  /** Cells added next to the union to reach the count. */
  filled: number;
}

/** Throws a RangeError naming the `mask.*` key if the spec is unusable. */
export function validateMultiblock(s: MultiblockSpec): void {
  if (!(Number.isInteger(s.blocks) && s.blocks >= 1)) throw new RangeError(`mask.blocks must be an integer ≥ 1, got ${s.blocks}`);
  const [slo, shi] = s.scale;
  if (!(slo > 0 && slo <= shi && shi <= 1)) throw new RangeError(`mask.blockScale must be [min, max] with 0 < min ≤ max ≤ 1, got [${slo}, ${shi}]`);
  const [alo, ahi] = s.aspect;
  if (!(alo > 0 && alo <= ahi)) throw new RangeError(`mask.blockAspect must be [min, max] with 0 < min ≤ max, got [${alo}, ${ahi}]`);
}

/**
 * I-JEPA's _sample_block_size: area max_keep = ⌊H·W·scale⌋, h = round(√(max_keep·ar)), w = round(√(max_keep/ar)),
 * shrunk until h < H and w < W; at least 1×1 (a tiny grid).
 */
export function sampleBlockSize(s: MultiblockSpec, rng: Rng): { h: number; w: number } {
  const scale = rng.uniform(s.scale[0], s.scale[1]);
  const aspect = rng.uniform(s.aspect[0], s.aspect[1]);
  const maxKeep = Math.floor(s.gridH * s.gridW * scale);
  let h = Math.round(Math.sqrt(maxKeep * aspect));
  let w = Math.round(Math.sqrt(maxKeep / aspect));
  while (h >= s.gridH && h > 1) h--;
  while (w >= s.gridW && w > 1) w--;
  return { h: Math.max(1, h), w: Math.max(1, w) };
}

export function sampleMultiblockMask(s: MultiblockSpec, rng: Rng): MultiblockTrace {
  const { gridH, gridW, count } = s;
  const mask = new Uint8Array(gridH * gridW);
  const { h, w } = sampleBlockSize(s, rng);
  const blocks: MaskBlock[] = Array.from({ length: s.blocks }, () => ({ top: rng.int(gridH - h + 1), left: rng.int(gridW - w + 1), h, w }));
  let masked = 0;
  let firstCut = blocks.length;
  let trimmed = 0;
  blocks.forEach((b, k) => {
    for (let i = b.top; i < b.top + b.h; i++) {
      for (let j = b.left; j < b.left + b.w; j++) {
        const p = i * gridW + j;
        if (mask[p]) continue;
        if (masked < count) {
          mask[p] = 1;
          masked++;
        } else {
          trimmed++;
          firstCut = Math.min(firstCut, k);
        }
      }
    }
  });
  const filled = count - masked;
  for (let k = 0; k < filled; k++) topUpCell(mask, gridH, gridW, rng);
  return { mask, blocks, firstCut, trimmed, filled };
}
