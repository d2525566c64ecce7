// The in-project tokenizer: a patch-wise VQ-VAE (van den Oord et al. 2017) with an EMA codebook (Razavi et al.
// 2019), cosine-similarity lookup (unit-norm latents and codes, as ViT-VQGAN, which keeps most codes in use)
// and restarts of dead codes from current encoder outputs (Jukebox).
// Patch-wise because wasm has no Conv2DBackpropFilter kernel: each patch (p·p·C values) goes through an MLP,
// so every layer is a plain 2-D matMul on [M = B·h·w, ·] rows — the fast path on wasm. One patch ↔ one code,
// so the code grid is the ViT patch grid by construction.
import { linear } from '../ml/layers';
import { ParamStore } from '../ml/params';
import { Rng } from '../ml/rng';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D, type Variable } from '../ml/tf';

export interface VqSpec {
  /** Values per patch p·p·C. */
  patchDim: number;
  hidden: number;
  /** Latent / code width D. */
  codeDim: number;
  vocab: number;
  /** β of the commitment loss β·‖z − sg(e)‖². */
  commitment: number;
  /** EMA decay γ of the codebook statistics. */
  decay: number;
  /** A code unused for this many steps is restarted (while restarts are on). */
  deadAfter: number;
  seed: number;
}

export interface VqLosses {
  loss: Scalar;
  /** MSE of the reconstruction in mapped pixel units. */
  recon: Scalar;
  commit: Scalar;
  /** Unit-norm latents [M, D] (for the EMA update; no gradient). */
  z: Tensor2D;
}

const unit = (z: Tensor2D): Tensor2D => tf.div(z, tf.sqrt(tf.add(tf.sum(tf.square(z), 1, true), 1e-12))) as Tensor2D;

/** Straight-through estimator: the value of q, the gradient of z (z + sg(q − z)). */
const straightThrough = tf.customGrad(((z: Tensor, q: Tensor) => ({
  value: tf.clone(q),
  gradFunc: (dy: Tensor) => [dy, tf.zerosLike(dy)],
})) as unknown as Parameters<typeof tf.customGrad>[0]);

function mlp(s: ParamStore, x: Tensor2D, layers: number): Tensor2D {
  let h = x;
  for (let i = 1; i <= layers; i++) {
    h = linear(h, s.get(`fc${i}.w`), s.get(`fc${i}.b`));
    if (i < layers) h = tf.relu(h);
  }
  return h;
}

export class VqVae {
  readonly encoder: ParamStore;
  readonly decoder: ParamStore;
  /** Unit-norm code vectors [V, D] on the CPU (the source of truth), mirrored in `cb` and its transpose. */
  readonly codebook: Float32Array;
  private readonly cb: Variable;
  private readonly cbT: Variable;
  private readonly count: Float64Array; // EMA of assignments per code
  private readonly sum: Float64Array; // EMA of the sum of assigned latents [V, D]
  private readonly lastUsed: Int32Array;
  private initialised = false;

  constructor(readonly spec: VqSpec) {
    const { patchDim: P, hidden: H, codeDim: D, vocab: V, seed } = spec;
    const init = { kind: 'xavierUniform' } as const;
    this.encoder = new ParamStore(seed, 'tokenizer.encoder');
    this.decoder = new ParamStore(seed, 'tokenizer.decoder');
    [[P, H], [H, H], [H, D]].forEach(([i, o], k) => {
      this.encoder.create(`fc${k + 1}.w`, [i, o], init);
      this.encoder.create(`fc${k + 1}.b`, [o], { kind: 'zeros' });
    });
    [[D, H], [H, H], [H, P]].forEach(([i, o], k) => {
      this.decoder.create(`fc${k + 1}.w`, [i, o], init);
      this.decoder.create(`fc${k + 1}.b`, [o], { kind: 'zeros' });
    });
    this.codebook = new Float32Array(V * D);
    const rng = Rng.derive(seed, 'tokenizer', 'codebook');
    for (let i = 0; i < this.codebook.length; i++) this.codebook[i] = rng.normal();
    normaliseRows(this.codebook, D);
    this.cb = tf.variable(tf.tensor2d(this.codebook, [V, D]), false);
    this.cbT = tf.variable(tf.transpose(this.cb), false);
    this.count = new Float64Array(V);
    this.sum = new Float64Array(V * D);
    this.lastUsed = new Int32Array(V);
  }

  get trainable(): Record<string, ParamStore> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  /** Mapped patches [M, P] → unit-norm latents [M, D]. */
  encode(x: Tensor2D): Tensor2D {
    return unit(mlp(this.encoder, x, 3));
  }

  /** Latents or code vectors [M, D] → mapped patches [M, P]. */
  decode(z: Tensor2D): Tensor2D {
    return mlp(this.decoder, z, 3);
  }

  codesOf(z: Tensor2D): Tensor1D {
    return tf.argMax(tf.matMul(z, this.cbT), 1) as Tensor1D;
  }

