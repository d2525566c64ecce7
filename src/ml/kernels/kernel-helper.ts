// A second thread for the fused kernels. XNNPACK spreads matmuls over its own pool, but the project's kernels
// (attention, GELU, transpose) ran on the main thread only. With the threaded backend the wasm memory is shared,
// so a worker instantiates the same kernel module on it and shares the work of large calls.
//
// Work is split into chunks (samples of an attention call, ranges of floats or rows) that both threads claim from a
// shared counter, so the main thread never waits for a helper that the OS has not scheduled yet: it does every
// chunk itself if need be, and at the end waits only for chunks the helper has already claimed. Chunks write
// disjoint parts of the outputs.
import { Worker } from 'node:worker_threads';

export const HELPER_FUNCTIONS = ['attn_fwd', 'attn_bwd', 'gelu_fwd', 'gelu_bwd', 'transpose2d'] as const;
export type HelperFunction = (typeof HELPER_FUNCTIONS)[number];

/** A kernel call over `units` (samples, floats, rows), cut into chunks of `chunk` units. */
export interface ChunkedCall {
  name: HelperFunction;
  /** Arguments of the whole call. */
  args: number[];
  /** Which argument holds the unit count, and how many units there are. */
  countArg: number;
  units: number;
  chunk: number;
  /** Pointer arguments that advance with the first unit of a chunk: [argument, bytes per unit]. */
  shifts: [number, number][];
  /** An argument that differs per thread (scratch memory): [argument, main thread's value, helper's value]. */
  perThread?: [number, number, number];
}

// Control block layout (Int32 slots, then Float64 slots)
const GEN = 0; // job generation (−1: quit)
const NEXT = 1; // next chunk to claim
const TOTAL = 2; // chunks in the job
const ACTIVE = 3; // helper inside a job
const ERROR = 4;
const FN = 5;
const NARGS = 6;
const COUNT_ARG = 7;
const UNITS = 8;
const CHUNK = 9;
const NSHIFTS = 10;
const SHIFTS = 11; // pairs (argument, bytes per unit); up to 12
const PER_ARG = 35;
const DONE_BY_HELPER = 36; // chunks the helper has run (statistics)
const INTS = 38; // even: the Float64 slots that follow must be 8-byte aligned
const MAX_ARGS = 32;
const F_ARGS = 0; // float64 slots: the arguments, then the helper's per-thread value
const F_PER = MAX_ARGS;
const FLOATS = MAX_ARGS + 1;

