// Backend selection (DESIGN.md §6): `auto` tries tensorflow-gpu > tensorflow > wasm > cpu and takes the first
// that loads; the pure-JS cpu backend is ~100× slower than wasm and is never chosen while wasm works.
// webgpu is opt-in only. The chosen backend is reported by the caller (stdout, status.json).
// wasm starts with SIMD and one XNNPACK thread per core (src/ml/wasm-threads.ts), falling back to one thread
// when the threaded build cannot start; MIMLAB_WASM_THREADS=1 forces one thread.
import type { BackendName } from '../config/schema';
import { registerMimKernels } from './kernels/register';
import { tf } from './tf';
import { wantedWasmThreads, withWasmThreads } from './wasm-threads';
import { registerWebgpu } from './webgpu-backend';

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Tries to load and activate one backend; resolves false (with the reason) when it is unavailable. */
export type BackendLoader = (name: ConcreteBackend) => Promise<{ ok: true } | { ok: false; reason: string }>;

export interface BackendChoice {
  name: ConcreteBackend;
  /** Why each better backend was skipped. */
  skipped: { name: ConcreteBackend; reason: string }[];
}

/** Pure selection logic over a loader (unit-tested with stand-ins for the native packages). */
export async function chooseBackend(requested: BackendName, load: BackendLoader): Promise<BackendChoice> {
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    const r = await load(name);
    if (r.ok) return { name, skipped };
    skipped.push({ name, reason: r.reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(requested === 'auto' ? `no TF.js backend could be loaded (${detail})` : `backend "${requested}" is not available: ${detail}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function activate(tfName: string): Promise<boolean> {
  const ok = await tf.setBackend(tfName);
  await tf.ready();
  return ok && tf.getBackend() === tfName;
}

/** How the wasm backend runs once loaded (null before): threads, and why threading was given up, if it was. */
export let wasmInfo: { threads: number; fallback?: string } | null = null;

const WASM_INIT_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** wasm with one thread per core; on any failure of the threaded start, the single-threaded SIMD build. */
async function loadWasm(): Promise<boolean> {
  require('@tensorflow/tfjs-backend-wasm');
  if (wasmInfo) return true; // already started in this process (with its thread count)
  const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => unknown; priority: number }> };
  const registered = engine.registryFactory.wasm;
  const threads = wantedWasmThreads();
  try {
    wasmInfo = { threads: await withTimeout(withWasmThreads(threads, () => activate('wasm')), WASM_INIT_TIMEOUT_MS, 'threaded wasm start') };
  } catch (err) {
    if (threads <= 1 || !registered) throw err;
    // Start over with a fresh registration, so a half-started threaded module is never used.
    try {
      tf.removeBackend('wasm');
    } catch {
      // not registered any more
    }
    tf.registerBackend('wasm', registered.factory as Parameters<typeof tf.registerBackend>[1], registered.priority);
    wasmInfo = { threads: await withWasmThreads(1, () => activate('wasm')), fallback: message(err) };
  }
  return true;
}

/** The real loader: requires optional packages lazily, so a missing native package is just "unavailable". */
export const loadBackend: BackendLoader = async (name) => {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        require('@tensorflow/tfjs-node-gpu');
        break;
      case 'tensorflow':
        require('@tensorflow/tfjs-node');
        break;
      case 'wasm':
        await loadWasm();
        break;
      case 'webgpu':
        await registerWebgpu();
        break;
      case 'cpu':
        break;
    }
    const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
    if (!(await activate(tfName))) return { ok: false, reason: 'failed to initialise' };
    await registerMimKernels();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: message(err) };
  }
};

export async function initBackend(requested: BackendName): Promise<BackendChoice> {
  return chooseBackend(requested, loadBackend);
}
