// Fused ops on TF.js's wasm backend, backed by mim-kernels.wat: attention (scores, softmax and context in one
// pass, reading q/k/v straight out of the fused qkv projection), LayerNorm, GELU, the layer-scaled residual,
// column sums for bias gradients, a 2-D transpose, the AdamW update and the EMA teacher over all parameters in one
// call each, and the global gradient norm (float32 Add/Sub/Multiply: fast-binary.ts). Each op is a
// non-differentiable TF.js kernel per direction, tied together with tf.customGrad, so one op costs one kernel
// call forward and one backward. With the threaded backend, attention, GELU and the transpose are shared with a
// helper thread (kernel-helper.ts).
//
// The straightforward TF.js formulations in src/ml/layers.ts remain the reference (and the path on every other
// backend); test/unit/ml/fused-kernels.test.ts checks both agree, forward and gradients.
import { tf, type Tensor, type Tensor2D } from '../tf';
import { KernelHelper, type ChunkedCall, type HelperFunction } from './kernel-helper';
import { instantiate, loadKernelModule, type MimWasm } from './wasm-kernels';

export type TensorInfo = { dataId: object; shape: number[]; dtype: string };
export interface WasmBackendLike {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory }; _malloc(n: number): number; _free(p: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
}
export type Inputs = Record<string, TensorInfo | undefined>;
export type Attrs = Record<string, number>;

export const KERNELS = {
  selfAttn: 'MimSelfAttention',
  selfAttnGrad: 'MimSelfAttentionGrad',
  crossAttn: 'MimCrossAttention',
  crossAttnGrad: 'MimCrossAttentionGrad',
  layerNorm: 'MimLayerNorm',
  layerNormGrad: 'MimLayerNormGrad',
  gelu: 'MimGelu',
  geluGrad: 'MimGeluGrad',
  colSum: 'MimColSum',
  colVar: 'MimColVar',
  scaleAdd: 'MimScaleAdd',
  scaleAddGrad: 'MimScaleAddGrad',
  transpose: 'MimTranspose2D',
  adamwAll: 'MimAdamWAll',
  emaAll: 'MimEmaAll',
  sumSquares: 'MimSumSquares',
} as const;

// ---- wiring to the wasm backend ---------------------------------------------------------------------------

const bound = new WeakMap<object, MimWasm>();
const loaded: { shared?: WebAssembly.Module; unshared?: WebAssembly.Module } = {};
/** MIMLAB_FUSED=0 runs the reference ops on wasm too (for comparisons and as an escape hatch). */
let enabled = process.env.MIMLAB_FUSED !== '0';

function memoryOf(b: WasmBackendLike): WebAssembly.Memory {
  const m = b.wasm.wasmMemory ?? b.wasm.asm?.memory;
  if (!m) throw new Error('the wasm backend does not expose its memory');
  return m;
}

function isShared(m: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && m.buffer instanceof SharedArrayBuffer;
}

export function kernelsOf(b: WasmBackendLike): MimWasm {
  let k = bound.get(b);
  if (!k) {
    const mem = memoryOf(b);
    const mod = isShared(mem) ? loaded.shared : loaded.unshared;
    if (!mod) throw new Error('mim kernels were not loaded for this wasm backend');
    k = instantiate(mod, mem);
    bound.set(b, k);
  }
  return k;
}

const helpers = new WeakMap<object, KernelHelper>();

/** Runs a kernel call in chunks, shared with the helper thread when there is one (src/ml/kernels/kernel-helper.ts). */
function chunked(b: WasmBackendLike, call: ChunkedCall): void {
  const k = kernelsOf(b) as unknown as Record<HelperFunction, (...a: number[]) => void>;
  const helper = helpers.get(b);
  if (helper) {
    helper.run(call, k);
    return;
  }
  const a = [...call.args];
  if (call.perThread) a[call.perThread[0]] = call.perThread[1];
  k[call.name](...a);
}

