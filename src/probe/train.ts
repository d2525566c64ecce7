// Training loop shared by the linear and attentive probes: shuffled mini-batches, SGD with momentum, warmup +
// cosine learning rate, cross-entropy; per epoch the running train top-1 and the test top-1/top-5.
// The tape only sees the head's variables (`tf.variableGrads(f, head.params)`), and the inputs are CPU copies
// of frozen features, so the encoder cannot receive a gradient.
import { lrAt } from '../ml/schedule';
import { Rng } from '../ml/rng';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../ml/tf';
import type { ProbeMetricsRow } from '../protocol/run-files';
import { topkAccuracy, top5OrNull } from './accuracy';
import { StopRequested, yieldToEventLoop } from '../util/stop-requested';
import type { Batcher, ProbeHead } from './head';

export interface TrainOptions {
  epochs: number;
  warmupEpochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  numClasses: number;
  /** Called after each epoch with that epoch's row (1-based epoch). */
  onEpoch?: (row: ProbeMetricsRow) => void;
  shouldStop?: () => boolean;
  /** Which split the per-epoch evaluation set is: `test` (no validation split, as the papers) or `val`. */
  monitor?: 'test' | 'val';
}

/** Batch size and optimizer steps per epoch over n training items. */
export function epochPlan(n: number, batchSize: number): { B: number; perEpoch: number } {
  const B = Math.min(batchSize, n);
  // Drop a last batch of 1: BatchNorm's batch variance is undefined there.
  return { B, perEpoch: Math.ceil(n / B) - (n % B === 1 ? 1 : 0) };
}

/** The epoch's shuffled order of the n training items (seeded per epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  Rng.derive(seed, 'probe-order', epoch).shuffle(order);
  return order;
}

export interface Evaluation {
  top1: number;
  top5: number | null;
  /** Logits [n, C], row-major. */
  scores: Float32Array;
}

export interface TrainOutcome extends Evaluation {
  rows: ProbeMetricsRow[];
}

/** Mean softmax cross-entropy of logits [B, C] against integer labels. */
export function crossEntropy(logits: Tensor2D, labels: Int32Array, numClasses: number): Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as Scalar;
  });
}

/** Eval-mode logits of a whole split, in order. */
export async function evaluate(head: ProbeHead, data: Batcher, batchSize: number, numClasses: number): Promise<Evaluation> {
  const scores = new Float32Array(data.n * numClasses);
  for (let start = 0; start < data.n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, data.n - start) }, (_, j) => start + j);
    const inputs = data.make(idx);
    const logits = tf.tidy(() => head.logits(inputs, idx.length, false));
    scores.set((await logits.data()) as Float32Array, start * numClasses);
    tf.dispose([logits, ...inputs]);
  }
  return { scores, top1: topkAccuracy(scores, numClasses, data.labels, 1), top5: top5OrNull(scores, numClasses, data.labels) };
}

/** One optimizer step on `idx`; returns [loss, correct] read once. */
async function step(head: ProbeHead, opt: { apply(g: readonly Tensor[], lr: number): void }, train: Batcher, idx: Int32Array, lr: number, numClasses: number): Promise<[number, number]> {
  const inputs = train.make(idx);
  const labels = Int32Array.from(idx, (i) => train.labels[i]);
  const kept: Tensor[] = []; // the number of correct predictions, kept out of the tape's disposal
  const { value, grads } = tf.variableGrads(() => {
    const logits = head.logits(inputs, idx.length, true);
    kept.push(tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(labels, 'int32')), 'float32'))));
    return crossEntropy(logits, labels, numClasses);
  }, [...head.params]);
  const ordered = head.params.map((p) => {
    const g = grads[p.name];
    if (!g) throw new Error(`probe: no gradient reached ${p.name}`);
    return g;
  });
  opt.apply(ordered, lr);
  head.afterStep();
  const summary = tf.stack([value, kept[0]]);
  const [loss, hits] = Array.from(await summary.data());
  tf.dispose([summary, value, ...kept, ...Object.values(grads), ...inputs]);
  return [loss, hits];
}

/** `test`: the split evaluated after every epoch (the validation split when `o.monitor` is `val`). */
export async function trainProbe(
  head: ProbeHead, opt: { apply(g: readonly Tensor[], lr: number): void }, train: Batcher, test: Batcher, o: TrainOptions,
): Promise<TrainOutcome> {
  const { B, perEpoch } = epochPlan(train.n, o.batchSize);
  const schedule = { lr: o.lr, minLr: 0, warmupSteps: o.warmupEpochs * perEpoch, steps: o.epochs * perEpoch };
  const rows: ProbeMetricsRow[] = [];
  let last: Evaluation | null = null;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = epochOrder(train.n, o.seed, epoch);
    let lossSum = 0;
    let hits = 0;
    let seen = 0;
    for (let b = 0; b < perEpoch; b++) {
      if (o.shouldStop?.()) throw new StopRequested();
      const idx = order.subarray(b * B, Math.min(train.n, (b + 1) * B));
      const [loss, correct] = await step(head, opt, train, idx, lrAt(epoch * perEpoch + b, schedule), o.numClasses);
      if (!Number.isFinite(loss)) throw new Error(`probe diverged: non-finite loss at epoch ${epoch + 1} (try a lower probe.lr)`);
      lossSum += loss * idx.length;
      hits += correct;
      seen += idx.length;
      await yieldToEventLoop();
    }
    last = await evaluate(head, test, Math.max(B, 256), o.numClasses);
    const row: ProbeMetricsRow = {
      epoch: epoch + 1, loss: lossSum / seen, train_top1: hits / seen,
      ...(o.monitor === 'val' ? { val_top1: last.top1, test_top1: null } : { test_top1: last.top1 }),
    };
    rows.push(row);
    o.onEpoch?.(row);
  }
  if (!last) throw new Error('probe: epochs must be ≥ 1');
  return { ...last, rows };
}
