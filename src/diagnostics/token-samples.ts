// What a reconstruction strip needs from token targets: predicted codes (argmax of the head's logits), pixels
// decoded from them with the tokenizer's decoder (visible patches keep their true codes, so a decoder with
// context sees a whole grid), and a per-image token-accuracy map over the patch grid.
import { encodePng, imageGrid } from '../data/png';
import { toUnit } from '../data/pixels';
import type { RawImage } from '../data/types';
import { gatherRows, gridSide, patchDim, patchify, type PatchGeometry } from '../ml/patches';
import { tf } from '../ml/tf';
import type { SampleTokens } from '../protocol/samples';
import type { Tokenizer } from '../tokenizer/tokenizer';

/** Row-wise argmax of logits [M, V] → [M]. */
export function argmaxRows(logits: Float32Array, vocab: number): Int32Array {
  const out = new Int32Array(logits.length / vocab);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[r * vocab + v] > logits[r * vocab + best]) best = v;
    out[r] = best;
  }
  return out;
}

/** `codes` [B·N] with the masked positions `maskIdx` [B·Nm] replaced by `predicted` [B·Nm]. */
export function pasteCodes(codes: Int32Array, maskIdx: Int32Array, predicted: Int32Array, numPatches: number): Int32Array {
  const out = new Int32Array(codes);
  const nMask = maskIdx.length / (codes.length / numPatches);
  for (let j = 0; j < maskIdx.length; j++) out[Math.floor(j / nMask) * numPatches + maskIdx[j]] = predicted[j];
  return out;
}

export interface TokenAccuracy {
  /** Fraction of masked patches whose predicted code is the tokenizer's code, per image. */
  perImage: number[];
  /** Per image, per patch (grid order): 0 visible, 1 masked and wrong, 2 masked and right. */
  maps: Uint8Array[];
}

export function tokenAccuracyMap(codes: Int32Array, maskIdx: Int32Array, predicted: Int32Array, numPatches: number): TokenAccuracy {
  const B = codes.length / numPatches;
  const nMask = maskIdx.length / B;
  const maps = Array.from({ length: B }, () => new Uint8Array(numPatches));
  const perImage = new Array<number>(B).fill(0);
  for (let j = 0; j < maskIdx.length; j++) {
    const b = Math.floor(j / nMask);
    const right = codes[b * numPatches + maskIdx[j]] === predicted[j];
    maps[b][maskIdx[j]] = right ? 2 : 1;
    perImage[b] += right ? 1 / nMask : 0;
  }
  return { perImage, maps };
}

const MAP_COLOURS: [number, number, number][] = [[64, 64, 64], [214, 39, 40], [44, 160, 44]]; // visible, wrong, right

/** One accuracy map as an image: `cell` pixels per patch, colours as `MAP_COLOURS`. */
export function accuracyImage(map: Uint8Array, grid: number, cell: number): RawImage {
  const side = grid * cell;
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const colour = MAP_COLOURS[map[Math.floor(y / cell) * grid + Math.floor(x / cell)]];
      data.set(colour, (y * side + x) * 3);
    }
  }
  return { width: side, height: side, channels: 3, data };
}

/** The images whose codes are decoded, dataset-normalised NHWC [B, S, S, C], with their normalisation. */
export interface CodedImages {
  images: Float32Array;
  norm: { mean: number[]; std: number[] };
}

/**
 * Pixels of the masked patches decoded from `grid` codes [B·N], in the model's dataset-normalised pixel space
 * [B·Nm, P] (what a pixel head would predict without norm-pix), or null when the tokenizer has no decoder.
 * The decoded image is resized to the model's image size and channel count first. A patch-normalising
 * tokenizer takes each cell's mean and std from `source` (as norm-pix predictions are shown).
 */
export async function decodedMaskedPatches(
  tokenizer: Tokenizer, gridCodes: Int32Array, maskIdx: Int32Array, g: PatchGeometry, source: CodedImages,
): Promise<Float32Array | null> {
  const { norm } = source;
  const B = gridCodes.length / (tokenizer.grid[0] * tokenizer.grid[1]);
  // Only a patch-normalising tokenizer needs the images back in [0, 1] pixels (its cells' mean and std).
  const reference = tokenizer.inputNorm === 'patch'
    ? { images: toUnit(new Float32Array(source.images), norm), size: g.imageSize, channels: norm.mean.length } : undefined;
  const dec = await tokenizer.decode(gridCodes, B, reference);
  if (!dec) return null;
  const S = g.imageSize;
  const C = g.channels;
  const t = tf.tidy(() => {
    let x = tf.tensor4d(dec.images, [B, dec.size, dec.size, dec.channels]);
    if (dec.size !== S) x = tf.image.resizeBilinear(x, [S, S], false, true);
    if (dec.channels !== C) x = C === 1 ? tf.mean(x, 3, true) : tf.tile(x, [1, 1, 1, C]);
    return tf.div(tf.sub(x, tf.tensor1d(norm.mean)), tf.tensor1d(norm.std));
  });
  const images = (await t.data()) as Float32Array;
  t.dispose();
  const P = patchDim(g);
  const N = gridSide(g) ** 2;
  return gatherRows(patchify(images, B, g), P, N, maskIdx, maskIdx.length / B);
}