/** Chunks of fused-kernel work the helper thread has run in this process (0 without one). */
export function helperChunks(): number {
  const b = tf.getBackend() === 'wasm' ? helpers.get(tf.backend() as unknown as object) : undefined;
  return b?.helperChunks ?? 0;
}

/** Tests: the helper thread runs every chunk (true) or shares them as usual (false); false without a helper. */
export function helperOnlyForTests(on: boolean): boolean {
  const h = tf.getBackend() === 'wasm' ? helpers.get(tf.backend() as unknown as object) : undefined;
  if (h) h.helperOnly = on;
  return h !== undefined;
}

/** Chunks of about this many floats of output for element-wise kernels and transposes. */
const CHUNK_FLOATS = 1 << 14;

export function ptr(b: WasmBackendLike, t: TensorInfo): number {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tensor is not on the wasm backend');
  return d.memoryOffset >>> 0;
}

function input(inputs: Inputs, name: string): TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`missing input ${name}`);
  return t;
}

// attn_fwd(q, qs, k, ks, v, vs, out, os, probs, B, H, Nq, Nk, dh, scale), in chunks of samples.
function attnForward(b: WasmBackendLike, a: number[]): void {
  const [qs, ks, vs, os, B, H, Nq, Nk] = [a[1], a[3], a[5], a[7], a[9], a[10], a[11], a[12]];
  chunked(b, {
    name: 'attn_fwd', args: a, countArg: 9, units: B, chunk: Math.max(1, Math.ceil(B / 16)),
    shifts: [[0, 4 * Nq * qs], [2, 4 * Nk * ks], [4, 4 * Nk * vs], [6, 4 * Nq * os], [8, 4 * H * Nq * Nk]],
  });
}

// attn_bwd(q, qs, k, ks, v, vs, probs, dout, dos, dprobs, dq, dqs, dk, dks, dv, dvs, scratch, B, H, Nq, Nk, dh, scale),
// in chunks of samples; each thread has its own scratch (Nq·Nk floats).
function attnBackward(b: WasmBackendLike, a: number[]): void {
  const [qs, ks, vs, dos, dqs, dks, dvs, B, H, Nq, Nk] = [a[1], a[3], a[5], a[8], a[11], a[13], a[15], a[17], a[18], a[19], a[20]];
  const bytes = 4 * Nq * Nk;
  const scratch = b.wasm._malloc(2 * bytes) >>> 0;
  try {
    chunked(b, {
      name: 'attn_bwd', args: a, countArg: 17, units: B, chunk: Math.max(1, Math.ceil(B / 16)),
      shifts: [[0, 4 * Nq * qs], [2, 4 * Nk * ks], [4, 4 * Nk * vs], [6, 4 * H * Nq * Nk], [7, 4 * Nq * dos],
        [9, 4 * H * Nq * Nk], [10, 4 * Nq * dqs], [12, 4 * Nk * dks], [14, 4 * Nk * dvs]],
      perThread: [16, scratch, scratch + bytes],
    });
  } finally {
    b.wasm._free(scratch);
  }
}

/** An element-wise kernel over n floats (args[countArg]) whose pointer arguments are `ptrs`. */
function elementwise(b: WasmBackendLike, name: HelperFunction, args: number[], countArg: number, ptrs: number[]): void {
  chunked(b, { name, args, countArg, units: args[countArg], chunk: CHUNK_FLOATS, shifts: ptrs.map((i) => [i, 4] as [number, number]) });
}

/** Shapes of self-attention over a fused projection qkv [B·N, 3D]. */
function selfAttnShape(qkv: TensorInfo, attrs: Attrs): { batch: number; heads: number; m: number; c: number; d: number; n: number; dh: number } {
  const { batch, heads } = attrs;
  const [m, c] = qkv.shape;
  const d = c / 3;
  return { batch, heads, m, c, d, n: m / batch, dh: d / heads };
}

/** Queries [B·nq, D], keys/values [B·nk, D]. */
function crossAttnShape(q: TensorInfo, k: TensorInfo, attrs: Attrs): { batch: number; heads: number; mq: number; d: number; nq: number; nk: number; dh: number } {
  const { batch, heads } = attrs;
  const [mq, d] = q.shape;
  return { batch, heads, mq, d, nq: mq / batch, nk: k.shape[0] / batch, dh: d / heads };
}

