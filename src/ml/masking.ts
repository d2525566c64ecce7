// Patch masking for CAE/MAE. Convention (everywhere in this file): mask value 1 = masked (removed from
// the encoder's input), 0 = visible (kept). Grids are row-major: patch index = row · gridW + col.
//
// Every sample gets *exactly* `count` masked patches, because the model's tensors have a fixed
// [B, Nv, D] / [B, Nm, D] shape per run. Each sample draws from its own stream
// `Rng.derive(seed, 'mask', step, b)`, so a mask depends only on (seed, step, b), not on the batch size.
import type { MaskKind } from '../config/schema';
import { topUpCell, type MaskBlock } from './mask-grid';
import { sampleMultiblockMask, validateMultiblock, type MultiblockSpec } from './multiblock';
import { Rng } from './rng';

export type { MaskBlock } from './mask-grid';

export interface MaskSpec {
  kind: MaskKind;
  gridH: number;
  gridW: number;
  /** Masked patches per sample, in [1, gridH·gridW − 1]. */
  count: number;
  /** Smallest block (patches) of the block-wise generator; 0 = BEiT's 16 scaled to the grid. */
  minBlock: number;
  /** Multiblock only (I-JEPA's defaults when absent): target blocks, area fraction and aspect ranges. */
  blocks?: number;
  blockScale?: [number, number];
  blockAspect?: [number, number];
}

/** The multiblock part of a spec, with I-JEPA's defaults (4 blocks, scale 0.15–0.2, aspect 0.75–1.5). */
export function multiblockOf(spec: MaskSpec): MultiblockSpec {
  return {
    gridH: spec.gridH, gridW: spec.gridW, count: spec.count,
    blocks: spec.blocks ?? 4, scale: spec.blockScale ?? [0.15, 0.2], aspect: spec.blockAspect ?? [0.75, 1.5],
  };
}

export interface MaskBatch {
  /** [B·N], 1 = masked, 0 = visible. */
  masks: Uint8Array;
  /** [B·Nv], per-sample ascending visible patch indices. */
  visible: Int32Array;
  /** [B·Nm], per-sample ascending masked patch indices. */
  masked: Int32Array;
  B: number;
  N: number;
  Nv: number;
  Nm: number;
}

export interface BlockMaskTrace {
  mask: Uint8Array;
  /** Accepted blocks in placement order. */
  blocks: MaskBlock[];
  /** Cells added one by one after the block placement stalled (usually 0). */
  toppedUp: number;
}

// BEiT's aspect-ratio range: log-uniform in [0.3, 1/0.3].
const MIN_ASPECT = 0.3;
const LOG_ASPECT: [number, number] = [Math.log(MIN_ASPECT), Math.log(1 / MIN_ASPECT)];
// BEiT's _mask tries 10 rectangles per call; CAE calls it until the count is exact (forever if nothing
// can fit). We allow this many consecutive fruitless calls before topping up, so the loop always ends;
// measured: 0 top-ups in 500 samples on 4×4…14×14 grids, even for count 1 and N−1.
const ATTEMPTS_PER_BLOCK = 10;
const MAX_STALLED_CALLS = 100;

function isPosInt(x: number): boolean {
  return Number.isInteger(x) && x > 0;
}

/** Throws a RangeError naming the offending config key (`mask.count`, ...) if the spec is unusable. */
export function validateMaskSpec(spec: MaskSpec): void {
  if (spec.kind !== 'block' && spec.kind !== 'random' && spec.kind !== 'multiblock') {
    throw new RangeError(`mask.kind must be 'block', 'random' or 'multiblock', got ${JSON.stringify(spec.kind)}`);
  }
  if (!isPosInt(spec.gridH) || !isPosInt(spec.gridW)) {
    throw new RangeError(`mask grid must be positive integers, got ${spec.gridH}×${spec.gridW}`);
  }
  const n = spec.gridH * spec.gridW;
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > n - 1) {
    throw new RangeError(`mask.count (${spec.count}) must be an integer in [1, ${n - 1}] for a ${spec.gridH}×${spec.gridW} grid`);
  }
  if (!Number.isInteger(spec.minBlock) || spec.minBlock < 0) {
    throw new RangeError(`mask.minBlock (${spec.minBlock}) must be an integer ≥ 0`);
  }
  if (spec.kind === 'multiblock') validateMultiblock(multiblockOf(spec));
}

