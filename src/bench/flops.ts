// Floating-point operations of one training step, counted from the model's shape: every matmul (2·m·k·n) and the
// two attention products; a trained part costs its forward three times (forward, and the two products of the
// backward pass), the CAE teacher runs forward only. Element-wise work is left out (it is a few percent).
import type { ModelSpec } from '../ml/model-spec';

interface Blocks {
  tokens: number; // per sample
  keys: number; // per sample (= tokens for self-attention)
  dim: number;
  hidden: number;
  depth: number;
}

function selfBlocks(batch: number, b: Blocks): number {
  const m = batch * b.tokens;
  const dense = 2 * m * b.dim * (3 * b.dim + b.dim + 2 * b.hidden);
  const attn = 2 * 2 * batch * b.tokens * b.keys * b.dim; // scores and context, all heads
  return b.depth * (dense + attn);
}

/** Forward and total (forward + backward) FLOPs of one training step. */
export function stepFlops(spec: ModelSpec, batch: number, nVis: number, nMask: number): { forward: number; total: number } {
  const e = spec.encoder;
  const hidden = Math.round(e.dim * e.mlpRatio);
  const P = e.patchDim;
  const encoder = 2 * batch * nVis * P * e.dim + selfBlocks(batch, { tokens: 1 + nVis, keys: 1 + nVis, dim: e.dim, hidden, depth: e.depth });
  if (spec.algorithm === 'cae') {
    const teacher = 2 * batch * nMask * P * e.dim + selfBlocks(batch, { tokens: 1 + nMask, keys: 1 + nMask, dim: e.dim, hidden, depth: e.depth });
    const nk = 1 + nVis + nMask;
    const mq = batch * nMask;
    const regressor = spec.regressorDepth * (
      2 * mq * e.dim * e.dim * 2 // q, proj
      + 2 * batch * nk * e.dim * e.dim * 2 // k, v
      + 2 * mq * e.dim * hidden * 2 // mlp
      + 2 * 2 * batch * nMask * nk * e.dim); // attention
    const dd = spec.decoder;
    const decoder = selfBlocks(batch, { tokens: nMask, keys: nMask, dim: dd.dim, hidden: Math.round(dd.dim * dd.mlpRatio), depth: spec.decoderDepth })
      + 2 * mq * dd.dim * P;
    const trained = encoder + regressor + decoder;
    return { forward: trained + teacher, total: 3 * trained + teacher };
  }
  const dd = spec.decoder;
  const n = 1 + nVis + nMask;
  const decoder = 2 * batch * (1 + nVis) * e.dim * dd.dim
    + selfBlocks(batch, { tokens: n, keys: n, dim: dd.dim, hidden: Math.round(dd.dim * dd.mlpRatio), depth: spec.decoderDepth })
    + 2 * batch * n * dd.dim * P;
  return { forward: encoder + decoder, total: 3 * (encoder + decoder) };
}
