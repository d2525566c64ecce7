// Building blocks on flattened token matrices [B·N, D]: TF.js has had gradient bugs in batched gather and in
// batched-by-2-D matmul, and on wasm only plain 2-D matmuls are fast, so dense layers are always 2-D.
// On wasm, LayerNorm, GELU, attention and the layer-scaled residual run as fused SIMD kernels
// (src/ml/kernels/fused.ts); the straightforward TF.js versions below are the reference and the path on every
// other backend (and on wasm with MIMLAB_FUSED=0). test/unit/ml/fused-kernels.test.ts checks they agree.
import { fusedActive } from './kernels/fused';
import { attentionFits, fusedColSum, fusedCrossAttention, fusedGelu, fusedLayerNorm, fusedScaleAdd, fusedSelfAttention, fusedTranspose } from './kernels/fused-ops';
import { tf, type Tensor, type Tensor2D } from './tf';

/** Σ over rows (a bias gradient): the fused column sum on wasm (tf.sum over axis 0 transposes first there). */
function sumRows(dy: Tensor): Tensor {
  return fusedActive() ? fusedColSum(dy) : tf.sum(dy, 0);
}

/** 2-D transpose: the SIMD kernel on wasm (several times faster than the stock Transpose there). */
function transpose2d(t: Tensor): Tensor2D {
  return (fusedActive() ? fusedTranspose(t) : tf.transpose(t)) as Tensor2D;
}

/**
 * dW = xᵀ·dy for x [M, K], dy [M, N]. Either transpose x, or compute (dyᵀ·x)ᵀ and transpose dy and the [N, K]
 * product instead, whichever moves fewer floats: a probe head (N = 10 classes, K = 3,072 pixels) or an MLP's
 * second layer (N < K) then never transposes its wide input. XNNPACK sums over the M rows in the same order
 * either way, so both give the same bits (test/unit/ml/fused-kernels.test.ts).
 */
export function weightGrad(x: Tensor2D, dy: Tensor2D): Tensor2D {
  const [M, K] = x.shape;
  const N = dy.shape[1];
  if (M * N + N * K < M * K) return transpose2d(tf.matMul(transpose2d(dy), x));
  return tf.matMul(transpose2d(x), dy);
}

/**
 * y = x·W + b with a hand-written backward that transposes explicitly and uses plain 2-D matMuls
 * (the stock gradient uses transpose flags, which fall off XNNPACK's fast path on wasm). The forward is one
 * fused matMul + bias (XNNPACK adds the bias in its output pass).
 */
