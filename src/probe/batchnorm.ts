// BatchNorm without affine parameters (MAE/CAE probes: `BatchNorm1d(D, affine=False, eps=1e-6)`): it only
// standardises the features, so the linear classifier after it sees every encoder on the same scale.
// Train mode normalises with batch statistics and updates running ones; eval mode uses the running ones.
import { fusedActive } from '../ml/kernels/fused';
import { fusedColSum } from '../ml/kernels/fused-ops';
import { tf, type Tensor, type Tensor2D, type Variable } from '../ml/tf';

/** Σ over the rows by the fused kernel; differentiable, since the attentive probe trains what comes before the norm. */
const fusedColumnSum = tf.customGrad(((x: Tensor) => ({
  value: fusedColSum(x),
  gradFunc: (dy: Tensor) => tf.broadcastTo(tf.reshape(dy, [1, -1]), x.shape),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Σ over the rows of x [B, D] → [D]. */
function columnSum(x: Tensor): Tensor {
  return fusedActive() ? (fusedColumnSum(x) as Tensor) : tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x as Tensor2D), [-1]);
}

export class BatchNormNoAffine {
  private readonly runningMean: Variable;
  private readonly runningVar: Variable;
  private pending: { mean: Tensor; variance: Tensor; n: number } | null = null;

  constructor(dim: number, private readonly momentum = 0.1, private readonly eps = 1e-6) {
    this.runningMean = tf.variable(tf.zeros([dim]), false);
    this.runningVar = tf.variable(tf.ones([dim]), false);
  }

  /** x [B, D] → standardised [B, D]. In train mode the batch moments are kept for `commit`. */
  apply(x: Tensor2D, train: boolean): Tensor2D {
    if (!train) return tf.mul(tf.sub(x, this.runningMean), tf.rsqrt(tf.add(this.runningVar, this.eps))) as Tensor2D;
    // Column sums by the fused kernel (or a [1, B]·[B, D] matmul): on wasm, Mean over axis 0 of a wide batch (raw
    // pixels, D = 3072) took half of a linear probe's time. Two-pass, as tf.moments.
    const n = x.shape[0];
    const mean = tf.div(columnSum(x), n);
    const centred = tf.sub(x, mean);
    const variance = tf.div(columnSum(tf.square(centred)), n);
    tf.dispose(this.pending ? [this.pending.mean, this.pending.variance] : []);
    this.pending = { mean: tf.keep(mean), variance: tf.keep(variance), n };
    return tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps))) as Tensor2D;
  }

  /** Folds the last train-mode batch into the running statistics (unbiased variance, as PyTorch). Outside the tape. */
  commit(): void {
    const p = this.pending;
    if (!p) return;
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(p.mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(p.variance, (m * p.n) / Math.max(1, p.n - 1))));
    });
    tf.dispose([p.mean, p.variance]);
    this.pending = null;
  }

  dispose(): void {
    tf.dispose([this.runningMean, this.runningVar]);
    if (this.pending) tf.dispose([this.pending.mean, this.pending.variance]);
    this.pending = null;
  }
}
