// Image decoding on worker threads. pngjs and jpeg-js are plain JavaScript: on the main thread an ImageNet-size
// JPEG takes tens of milliseconds, so a folder dataset would feed a few dozen images a second whatever the
// backend. The pipeline already asks for a whole batch at once (Promise.all), so the workers decode in parallel.
import { Worker } from 'node:worker_threads';
import { bundledScript } from '../util/bundled-script';
import { availableCores, envInt } from '../util/env';
import { decodeImage } from './png';
import { CorruptImageError, type RawImage } from './types';

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  file: string;
}

export type DecodeReply = { id: number; img: RawImage } | { id: number; corrupt: string } | { id: number; error: string };

/** Worker threads: MIMLAB_DECODE_THREADS when set (0 = decode on the main thread), else one per core but one. */
export function decodeThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = envInt(env, 'MIMLAB_DECODE_THREADS', 0, 64);
  if (set !== null) return set;
  return Math.max(1, Math.min(16, availableCores() - 1));
}

/** dist/decode-worker.js: next to the running bundle, or (sources run through tsx) in the package's dist. */
export function decodeWorkerScript(): string | null {
  return bundledScript('decode-worker.js');
}

interface Pending {
  file: string;
  resolve(img: RawImage): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class DecodePool {
  private slots: Slot[] = [];
  private nextId = 0;

  constructor(script: string, threads: number) {
    for (let i = 0; i < threads; i++) this.slots.push(this.start(script));
  }

  /** Live workers (a worker that crashed is dropped; with none left, decoding falls back to this thread). */
  get threads(): number {
    return this.slots.length;
  }

  decode(bytes: Uint8Array, file: string): Promise<RawImage> {
    if (this.slots.length === 0) return decodeHere(bytes, file);
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<RawImage>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref(); // a request in flight keeps the process alive
      slot.pending.set(id, { file, resolve, reject });
      slot.worker.postMessage({ id, bytes, file } satisfies DecodeRequest);
    });
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private start(script: string): Slot {
    const worker = new Worker(script);
    const slot: Slot = { worker, pending: new Map() };
    worker.unref(); // idle workers never keep a finished CLI alive
    worker.on('message', (r: DecodeReply) => {
      const p = slot.pending.get(r.id);
      if (!p) return;
      slot.pending.delete(r.id);
      if (slot.pending.size === 0) worker.unref();
      if ('img' in r) p.resolve(r.img);
      else if ('corrupt' in r) p.reject(new CorruptImageError(p.file, r.corrupt));
      else p.reject(new Error(`decode worker: ${r.error}`));
    });
    const fail = (e: Error): void => {
      this.slots = this.slots.filter((s) => s !== slot);
      for (const p of slot.pending.values()) p.reject(e);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
    return slot;
  }
}

function decodeHere(bytes: Uint8Array, file: string): Promise<RawImage> {
  return new Promise((resolve) => resolve(decodeImage(bytes, file)));
}

let shared: DecodePool | null | undefined;

/** Decodes on the process's shared pool, created on first use; on this thread when no worker can start. */
export function decodeOffThread(bytes: Uint8Array, file: string): Promise<RawImage> {
  if (shared === undefined) {
    const script = decodeWorkerScript();
    const threads = decodeThreads();
    shared = script && threads > 0 ? new DecodePool(script, threads) : null;
  }
  return shared ? shared.decode(bytes, file) : decodeHere(bytes, file);
}
