// AdamW (Loshchilov & Hutter) with decoupled weight decay applied only to weights of rank ≥ 2 (nanoGPT/timm
// convention: no decay on biases, LayerNorm, layer-scale gammas, cls and mask tokens), plus global-norm clipping.
import { fusedActive } from './kernels/fused';
import { fusedAdamWAll, fusedSumSquares } from './kernels/fused-ops';
import type { NamedArray, ParamStore } from './params';
import { tf, type Scalar, type Tensor, type Variable } from './tf';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

interface Slot {
  key: string;
  param: Variable;
  m: Variable;
  v: Variable;
  decay: boolean;
}

export class AdamW {
  private readonly slots: Slot[] = [];
  /** Number of updates applied so far (for bias correction). */
  t = 0;

  constructor(stores: Record<string, ParamStore>, private readonly cfg: AdamWConfig) {
    for (const [storeName, store] of Object.entries(stores)) {
      for (const [name, param] of store.entries()) {
        this.slots.push({
          key: `${storeName}.${name}`, param, decay: param.rank >= 2,
          m: tf.variable(tf.zerosLike(param), false), v: tf.variable(tf.zerosLike(param), false),
        });
      }
    }
  }

  /** The variables in optimizer order (the order gradients are expected in). */
  params(): Variable[] {
    return this.slots.map((s) => s.param);
  }

  /**
   * p ← p − lr·(m̂/(√v̂+ε) + wd·p) for decayed weights; grads in `params()` order, each multiplied by `gradScale`
   * first (the global-norm clip's scale, from `clipScale`; 1 = unclipped).
   */
  apply(grads: Tensor[], lr: number, gradScale = 1): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    if (fusedActive()) {
      // One kernel call for every parameter on wasm (src/ml/kernels): the same arithmetic as below, in one pass.
      tf.tidy(() => {
        const out = fusedAdamWAll(this.slots.map((s) => s.param), grads, this.slots.map((s) => s.m), this.slots.map((s) => s.v),
          this.slots.map((s) => s.decay), { lr, beta1, beta2, c1, c2, eps, weightDecay, gradScale });
        this.slots.forEach((s, i) => {
          const [p, m, v] = out[i];
          s.m.assign(m);
          s.v.assign(v);
          s.param.assign(p);
        });
      });
      return;
    }
    this.slots.forEach((s, i) => {
      tf.tidy(() => {
        const g = gradScale === 1 ? grads[i] : tf.mul(grads[i], gradScale);
        const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        let update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        if (s.decay && weightDecay > 0) update = tf.add(update, tf.mul(s.param, weightDecay));
        s.m.assign(m);
        s.v.assign(v);
        s.param.assign(tf.sub(s.param, tf.mul(update, lr)));
      });
    });
  }

  async exportState(): Promise<{ t: number; arrays: NamedArray[] }> {
    const arrays: NamedArray[] = [];
    for (const s of this.slots) {
      arrays.push({ name: `${s.key}.m`, shape: s.m.shape.slice(), data: (await s.m.data()) as Float32Array });
      arrays.push({ name: `${s.key}.v`, shape: s.v.shape.slice(), data: (await s.v.data()) as Float32Array });
    }
    return { t: this.t, arrays };
  }

  importState(state: { t: number; arrays: NamedArray[] }): void {
    const byName = new Map(state.arrays.map((a) => [a.name, a]));
    for (const s of this.slots) {
      for (const [suffix, target] of [['m', s.m], ['v', s.v]] as const) {
        const a = byName.get(`${s.key}.${suffix}`);
        if (!a || a.data.length !== target.size) throw new Error(`checkpoint: optimizer state for ${s.key} is missing or has the wrong size`);
        tf.tidy(() => target.assign(tf.tensor(a.data, target.shape)));
      }
    }
    this.t = state.t;
  }

  dispose(): void {
    for (const s of this.slots) tf.dispose([s.m, s.v]);
  }
}

/** Global L2 norm of all gradients (float32, as the clip reads it). */
export function globalGradNorm(grads: Tensor[]): Scalar {
  return tf.tidy(() => {
    // stack + sum rather than addN: WebGPU caps a kernel's inputs at 8 storage buffers.
    const sumSq = fusedActive() && grads.length > 0 ? fusedSumSquares(grads) : tf.sum(tf.stack(grads.map((g) => tf.sum(tf.square(g)))));
    return tf.sqrt(sumSq) as Scalar;
  });
}

/**
 * The factor that brings the global norm to at most maxNorm: min(1, maxNorm / (norm + 1e-6)), rounded to float32
 * at each operation as the same ops on float32 tensors would round it (maxNorm ≤ 0: off, 1).
 */
export function clipScale(norm: number, maxNorm: number): number {
  if (maxNorm <= 0) return 1;
  const f = Math.fround;
  return Math.min(1, f(f(maxNorm) / f(f(norm) + f(1e-6))));
}