const linearWithBias = tf.customGrad(((x: Tensor, w: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  const value = tf.fused.matMul({ a: x as Tensor2D, b: w as Tensor2D, bias: b });
  return {
    value,
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as Tensor2D[];
      return [tf.matMul(dy as Tensor2D, transpose2d(ws)), weightGrad(xs, dy as Tensor2D), sumRows(dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

const linearNoBias = tf.customGrad(((x: Tensor, w: Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as Tensor2D, w as Tensor2D),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as Tensor2D[];
      return [tf.matMul(dy as Tensor2D, transpose2d(ws)), weightGrad(xs, dy as Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * x·W + b for an x that takes no gradient (a probe's frozen features): the backward computes dW and db only,
 * not the [M, Din] dx that nothing would read. The same forward and the same dW as `linear`.
 */
export function linearOfConstant(x: Tensor2D, w: Tensor, b: Tensor): Tensor2D {
  const f = tf.customGrad(((wv: Tensor, bv: Tensor, save: tf.GradSaveFunc) => {
    save([x]); // kept for the backward, which runs after the forward's intermediates are gone
    return {
      value: tf.fused.matMul({ a: x, b: wv as Tensor2D, bias: bv }),
      gradFunc: (dy: Tensor, saved: Tensor[]) => [weightGrad(saved[0] as Tensor2D, dy as Tensor2D), sumRows(dy)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(w, b) as Tensor2D;
}

/** x [M, Din] · w [Din, Dout] (+ b [Dout]) → [M, Dout]. */
export function linear(x: Tensor2D, w: Tensor, b?: Tensor): Tensor2D {
  return (b ? linearWithBias(x, w, b) : linearNoBias(x, w)) as Tensor2D;
}

/** LayerNorm over the last axis, eps 1e-6 as in BEiT/CAE/MAE. */
export function layerNorm(x: Tensor2D, gamma: Tensor, beta: Tensor, eps = 1e-6): Tensor2D {
  if (fusedActive() && x.shape[1] % 4 === 0) return fusedLayerNorm(x, gamma, beta, eps);
  return layerNormReference(x, gamma, beta, eps);
}

/** Exact (erf) GELU, PyTorch's default. */
export function gelu(x: Tensor2D): Tensor2D {
  return fusedActive() ? fusedGelu(x) : geluReference(x);
}

/**
 * Multi-head scaled dot-product attention on flattened inputs.
 * q [B·Nq, D], k/v [B·Nk, D] → output [B·Nq, D] and the attention probabilities [B, H, Nq, Nk].
 * On the fused path the probabilities are for inspection only: no gradient flows back through them.
 */
export function multiHeadAttention(
  q: Tensor2D, k: Tensor2D, v: Tensor2D, batch: number, heads: number,
): { out: Tensor2D; probs: Tensor } {
  if (fusedActive() && attentionFits(q.shape[1], heads)) return fusedCrossAttention(q, k, v, batch, heads);
  return multiHeadAttentionReference(q, k, v, batch, heads);
}

/** Self-attention from a fused projection qkv [B·N, 3D] (q, k, v side by side) → [B·N, D], probs [B, H, N, N]. */
export function selfAttention(qkv: Tensor2D, batch: number, heads: number): { out: Tensor2D; probs: Tensor } {
  if (fusedActive() && attentionFits(qkv.shape[1] / 3, heads)) return fusedSelfAttention(qkv, batch, heads);
  const [q, k, v] = tf.split(qkv, 3, 1) as Tensor2D[];
  return multiHeadAttentionReference(q, k, v, batch, heads);
}

/** Residual branch with layer scale γ (optional) and per-sample drop path (keep mask [B·N, 1], already scaled). */
export function residual(x: Tensor2D, branch: Tensor2D, gamma?: Tensor, keep?: Tensor): Tensor2D {
  if (gamma && !keep && fusedActive() && x.shape[1] % 4 === 0) return fusedScaleAdd(x, branch, gamma);
  return residualReference(x, branch, gamma, keep);
}

// ---- the straightforward TF.js versions (reference; every backend but wasm) ---------------------------------

export function layerNormReference(x: Tensor2D, gamma: Tensor, beta: Tensor, eps = 1e-6): Tensor2D {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta) as Tensor2D;
  });
}

export function geluReference(x: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as Tensor2D);
}

export function multiHeadAttentionReference(
  q: Tensor2D, k: Tensor2D, v: Tensor2D, batch: number, heads: number,
): { out: Tensor2D; probs: Tensor } {
  const [mq, dim] = q.shape;
  const nq = mq / batch;
  const nk = k.shape[0] / batch;
  const dh = dim / heads;
  const split = (t: Tensor2D, n: number): Tensor => tf.transpose(tf.reshape(t, [batch, n, heads, dh]), [0, 2, 1, 3]); // [B, H, n, dh]
  const qh = tf.mul(split(q, nq), 1 / Math.sqrt(dh));
  const scores = tf.matMul(qh as tf.Tensor4D, split(k, nk) as tf.Tensor4D, false, true); // [B, H, Nq, Nk]
  const probs = tf.softmax(scores, -1);
  const ctx = tf.matMul(probs as tf.Tensor4D, split(v, nk) as tf.Tensor4D); // [B, H, Nq, dh]
  const out = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [mq, dim]) as Tensor2D;
  return { out, probs };
}

export function residualReference(x: Tensor2D, branch: Tensor2D, gamma?: Tensor, keep?: Tensor): Tensor2D {
  let y: Tensor = gamma ? tf.mul(branch, gamma) : branch;
  if (keep) y = tf.mul(y, keep);
  return tf.add(x, y) as Tensor2D;
}
