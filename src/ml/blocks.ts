// Transformer blocks (pre-LN, layer scale, drop path) as functions over a ParamStore and a name prefix.
import { gelu, layerNorm, linear, multiHeadAttention, residual, selfAttention } from './layers';
import type { ParamStore } from './params';
import { tf, type Tensor, type Tensor2D } from './tf';

export interface BlockSpec {
  dim: number;
  heads: number;
  mlpRatio: number;
  /** Layer-scale init; 0 = no layer scale. */
  layerScale: number;
}

export interface BlockRun {
  batch: number;
  /** Drop-path keep mask [B·N, 1] (already divided by the keep probability), or undefined in eval. */
  keep?: Tensor;
  /** When given, attention probabilities [B, H, Nq, Nk] are pushed here (kept, caller disposes). */
  capture?: Tensor[];
}

const LINEAR_STD = 0.02;

export function createLayerNorm(s: ParamStore, p: string, dim: number): void {
  s.create(`${p}.g`, [dim], { kind: 'ones' });
  s.create(`${p}.b`, [dim], { kind: 'zeros' });
}

export function createLinear(s: ParamStore, p: string, din: number, dout: number, bias = true, std = LINEAR_STD): void {
  s.create(`${p}.w`, [din, dout], { kind: 'truncNormal', std });
  if (bias) s.create(`${p}.b`, [dout], { kind: 'zeros' });
}

export function applyLayerNorm(s: ParamStore, p: string, x: Tensor2D): Tensor2D {
  return layerNorm(x, s.get(`${p}.g`), s.get(`${p}.b`));
}

export function applyLinear(s: ParamStore, p: string, x: Tensor2D): Tensor2D {
  return linear(x, s.get(`${p}.w`), s.has(`${p}.b`) ? s.get(`${p}.b`) : undefined);
}

/** BEiT/CAE rescale of the residual output projections by the block's depth (fix_init_weight). */
function outputStd(layerId: number): number {
  return LINEAR_STD / Math.sqrt(2 * layerId);
}

export function createMlp(s: ParamStore, p: string, spec: BlockSpec, layerId: number): void {
  const hidden = Math.round(spec.dim * spec.mlpRatio);
  createLinear(s, `${p}.fc1`, spec.dim, hidden);
  createLinear(s, `${p}.fc2`, hidden, spec.dim, true, outputStd(layerId));
}

export function applyMlp(s: ParamStore, p: string, x: Tensor2D): Tensor2D {
  return applyLinear(s, `${p}.fc2`, gelu(applyLinear(s, `${p}.fc1`, x)));
}

function createLayerScale(s: ParamStore, p: string, spec: BlockSpec): void {
  if (spec.layerScale > 0) {
    s.create(`${p}.gamma1`, [spec.dim], { kind: 'const', value: spec.layerScale });
    s.create(`${p}.gamma2`, [spec.dim], { kind: 'const', value: spec.layerScale });
  }
}

function gamma(s: ParamStore, name: string): Tensor | undefined {
  return s.has(name) ? s.get(name) : undefined;
}

// ---- self-attention block (encoder, decoders) -------------------------------------------------------

export function createBlock(s: ParamStore, p: string, spec: BlockSpec, layerId: number): void {
  createLayerNorm(s, `${p}.norm1`, spec.dim);
  createLinear(s, `${p}.attn.qkv`, spec.dim, 3 * spec.dim);
  createLinear(s, `${p}.attn.proj`, spec.dim, spec.dim, true, outputStd(layerId));
  createLayerNorm(s, `${p}.norm2`, spec.dim);
  createMlp(s, `${p}.mlp`, spec, layerId);
  createLayerScale(s, p, spec);
}

/** x [B·N, D] → [B·N, D]. */
export function applyBlock(s: ParamStore, p: string, spec: BlockSpec, x: Tensor2D, run: BlockRun): Tensor2D {
  const qkv = applyLinear(s, `${p}.attn.qkv`, applyLayerNorm(s, `${p}.norm1`, x)); // [B·N, 3D]
  const att = selfAttention(qkv, run.batch, spec.heads); // reads q, k, v out of qkv (no split on the fused path)
  if (run.capture) run.capture.push(tf.keep(att.probs));
  x = residual(x, applyLinear(s, `${p}.attn.proj`, att.out), gamma(s, `${p}.gamma1`), run.keep);
  return residual(x, applyMlp(s, `${p}.mlp`, applyLayerNorm(s, `${p}.norm2`, x)), gamma(s, `${p}.gamma2`), run.keep);
}

// ---- cross-attention block (CAE latent contextual regressor) ----------------------------------------

export function createCrossBlock(s: ParamStore, p: string, spec: BlockSpec, layerId: number): void {
  createLayerNorm(s, `${p}.norm1q`, spec.dim);
  createLayerNorm(s, `${p}.norm1k`, spec.dim);
  createLayerNorm(s, `${p}.norm1v`, spec.dim);
  createLinear(s, `${p}.attn.q`, spec.dim, spec.dim);
  createLinear(s, `${p}.attn.k`, spec.dim, spec.dim, false);
  createLinear(s, `${p}.attn.v`, spec.dim, spec.dim);
  createLinear(s, `${p}.attn.proj`, spec.dim, spec.dim, true, outputStd(layerId));
  createLayerNorm(s, `${p}.norm2`, spec.dim);
  createMlp(s, `${p}.mlp`, spec, layerId);
  createLayerScale(s, p, spec);
}

export interface CrossInputs {
  /** Queries [B·Nq, D] and their position embeddings. */
  xq: Tensor2D;
  posQ: Tensor2D;
  /** Keys/values source [B·Nk, D] and key positions (values carry no positions). */
  xkv: Tensor2D;
  posK: Tensor2D;
}

/** CAE RegressorBlock: x = xq + γ1·CA(LN(xq+pos_q), LN(xkv+pos_k), LN(xkv)); x = LN(x); x = x + γ2·MLP(x). */
export function applyCrossBlock(s: ParamStore, p: string, spec: BlockSpec, inp: CrossInputs, run: BlockRun): Tensor2D {
  const q = applyLinear(s, `${p}.attn.q`, applyLayerNorm(s, `${p}.norm1q`, tf.add(inp.xq, inp.posQ) as Tensor2D));
  const k = applyLinear(s, `${p}.attn.k`, applyLayerNorm(s, `${p}.norm1k`, tf.add(inp.xkv, inp.posK) as Tensor2D));
  const v = applyLinear(s, `${p}.attn.v`, applyLayerNorm(s, `${p}.norm1v`, inp.xkv));
  const att = multiHeadAttention(q, k, v, run.batch, spec.heads);
  if (run.capture) run.capture.push(tf.keep(att.probs));
  let x = residual(inp.xq, applyLinear(s, `${p}.attn.proj`, att.out), gamma(s, `${p}.gamma1`), run.keep);
  x = applyLayerNorm(s, `${p}.norm2`, x);
  return residual(x, applyMlp(s, `${p}.mlp`, x), gamma(s, `${p}.gamma2`), run.keep);
}
