// Attentive probe (CAE paper, DESIGN.md §4): one cross-attention block whose single learnable query (zero-init)
// attends over all frozen encoder tokens — LayerNorm on q, k and v, multi-head, no MLP, no residual — then
// BatchNorm without affine and a linear classifier. As in CAE's AttentiveBlock, keys carry the fixed position
// embedding and values do not.
//
// Computation. With one query per image the block reassociates exactly, which matters on a 2-core CPU:
//   score_{t,h} = k_{t,h}·q_h/√dh,   k_t = (γk⊙x̂k_t + βk)·Wk    ⇒  score_{t,h} = x̂k_t·(γk⊙u_h) + βk·u_h,  u_h = Wk[:,h]·q_h/√dh
//   ctx_h = Σ_t p_{t,h}·v_{t,h},     v_t = (γv⊙x̂v_t + βv)·Wv + bv ⇒  ctx_h = (γv⊙Σ_t p_{t,h}·x̂v_t + βv)·Wv[:,h] + bv[h]   (Σ_t p = 1)
// where x̂ is the parameter-free LayerNorm of the frozen tokens (x̂k of token+position, x̂v of the token),
// computed once per probe. The per-token cost drops from 2·D² (projecting every key and value) to (H + …)·D.
// The reference form (project every token, then multi-head attention) is checked against this one in the tests.
//
// Depth (probe.depth). A head of depth L > 1 follows V-JEPA 2's AttentivePooler (facebookresearch/vjepa2,
// src/models/attentive_pooler.py: `for blk in self.blocks: x = blk(x)`, then `q = self.cross_attention_block(q, x)`):
// L − 1 pre-LN self-attention blocks (MLP ratio 4, no layer scale, output projections rescaled by 1/√(2·layer))
// transform the tokens first, and the cross-attention above pools them last. (V-JEPA 1, facebookresearch/jepa,
// ran its extra blocks after the cross-attention, over the queries.) The blocks are trained, so x̂k and x̂v are
// then computed in the graph from their output; the reassociation above is unchanged. Depth 1 is CAE's head.
import { applyBlock, applyLayerNorm, applyLinear, applyMlp, createBlock, createLayerNorm, createLinear, createMlp, type BlockSpec } from '../ml/blocks';
import { layerNorm } from '../ml/layers';
import { ParamStore } from '../ml/params';
import { tf, type Tensor, type Tensor2D, type Variable } from '../ml/tf';
import { BatchNormNoAffine } from './batchnorm';
import { takeRows, type Batcher, type ProbeHead } from './head';

const HEAD_STD = 0.01;
const LN_EPS = 1e-6;

export interface AttentiveSpec {
  dim: number;
  heads: number;
  numClasses: number;
  seed: number;
  /** Learnable queries (CAE: 1, zero-init). With more, each starts trunc-normal (std 0.02, V-JEPA) and their outputs are averaged. */
  queries?: number;
  /** An MLP after the attention, x + MLP(LN(x)) with ratio 4 (V-JEPA's probe block; CAE: none). */
  mlp?: boolean;
  /** Blocks in the head (CAE, V-JEPA: 1): depth − 1 self-attention blocks over the tokens, then the cross-attention. */
  depth?: number;
  /** The encoder's position table [N, D] (cls excluded); needed from depth 2, where the keys' positions are added after the blocks. */
  positions?: Float32Array;
}

/** The head's depth, checked (1 when unset). */
function depthOf(spec: AttentiveSpec): number {
  const L = spec.depth ?? 1;
  if (!(Number.isInteger(L) && L >= 1)) throw new RangeError(`attentive probe: depth must be an integer ≥ 1, got ${L}`);
  return L;
}

/** Depth ≥ 2: the self-attention blocks' shape and count, and the constants of the in-graph LayerNorms (key positions [T, D] with a zero cls row; γ 1, β 0). */
interface TokenBlocks {
  spec: BlockSpec;
  count: number;
  positions: Tensor2D;
  ones: Tensor;
  zeros: Tensor;
}

export class AttentiveHead implements ProbeHead {
  readonly store: ParamStore;
  private readonly bn: BatchNormNoAffine;
  /** [D, H]: 1 where channel j belongs to head h. Selects per-head slices without gather. */
  private readonly headMask: Tensor2D;
  private readonly blocks: TokenBlocks | null;

