// k-NN probe (InstDisc/DINO protocol): cosine similarity between L2-normalised frozen features, the k nearest
// train images vote for their class with weight exp(sim / T). No training. Similarities are one plain 2-D
// matMul per chunk of test images against the pre-transposed train matrix (the fast path on wasm).
import { tf, type Tensor2D } from '../ml/tf';
import { topkAccuracy, top5OrNull } from './accuracy';
import { yieldToEventLoop } from '../util/stop-requested';

export interface KnnOptions {
  k: number;
  temperature: number;
  numClasses: number;
  /** Test rows per similarity matMul. */
  chunk?: number;
}

export interface KnnResult {
  top1: number;
  top5: number | null;
  /** Vote totals [nTest, C], row-major. */
  scores: Float64Array;
}

/** Row-wise L2 normalisation (a zero row stays zero). */
export function l2Normalise(x: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[r * dim + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] = x[r * dim + j] * inv;
  }
  return out;
}

export async function knnClassify(
  train: { features: Float32Array; labels: Int32Array }, test: { features: Float32Array; labels: Int32Array }, dim: number, o: KnnOptions,
): Promise<KnnResult> {
  const nTrain = train.labels.length;
  const nTest = test.labels.length;
  const k = Math.min(o.k, nTrain);
  const chunk = o.chunk ?? 256;
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(l2Normalise(train.features, dim), [nTrain, dim]))) as Tensor2D; // [D, nTrain]
  const testN = l2Normalise(test.features, dim);
  const scores = new Float64Array(nTest * o.numClasses);
  try {
    for (let start = 0; start < nTest; start += chunk) {
      const m = Math.min(chunk, nTest - start);
      const { values, indices } = tf.tidy(() => {
        const q = tf.tensor2d(testN.subarray(start * dim, (start + m) * dim), [m, dim]);
        return tf.topk(tf.matMul(q, trainT), k); // [m, k] cosine similarities and train indices
      });
      const [sims, idx] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      for (let i = 0; i < m; i++) {
        const row = (start + i) * o.numClasses;
        for (let j = 0; j < k; j++) scores[row + train.labels[idx[i * k + j]]] += Math.exp(sims[i * k + j] / o.temperature);
      }
      await yieldToEventLoop();
    }
  } finally {
    trainT.dispose();
  }
  return { scores, top1: topkAccuracy(scores, o.numClasses, test.labels, 1), top5: top5OrNull(scores, o.numClasses, test.labels) };
}