function chunkArgs(base: ArrayLike<number>, nargs: number, c: number, countArg: number, units: number, chunk: number,
  shifts: ArrayLike<number>, nshifts: number): number[] {
  const a = Array.prototype.slice.call(base, 0, nargs) as number[];
  const start = c * chunk;
  a[countArg] = Math.min(chunk, units - start);
  for (let s = 0; s < nshifts; s++) {
    const i = shifts[2 * s];
    if (a[i] !== 0) a[i] += start * shifts[2 * s + 1];
  }
  return a;
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ints = new Int32Array(control, 0, ${INTS});
const floats = new Float64Array(control, ${INTS * 4}, ${FLOATS});
const chunkArgs = ${chunkArgs.toString()};
parentPort.postMessage('ready');
let seen = Atomics.load(ints, ${GEN});
for (;;) {
  Atomics.wait(ints, ${GEN}, seen);
  seen = Atomics.load(ints, ${GEN});
  if (seen === -1) break;
  Atomics.add(ints, ${ACTIVE}, 1);
  try {
    for (;;) {
      // The claim synchronises with the main thread's opening store of NEXT, which follows every write of the
      // job's description: read the description only after a successful claim.
      const c = Atomics.add(ints, ${NEXT}, 1);
      if (c >= Atomics.load(ints, ${TOTAL})) break;
      const nshifts = ints[${NSHIFTS}];
      const a = chunkArgs(floats, ints[${NARGS}], c, ints[${COUNT_ARG}], ints[${UNITS}], ints[${CHUNK}],
        ints.subarray(${SHIFTS}, ${SHIFTS} + 2 * nshifts), nshifts);
      if (ints[${PER_ARG}] >= 0) a[ints[${PER_ARG}]] = floats[${F_PER}];
      k[names[ints[${FN}]]](...a);
      Atomics.add(ints, ${DONE_BY_HELPER}, 1);
    }
  } catch (e) {
    Atomics.store(ints, ${ERROR}, 1);
  } finally {
    Atomics.sub(ints, ${ACTIVE}, 1);
    Atomics.notify(ints, ${ACTIVE});
  }
}
`;

export class KernelHelper {
  private readonly worker: Worker;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private usable = false;
  readonly ready: Promise<boolean>;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    const control = new SharedArrayBuffer(INTS * 4 + FLOATS * 8);
    this.ints = new Int32Array(control, 0, INTS);
    this.floats = new Float64Array(control, INTS * 4, FLOATS);
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
        resolve(false);
      });
    });
    this.worker.on('error', () => { this.usable = false; });
    this.worker.on('exit', () => { this.usable = false; });
  }

  /** Tests: leave every chunk to the helper, so that its path is exercised whatever the scheduler does. */
  helperOnly = false;

  /** Runs the call, chunk by chunk, on this thread and (when it is usable and free) the helper. */
  run(call: ChunkedCall, kernels: Record<HelperFunction, (...a: number[]) => void>): void {
    const fn = kernels[call.name];
    const chunks = Math.ceil(call.units / call.chunk);
    const nshifts = call.shifts.length;
    const shifts = call.shifts.flat();
    const local = (c: number): void => {
      const a = chunkArgs(call.args, call.args.length, c, call.countArg, call.units, call.chunk, shifts, nshifts);
      if (call.perThread) a[call.perThread[0]] = call.perThread[1];
      fn(...a);
    };
    if (!this.usable || chunks < 2 || call.args.length > MAX_ARGS || nshifts > 12 || Atomics.load(this.ints, ACTIVE) !== 0) {
      for (let c = 0; c < chunks; c++) local(c);
      return;
    }
    const ints = this.ints;
    this.floats.set(call.args, F_ARGS);
    ints[FN] = HELPER_FUNCTIONS.indexOf(call.name);
    ints[NARGS] = call.args.length;
    ints[COUNT_ARG] = call.countArg;
    ints[UNITS] = call.units;
    ints[CHUNK] = call.chunk;
    ints[NSHIFTS] = nshifts;
    shifts.forEach((v, i) => { ints[SHIFTS + i] = v; });
    ints[PER_ARG] = call.perThread ? call.perThread[0] : -1;
    if (call.perThread) this.floats[F_PER] = call.perThread[2];
    // Publish: the description, then the generation (wakes the helper), then NEXT = 0 opens the chunks. Until
    // that store NEXT is ≥ the previous total, so a late helper cannot claim anything of a half-written job.
    Atomics.store(ints, ERROR, 0);
    Atomics.store(ints, TOTAL, chunks);
    Atomics.add(ints, GEN, 1);
    Atomics.store(ints, NEXT, 0);
    Atomics.notify(ints, GEN);
    let mine: unknown = null;
    if (this.helperOnly) {
      const started = Date.now();
      while (Atomics.load(ints, NEXT) < chunks || Atomics.load(ints, ACTIVE) !== 0) {
        if (Date.now() - started > 20_000) throw new Error('kernel helper thread did not run the job');
        Atomics.wait(ints, ACTIVE, Atomics.load(ints, ACTIVE), 10);
      }
    }
    try {
      for (;;) {
        const c = Atomics.add(ints, NEXT, 1);
        if (c >= chunks) break;
        local(c);
      }
    } catch (err) {
      mine = err;
      Atomics.store(ints, NEXT, chunks); // stop handing out chunks
    }
    // Wait only for chunks the helper has claimed (it may never have woken up; then there are none).
    for (;;) {
      const active = Atomics.load(ints, ACTIVE);
      if (active === 0) break;
      Atomics.wait(ints, ACTIVE, active, 100);
    }
    if (mine) throw mine;
    if (Atomics.load(ints, ERROR)) throw new Error(`mim kernel ${call.name} failed on the helper thread`);
  }

  /** Chunks the helper thread has run so far. */
  get helperChunks(): number {
    return Atomics.load(this.ints, DONE_BY_HELPER);
  }

  retire(): void {
    this.usable = false;
    Atomics.store(this.ints, GEN, -1);
    Atomics.notify(this.ints, GEN);
    void this.worker.terminate();
  }
}
