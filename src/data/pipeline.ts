// Batches for the engine. A training batch is a pure function of (seed, purpose, step): the data order is
// a per-epoch permutation and every augmentation draw is keyed by (step, slot), so a run resumed at step
// 500 sees exactly the batches it would have seen, whatever was prefetched or requested before.
import { Rng } from '../ml/rng';
import { augmentedView, centreView, normaliseInto } from './transforms';
import { CorruptImageError, DatasetError, type Batch, type RawImage, type Split } from './types';

export interface AugmentOptions {
  cropScale: [number, number];
  hflip: boolean;
}

export interface ViewOptions {
  batchSize: number;
  imageSize: number;
  channels: number;
  mean: number[];
  std: number[];
  /** Where skipped corrupt items are recorded (optional for one-off views). */
  skips?: SkipLog;
}

export interface LoaderOptions extends ViewOptions {
  seed: number;
  /** Random resized crop + flip; null = the deterministic centre view. */
  augment: AugmentOptions | null;
  /** Batches prepared ahead of the last one served. */
  prefetch: number;
  /** Separates the random streams of different loaders on one seed (e.g. 'pretrain', 'probe'). */
  purpose: string;
}

/** Epoch of the first image of `step`. */
export function epochOf(step: number, batchSize: number, length: number): number {
  return Math.floor((step * batchSize) / length);
}

/** Corrupt items met so far: counted once each, with a bounded list of their files. */
export class SkipLog {
  readonly files: string[] = [];
  private readonly seen = new Set<number>();

  constructor(private readonly maxFiles = 100) {}

  get count(): number {
    return this.seen.size;
  }

  has(index: number): boolean {
    return this.seen.has(index);
  }

  add(index: number, err: CorruptImageError): void {
    if (this.seen.has(index)) return;
    this.seen.add(index);
    if (this.files.length < this.maxFiles) this.files.push(err.file);
  }
}

/** Gives up when this many consecutive items are unreadable: the dataset, not an item, is broken. */
const MAX_CONSECUTIVE_CORRUPT = 1000;

/** Reads item `index`, or the next readable one after it (deterministic substitution for corrupt items). */
async function readValid(split: Split, index: number, skips: SkipLog): Promise<{ img: RawImage; index: number }> {
  const tries = Math.min(split.length, MAX_CONSECUTIVE_CORRUPT);
  for (let t = 0; t < tries; t++) {
    const i = (index + t) % split.length;
    if (skips.has(i)) continue;
    try {
      return { img: await split.read(i), index: i };
    } catch (e) {
      if (!(e instanceof CorruptImageError)) throw e;
      skips.add(i, e);
    }
  }
  throw new DatasetError(`${tries} consecutive unreadable images from index ${index}; first: ${skips.files[0] ?? '?'}`);
}

function checkNorm(opts: ViewOptions): void {
  if (opts.mean.length !== opts.channels || opts.std.length !== opts.channels) {
    throw new DatasetError(`data.mean/data.std need ${opts.channels} values each, got ${opts.mean.length} and ${opts.std.length}`);
  }
  if (opts.std.some((s) => !(s > 0))) throw new DatasetError(`data.std must be positive, got [${opts.std.join(', ')}]`);
}

/** Reads, transforms and normalises `indices` into one batch; `view` turns item j into the model view. */
async function assemble(split: Split, indices: ArrayLike<number>, opts: ViewOptions, skips: SkipLog, view: (img: RawImage, j: number) => RawImage): Promise<Batch> {
  const n = indices.length;
  const { imageSize: size, channels } = opts;
  const per = size * size * channels;
  const batch: Batch = { images: new Float32Array(n * per), labels: new Int32Array(n), indices: new Int32Array(n), n, size, channels };
  await Promise.all(Array.from({ length: n }, async (_, j) => {
    const { img, index } = await readValid(split, indices[j], skips);
    normaliseInto(view(img, j), opts.mean, opts.std, batch.images, j * per);
    batch.labels[j] = split.label(index);
    batch.indices[j] = index;
  }));
  return batch;
}

const ignore = (): void => {};

export class BatchLoader {
  private readonly log: SkipLog;
  private readonly pending = new Map<number, Promise<Batch>>();
  private readonly orders = new Map<number, Int32Array>();
  private latest = -1;

