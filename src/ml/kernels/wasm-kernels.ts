// Loads mim-kernels.wat (compiled at build time to dist/mim-kernels*.wasm; from source, compiled here with wabt)
// and instantiates it on the memory of TF.js's wasm backend, so the kernels read and write tensors in place.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface MimWasm {
  attn_fwd(q: number, qs: number, k: number, ks: number, v: number, vs: number, out: number, os: number, probs: number,
    B: number, H: number, Nq: number, Nk: number, dh: number, scale: number): void;
  attn_bwd(q: number, qs: number, k: number, ks: number, v: number, vs: number, probs: number, dout: number, dos: number, dprobs: number,
    dq: number, dqs: number, dk: number, dks: number, dv: number, dvs: number, scratch: number,
    B: number, H: number, Nq: number, Nk: number, dh: number, scale: number): void;
  ln_fwd(x: number, g: number, b: number, y: number, mean: number, rstd: number, M: number, D: number, eps: number): void;
  ln_bwd(dy: number, x: number, g: number, mean: number, rstd: number, dx: number, dg: number, db: number, M: number, D: number): void;
  gelu_fwd(x: number, y: number, n: number): void;
  gelu_bwd(x: number, dy: number, dx: number, n: number): void;
  colsum(x: number, out: number, M: number, N: number): void;
  transpose2d(x: number, y: number, R: number, C: number, ldy: number): void;
  scale_add(x: number, br: number, g: number, y: number, M: number, D: number): void;
  scale_add_bwd(dy: number, br: number, g: number, dbr: number, dg: number, M: number, D: number): void;
  adamw(p: number, g: number, m: number, v: number, po: number, mo: number, vo: number, n: number,
    lr: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, wd: number, gs: number): void;
  sumsq(x: number, n: number): number;
  /** op: 0 add, 1 sub (a − b), 2 mul, 3 reversed sub (b − a). */
  binary(op: number, a: number, b: number, out: number, n: number): void;
  binary_rows(op: number, x: number, v: number, out: number, M: number, N: number): void;
  ema(t: number, e: number, out: number, n: number, m: number, omm: number): void;
  col_var(x: number, out: number, M: number, N: number): void;
}

export const WAT_FILE = 'mim-kernels.wat';
/** Built binaries: threaded backend (shared memory) and single-threaded backend. */
export const WASM_FILES = { shared: 'mim-kernels.wasm', unshared: 'mim-kernels.st.wasm' } as const;

/** The .wat with its memory import made unshared (the single-threaded backend's memory is a plain ArrayBuffer). */
export function watFor(source: string, shared: boolean): string {
  return shared ? source : source.replace(/^.*;; MEMORY$/m, '  (memory (import "env" "memory") 1)');
}

/** Compiles the .wat text with wabt (a dev dependency: used by the build, and when running from source). */
export async function compileWat(source: string, shared: boolean): Promise<Uint8Array> {
  const wabtFactory = require('wabt') as () => Promise<{
    parseWat(name: string, text: string, features: Record<string, boolean>): {
      validate(features: Record<string, boolean>): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void;
    };
  }>;
  const wabt = await wabtFactory();
  const features = { simd: true, threads: true };
  const mod = wabt.parseWat(WAT_FILE, watFor(source, shared), features);
  try {
    mod.validate(features);
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

const modules: Partial<Record<'shared' | 'unshared', WebAssembly.Module>> = {};

function candidates(file: string): string[] {
  // dist/ holds the built binaries next to the bundle; from source this file sits next to the .wat.
  return [path.join(__dirname, file), path.join(__dirname, '..', '..', '..', 'dist', file)];
}

/** Compiles (once) the kernel module for a shared or unshared memory. */
export async function loadKernelModule(shared: boolean): Promise<WebAssembly.Module> {
  const kind = shared ? 'shared' : 'unshared';
  const cached = modules[kind];
  if (cached) return cached;
  const watPath = path.join(__dirname, WAT_FILE);
  let bytes: Uint8Array | null = null;
  if (fs.existsSync(watPath)) {
    bytes = await compileWat(fs.readFileSync(watPath, 'utf8'), shared); // from source: always the current .wat
  } else {
    const built = candidates(WASM_FILES[kind]).find((p) => fs.existsSync(p));
    if (!built) throw new Error(`${WASM_FILES[kind]} not found next to ${__dirname} (run npm run build)`);
    bytes = fs.readFileSync(built);
  }
  const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  modules[kind] = mod;
  return mod;
}

/** The exports bound to one wasm memory. */
export function instantiate(mod: WebAssembly.Module, memory: WebAssembly.Memory): MimWasm {
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as MimWasm;
}
