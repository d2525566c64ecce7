// loss_main over the masked patches, for either target: MSE on pixels, or cross-entropy over the tokenizer's
// vocabulary (BEiT/CAE). CE is written as −Σ one-hot · log-softmax so no gather (and no gather gradient, which
// wasm lacks) is needed; accuracy is computed alongside for `mlm_acc` and carries no gradient.
import type { MimInputs } from './inputs';
import { tf, type Scalar, type Tensor2D } from './tf';

/** Row-wise log-softmax, shifted by the row max for stability. */
export function logSoftmax(logits: Tensor2D): Tensor2D {
  const shifted = tf.sub(logits, tf.max(logits, 1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))) as Tensor2D;
}

/** Mean over rows of −log p(target): logits [M, V], one-hot targets [M, V]. */
export function tokenCrossEntropy(logits: Tensor2D, oneHot: Tensor2D): Scalar {
  return tf.sub(0, tf.mean(tf.sum(tf.mul(oneHot, logSoftmax(logits)), 1))) as Scalar; // 0 − x, not −x: a zero loss is +0
}

/** Fraction of rows whose target logit is the row maximum (argmax hit; exact ties count as hits). No index ops. */
export function tokenAccuracy(logits: Tensor2D, oneHot: Tensor2D): Scalar {
  const target = tf.sum(tf.mul(oneHot, logits), 1);
  return tf.mean(tf.cast(tf.greaterEqual(target, tf.max(logits, 1)), 'float32')) as Scalar;
}

/** The prediction head's output width: the vocabulary for token targets, else the patch size. */
export function headWidth(vocabSize: number, patchDim: number): number {
  return vocabSize > 0 ? vocabSize : patchDim;
}

/** loss_main of a prediction [B·Nm, P or V] against the inputs' target; `acc` only for token targets. */
export function maskedObjective(pred: Tensor2D, inp: MimInputs): { main: Scalar; acc: Scalar | null } {
  if (inp.tokenTarget) {
    if (pred.shape[1] !== inp.tokenTarget.shape[1]) {
      throw new Error(`token head outputs ${pred.shape[1]} logits but the tokenizer has ${inp.tokenTarget.shape[1]} codes`);
    }
    return { main: tokenCrossEntropy(pred, inp.tokenTarget), acc: tokenAccuracy(pred, inp.tokenTarget) };
  }
  return { main: tf.mean(tf.square(tf.sub(pred, inp.target))) as Scalar, acc: null };
}
