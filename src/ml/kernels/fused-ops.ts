// Differentiable fused ops: each registered wasm kernel (fused.ts) paired with its backward kernel through
// tf.customGrad. The reference formulations live in src/ml/layers.ts.
import { tf, type Tensor, type Tensor2D } from '../tf';
import { KERNELS, runKernel as run, type Attrs } from './fused';

// ---- differentiable ops -------------------------------------------------------------------------------------

/** Whether the fused attention handles these shapes (head width a multiple of 4, float32). */
export function attentionFits(dim: number, heads: number): boolean {
  return dim % heads === 0 && (dim / heads) % 4 === 0;
}

/** Moves a tensor created (and kept) inside a customGrad forward pass into the caller's scope. */
function adopt(kept: Tensor): Tensor {
  const t = tf.clone(kept);
  kept.dispose();
  return t;
}

/** Self-attention straight from the fused projection qkv [B·N, 3D] → out [B·N, D], probs [B, H, N, N]. */
export function fusedSelfAttention(qkv: Tensor2D, batch: number, heads: number): { out: Tensor2D; probs: Tensor } {
  const attrs = { batch, heads };
  let probsKept: Tensor | null = null;
  const f = tf.customGrad(((x: Tensor, save: tf.GradSaveFunc) => {
    const [out, probs] = run(KERNELS.selfAttn, { qkv: x }, attrs) as Tensor[];
    save([x, probs]);
    probsKept = tf.keep(probs);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) => run(KERNELS.selfAttnGrad, { qkv: saved[0], probs: saved[1], dy }, attrs) as Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const out = f(qkv) as Tensor2D;
  return { out, probs: adopt(probsKept as unknown as Tensor) };
}

/** Attention with separate q [B·Nq, D], k/v [B·Nk, D] → out [B·Nq, D], probs [B, H, Nq, Nk]. */
export function fusedCrossAttention(q: Tensor2D, k: Tensor2D, v: Tensor2D, batch: number, heads: number): { out: Tensor2D; probs: Tensor } {
  const attrs = { batch, heads };
  let probsKept: Tensor | null = null;
  const f = tf.customGrad(((qq: Tensor, kk: Tensor, vv: Tensor, save: tf.GradSaveFunc) => {
    const [out, probs] = run(KERNELS.crossAttn, { q: qq, k: kk, v: vv }, attrs) as Tensor[];
    save([qq, kk, vv, probs]);
    probsKept = tf.keep(probs);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) => run(KERNELS.crossAttnGrad, { q: saved[0], k: saved[1], v: saved[2], probs: saved[3], dy }, attrs) as Tensor[],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const out = f(q, k, v) as Tensor2D;
  return { out, probs: adopt(probsKept as unknown as Tensor) };
}

const layerNormOp = (eps: number) => tf.customGrad(((x: Tensor, gamma: Tensor, beta: Tensor, save: tf.GradSaveFunc) => {
  const [y, mean, rstd] = run(KERNELS.layerNorm, { x, gamma, beta }, { eps }) as Tensor[];
  save([x, gamma, mean, rstd]);
  return {
    value: y,
    gradFunc: (dy: Tensor, s: Tensor[]) => run(KERNELS.layerNormGrad, { dy, x: s[0], gamma: s[1], mean: s[2], rstd: s[3] }) as Tensor[],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);
const layerNormOps = new Map<number, ReturnType<typeof layerNormOp>>();

export function fusedLayerNorm(x: Tensor2D, gamma: Tensor, beta: Tensor, eps: number): Tensor2D {
  let op = layerNormOps.get(eps);
  if (!op) {
    op = layerNormOp(eps);
    layerNormOps.set(eps, op);
  }
  return op(x, gamma, beta) as Tensor2D;
}

const geluOp = tf.customGrad(((x: Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: run(KERNELS.gelu, { x }) as Tensor,
    gradFunc: (dy: Tensor, s: Tensor[]) => [run(KERNELS.geluGrad, { x: s[0], dy }) as Tensor],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

export function fusedGelu(x: Tensor2D): Tensor2D {
  return geluOp(x) as Tensor2D;
}

/** xᵀ of a 2-D x (not differentiable: used inside backward passes). */
export function fusedTranspose(x: Tensor): Tensor {
  return run(KERNELS.transpose, { x }) as Tensor;
}

/** Σ over rows of x [M, N] → [N]. */
export function fusedColSum(x: Tensor): Tensor {
  return run(KERNELS.colSum, { x }) as Tensor;
}

/** Biased variance over the rows of x [M, N] → [N] (two passes, as tf.moments; not differentiable). */
export function fusedColVariance(x: Tensor): Tensor {
  return run(KERNELS.colVar, { x }) as Tensor;
}

const scaleAddOp = tf.customGrad(((x: Tensor, branch: Tensor, gamma: Tensor, save: tf.GradSaveFunc) => {
  save([branch, gamma]);
  return {
    value: run(KERNELS.scaleAdd, { x, branch, gamma }) as Tensor,
    gradFunc: (dy: Tensor, s: Tensor[]) => {
      const [dbr, dg] = run(KERNELS.scaleAddGrad, { dy, branch: s[0], gamma: s[1] }) as Tensor[];
      return [tf.reshape(dy, x.shape), dbr, dg];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** x + branch·γ (γ [D] over rows of [M, D]). */
export function fusedScaleAdd(x: Tensor2D, branch: Tensor2D, gamma: Tensor): Tensor2D {
  return scaleAddOp(x, branch, gamma) as Tensor2D;
}

export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  c1: number;
  c2: number;
  eps: number;
  weightDecay: number;
  /** Multiplies every gradient first (the global-norm clip's scale; 1 = none). */
  gradScale: number;
}

/** One AdamW update of every parameter in one kernel call; `decay[i]`: whether parameter i is weight-decayed. → [p', m', v'] each. */
export function fusedAdamWAll(ps: Tensor[], gs: Tensor[], ms: Tensor[], vs: Tensor[], decay: boolean[], s: AdamWStep): Tensor[][] {
  const inputs: Record<string, Tensor> = {};
  ps.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = gs[i];
    inputs[`m${i}`] = ms[i];
    inputs[`v${i}`] = vs[i];
  });
  const out = run(KERNELS.adamwAll, inputs, {
    lr: s.lr, beta1: s.beta1, oneMinusBeta1: 1 - s.beta1, beta2: s.beta2, oneMinusBeta2: 1 - s.beta2, c1: s.c1, c2: s.c2, eps: s.eps,
    weightDecay: s.weightDecay, gradScale: s.gradScale, decay: decay.map((d) => (d ? 1 : 0)),
  }) as Tensor[];
  return ps.map((_, i) => out.slice(3 * i, 3 * i + 3));
}

/** m·t + (1−m)·e for each pair (the EMA teacher), one kernel call. */
export function fusedEmaAll(teacher: Tensor[], encoder: Tensor[], m: number): Tensor[] {
  const inputs: Record<string, Tensor> = {};
  teacher.forEach((t, i) => {
    inputs[`t${i}`] = t;
    inputs[`e${i}`] = encoder[i];
  });
  return run(KERNELS.emaAll, inputs, { m, oneMinusM: 1 - m }) as Tensor[];
}

/** Σ_i Σ x_i² over all tensors, one kernel call. */
export function fusedSumSquares(xs: Tensor[]): Tensor {
  const inputs: Record<string, Tensor> = {};
  xs.forEach((x, i) => { inputs[`x${i}`] = x; });
  return run(KERNELS.sumSquares, inputs) as Tensor;
}