/** BEiT's min_num_patches: 16 on the paper's 14×14 grid, scaled by area for other grids (8×8 → 5, 7×7 → 4). */
export function effectiveMinBlock(spec: Pick<MaskSpec, 'gridH' | 'gridW' | 'minBlock'>): number {
  if (spec.minBlock > 0) return spec.minBlock;
  return Math.max(1, Math.round((16 * spec.gridH * spec.gridW) / 196));
}

/** Exactly `count` cells chosen uniformly (MAE / CAE's RandomMaskingGenerator). */
export function sampleRandomMask(spec: MaskSpec, rng: Rng): Uint8Array {
  const n = spec.gridH * spec.gridW;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const mask = new Uint8Array(n);
  for (let i = 0; i < spec.count; i++) mask[order[i]] = 1;
  return mask;
}

/** BEiT's `_mask`: up to 10 tries to place one rectangle adding 1..maxPatches new cells; returns the cells added. */
function placeBlock(
  mask: Uint8Array, gridH: number, gridW: number, minBlock: number, maxPatches: number, rng: Rng, blocks: MaskBlock[],
): number {
  for (let attempt = 0; attempt < ATTEMPTS_PER_BLOCK; attempt++) {
    // As in Python's random.uniform, lo > hi is fine (remaining < minBlock near the end).
    const area = rng.uniform(minBlock, maxPatches);
    const aspect = Math.exp(rng.uniform(LOG_ASPECT[0], LOG_ASPECT[1]));
    // Python's round() is half-to-even; exact .5 ties have probability ~0, so Math.round is equivalent.
    const h = Math.round(Math.sqrt(area * aspect));
    const w = Math.round(Math.sqrt(area / aspect));
    if (!(h < gridH && w < gridW)) continue;
    const top = rng.int(gridH - h + 1);
    const left = rng.int(gridW - w + 1);
    let already = 0;
    for (let i = top; i < top + h; i++) for (let j = left; j < left + w; j++) already += mask[i * gridW + j];
    const delta = h * w - already;
    // delta ≤ remaining (not BEiT's max_num_patches cap alone) is what keeps the total from overshooting.
    if (delta > 0 && delta <= maxPatches) {
      for (let i = top; i < top + h; i++) for (let j = left; j < left + w; j++) mask[i * gridW + j] = 1;
      blocks.push({ top, left, h, w });
      return delta;
    }
  }
  return 0;
}

/**
 * Block-wise masking (BEiT's MaskingGenerator with CAE's exact-count loop), plus the placed blocks.
 * Exactness: a block is accepted only if it adds ≤ remaining new cells, so the count never overshoots;
 * blocks are retried until the count is reached, and only after MAX_STALLED_CALLS fruitless rounds are
 * the last cells added singly, adjacent to the masked region. Nothing is ever unmasked.
 */
export function sampleBlockMask(spec: MaskSpec, rng: Rng): BlockMaskTrace {
  const { gridH, gridW, count } = spec;
  const minBlock = effectiveMinBlock(spec);
  const mask = new Uint8Array(gridH * gridW);
  const blocks: MaskBlock[] = [];
  let masked = 0;
  // A block needs h < gridH and w < gridW (as in BEiT), so a 1-wide grid can only be topped up.
  let stalled = gridH > 1 && gridW > 1 ? 0 : MAX_STALLED_CALLS;
  while (masked < count && stalled < MAX_STALLED_CALLS) {
    const delta = placeBlock(mask, gridH, gridW, minBlock, count - masked, rng, blocks);
    masked += delta;
    stalled = delta > 0 ? 0 : stalled + 1;
  }
  const toppedUp = count - masked;
  for (let k = 0; k < toppedUp; k++) topUpCell(mask, gridH, gridW, rng);
  return { mask, blocks, toppedUp };
}

