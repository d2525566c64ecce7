// What the CAE regressor's output is aligned with, and how (issue 18). Applied to the teacher's latents of the
// masked patches, outside the gradient tape (the teacher is never trained by gradients).
// - raw: the teacher's final-LayerNorm'd latents (CAE).
// - layernorm: a parameter-free LayerNorm over features of those latents (I-JEPA's `F.layer_norm(h, (D,))`).
// - instancenorm-topk: each of the last K teacher blocks' outputs (the residual stream, before the final norm)
//   instance-normalised — per sample and channel, over that sample's masked tokens (`F.instance_norm` on [B, D, Nm])
//   — then averaged over the K blocks (data2vec). data2vec's teacher sees the whole image and normalises over all
//   its tokens; CAE's teacher sees only the masked patches, so the statistics are over those.
// The loss is mse (CAE) or smooth-l1 (PyTorch's F.smooth_l1_loss, mean over elements).
import type { AlignLoss, AlignTarget } from '../config/schema';
import { tf, type Scalar, type Tensor2D } from './tf';

export interface AlignSpec {
  target: AlignTarget;
  /** instancenorm-topk: blocks averaged, counted from the last; 0 = all. */
  topK: number;
  loss: AlignLoss;
  /** smooth-l1 threshold (0 = L1). */
  beta: number;
}

/** The paper's CAE alignment: raw latents, MSE. */
export const CAE_ALIGN: AlignSpec = { target: 'raw', topK: 0, loss: 'mse', beta: 1 };

/** PyTorch's default eps of F.layer_norm and F.instance_norm. */
const NORM_EPS = 1e-5;

/** Whether the target needs the teacher's per-block outputs. */
export function needsBlockOutputs(spec: AlignSpec): boolean {
  return spec.target === 'instancenorm-topk';
}

/** x [M, D] → each row standardised over its D features (biased variance, no affine). */
export function layerNormRows(x: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPS))) as Tensor2D;
  });
}

/** x [B·n, D] → each sample's channels standardised over its n tokens (biased variance, no affine). */
export function instanceNormTokens(x: Tensor2D, batch: number): Tensor2D {
  return tf.tidy(() => {
    const [m, d] = x.shape;
    const x3 = tf.reshape(x, [batch, m / batch, d]);
    const { mean, variance } = tf.moments(x3, 1, true);
    return tf.reshape(tf.div(tf.sub(x3, mean), tf.sqrt(tf.add(variance, NORM_EPS))), [m, d]) as Tensor2D;
  });
}

/**
 * The alignment target [B·Nm, D]. `final`: the teacher's output latents; `blocks`: its per-block outputs of the same
 * tokens, first block first (only read by instancenorm-topk). With `raw` it returns `final` itself.
 */
export function alignTarget(spec: AlignSpec, final: Tensor2D, blocks: readonly Tensor2D[], batch: number): Tensor2D {
  switch (spec.target) {
    case 'raw':
      return final;
    case 'layernorm':
      return layerNormRows(final);
    case 'instancenorm-topk': {
      const k = spec.topK > 0 ? spec.topK : blocks.length;
      if (k < 1 || k > blocks.length) throw new RangeError(`loss.alignTopK (${spec.topK}) must be in [0, ${blocks.length}] (the teacher's blocks)`);
      return tf.tidy(() => {
        const normed = blocks.slice(blocks.length - k).map((b) => instanceNormTokens(b, batch));
        return (k === 1 ? normed[0] : tf.div(tf.addN(normed), k)) as Tensor2D;
      });
    }
  }
}

/** Mean over elements of the alignment loss between the regressor's prediction and the (stop-gradient) target. */
export function alignLoss(spec: AlignSpec, pred: Tensor2D, target: Tensor2D): Scalar {
  const diff = tf.sub(pred, target);
  if (spec.loss === 'mse') return tf.mean(tf.square(diff)) as Scalar;
  const a = tf.abs(diff);
  if (spec.beta === 0) return tf.mean(a) as Scalar;
  // 0.5·d²/β below β and |d| − 0.5·β above, written without a branch: with c = min(|d|, β), 0.5·c²/β + (|d| − c).
  const c = tf.minimum(a, spec.beta);
  return tf.mean(tf.add(tf.div(tf.mul(tf.square(c), 0.5), spec.beta), tf.sub(a, c))) as Scalar;
}