  /**
   * Before the tape: codes of x and their code vectors (constants inside the tape, i.e. sg(e)). Running the
   * encoder once more here is cheaper than back-propagating zeros through the [M, V] lookup.
   */
  assign(x: Tensor2D): { codes: Tensor1D; q: Tensor2D } {
    return tf.tidy(() => {
      const codes = this.codesOf(this.encode(x));
      return { codes, q: this.lookup(codes) };
    });
  }

  /** Code vectors of `codes` [M] → [M, D] (one-hot matMul: no gather on the graph). */
  lookup(codes: Tensor1D): Tensor2D {
    return tf.matMul(tf.cast(tf.oneHot(codes, this.spec.vocab), 'float32'), this.cb);
  }

  /** loss = ‖x − dec(st(z))‖² + β·‖z − sg(e)‖², with q = e[codes] from `assign`; call inside the gradient tape. */
  losses(x: Tensor2D, q: Tensor2D): VqLosses {
    const z = this.encode(x);
    const recon = tf.mean(tf.square(tf.sub(this.decode(straightThrough(z, q) as Tensor2D), x))) as Scalar;
    const commit = tf.mean(tf.sum(tf.square(tf.sub(z, q)), 1)) as Scalar;
    return { loss: tf.add(recon, tf.mul(commit, this.spec.commitment)) as Scalar, recon, commit, z };
  }

  /**
   * After the gradient step: EMA of per-code counts and latent sums, code = normalised mean; codes unused for
   * `deadAfter` steps restart at random current latents (when `restart`). Returns the number restarted.
   */
  updateCodebook(z: Float32Array, codes: Int32Array, step: number, restart: boolean): number {
    const { codeDim: D, vocab: V, decay } = this.spec;
    const M = codes.length;
    const rng = Rng.derive(this.spec.seed, 'tokenizer', 'restart', step);
    if (!this.initialised) {
      // Codes start at distinct random latents of the first batch, so none starts outside the data.
      const order = Int32Array.from({ length: M }, (_, i) => i);
      rng.shuffle(order);
      for (let k = 0; k < V; k++) {
        const r = order[k % M];
        this.codebook.set(z.subarray(r * D, r * D + D), k * D);
      }
      for (let i = 0; i < V * D; i++) this.sum[i] = this.codebook[i] * (M / V);
      this.count.fill(M / V);
      this.lastUsed.fill(step);
      this.initialised = true;
    }
    const n = new Float64Array(V);
    const s = new Float64Array(V * D);
    for (let r = 0; r < M; r++) {
      const k = codes[r];
      n[k] += 1;
      for (let j = 0; j < D; j++) s[k * D + j] += z[r * D + j];
      this.lastUsed[k] = step;
    }
    let restarted = 0;
    for (let k = 0; k < V; k++) {
      this.count[k] = decay * this.count[k] + (1 - decay) * n[k];
      for (let j = 0; j < D; j++) this.sum[k * D + j] = decay * this.sum[k * D + j] + (1 - decay) * s[k * D + j];
      if (restart && step - this.lastUsed[k] >= this.spec.deadAfter) {
        const r = rng.int(M);
        for (let j = 0; j < D; j++) this.sum[k * D + j] = z[r * D + j] + 0.01 * rng.normal();
        this.count[k] = 1;
        this.lastUsed[k] = step;
        restarted++;
      }
      for (let j = 0; j < D; j++) this.codebook[k * D + j] = this.sum[k * D + j];
    }
    normaliseRows(this.codebook, D); // cosine lookup: only the direction of the mean matters
    tf.tidy(() => {
      this.cb.assign(tf.tensor2d(this.codebook, [V, D]));
      this.cbT.assign(tf.transpose(this.cb));
    });
    return restarted;
  }

  /** Codes not assigned during the last `deadAfter` steps before `step`. */
  deadCodes(step: number): number {
    if (!this.initialised) return 0;
    let n = 0;
    for (const last of this.lastUsed) if (step - last >= this.spec.deadAfter) n++;
    return n;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    tf.dispose([this.cb, this.cbT]);
  }
}

function normaliseRows(a: Float32Array, width: number): void {
  for (let r = 0; r < a.length; r += width) {
    let n = 0;
    for (let j = 0; j < width; j++) n += a[r + j] * a[r + j];
    const inv = 1 / Math.sqrt(n + 1e-12);
    for (let j = 0; j < width; j++) a[r + j] *= inv;
  }
}

/** Codebook usage of a batch of codes: perplexity exp(H) of the code histogram and the number of codes used. */
export function codeUsage(codes: Int32Array, vocab: number): { perplexity: number; used: number } {
  const hist = new Float64Array(vocab);
  for (const c of codes) hist[c] += 1;
  let h = 0;
  let used = 0;
  for (const n of hist) {
    if (n === 0) continue;
    used++;
    const p = n / codes.length;
    h -= p * Math.log(p);
  }
  return { perplexity: Math.exp(h), used };
}
