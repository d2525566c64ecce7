// SGD with momentum (PyTorch semantics: buf ← μ·buf + g + wd·p, p ← p − lr·buf), the optimizer of the paper's
// attentive probe and, on cached features, of the linear probe. Weight decay only on weights of rank ≥ 2.
import { tf, type Tensor, type Variable } from '../ml/tf';

export interface SgdConfig {
  momentum: number;
  weightDecay: number;
}

export class SgdMomentum {
  private readonly bufs: Variable[];

  constructor(private readonly params: readonly Variable[], private readonly cfg: SgdConfig) {
    this.bufs = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** One update; `grads` in the order of the params given to the constructor. */
  apply(grads: readonly Tensor[], lr: number): void {
    const { momentum, weightDecay } = this.cfg;
    this.params.forEach((p, i) => {
      tf.tidy(() => {
        let g = grads[i];
        if (weightDecay > 0 && p.rank >= 2) g = tf.add(g, tf.mul(p, weightDecay));
        const buf = momentum > 0 ? tf.add(tf.mul(this.bufs[i], momentum), g) : g;
        if (momentum > 0) this.bufs[i].assign(buf);
        p.assign(tf.sub(p, tf.mul(buf, lr)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.bufs);
  }
}