export interface TokenViews {
  /** Predicted codes of the masked patches [B·Nm] (through the regressor / MAE decoder). */
  predicted: Int32Array;
  /** Decoded masked patches, dataset-normalised [B·Nm, P]; null without a decoder. */
  prediction: Float32Array | null;
  /** CAE encoder-only decode, decoded the same way; null for MAE or without a decoder. */
  encoderDecode: Float32Array | null;
  accuracy: TokenAccuracy;
}

/** Everything the sample step needs from token logits [B·Nm, V] (and the encoder-only logits, CAE). */
export async function tokenViews(
  tokenizer: Tokenizer, codes: Int32Array, maskIdx: Int32Array, logits: Float32Array, encoderLogits: Float32Array | null,
  g: PatchGeometry, source: CodedImages,
): Promise<TokenViews> {
  const N = gridSide(g) ** 2;
  const predicted = argmaxRows(logits, tokenizer.vocab);
  const decodeWith = (p: Int32Array): Promise<Float32Array | null> => decodedMaskedPatches(tokenizer, pasteCodes(codes, maskIdx, p, N), maskIdx, g, source);
  return {
    predicted,
    prediction: await decodeWith(predicted),
    encoderDecode: encoderLogits ? await decodeWith(argmaxRows(encoderLogits, tokenizer.vocab)) : null,
    accuracy: tokenAccuracyMap(codes, maskIdx, predicted, N),
  };
}

/** The run's tokenizer and the codes of the sample batch [B·N] (computed once: the batch is fixed). */
export interface SampleTokenizer {
  tokenizer: Tokenizer;
  codes: Int32Array;
}

export interface TokenSampleParts {
  /** Masked-patch predictions for the reconstruction views, dataset-normalised pixels (not norm-pix). */
  prediction: Float32Array;
  encoderDecode: Float32Array | null;
  files: Map<string, Uint8Array | string>;
  manifest: SampleTokens;
}

/**
 * The token-target parts of a sample: decoded predictions for the reconstruction strip (grey, the dataset's
 * 0.5, when the tokenizer has no decoder), `token-accuracy.png` and `tokens.json`.
 */
export async function tokenSampleParts(
  t: SampleTokenizer, maskIdx: Int32Array, logits: Float32Array, encoderLogits: Float32Array | null,
  g: PatchGeometry, source: CodedImages, display: { scale: number; pad: number },
): Promise<TokenSampleParts> {
  const { norm } = source;
  const v = await tokenViews(t.tokenizer, t.codes, maskIdx, logits, encoderLogits, g, source);
  const side = gridSide(g);
  const P = patchDim(g);
  const grey = Float32Array.from({ length: maskIdx.length * P }, (_, i) => (0.5 - norm.mean[i % g.channels]) / norm.std[i % g.channels]);
  const cell = Math.max(1, Math.round((g.imageSize * display.scale) / side));
  const map = imageGrid(v.accuracy.maps.map((m) => accuracyImage(m, side, cell)), v.accuracy.maps.length, display.pad);
  const N = side * side;
  const B = t.codes.length / N;
  const nMask = maskIdx.length / B;
  const files = new Map<string, Uint8Array | string>([
    ['token-accuracy.png', encodePng(map.data, map.width, map.height, 3)],
    ['tokens.json', JSON.stringify({
      codes: Array.from({ length: B }, (_, b) => Array.from(t.codes.subarray(b * N, (b + 1) * N))),
      predicted: Array.from({ length: B }, (_, b) => Array.from(v.predicted.subarray(b * nMask, (b + 1) * nMask))),
    })],
  ]);
  return {
    prediction: v.prediction ?? grey,
    encoderDecode: v.prediction ? v.encoderDecode : encoderLogits ? grey : null,
    files,
    manifest: {
      vocab: t.tokenizer.vocab, decoded: v.prediction !== null, accuracy: v.accuracy.perImage.map((a) => Math.round(a * 1e4) / 1e4),
      map: 'token-accuracy.png', data: 'tokens.json',
    },
  };
}