  constructor(readonly spec: AttentiveSpec) {
    const { dim: D, heads: H } = spec;
    if (D % H !== 0) throw new RangeError(`attentive probe: heads (${H}) must divide the encoder width (${D})`);
    const s = new ParamStore(spec.seed, 'probe-attentive');
    const Q = spec.queries ?? 1;
    if (!(Number.isInteger(Q) && Q >= 1)) throw new RangeError(`attentive probe: queries must be an integer ≥ 1, got ${Q}`);
    // One zero query starts at uniform attention (CAE); several zero queries would stay identical, so they start random.
    s.create('query', [Q * D], Q === 1 ? { kind: 'zeros' } : { kind: 'truncNormal', std: 0.02 });
    for (const n of ['normq', 'normk', 'normv']) createLayerNorm(s, n, D);
    createLinear(s, 'attn.q', D, D);
    createLinear(s, 'attn.k', D, D, false); // CAE's CrossAttention: q and v biases, none on k
    createLinear(s, 'attn.v', D, D);
    createLinear(s, 'attn.proj', D, D);
    if (spec.mlp) {
      createLayerNorm(s, 'norm2', D);
      createMlp(s, 'mlp', { dim: D, heads: H, mlpRatio: 4, layerScale: 0 }, 1);
    }
    createLinear(s, 'head', D, spec.numClasses, true, HEAD_STD);
    this.blocks = createTokenBlocks(s, spec, depthOf(spec));
    this.store = s;
    this.bn = new BatchNormNoAffine(D);
    const dh = D / H;
    const mask = new Float32Array(D * H);
    for (let j = 0; j < D; j++) mask[j * H + Math.floor(j / dh)] = 1;
    this.headMask = tf.tensor2d(mask, [D, H]);
  }

  get params(): Variable[] {
    return this.store.variables();
  }

  /** The learnable queries after LN_q and W_q: [Q, D], shared by every image. */
  queryVector(): Tensor2D {
    const D = this.spec.dim;
    return applyLinear(this.store, 'attn.q', applyLayerNorm(this.store, 'normq', tf.reshape(this.store.get('query'), [-1, D]) as Tensor2D));
  }

  /**
   * x̂k, x̂v [B·T, D] → attention probabilities [B, H, T] (each row sums to 1; averaged over queries) and the output
   * [B, D]. Rows of the per-query tensors are (query, head) pairs, query-major.
   */
  attend(xk: Tensor2D, xv: Tensor2D, batch: number): { probs: Tensor; out: Tensor2D } {
    const { dim: D } = this.spec;
    const Q = this.spec.queries ?? 1;
    const H = this.spec.heads;
    const T = xk.shape[0] / batch;
    const s = this.store;
    const qv = this.queryVector();
    // [D, Q·H]: column (q, h) = query q's head-h slice.
    const qBlocks = Q === 1 ? tf.mul(tf.reshape(qv, [D, 1]), this.headMask)
      : tf.concat(tf.split(qv, Q, 0).map((row) => tf.mul(tf.reshape(row, [D, 1]), this.headMask)), 1);
    const u = tf.mul(tf.matMul(s.get('attn.k.w') as Tensor2D, qBlocks as Tensor2D), 1 / Math.sqrt(D / H)); // [D, Q·H]
    const wScore = tf.mul(u, tf.reshape(s.get('normk.g'), [D, 1])); // γk ⊙ u_h
    const bScore = tf.matMul(tf.reshape(s.get('normk.b'), [1, D]), u); // βk·u_h, [1, H] (constant over t)
    const QH = Q * H;
    const scores = tf.add(tf.matMul(xk, wScore as Tensor2D), bScore); // [B·T, Q·H]
    const probs = tf.softmax(tf.transpose(tf.reshape(scores, [batch, T, QH]), [0, 2, 1]), -1); // [B, Q·H, T]
    const pooled = tf.matMul(probs as tf.Tensor3D, tf.reshape(xv, [batch, T, D]) as tf.Tensor3D); // [B, Q·H, D]
    const vIn = tf.add(tf.mul(pooled, s.get('normv.g')), s.get('normv.b')); // LN_v's affine, after pooling
    const vAll = applyLinear(s, 'attn.v', tf.reshape(vIn, [batch * QH, D]) as Tensor2D); // [B·Q·H, D]: row (b,q,h) projects that pool
    const ctx = tf.sum(tf.mul(tf.reshape(vAll, [batch * Q, H, D]), tf.transpose(this.headMask)), 1) as Tensor2D; // [B·Q, D]: head h's slice of row h
    let x = applyLinear(s, 'attn.proj', ctx); // [B·Q, D]
    if (this.spec.mlp) x = tf.add(x, applyMlp(s, 'mlp', applyLayerNorm(s, 'norm2', x))) as Tensor2D;
    if (Q === 1) return { probs, out: x };
    return { probs: tf.mean(tf.reshape(probs, [batch, Q, H, T]), 1), out: tf.mean(tf.reshape(x, [batch, Q, D]), 1) as Tensor2D };
  }

  /**
   * The batcher's inputs (attentiveBatcher) → the cross-attention's x̂k, x̂v [B·T, D]: as given at depth 1, else
   * the raw tokens through the self-attention blocks, then the parameter-free LayerNorms (keys after adding positions).
   */
  keysAndValues(inputs: readonly Tensor[], batch: number): { xk: Tensor2D; xv: Tensor2D } {
    const b = this.blocks;
    if (!b) return { xk: inputs[0] as Tensor2D, xv: inputs[1] as Tensor2D };
    let x = inputs[0] as Tensor2D; // [B·T, D]
    for (let i = 0; i < b.count; i++) x = applyBlock(this.store, `blocks.${i}`, b.spec, x, { batch });
    const xk = layerNorm(tf.add(x, tf.tile(b.positions, [batch, 1])) as Tensor2D, b.ones, b.zeros, LN_EPS);
    return { xk, xv: layerNorm(x, b.ones, b.zeros, LN_EPS) };
  }

