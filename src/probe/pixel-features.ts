// Raw pixels as probe features (issue 18): the second floor beside random init. On 28–32 px data a logistic
// regression or a cosine k-NN on standardised pixels is a strong baseline, so a table should show whether an
// encoder beats both. Features: the dataset-normalised centre view (the model's input), flattened [S·S·C], each
// dimension then standardised with the train split's mean and std (test uses the train statistics).
import { centreBatches, type ViewOptions } from '../data/pipeline';
import type { Split } from '../data/types';
import type { FeatureSet, FeatureSplit } from '../diagnostics/features';
import { StopRequested, yieldToEventLoop } from '../util/stop-requested';

async function flatten(split: Split, view: Omit<ViewOptions, 'batchSize'>, batchSize: number, shouldStop: () => boolean): Promise<FeatureSplit> {
  const dim = view.imageSize * view.imageSize * view.channels;
  const x = new Float32Array(split.length * dim);
  const labels = new Int32Array(split.length);
  let done = 0;
  for await (const batch of centreBatches(split, { ...view, batchSize })) {
    if (shouldStop()) throw new StopRequested();
    x.set(batch.images, done * dim); // NHWC rows, one image after another
    labels.set(batch.labels, done);
    done += batch.n;
    await yieldToEventLoop();
  }
  return { n: split.length, labels, cls: x, mean: x, tokens: null };
}

/** Per-dimension z-score with the train split's statistics (a constant dimension becomes 0). */
export function standardise(train: Float32Array, others: Float32Array[], dim: number): void {
  const n = train.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const v = train[i * dim + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const inv = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    mean[j] /= n;
    const sd = Math.sqrt(Math.max(0, sq[j] / n - mean[j] ** 2));
    inv[j] = sd > 1e-8 ? 1 / sd : 0;
  }
  for (const x of [train, ...others]) for (let r = 0; r < x.length / dim; r++) for (let j = 0; j < dim; j++) x[r * dim + j] = (x[r * dim + j] - mean[j]) * inv[j];
}

export interface PixelRequest {
  train: Split;
  test: Split;
  numClasses: number;
  view: Omit<ViewOptions, 'batchSize'>;
  batchSize: number;
  shouldStop?: () => boolean;
}

export async function pixelFeatures(r: PixelRequest): Promise<FeatureSet> {
  const stop = r.shouldStop ?? ((): boolean => false);
  const dim = r.view.imageSize * r.view.imageSize * r.view.channels;
  const train = await flatten(r.train, r.view, r.batchSize, stop);
  const test = await flatten(r.test, r.view, r.batchSize, stop);
  standardise(train.mean, [test.mean], dim);
  return { dim, tokensPerImage: 0, numClasses: r.numClasses, positions: new Float32Array(0), train, test };
}
