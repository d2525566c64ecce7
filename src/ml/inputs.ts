// Turns a batch of images and its masks into the tensors one training step needs. Visible/masked patches,
// their positions and the pixel targets are selected here, on the CPU, in [visible…, masked…] order.
import type { MaskBatch } from './masking';
import { gatherRows, normalisePatches, patchDim, patchify, type PatchGeometry } from './patches';
import { Rng } from './rng';
import { tf, type Tensor, type Tensor2D } from './tf';

export interface MimInputs {
  batch: number;
  nVis: number;
  nMask: number;
  /** Per-sample visible / masked patch indices [B·Nv], [B·Nm]. */
  visIdx: Int32Array;
  maskIdx: Int32Array;
  visPatches: Tensor2D; // [B·Nv, P]
  maskPatches: Tensor2D; // [B·Nm, P]
  /** Pixel target of the masked patches [B·Nm, P] (per-patch normalised with norm-pix). */
  target: Tensor2D;
  /** Drop-path draws for this step; undefined in evaluation. */
  dropPath?: { seed: number; step: number };
  /** Token targets (loss.target = tokens): codes of the masked patches [B·Nm] and their one-hot [B·Nm, V]. */
  tokenCodes?: Int32Array;
  tokenTarget?: Tensor2D;
}

/** Tokenizer codes of every patch of every image [B·N] (grid order) and the vocabulary size. */
export interface TokenCodes {
  codes: Int32Array;
  vocab: number;
}

export function buildInputs(images: Float32Array, masks: MaskBatch, geom: PatchGeometry, normPix: boolean, dropPath?: MimInputs['dropPath'], tokens?: TokenCodes): MimInputs {
  const P = patchDim(geom);
  const { B, N, Nv, Nm } = masks;
  const all = patchify(images, B, geom);
  const maskRows = gatherRows(all, P, N, masks.masked, Nm);
  // Masked codes are picked on the CPU like the patches; the one-hot keeps the loss free of gather.
  const tokenCodes = tokens ? Int32Array.from(masks.masked, (p, j) => tokens.codes[Math.floor(j / Nm) * N + p]) : undefined;
  return {
    batch: B,
    nVis: Nv,
    nMask: Nm,
    visIdx: masks.visible,
    maskIdx: masks.masked,
    visPatches: tf.tensor2d(gatherRows(all, P, N, masks.visible, Nv), [B * Nv, P]),
    maskPatches: tf.tensor2d(maskRows, [B * Nm, P]),
    target: tf.tensor2d(normPix ? normalisePatches(maskRows, P) : maskRows, [B * Nm, P]),
    dropPath,
    ...(tokens && tokenCodes ? { tokenCodes, tokenTarget: tf.tensor2d(oneHotRows(tokenCodes, tokens.vocab), [B * Nm, tokens.vocab]) } : {}),
  };
}

/** codes [M] → one-hot rows [M·V] (on the CPU: tf.oneHot refuses a one-code vocabulary). */
function oneHotRows(codes: Int32Array, vocab: number): Float32Array {
  const out = new Float32Array(codes.length * vocab);
  codes.forEach((c, r) => {
    if (!(c >= 0 && c < vocab)) throw new RangeError(`token code ${c} outside the vocabulary [0, ${vocab})`);
    out[r * vocab + c] = 1;
  });
  return out;
}

export function disposeInputs(inp: MimInputs): void {
  tf.dispose([inp.visPatches, inp.maskPatches, inp.target]);
  if (inp.tokenTarget) inp.tokenTarget.dispose();
}

/** Fixed position embeddings [N, D] gathered per sample → [B·k, D]. */
export function positions(table: Float32Array, dim: number, idx: Int32Array, k: number): Tensor2D {
  return tf.tensor2d(gatherRows(table, dim, 0, idx, k, true), [idx.length, dim]);
}

/**
 * Per-block drop-path keep masks [B·tokens, 1], scaled by 1/keep-prob (timm's DropPath), drawn from
 * (seed, step, scope, block) so a resumed run replays them. Undefined where the rate is 0.
 */
export function dropPathMasks(rates: number[], batch: number, tokens: number, draw: MimInputs['dropPath'], scope: string): (Tensor | undefined)[] {
  return rates.map((rate, i) => {
    if (!draw || rate <= 0) return undefined;
    const rng = Rng.derive(draw.seed, 'droppath', draw.step, scope, i);
    const keep = new Float32Array(batch * tokens);
    for (let b = 0; b < batch; b++) {
      const v = rng.next() >= rate ? 1 / (1 - rate) : 0;
      keep.fill(v, b * tokens, (b + 1) * tokens);
    }
    return tf.tensor2d(keep, [batch * tokens, 1]);
  });
}

/** Samples [start, start+count) of a mask batch (micro-batching keeps each sample's own mask). */
export function sliceMasks(m: MaskBatch, start: number, count: number): MaskBatch {
  return {
    masks: m.masks.slice(start * m.N, (start + count) * m.N),
    visible: m.visible.slice(start * m.Nv, (start + count) * m.Nv),
    masked: m.masked.slice(start * m.Nm, (start + count) * m.Nm),
    B: count, N: m.N, Nv: m.Nv, Nm: m.Nm,
  };
}
