// A second thread for the fused kernels. XNNPACK spreads matmuls over its own pool, but the project's kernels
// (attention, GELU, transpose) ran on the main thread only. With the threaded backend the wasm memory is shared,
// so a worker instantiates the same kernel module on it and takes half of each large call: the main thread posts
// the worker's half into a small shared control block, runs its own half, then waits for the worker (Atomics).
// Both halves write disjoint outputs. Any doubt (not started yet, timed out, a trap) and the main thread does
// the work itself.
import { Worker } from 'node:worker_threads';

export const HELPER_FUNCTIONS = ['attn_fwd', 'attn_bwd', 'gelu_fwd', 'gelu_bwd', 'transpose2d'] as const;
export type HelperFunction = (typeof HELPER_FUNCTIONS)[number];

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const QUIT = 3;
const MAX_ARGS = 32;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const state = new Int32Array(control, 0, 4);
const args = new Float64Array(control, 16, ${MAX_ARGS});
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(state, 0, ${IDLE});
  const s = Atomics.load(state, 0);
  if (s === ${QUIT}) break;
  if (s !== ${POSTED}) continue;
  try {
    k[names[state[1]]](...args.subarray(0, state[2]));
    state[3] = 0;
  } catch (e) {
    state[3] = 1;
  }
  Atomics.store(state, 0, ${DONE});
  Atomics.notify(state, 0);
  while (Atomics.load(state, 0) === ${DONE}) Atomics.wait(state, 0, ${DONE});
}
`;

/** Longest wait for the worker's half before the main thread redoes it (the worker is then retired). */
const WAIT_MS = 30_000;

export class KernelHelper {
  private readonly worker: Worker;
  private readonly state: Int32Array;
  private readonly args: Float64Array;
  private usable = false;
  readonly ready: Promise<boolean>;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    const control = new SharedArrayBuffer(16 + 8 * MAX_ARGS);
    this.state = new Int32Array(control, 0, 4);
    this.args = new Float64Array(control, 16, MAX_ARGS);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, names: HELPER_FUNCTIONS } });
    this.worker.unref(); // an idle helper never keeps a finished process alive
    this.ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      this.worker.once('message', () => {
        clearTimeout(timer);
        this.usable = true;
        resolve(true);
      });
      this.worker.once('error', () => {
        clearTimeout(timer);
        this.usable = false;
        resolve(false);
      });
    });
    this.worker.on('exit', () => { this.usable = false; });
  }

  /**
   * Runs `name(...workerArgs)` on the helper while `mine()` runs here; returns once both are done. Returns false,
   * without running anything, when the helper is not usable (the caller runs both halves itself).
   */
  run(name: HelperFunction, workerArgs: number[], mine: () => void): boolean {
    if (!this.usable || workerArgs.length > MAX_ARGS) return false;
    this.state[1] = HELPER_FUNCTIONS.indexOf(name);
    this.state[2] = workerArgs.length;
    this.args.set(workerArgs);
    Atomics.store(this.state, 0, POSTED);
    Atomics.notify(this.state, 0);
    let mineError: unknown = null;
    try {
      mine();
    } catch (err) {
      mineError = err;
    }
    const started = Date.now();
    while (Atomics.load(this.state, 0) === POSTED) {
      if (Date.now() - started > WAIT_MS) break;
      Atomics.wait(this.state, 0, POSTED, 100);
    }
    if (Atomics.load(this.state, 0) !== DONE) {
      // The worker never finished its half: retire it and do that half here (outputs are overwritten, not accumulated).
      this.retire();
      if (mineError) throw mineError;
      throw new HelperGaveUp();
    }
    const failed = this.state[3] !== 0;
    Atomics.store(this.state, 0, IDLE);
    Atomics.notify(this.state, 0);
    if (mineError) throw mineError;
    if (failed) throw new Error(`mim kernel ${name} failed on the helper thread`);
    return true;
  }

  retire(): void {
    this.usable = false;
    Atomics.store(this.state, 0, QUIT);
    Atomics.notify(this.state, 0);
    void this.worker.terminate();
  }
}

/** The helper did not finish its half in time; the caller runs that half itself. */
export class HelperGaveUp extends Error {
  constructor() {
    super('kernel helper thread did not answer');
  }
}