type KernelFn = (args: { inputs: Inputs; attrs: Attrs; backend: WasmBackendLike }) => TensorInfo | TensorInfo[];

/** A reduction over the rows of x [M, N] → [N] (column sums, column variances). */
function perColumn(name: 'colsum' | 'col_var'): KernelFn {
  return ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const [m, n] = x.shape;
    const out = backend.makeOutput([n], 'float32');
    kernelsOf(backend)[name](ptr(backend, x), ptr(backend, out), m, n);
    return out;
  };
}

const kernelFuncs: Record<string, KernelFn> = {
  [KERNELS.selfAttn]: ({ inputs, attrs, backend }) => {
    const qkv = input(inputs, 'qkv');
    const { batch, heads, m, c, d, n, dh } = selfAttnShape(qkv, attrs);
    const out = backend.makeOutput([m, d], 'float32');
    const probs = backend.makeOutput([batch, heads, n, n], 'float32');
    const p = ptr(backend, qkv);
    attnForward(backend, [p, c, p + 4 * d, c, p + 8 * d, c, ptr(backend, out), d, ptr(backend, probs), batch, heads, n, n, dh, 1 / Math.sqrt(dh)]);
    return [out, probs];
  },
  [KERNELS.selfAttnGrad]: ({ inputs, attrs, backend }) => {
    const qkv = input(inputs, 'qkv');
    const { batch, heads, m, c, d, n, dh } = selfAttnShape(qkv, attrs);
    const dqkv = backend.makeOutput([m, c], 'float32');
    const p = ptr(backend, qkv);
    const g = ptr(backend, dqkv);
    const dprobs = inputs.dprobs ? ptr(backend, inputs.dprobs) : 0;
    attnBackward(backend, [p, c, p + 4 * d, c, p + 8 * d, c, ptr(backend, input(inputs, 'probs')), ptr(backend, input(inputs, 'dy')), d, dprobs,
      g, c, g + 4 * d, c, g + 8 * d, c, 0, batch, heads, n, n, dh, 1 / Math.sqrt(dh)]);
    return dqkv;
  },
  [KERNELS.crossAttn]: ({ inputs, attrs, backend }) => {
    const [q, k, v] = [input(inputs, 'q'), input(inputs, 'k'), input(inputs, 'v')];
    const { batch, heads, mq, d, nq, nk, dh } = crossAttnShape(q, k, attrs);
    const out = backend.makeOutput([mq, d], 'float32');
    const probs = backend.makeOutput([batch, heads, nq, nk], 'float32');
    attnForward(backend, [ptr(backend, q), d, ptr(backend, k), d, ptr(backend, v), d, ptr(backend, out), d, ptr(backend, probs),
      batch, heads, nq, nk, dh, 1 / Math.sqrt(dh)]);
    return [out, probs];
  },
  [KERNELS.crossAttnGrad]: ({ inputs, attrs, backend }) => {
    const [q, k, v] = [input(inputs, 'q'), input(inputs, 'k'), input(inputs, 'v')];
    const { batch, heads, d, nq, nk, dh } = crossAttnShape(q, k, attrs);
    const dq = backend.makeOutput(q.shape, 'float32');
    const dk = backend.makeOutput(k.shape, 'float32');
    const dv = backend.makeOutput(v.shape, 'float32');
    const dprobs = inputs.dprobs ? ptr(backend, inputs.dprobs) : 0;
    attnBackward(backend, [ptr(backend, q), d, ptr(backend, k), d, ptr(backend, v), d, ptr(backend, input(inputs, 'probs')), ptr(backend, input(inputs, 'dy')), d, dprobs,
      ptr(backend, dq), d, ptr(backend, dk), d, ptr(backend, dv), d, 0, batch, heads, nq, nk, dh, 1 / Math.sqrt(dh)]);
    return [dq, dk, dv];
  },
  [KERNELS.layerNorm]: ({ inputs, attrs, backend }) => {
    const x = input(inputs, 'x');
    const [m, d] = x.shape;
    const y = backend.makeOutput([m, d], 'float32');
    const mean = backend.makeOutput([m], 'float32');
    const rstd = backend.makeOutput([m], 'float32');
    kernelsOf(backend).ln_fwd(ptr(backend, x), ptr(backend, input(inputs, 'gamma')), ptr(backend, input(inputs, 'beta')), ptr(backend, y),
      ptr(backend, mean), ptr(backend, rstd), m, d, attrs.eps);
    return [y, mean, rstd];
  },
  [KERNELS.layerNormGrad]: ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const [m, d] = x.shape;
    const dx = backend.makeOutput([m, d], 'float32');
    const dg = backend.makeOutput([d], 'float32');
    const db = backend.makeOutput([d], 'float32');
    kernelsOf(backend).ln_bwd(ptr(backend, input(inputs, 'dy')), ptr(backend, x), ptr(backend, input(inputs, 'gamma')), ptr(backend, input(inputs, 'mean')),
      ptr(backend, input(inputs, 'rstd')), ptr(backend, dx), ptr(backend, dg), ptr(backend, db), m, d);
    return [dx, dg, db];
  },
  [KERNELS.gelu]: ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const y = backend.makeOutput(x.shape, 'float32');
    elementwise(backend, 'gelu_fwd', [ptr(backend, x), ptr(backend, y), size(x)], 2, [0, 1]);
    return y;
  },
  [KERNELS.geluGrad]: ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const dx = backend.makeOutput(x.shape, 'float32');
    elementwise(backend, 'gelu_bwd', [ptr(backend, x), ptr(backend, input(inputs, 'dy')), ptr(backend, dx), size(x)], 3, [0, 1, 2]);
    return dx;
  },
  [KERNELS.colSum]: perColumn('colsum'),
  [KERNELS.colVar]: perColumn('col_var'),
  [KERNELS.transpose]: ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const [r, c] = x.shape;
    const y = backend.makeOutput([c, r], 'float32');
    // chunks of rows (a multiple of 4, for the 4×4 blocks): x advances by rows, y by columns
    const rows = Math.max(4, Math.ceil(CHUNK_FLOATS / c / 4) * 4);
    chunked(backend, { name: 'transpose2d', args: [ptr(backend, x), ptr(backend, y), r, c, r], countArg: 2, units: r, chunk: rows, shifts: [[0, 4 * c], [1, 4]] });
    return y;
  },
  [KERNELS.scaleAdd]: ({ inputs, backend }) => {
    const x = input(inputs, 'x');
    const [m, d] = x.shape;
    const y = backend.makeOutput([m, d], 'float32');
    kernelsOf(backend).scale_add(ptr(backend, x), ptr(backend, input(inputs, 'branch')), ptr(backend, input(inputs, 'gamma')), ptr(backend, y), m, d);
    return y;
  },
  [KERNELS.scaleAddGrad]: ({ inputs, backend }) => {
    const br = input(inputs, 'branch');
    const [m, d] = br.shape;
    const dbr = backend.makeOutput([m, d], 'float32');
    const dg = backend.makeOutput([d], 'float32');
    kernelsOf(backend).scale_add_bwd(ptr(backend, input(inputs, 'dy')), ptr(backend, br), ptr(backend, input(inputs, 'gamma')), ptr(backend, dbr), ptr(backend, dg), m, d);
    return [dbr, dg];
  },
  [KERNELS.adamwAll]: ({ inputs, attrs, backend }) => {
    // Every parameter in one kernel call: inputs p{i}, g{i}, m{i}, v{i}; outputs [p', m', v'] per parameter.
    const k = kernelsOf(backend);
    const a = attrs as unknown as Attrs & { decay: number[] }; // the one array attribute
    const out: TensorInfo[] = [];
    a.decay.forEach((decay, i) => {
      const p = input(inputs, `p${i}`);
      const [po, mo, vo] = [0, 1, 2].map(() => backend.makeOutput(p.shape, 'float32'));
      k.adamw(ptr(backend, p), ptr(backend, input(inputs, `g${i}`)), ptr(backend, input(inputs, `m${i}`)), ptr(backend, input(inputs, `v${i}`)),
        ptr(backend, po), ptr(backend, mo), ptr(backend, vo), size(p),
        a.lr, a.beta1, a.oneMinusBeta1, a.beta2, a.oneMinusBeta2, a.c1, a.c2, a.eps, decay ? a.weightDecay : 0, a.gradScale);
      out.push(po, mo, vo);
    });
    return out;
  },
  [KERNELS.emaAll]: ({ inputs, attrs, backend }) => {
    // t{i} ← m·t{i} + (1−m)·e{i} for every teacher tensor, one kernel call.
    const k = kernelsOf(backend);
    const n = Object.keys(inputs).length / 2;
    return Array.from({ length: n }, (_, i) => {
      const t = input(inputs, `t${i}`);
      const o = backend.makeOutput(t.shape, 'float32');
      k.ema(ptr(backend, t), ptr(backend, input(inputs, `e${i}`)), ptr(backend, o), size(t), attrs.m as number, attrs.oneMinusM as number);
      return o;
    });
  },
  [KERNELS.sumSquares]: ({ inputs, backend }) => {
    // Σ over all inputs of Σ x², as a scalar (one kernel call for the global gradient norm).
    const k = kernelsOf(backend);
    let total = 0;
    for (const name of Object.keys(inputs)) {
      const t = inputs[name];
      if (t) total = Math.fround(total + k.sumsq(ptr(backend, t), size(t)));
    }
    const out = backend.makeOutput([], 'float32');
    new Float32Array(memoryOf(backend).buffer, ptr(backend, out), 1)[0] = total;
    return out;
  },
};

