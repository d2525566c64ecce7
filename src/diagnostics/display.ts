// Turns model-space arrays back into pictures: normalised images → [0, 1] pixels, target-space predictions
// (norm-pix or plain) → pixels, and the five reconstruction views composed patch by patch on the CPU.
import { patchify, patchStats, unpatchify, type PatchGeometry } from '../ml/patches';
import { toUnit, type Norm } from '../data/pixels';
import type { RawImage } from '../data/types';
import type { ReconView } from '../protocol/samples';

/** Grey of the removed patches in the masked-input view (the usual MAE/CAE figure). */
export const MASKED_GREY = 0.5;
/** Darker grey for the visible patches of prediction-only views, so predicted grey is not mistaken for them. */
export const UNPREDICTED_GREY = 0.2;

/**
 * Predictions [B·Nm, P] in the target space → dataset-normalised pixels. With norm-pix, each masked patch
 * is un-normalised with the mean and std of the same patch of the original image (as the MAE demo does),
 * matching `normalisePatches` (unbiased variance, eps 1e-6).
 */
export function predictionToPixels(pred: Float32Array, originalMasked: Float32Array, width: number, normPix: boolean): Float32Array {
  const out = new Float32Array(pred);
  if (!normPix) return out;
  for (let r = 0; r < pred.length; r += width) {
    const { mean, std } = patchStats(originalMasked, r, width);
    for (let i = 0; i < width; i++) out[r + i] = pred[r + i] * std + mean;
  }
  return out;
}

export interface ViewInputs {
  /** Dataset-normalised images NHWC [B, S, S, C]. */
  images: Float32Array;
  batch: number;
  geometry: PatchGeometry;
  /** [B·Nm] per-sample masked patch indices (grid order). */
  maskIdx: Int32Array;
  nMask: number;
  /** Prediction through the regressor / MAE decoder, and the encoder-only decode, both [B·Nm, P] in target space. */
  prediction: Float32Array;
  encoderDecode: Float32Array | null;
  normPix: boolean;
  norm: Norm;
}

/** One image per view per sample: views[v][b] is a [0, 255] image of side S with C channels. */
export function composeViews(v: ViewInputs): { views: ReconView[]; images: RawImage[][] } {
  const { batch: B, geometry: g, nMask: Nm } = v;
  const P = g.patchSize * g.patchSize * g.channels;
  const all = patchify(v.images, B, g); // [B, N, P], normalised
  const N = all.length / (B * P);
  const maskedOrig = new Float32Array(B * Nm * P);
  for (let j = 0; j < B * Nm; j++) {
    const b = Math.floor(j / Nm);
    maskedOrig.set(all.subarray((b * N + v.maskIdx[j]) * P, (b * N + v.maskIdx[j] + 1) * P), j * P);
  }
  const isMasked = new Uint8Array(B * N);
  for (let j = 0; j < B * Nm; j++) isMasked[Math.floor(j / Nm) * N + v.maskIdx[j]] = 1;
  const original = toUnit(new Float32Array(all), v.norm);
  const unitPred = (p: Float32Array): Float32Array => toUnit(predictionToPixels(p, maskedOrig, P, v.normPix), v.norm);

  /** Patches [B, N, P] in unit space: masked ones from `masked` (or grey), visible ones from the original (or grey). */
  const compose = (masked: Float32Array | null, showVisible: boolean): Float32Array => {
    const out = new Float32Array(all.length).fill(masked ? UNPREDICTED_GREY : MASKED_GREY);
    for (let r = 0; r < B * N; r++) if (!isMasked[r] && showVisible) out.set(original.subarray(r * P, (r + 1) * P), r * P);
    if (masked) {
      for (let j = 0; j < B * Nm; j++) {
        const r = Math.floor(j / Nm) * N + v.maskIdx[j];
        out.set(masked.subarray(j * P, (j + 1) * P), r * P);
      }
    }
    return out;
  };
  const pred = unitPred(v.prediction);
  const views: [ReconView, Float32Array][] = [
    ['original', original],
    ['masked', compose(null, true)],
    ['prediction', compose(pred, false)],
    ['pasted', compose(pred, true)],
  ];
  if (v.encoderDecode) views.push(['encoder-decode', compose(unitPred(v.encoderDecode), false)]);
  return { views: views.map(([name]) => name), images: views.map(([, p]) => splitImages(unpatchify(p, B, g), B, g)) };
}

/** NHWC [0, 1] floats → one clamped 8-bit RawImage per sample. */
export function splitImages(unit: Float32Array, batch: number, g: PatchGeometry): RawImage[] {
  const per = g.imageSize * g.imageSize * g.channels;
  return Array.from({ length: batch }, (_, b) => {
    const data = new Uint8Array(per);
    for (let i = 0; i < per; i++) data[i] = Math.round(255 * Math.min(1, Math.max(0, unit[b * per + i])));
    return { width: g.imageSize, height: g.imageSize, channels: g.channels, data };
  });
}

/** White pixels between tiles of the PNGs for people. */
export const TILE_PAD = 2;

/** Integer upscale that makes a tile about `target` pixels wide (at least 1×). */
export function displayScale(imageSize: number, target = 128): number {
  return Math.max(1, Math.round(target / imageSize));
}
