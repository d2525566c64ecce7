// Training batches made on a worker thread. The augmentation (crop, resize, flip, normalise) costs ≈5–10 ms per
// cae-demo batch of 64 in JavaScript; on the main thread it runs between the model's kernel calls and delays the
// step, while on a worker it overlaps with training. The worker runs the same BatchLoader on the same dataset (opened
// from the config), so every batch is the same bits as in-process. When the worker cannot start or dies, the batches
// are made here instead, from the step that was asked for.
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema';
import { bundledScript } from '../util/bundled-script';
import { envInt } from '../util/env';
import { BatchLoader, type LoaderOptions } from './pipeline';
import type { Batch, Split } from './types';

export interface LoaderSetup {
  config: Config;
  options: LoaderOptions;
}

export interface LoaderRequest {
  step: number;
}

export type LoaderReply =
  | { step: number; batch: Batch; skipped: number; skippedFiles: string[] }
  | { step: number; error: string };

/** What the trainer needs of a loader: batch `step`, the corrupt items skipped so far, and a way to stop it. */
export interface TrainingBatches {
  batch(step: number): Promise<Batch>;
  readonly skipped: number;
  readonly skippedFiles: readonly string[];
  /** Where the batches are made now, for the run's log. */
  readonly thread: 'worker' | 'main';
  close(): Promise<void>;
}

/** dist/loader-worker.js: next to the running bundle, or (sources run through tsx) in the package's dist. */
export function loaderWorkerScript(): string | null {
  return bundledScript('loader-worker.js');
}

interface Pending {
  resolve(b: Batch): void;
  reject(e: Error): void;
}

export class ThreadBatchLoader implements TrainingBatches {
  private worker: Worker | null;
  private readonly pending = new Map<number, Pending>();
  private here: BatchLoader | null = null;
  private skippedThere = 0;
  private filesThere: string[] = [];

  constructor(script: string, setup: LoaderSetup, private readonly split: Split, private readonly warn: (message: string) => void) {
    this.worker = new Worker(script, { workerData: setup });
    this.worker.unref(); // an idle loader never keeps a finished CLI alive
    this.worker.on('message', (r: LoaderReply) => this.receive(r));
    this.worker.on('error', (e) => this.fallBack(setup.options, e.message));
    this.worker.on('exit', (code) => this.fallBack(setup.options, `exited with code ${code}`));
  }

  get thread(): 'worker' | 'main' {
    return this.worker ? 'worker' : 'main';
  }

  get skipped(): number {
    return this.here ? this.skippedThere + this.here.skipped : this.skippedThere;
  }

  get skippedFiles(): readonly string[] {
    return this.here ? [...this.filesThere, ...this.here.skippedFiles] : this.filesThere;
  }

  batch(step: number): Promise<Batch> {
    if (this.here) return this.here.batch(step);
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error(`batch ${step} asked of a closed loader`));
    return new Promise<Batch>((res, rej) => {
      if (this.pending.size === 0) worker.ref(); // a request in flight keeps the process alive
      this.pending.set(step, { resolve: res, reject: rej });
      worker.postMessage({ step } satisfies LoaderRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners('exit').removeAllListeners('error').on('error', () => {});
      await w.terminate();
    }
  }

  private receive(r: LoaderReply): void {
    const p = this.pending.get(r.step);
    if (!p) return;
    this.pending.delete(r.step);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in r) {
      p.reject(new Error(r.error));
      return;
    }
    this.skippedThere = r.skipped;
    this.filesThere = r.skippedFiles;
    p.resolve(r.batch); // structured clone keeps the Float32Array (its buffer moved, not copied)
  }

  /** The worker is gone: make the batches asked for (and every later one) on this thread. */
  private fallBack(options: LoaderOptions, why: string): void {
    if (this.here) return;
    this.worker = null;
    this.warn(`the loader thread stopped (${why}); batches are made on the main thread from here on (the same batches)`);
    this.here = new BatchLoader(this.split, options);
    for (const [step, p] of this.pending) this.here.batch(step).then(p.resolve, p.reject);
    this.pending.clear();
  }
}

/** In-process loader with the TrainingBatches interface. */
class LocalBatches implements TrainingBatches {
  readonly thread = 'main';
  constructor(private readonly loader: BatchLoader) {}
  batch(step: number): Promise<Batch> {
    return this.loader.batch(step);
  }
  get skipped(): number {
    return this.loader.skipped;
  }
  get skippedFiles(): readonly string[] {
    return this.loader.skippedFiles;
  }
  async close(): Promise<void> {}
}

/** On a worker thread where the built worker is there (MIMLAB_LOADER_THREAD=0 keeps it on this thread). */
export function trainingBatches(
  config: Config, split: Split, options: LoaderOptions, warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env,
): TrainingBatches {
  const script = loaderWorkerScript();
  if (script && envInt(env, 'MIMLAB_LOADER_THREAD', 0, 1) !== 0) return new ThreadBatchLoader(script, { config, options }, split, warn);
  return new LocalBatches(new BatchLoader(split, options));
}