export function size(t: TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/**
 * Loads the kernel module for the active wasm backend and registers the kernels (idempotent). Leaves the fused
 * path off, with the reason, when the module cannot be loaded (the reference ops then run).
 */
export async function registerFusedKernels(helperThread: boolean): Promise<{ ok: true; helper: boolean } | { ok: false; reason: string }> {
  if (tf.getBackend() !== 'wasm') return { ok: false, reason: `backend is ${tf.getBackend()}` };
  try {
    const backend = tf.backend() as unknown as WasmBackendLike;
    const memory = memoryOf(backend);
    const shared = isShared(memory);
    const mod = await loadKernelModule(shared);
    loaded[shared ? 'shared' : 'unshared'] = mod;
    kernelsOf(backend); // instantiate now: fail here rather than inside a training step
    // A helper thread for the kernels needs the shared memory of the threaded backend.
    if (helperThread && shared && !helpers.has(backend)) {
      const helper = new KernelHelper(mod, memory);
      if (await helper.ready) helpers.set(backend, helper);
      else helper.retire();
    }
    for (const [kernelName, fn] of Object.entries(kernelFuncs)) {
      if (!tf.getKernel(kernelName, 'wasm')) {
        tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
      }
    }
    return { ok: true, helper: helpers.has(backend) };
  } catch (err) {
    enabled = false;
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether the fused path is switched on (MIMLAB_FUSED, setFusedKernels); cheaper than fusedActive() for per-call checks. */
export function fusedEnabled(): boolean {
  return enabled;
}

/** Turns the fused path off or on (tests compare it with the reference ops). */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** True when the fused kernels run on the active backend. */
export function fusedActive(): boolean {
  return enabled && tf.getBackend() === 'wasm' && tf.getKernel(KERNELS.layerNorm, 'wasm') !== undefined
    && (loaded.shared !== undefined || loaded.unshared !== undefined);
}

/** Runs one of the kernels registered above (non-differentiable; fused-ops.ts adds the gradients). */
export function runKernel(name: string, inputs: Record<string, Tensor>, attrs: Record<string, number | number[]> = {}): Tensor | Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as Tensor | Tensor[];
}
