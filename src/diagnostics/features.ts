// Frozen-encoder features of a whole split: one forward pass per image (centre view, all patches visible),
// in large batches, read back to CPU arrays. Probes then train on these arrays only, so no gradient can ever
// reach the encoder: its variables are not in any probe's tape.
import { centreBatches, type ViewOptions } from '../data/pipeline';
import type { Split } from '../data/types';
import { features, type EncoderParts } from '../ml/masked-encoder';
import type { PatchGeometry } from '../ml/patches';
import { tf, type Tensor2D } from '../ml/tf';
import { StopRequested, yieldToEventLoop } from '../util/stop-requested';

export interface FeatureSplit {
  n: number;
  labels: Int32Array;
  /** [n, D] final-LayerNorm'd cls token. */
  cls: Float32Array;
  /** [n, D] mean of the patch tokens. */
  mean: Float32Array;
  /** [n, T, D] all tokens (T = 1 + N, cls first), when requested (attentive probe). */
  tokens: Float32Array | null;
}

export interface FeatureSet {
  dim: number;
  /** Tokens per image, cls included. */
  tokensPerImage: number;
  numClasses: number;
  /** The encoder's fixed position table [N, D] (the attentive probe's keys carry it). */
  positions: Float32Array;
  train: FeatureSplit;
  test: FeatureSplit;
}

export interface EncoderView extends EncoderParts {
  geometry: PatchGeometry;
}

/** The first `limit` items of a split (0 = all), for quick probes. */
export function limitSplit(split: Split, limit: number): Split {
  if (limit <= 0 || limit >= split.length) return split;
  return { length: limit, label: (i) => split.label(i), read: (i) => split.read(i) };
}

export async function extractSplit(
  enc: EncoderView, split: Split, view: Omit<ViewOptions, 'batchSize'>, batchSize: number, keepTokens: boolean,
  shouldStop: () => boolean = () => false, onBatch?: (done: number, total: number) => void,
): Promise<FeatureSplit> {
  const { dim } = enc.spec;
  const N = enc.pos.length / dim;
  const T = N + 1;
  const n = split.length;
  const out: FeatureSplit = {
    n, labels: new Int32Array(n), cls: new Float32Array(n * dim), mean: new Float32Array(n * dim),
    tokens: keepTokens ? new Float32Array(n * T * dim) : null,
  };
  let done = 0;
  for await (const batch of centreBatches(split, { ...view, batchSize })) {
    if (shouldStop()) throw new StopRequested();
    const b = batch.n;
    const { pooled, tokens } = tf.tidy((): { pooled: Tensor2D; tokens?: Tensor2D } => {
      const x = features(enc, enc.geometry, batch.images, b); // [B·T, D]
      const x3 = tf.reshape(x, [b, T, dim]);
      const cls = tf.reshape(tf.slice(x3, [0, 0, 0], [b, 1, dim]), [b, dim]);
      const mean = tf.mean(tf.slice(x3, [0, 1, 0], [b, N, dim]), 1); // [B, D]
      return { pooled: tf.concat([cls, mean], 1) as Tensor2D, ...(keepTokens ? { tokens: x } : {}) };
    });
    const pooledData = (await pooled.data()) as Float32Array; // [B, 2D]
    for (let i = 0; i < b; i++) {
      out.cls.set(pooledData.subarray(i * 2 * dim, i * 2 * dim + dim), (done + i) * dim);
      out.mean.set(pooledData.subarray(i * 2 * dim + dim, (i + 1) * 2 * dim), (done + i) * dim);
    }
    if (tokens && out.tokens) out.tokens.set((await tokens.data()) as Float32Array, done * T * dim);
    tf.dispose(tokens ? [pooled, tokens] : [pooled]);
    out.labels.set(batch.labels, done);
    done += b;
    onBatch?.(done, n);
    await yieldToEventLoop();
  }
  return out;
}

/** Pooled features of one kind, [n, D]. */
export function pooled(s: FeatureSplit, which: 'cls' | 'mean'): Float32Array {
  return which === 'cls' ? s.cls : s.mean;
}
