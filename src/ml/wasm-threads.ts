// Multi-threaded wasm in Node. TF.js turns wasm threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false when
// IS_NODE) because Emscripten starts its pthread workers from `blob:` URLs, which Node's Worker refuses
// (ERR_WORKER_PATH), and hands each worker the glue script as a Blob it cannot import. XNNPACK's pool is also
// sized from os.cpus().length / 2 (it assumes two hyper-threads per core). This module works around all
// three while the backend initialises:
// - worker_threads.Worker is replaced by a subclass that starts `blob:` workers from the worker source shipped in
//   the package (`eval: true`), rewrites the `load` message to the glue script's path, and never holds the
//   process open (ref() is a no-op: the pool's threads idle forever, and a finished CLI must still exit);
// - os.cpus() reports twice the cores, so the pool gets `threads` threads.
// Everything is restored once the backend is up. It depends on bundle internals of @tensorflow/tfjs-backend-wasm
// 4.22, so the caller falls back to one thread when it fails; MIMLAB_WASM_THREADS=1 turns it off.
import * as os from 'node:os';
import * as path from 'node:path';
import { availableCores, envInt } from '../util/env';
import { tf } from './tf';

/** Threads to use: MIMLAB_WASM_THREADS when set (1 = single-threaded), else the number of cores. */
export function wantedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = envInt(env, 'MIMLAB_WASM_THREADS', 1, 64);
  if (set !== null) return set;
  return availableCores();
}

interface WasmPackage {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

type WorkerCtor = new (file: string | URL, opts?: Record<string, unknown>) => {
  postMessage(msg: unknown, transfer?: unknown): void;
  unref(): void;
};

function packageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

let restoreGlobals: () => void = () => {};

/** Undoes the patches of a threaded start that never finished (the caller gave up waiting). */
export function restoreWorkerGlobals(): void {
  restoreGlobals();
}

/**
 * Runs `init` (which must initialise the wasm backend) with `threads` XNNPACK threads. Returns the thread count the
 * backend reports; throws when the threaded build could not be started (the caller then retries single-threaded).
 */
export async function withWasmThreads(threads: number, init: () => Promise<boolean>): Promise<number> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  if (threads <= 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    if (!(await init())) throw new Error('wasm backend failed to initialise');
    return 1;
  }
  const dir = packageDir();
  const glue = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerSource = (require(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string })
    .wasmWorkerContents.replace(/\n/g, '\\n'); // as the package does before making its Blob
  const workerThreads = require('node:worker_threads') as { Worker: WorkerCtor };
  const Original = workerThreads.Worker;
  class PoolWorker extends Original {
    constructor(file: string | URL, opts?: Record<string, unknown>) {
      if (String(file).startsWith('blob:')) super(workerSource, { ...opts, eval: true });
      else super(file, opts);
      this.unref();
    }

    ref(): void {}

    override postMessage(msg: unknown, transfer?: unknown): void {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: glue };
      super.postMessage(msg, transfer);
    }
  }
  const cpus = os.cpus;
  const osMutable = os as { cpus: typeof os.cpus };
  const nodeOs = require('os') as { cpus: typeof os.cpus };
  const fakeCpus = (): os.CpuInfo[] => {
    const c = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => c[i % c.length]);
  };
  let restored = false;
  restoreGlobals = () => {
    if (restored) return;
    restored = true;
    workerThreads.Worker = Original;
    nodeOs.cpus = cpus;
    if (osMutable !== nodeOs) {
      try {
        osMutable.cpus = cpus;
      } catch {
        // an ES namespace may be frozen; the CommonJS object is the one Emscripten reads
      }
    }
  };
  workerThreads.Worker = PoolWorker as unknown as WorkerCtor;
  nodeOs.cpus = fakeCpus;
  if (osMutable !== nodeOs) {
    try {
      osMutable.cpus = fakeCpus;
    } catch {
      // see above
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await init())) throw new Error('threaded wasm backend failed to initialise');
    return wasm.getThreadsCount();
  } finally {
    restoreGlobals();
  }
}
