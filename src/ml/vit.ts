// ViT encoder (timm-style forward_features): patch embedding of the given patches + fixed positions, a cls
// token, pre-LN blocks, final LayerNorm. Which patches it sees (visible, masked, all) is the caller's choice.
import { applyBlock, applyLayerNorm, applyLinear, createBlock, createLayerNorm, type BlockSpec } from './blocks';
import { ParamStore } from './params';
import { tf, type Tensor, type Tensor2D } from './tf';

export interface VitSpec extends BlockSpec {
  depth: number;
  /** Values per flattened patch: patchSize² · channels. */
  patchDim: number;
  dropPath: number;
}

export function createEncoder(seed: number, scope: string, spec: VitSpec, trainable = true): ParamStore {
  const s = new ParamStore(seed, scope, trainable);
  s.create('patchEmbed.w', [spec.patchDim, spec.dim], { kind: 'xavierUniform' });
  s.create('patchEmbed.b', [spec.dim], { kind: 'zeros' });
  s.create('cls', [spec.dim], { kind: 'truncNormal', std: 0.02 });
  for (let i = 0; i < spec.depth; i++) createBlock(s, `blocks.${i}`, spec, i + 1);
  createLayerNorm(s, 'norm', spec.dim);
  return s;
}

/** Stochastic-depth rate of each block: linearly increasing from 0 to `dropPath` (timm). */
export function dropPathRates(depth: number, dropPath: number): number[] {
  return Array.from({ length: depth }, (_, i) => (depth > 1 ? (dropPath * i) / (depth - 1) : dropPath));
}

export interface EncodeInput {
  /** Flattened patches [B·n, patchDim] and their fixed position embeddings [B·n, D]. */
  patches: Tensor2D;
  pos: Tensor2D;
  batch: number;
  /** Per-block drop-path keep masks [B·(1+n), 1] (training only). */
  keep?: (Tensor | undefined)[];
  /** Collects each block's attention probabilities [B, H, 1+n, 1+n]. */
  capture?: Tensor[];
  /** Collects each block's output [B·(1+n), D] (the residual stream, before the final LayerNorm). */
  blocks?: Tensor2D[];
}

/** → tokens [B·(1+n), D], cls first in each sample, after the final LayerNorm. */
export function encode(s: ParamStore, spec: VitSpec, inp: EncodeInput): Tensor2D {
  const { batch } = inp;
  const n = inp.patches.shape[0] / batch;
  const tokens = tf.reshape(tf.add(applyLinear(s, 'patchEmbed', inp.patches), inp.pos), [batch, n, spec.dim]);
  const cls = tf.add(tf.zeros([batch, 1, spec.dim]), s.get('cls')); // cls position embedding is zero
  let x = tf.reshape(tf.concat([cls, tokens], 1), [batch * (n + 1), spec.dim]) as Tensor2D;
  for (let i = 0; i < spec.depth; i++) {
    x = applyBlock(s, `blocks.${i}`, spec, x, { batch, keep: inp.keep?.[i], capture: inp.capture });
    inp.blocks?.push(x);
  }
  return applyLayerNorm(s, 'norm', x);
}

/** Splits encoder output [B·(1+n), D] into cls [B, D] and patch tokens [B·n, D]. */
export function splitCls(x: Tensor2D, batch: number): { cls: Tensor2D; patches: Tensor2D } {
  const [m, d] = x.shape;
  const n1 = m / batch;
  const x3 = tf.reshape(x, [batch, n1, d]);
  const cls = tf.reshape(tf.slice(x3, [0, 0, 0], [batch, 1, d]), [batch, d]) as Tensor2D;
  const patches = tf.reshape(tf.slice(x3, [0, 1, 0], [batch, n1 - 1, d]), [batch * (n1 - 1), d]) as Tensor2D;
  return { cls, patches };
}

/** Interleaves per-sample token groups: a [B·n, D], b [B·m, D] → [B·(n+m), D]. */
export function concatTokens(a: Tensor2D, b: Tensor2D, batch: number): Tensor2D {
  const d = a.shape[1];
  const cat = tf.concat([tf.reshape(a, [batch, -1, d]), tf.reshape(b, [batch, -1, d])], 1);
  return tf.reshape(cat, [-1, d]) as Tensor2D;
}