  constructor(private readonly split: Split, private readonly opts: LoaderOptions) {
    if (split.length === 0) throw new DatasetError('BatchLoader: empty split');
    if (!(opts.batchSize >= 1)) throw new DatasetError(`batch size must be ≥ 1, got ${opts.batchSize}`);
    checkNorm(opts);
    this.log = opts.skips ?? new SkipLog();
  }

  /** Distinct corrupt items replaced so far. */
  get skipped(): number {
    return this.log.count;
  }

  /** Files of the skipped items (first 100). */
  get skippedFiles(): readonly string[] {
    return this.log.files;
  }

  /** Batch `step` (0-based); then prepares the following `prefetch` batches in the background. */
  batch(step: number): Promise<Batch> {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`batch: step must be an integer ≥ 0, got ${step}`);
    this.latest = step;
    let p = this.pending.get(step);
    if (p) this.pending.delete(step);
    else p = this.prepare(step);
    // Start the look-ahead once this batch is ready, so it never competes with the batch being waited for.
    p.then(() => this.schedule(step), ignore);
    return p;
  }

  /** The dataset index at position `pos` of the infinite sequence of epochs. */
  indexAt(pos: number): number {
    const len = this.split.length;
    return this.order(Math.floor(pos / len))[pos % len];
  }

  private order(epoch: number): Int32Array {
    let perm = this.orders.get(epoch);
    if (!perm) {
      perm = new Int32Array(this.split.length);
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      Rng.derive(this.opts.seed, this.opts.purpose, 'order', epoch).shuffle(perm);
      if (this.orders.size >= 3) this.orders.delete(this.orders.keys().next().value as number); // a batch spans ≤ 2 epochs
      this.orders.set(epoch, perm);
    }
    return perm;
  }

  private prepare(step: number): Promise<Batch> {
    const { batchSize: B, imageSize, channels, augment, seed, purpose } = this.opts;
    const indices = Array.from({ length: B }, (_, j) => this.indexAt(step * B + j));
    return assemble(this.split, indices, this.opts, this.log, (img, j) => {
      if (!augment) return centreView(img, imageSize, channels);
      return augmentedView(img, imageSize, channels, augment.cropScale, augment.hflip, Rng.derive(seed, purpose, 'aug', step, j));
    });
  }

  /** Keeps at most `prefetch` batches queued: steps after `step`, prepared one after another. */
  private schedule(step: number): void {
    if (this.latest !== step) return; // a newer request owns the look-ahead
    for (const s of [...this.pending.keys()]) if (s <= step || s > step + this.opts.prefetch) this.pending.delete(s);
    let prev: Promise<unknown> = Promise.resolve();
    for (let s = step + 1; s <= step + this.opts.prefetch; s++) {
      let p = this.pending.get(s);
      if (!p) {
        p = prev.catch(ignore).then(() => this.prepare(s));
        p.catch(ignore); // a failure resurfaces when (and if) that step is requested
        this.pending.set(s, p);
      }
      prev = p;
    }
  }
}

/** The whole split in index order, deterministic centre view; the next batch loads while one is used. */
export async function* centreBatches(split: Split, opts: ViewOptions): AsyncGenerator<Batch> {
  checkNorm(opts);
  const skips = opts.skips ?? new SkipLog();
  const load = (start: number): Promise<Batch> => {
    const idx = Array.from({ length: Math.min(opts.batchSize, split.length - start) }, (_, j) => start + j);
    const p = assemble(split, idx, opts, skips, (img) => centreView(img, opts.imageSize, opts.channels));
    p.catch(ignore);
    return p;
  };
  let next = split.length > 0 ? load(0) : null;
  for (let start = 0; next; start += opts.batchSize) {
    const cur = await next;
    next = start + opts.batchSize < split.length ? load(start + opts.batchSize) : null;
    yield cur;
  }
}

/** A fixed list of items (e.g. the sample batch) in the deterministic centre view. */
export async function loadCentre(split: Split, indices: number[], opts: Omit<ViewOptions, 'batchSize'>): Promise<Batch> {
  const full = { ...opts, batchSize: indices.length };
  checkNorm(full);
  return assemble(split, indices, full, opts.skips ?? new SkipLog(), (img) => centreView(img, opts.imageSize, opts.channels));
}
