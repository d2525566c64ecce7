// Backend selection (DESIGN.md §6): `auto` tries tensorflow-gpu > tensorflow > wasm > cpu and takes the first
// that loads; the pure-JS cpu backend is ~100× slower than wasm and is never chosen while wasm works.
// webgpu is opt-in only. The chosen backend is reported by the caller (stdout, status.json).
// wasm starts with SIMD and one XNNPACK thread per core (src/ml/wasm-threads.ts), falling back to one thread
// when the threaded build cannot start; MIMLAB_WASM_THREADS=1 forces one thread.
import type { BackendName } from '../config/schema';
import { fusedActive } from './kernels/fused';
import { fusedUnavailable, kernelHelper, registerMimKernels } from './kernels/register';
import { tf } from './tf';
import { restoreWorkerGlobals, wantedWasmThreads, withWasmThreads } from './wasm-threads';
import { registerWebgpu } from './webgpu-backend';
import { InputError } from '../util/input-error';

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Tries to load and activate one backend; resolves false (with the reason) when it is unavailable. */
export type BackendLoader = (name: ConcreteBackend) => Promise<{ ok: true; detail?: string } | { ok: false; reason: string }>;

export interface BackendChoice {
  name: ConcreteBackend;
  /** How it runs, when there is more to say (wasm: threads, fused kernels). */
  detail?: string;
  /** Why each better backend was skipped. */
  skipped: { name: ConcreteBackend; reason: string }[];
}

/** Pure selection logic over a loader (unit-tested with stand-ins for the native packages). */
export async function chooseBackend(requested: BackendName, load: BackendLoader): Promise<BackendChoice> {
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    const r = await load(name);
    if (r.ok) return r.detail ? { name, detail: r.detail, skipped } : { name, skipped };
    skipped.push({ name, reason: r.reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  if (requested === 'auto') throw new Error(`no TF.js backend could be loaded (${detail})`);
  // Asking for a backend this machine lacks is the user's choice to change (exit 2), not a crash.
  throw new InputError(`backend "${requested}" is not available: ${detail} (use --backend auto or one that loads)`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function activate(tfName: string): Promise<boolean> {
  const ok = await tf.setBackend(tfName);
  await tf.ready();
  return ok && tf.getBackend() === tfName;
}

export interface WasmStart {
  threads: number;
  /** Why the threaded start was given up (then threads is 1). */
  fallback?: string;
}

/** How the wasm backend runs once loaded in this process (null before). */
export let wasmInfo: WasmStart | null = null;

/** Starting and resetting the wasm backend (stand-ins in tests). */
export interface WasmStarter {
  /** Starts wasm with this many XNNPACK threads; resolves the count it got, throws when it cannot. */
  start(threads: number): Promise<number>;
  /** Drops a failed or half-started wasm backend so that a fresh one can start. */
  reset(): void;
}

export const WASM_START_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms); // cleared once settled
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * wasm with `wanted` threads; when the threaded start fails or hangs (it relies on bundle internals), a fresh
 * single-threaded start, with the reason kept. Never gives up on wasm because of threads.
 */
export async function startWasm(wanted: number, starter: WasmStarter, timeoutMs = WASM_START_TIMEOUT_MS): Promise<WasmStart> {
  if (wanted <= 1) return { threads: await starter.start(1) };
  try {
    return { threads: await withTimeout(starter.start(wanted), timeoutMs, `starting wasm with ${wanted} threads`) };
  } catch (err) {
    starter.reset();
    return { threads: await starter.start(1), fallback: message(err) };
  }
}

/** The real starter: TF.js's wasm backend, threads through src/ml/wasm-threads.ts. */
function tfWasmStarter(): WasmStarter {
  const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => unknown; priority: number } | undefined> };
  const registered = engine.registryFactory.wasm;
  return {
    start: (threads) => withWasmThreads(threads, () => activate('wasm')),
    reset: () => {
      restoreWorkerGlobals();
      if (!registered) return;
      try {
        tf.removeBackend('wasm'); // also invalidates a start still pending
      } catch {
        // not registered any more
      }
      tf.registerBackend('wasm', registered.factory as Parameters<typeof tf.registerBackend>[1], registered.priority);
    },
  };
}

function wasmDetail(): string {
  const w = wasmInfo;
  const threads = w ? `${w.threads} thread${w.threads > 1 ? 's' : ''}${w.fallback ? ` (threaded start failed: ${w.fallback})` : ''}` : '';
  const kernels = fusedActive() ? `fused kernels${kernelHelper ? ' on 2 threads' : ''}` : `reference ops${fusedUnavailable ? ` (${fusedUnavailable})` : ''}`;
  return [threads, 'SIMD', kernels].filter(Boolean).join(', ');
}

async function loadWasm(): Promise<void> {
  require('@tensorflow/tfjs-backend-wasm');
  if (wasmInfo) return; // already started in this process, with its thread count
  wasmInfo = await startWasm(wantedWasmThreads(), tfWasmStarter());
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
    await registerMimKernels(name === 'wasm' ? wasmInfo?.threads ?? 1 : 1);
    return name === 'wasm' ? { ok: true, detail: wasmDetail() } : { ok: true };
  } catch (err) {
    return { ok: false, reason: message(err) };
  }
};

export async function initBackend(requested: BackendName): Promise<BackendChoice> {
  return chooseBackend(requested, loadBackend);
}
