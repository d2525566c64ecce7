// What every dataset reader provides, and what the batch pipeline hands to the engine.
import { InputError } from '../util/input-error';

/** A decoded image at its native size, channels-last, 0–255. */
export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Raised by `Split.read` for an unreadable item; the pipeline skips it, counts it and reports it. */
export class CorruptImageError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'CorruptImageError';
  }
}

/** Raised before training for a dataset that cannot be used at all (missing path, truncated file, …). */
export class DatasetError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export interface Split {
  readonly length: number;
  /** The folder holding the split's files, where there is one (named in error messages). */
  readonly dir?: string;
  label(i: number): number;
  read(i: number): Promise<RawImage>;
}

export interface Dataset {
  /** e.g. `synthetic`, `idx:/data/mnist`. */
  name: string;
  train: Split;
  test: Split;
  classNames: string[];
  /** Channels of the stored images (before conversion to the configured channel count). */
  channels: number;
  /** Native image size when all images share one, else null. */
  nativeSize: { width: number; height: number } | null;
}

/** A batch ready for the model: normalised float images, NHWC. */
export interface Batch {
  /** [n, size, size, channels], normalised with the dataset mean/std. */
  images: Float32Array;
  labels: Int32Array;
  /** Dataset indices of the images (after substitution of skipped corrupt items). */
  indices: Int32Array;
  n: number;
  size: number;
  channels: number;
}