  /** Attention probabilities [B, H, T] and the pooled output [B, D] from the batcher's inputs. */
  pool(inputs: readonly Tensor[], batch: number): { probs: Tensor; out: Tensor2D } {
    const { xk, xv } = this.keysAndValues(inputs, batch);
    return this.attend(xk, xv, batch);
  }

  logits(inputs: readonly Tensor[], batch: number, train: boolean): Tensor2D {
    const { out } = this.pool(inputs, batch);
    return applyLinear(this.store, 'head', this.bn.apply(out, train));
  }

  afterStep(): void {
    this.bn.commit();
  }

  dispose(): void {
    this.store.dispose();
    this.bn.dispose();
    this.headMask.dispose();
    if (this.blocks) tf.dispose([this.blocks.positions, this.blocks.ones, this.blocks.zeros]);
  }
}

/** Depth ≥ 2: creates the self-attention blocks `blocks.<i>` (layer ids 1…L−1 for the output rescale); the cross-attention keeps its depth-1 init. */
function createTokenBlocks(s: ParamStore, spec: AttentiveSpec, depth: number): TokenBlocks | null {
  if (depth === 1) return null;
  const D = spec.dim;
  if (!spec.positions || spec.positions.length % D !== 0) throw new RangeError('attentive probe: a head deeper than 1 needs the encoder position table [N, D]');
  const blockSpec: BlockSpec = { dim: D, heads: spec.heads, mlpRatio: 4, layerScale: 0 };
  for (let i = 0; i < depth - 1; i++) createBlock(s, `blocks.${i}`, blockSpec, i + 1);
  const T = spec.positions.length / D + 1;
  const rows = new Float32Array(T * D);
  rows.set(spec.positions, D); // cls (row 0) has no position
  return { spec: blockSpec, count: depth - 1, positions: tf.tensor2d(rows, [T, D]), ones: tf.ones([D]), zeros: tf.zeros([D]) };
}

/** Parameter-free LayerNorm of each D-row (eps as the encoder's), optionally after adding the position row. */
function normaliseRows(tokens: Float32Array, dim: number, tokensPerImage: number, pos: Float32Array | null): Float32Array {
  const out = new Float32Array(tokens.length);
  const row = new Float64Array(dim);
  for (let r = 0; r < tokens.length / dim; r++) {
    const t = r % tokensPerImage; // 0 = cls, whose position embedding is zero
    let mean = 0;
    for (let j = 0; j < dim; j++) {
      row[j] = tokens[r * dim + j] + (pos && t > 0 ? pos[(t - 1) * dim + j] : 0);
      mean += row[j];
    }
    mean /= dim;
    let v = 0;
    for (let j = 0; j < dim; j++) v += (row[j] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / dim + LN_EPS);
    for (let j = 0; j < dim; j++) out[r * dim + j] = (row[j] - mean) * inv;
  }
  return out;
}

/** The frozen half of the block, once per probe: x̂k = norm(token + pos), x̂v = norm(token). */
export function normaliseTokens(tokens: Float32Array, dim: number, tokensPerImage: number, pos: Float32Array): { xk: Float32Array; xv: Float32Array } {
  return { xk: normaliseRows(tokens, dim, tokensPerImage, pos), xv: normaliseRows(tokens, dim, tokensPerImage, null) };
}

/** Batches of per-image token arrays, each served as [B·T, D]. */
function rowsBatcher(arrays: readonly Float32Array[], dim: number, tokensPerImage: number, labels: Int32Array): Batcher {
  const width = tokensPerImage * dim;
  return {
    n: labels.length,
    labels,
    make: (idx) => arrays.map((a) => tf.tensor2d(takeRows(a, width, idx), [idx.length * tokensPerImage, dim])),
  };
}

/** Batches of pre-normalised tokens: [x̂k, x̂v], each [B·T, D]. */
export function tokenBatcher(xk: Float32Array, xv: Float32Array, dim: number, tokensPerImage: number, labels: Int32Array): Batcher {
  return rowsBatcher([xk, xv], dim, tokensPerImage, labels);
}

/** What a head of `depth` reads: depth 1 the tokens normalised once per probe ([x̂k, x̂v]), deeper heads the raw tokens ([x]). */
export function attentiveBatcher(tokens: Float32Array, dim: number, tokensPerImage: number, positions: Float32Array, depth: number, labels: Int32Array): Batcher {
  if (depth > 1) return rowsBatcher([tokens], dim, tokensPerImage, labels);
  const { xk, xv } = normaliseTokens(tokens, dim, tokensPerImage, positions);
  return tokenBatcher(xk, xv, dim, tokensPerImage, labels);
}
