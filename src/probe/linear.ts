// Linear probe (MAE/CAE protocol): frozen pooled features → BatchNorm without affine → linear classifier.
import { createLinear } from '../ml/blocks';
import { linearOfConstant } from '../ml/layers';
import { ParamStore } from '../ml/params';
import { tf, type Tensor, type Tensor2D, type Variable } from '../ml/tf';
import { BatchNormNoAffine } from './batchnorm';
import { takeRows, type Batcher, type ProbeHead } from './head';

/** MAE's linear-probe head init: weights trunc-normal std 0.01, bias 0. */
const HEAD_STD = 0.01;

export class LinearHead implements ProbeHead {
  private readonly store: ParamStore;
  private readonly bn: BatchNormNoAffine;

  constructor(dim: number, numClasses: number, seed: number) {
    this.store = new ParamStore(seed, 'probe-linear');
    createLinear(this.store, 'head', dim, numClasses, true, HEAD_STD);
    this.bn = new BatchNormNoAffine(dim);
  }

  get params(): Variable[] {
    return this.store.variables();
  }

  /** inputs[0]: features [B, D]. */
  logits(inputs: readonly Tensor[], _batch: number, train: boolean): Tensor2D {
    // The features are frozen: no gradient flows back past the head.
    return linearOfConstant(this.bn.apply(inputs[0] as Tensor2D, train), this.store.get('head.w'), this.store.get('head.b'));
  }

  afterStep(): void {
    this.bn.commit();
  }

  dispose(): void {
    this.store.dispose();
    this.bn.dispose();
  }
}

/** Batches of pooled features [n, D]. */
export function pooledBatcher(features: Float32Array, dim: number, labels: Int32Array): Batcher {
  return {
    n: labels.length,
    labels,
    make: (idx) => [tf.tensor2d(takeRows(features, dim, idx), [idx.length, dim])],
  };
}
