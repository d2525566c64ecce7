// The built-in dataset: 10 texture classes, generated on demand. Image i of a split is a pure
// function of (split, i, size), so every machine and every resumed run sees the same pixels.
import { Rng } from '../ml/rng';
import { renderSynthetic, SYNTHETIC_CLASSES } from './synthetic-render';
import type { Dataset, RawImage, Split } from './types';

export { SYNTHETIC_CLASSES } from './synthetic-render';

/** Fixed root seed of the dataset (not the run seed: the data must not change with it). */
const DATASET_SEED = 0x5eed_da7a;

/** Rendered images are kept when a whole split fits in this budget (32 px: ~3 KB per image). */
const MEMO_BUDGET_BYTES = 64 * 1024 * 1024;

export interface SyntheticOptions {
  train: number;
  test: number;
  /** Side of the rendered images (default 32). */
  size?: number;
}

class SyntheticSplit implements Split {
  private readonly memo: (RawImage | undefined)[] | null;

  constructor(private readonly split: 'train' | 'test', readonly length: number, private readonly size: number) {
    this.memo = length * size * size * 3 <= MEMO_BUDGET_BYTES ? new Array(length) : null;
  }

  /** Balanced classes: image i has class i mod 10 (the loaders shuffle, so the order carries no signal). */
  label(i: number): number {
    return i % SYNTHETIC_CLASSES.length;
  }

  async read(i: number): Promise<RawImage> {
    return this.readSync(i);
  }

  /** Same as read(); callers must not mutate the returned pixels (they may be shared by the memo). */
  readSync(i: number): RawImage {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`synthetic ${this.split}: index ${i} outside [0, ${this.length})`);
    const hit = this.memo?.[i];
    if (hit) return hit;
    const img = renderSynthetic(this.label(i), this.size, Rng.derive(DATASET_SEED, this.split, i));
    if (this.memo) this.memo[i] = img;
    return img;
  }
}

/** The built-in labelled dataset; train and test use disjoint seed paths. */
export function syntheticDataset(opts: SyntheticOptions): Dataset {
  const size = opts.size ?? 32;
  return {
    name: 'synthetic',
    train: new SyntheticSplit('train', opts.train, size),
    test: new SyntheticSplit('test', opts.test, size),
    classNames: [...SYNTHETIC_CLASSES],
    channels: 3,
    nativeSize: { width: size, height: size },
  };
}