/** One sample's mask [N] from its own stream. */
export function sampleMask(spec: MaskSpec, rng: Rng): Uint8Array {
  switch (spec.kind) {
    case 'block': return sampleBlockMask(spec, rng).mask;
    case 'random': return sampleRandomMask(spec, rng);
    case 'multiblock': return sampleMultiblockMask(multiblockOf(spec), rng).mask;
  }
}

/** Masks for a batch at a training step; sample b uses `Rng.derive(seed, 'mask', step, b)`. */
export function generateMasks(spec: MaskSpec, batch: number, seed: number, step: number): MaskBatch {
  validateMaskSpec(spec);
  if (!Number.isInteger(batch) || batch < 0) throw new RangeError(`mask batch size must be an integer ≥ 0, got ${batch}`);
  const N = spec.gridH * spec.gridW;
  const Nm = spec.count;
  const Nv = N - Nm;
  const masks = new Uint8Array(batch * N);
  const visible = new Int32Array(batch * Nv);
  const masked = new Int32Array(batch * Nm);
  for (let b = 0; b < batch; b++) {
    const m = sampleMask(spec, Rng.derive(seed, 'mask', step, b));
    masks.set(m, b * N);
    // Walking p upward yields both index lists already sorted.
    let v = b * Nv;
    let k = b * Nm;
    for (let p = 0; p < N; p++) {
      if (m[p]) masked[k++] = p;
      else visible[v++] = p;
    }
  }
  return { masks, visible, masked, B: batch, N, Nv, Nm };
}

export interface MaskStatistics {
  samples: number;
  /** Mean masked cells per sample. */
  meanCount: number;
  /** Mean number of 4-connected components of masked cells per sample (fewer = more clumped). */
  meanComponents: number;
  /** Mean size of the largest masked component as a fraction of the masked cells. */
  meanLargestFraction: number;
  /** [N] fraction of samples in which each cell is masked. */
  cellFrequency: Float64Array;
}

/** Shape summaries over a [B·N] mask buffer (for tests and diagnostics). */
export function maskStatistics(masks: Uint8Array, spec: Pick<MaskSpec, 'gridH' | 'gridW'>): MaskStatistics {
  const { gridH, gridW } = spec;
  const n = gridH * gridW;
  if (masks.length % n !== 0) throw new RangeError(`mask buffer length ${masks.length} is not a multiple of ${n}`);
  const samples = masks.length / n;
  const cellFrequency = new Float64Array(n);
  let total = 0;
  let components = 0;
  let largestFraction = 0;
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  for (let b = 0; b < samples; b++) {
    const off = b * n;
    seen.fill(0);
    let count = 0;
    let largest = 0;
    for (let p = 0; p < n; p++) {
      if (!masks[off + p]) continue;
      count++;
      cellFrequency[p]++;
      if (seen[p]) continue;
      components++;
      let size = 0;
      seen[p] = 1;
      stack.push(p);
      while (stack.length > 0) {
        const q = stack.pop() as number;
        size++;
        const i = Math.floor(q / gridW);
        const j = q % gridW;
        const nbrs = [i > 0 ? q - gridW : -1, i < gridH - 1 ? q + gridW : -1, j > 0 ? q - 1 : -1, j < gridW - 1 ? q + 1 : -1];
        for (const r of nbrs) {
          if (r >= 0 && masks[off + r] && !seen[r]) {
            seen[r] = 1;
            stack.push(r);
          }
        }
      }
      largest = Math.max(largest, size);
    }
    total += count;
    if (count > 0) largestFraction += largest / count;
  }
  for (let p = 0; p < n; p++) cellFrequency[p] /= Math.max(1, samples);
  const denom = Math.max(1, samples);
  return {
    samples,
    meanCount: total / denom,
    meanComponents: components / denom,
    meanLargestFraction: largestFraction / denom,
    cellFrequency,
  };
}
