// Linear-probe grid (issue 18; DINOv2 / V-JEPA 2 train many probe heads at once): one linear head per
// (lr, weight decay), all trained in the same pass over the cached features — the same mini-batches in the same
// order, one summed loss whose gradient separates per head, each head stepped by its own SGD with its own lr
// schedule and decay. The head with the best validation top-1 is chosen; only that head ever sees the test split,
// once, after the choice (the test batcher is read nowhere else).
import { lrAt } from '../ml/schedule';
import { tf, type Scalar, type Tensor } from '../ml/tf';
import type { ProbeMetricsRow } from '../protocol/run-files';
import type { Batcher } from './head';
import { LinearHead } from './linear';
import { SgdMomentum } from './sgd';
import { StopRequested, yieldToEventLoop } from '../util/stop-requested';
import { crossEntropy, epochOrder, epochPlan, evaluate, type TrainOptions } from './train';

export interface GridPoint {
  lr: number;
  weightDecay: number;
}

export interface GridEntry extends GridPoint {
  /** Validation top-1 after the last epoch. */
  valTop1: number;
}

export interface GridOutcome {
  /** Every head, in grid order (lr-major). */
  entries: GridEntry[];
  /** Index in `entries` of the head chosen on validation (the first of equals). */
  best: number;
  /** The chosen head on the test split. */
  top1: number;
  top5: number | null;
}

/** The default grid: lr over two decades × weight decay 0 / 1e-4 / 1e-3 (15 heads). */
export const DEFAULT_GRID_LRS: readonly number[] = [0.01, 0.03, 0.1, 0.3, 1];
export const DEFAULT_GRID_WDS: readonly number[] = [0, 1e-4, 1e-3];

export function gridPoints(lrs: readonly number[], wds: readonly number[]): GridPoint[] {
  return lrs.flatMap((lr) => wds.map((weightDecay) => ({ lr, weightDecay })));
}

export interface GridData {
  dim: number;
  train: Batcher;
  val: Batcher;
  test: Batcher;
}

/** Trains the grid; `o.lr` is ignored (each point has its own), `onEpoch` gets the best head's validation top-1. */
export async function trainLinearGrid(d: GridData, numClasses: number, points: readonly GridPoint[], o: TrainOptions, momentum: number): Promise<GridOutcome> {
  if (points.length === 0) throw new RangeError('probe grid: no (lr, weight decay) points');
  const heads = points.map(() => new LinearHead(d.dim, numClasses, o.seed)); // the same init for every head
  const opts = points.map((p, g) => new SgdMomentum(heads[g].params, { momentum, weightDecay: p.weightDecay }));
  const params = heads.flatMap((h) => h.params);
  try {
    const { B, perEpoch } = epochPlan(d.train.n, o.batchSize);
    const shape = { lr: 1, minLr: 0, warmupSteps: o.warmupEpochs * perEpoch, steps: o.epochs * perEpoch };
    let valTop1: number[] = [];
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = epochOrder(d.train.n, o.seed, epoch);
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < perEpoch; b++) {
        if (o.shouldStop?.()) throw new StopRequested();
        const idx = order.subarray(b * B, Math.min(d.train.n, (b + 1) * B));
        const inputs = d.train.make(idx);
        const labels = Int32Array.from(idx, (i) => d.train.labels[i]);
        const { value, grads } = tf.variableGrads(
          () => tf.addN(heads.map((h) => crossEntropy(h.logits(inputs, idx.length, true), labels, numClasses))) as Scalar, params,
        );
        const step = epoch * perEpoch + b;
        heads.forEach((h, g) => {
          opts[g].apply(h.params.map((p) => grads[p.name] as Tensor), lrAt(step, shape) * points[g].lr);
          h.afterStep();
        });
        const loss = (await value.data())[0] / heads.length;
        tf.dispose([value, ...Object.values(grads), ...inputs]);
        if (!Number.isFinite(loss)) throw new Error(`probe grid diverged: non-finite loss at epoch ${epoch + 1}`);
        lossSum += loss * idx.length;
        seen += idx.length;
        await yieldToEventLoop();
      }
      valTop1 = [];
      for (const h of heads) valTop1.push((await evaluate(h, d.val, Math.max(B, 256), numClasses)).top1);
      const row: ProbeMetricsRow = { epoch: epoch + 1, loss: lossSum / seen, train_top1: null, val_top1: Math.max(...valTop1), test_top1: null };
      o.onEpoch?.(row);
    }
    const best = valTop1.indexOf(Math.max(...valTop1));
    const test = await evaluate(heads[best], d.test, Math.max(B, 256), numClasses); // the one look at test
    return { entries: points.map((p, g) => ({ ...p, valTop1: valTop1[g] })), best, top1: test.top1, top5: test.top5 };
  } finally {
    opts.forEach((x) => x.dispose());
    heads.forEach((h) => h.dispose());
  }
}
