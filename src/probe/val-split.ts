// The probe's validation split (issue 18): a seeded part of the train split held out, so that hyper-parameters
// (the grid's lr × weight decay) are chosen without ever looking at the test split, which is evaluated once.
import { Rng } from '../ml/rng';
import type { FeatureSplit } from '../diagnostics/features';

/** Images held out for validation: round(n · fraction), at least 1 and leaving at least 2 to train on. */
export function validationSize(n: number, fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`probe.valFraction must be in (0, 1), got ${fraction}`);
  const size = Math.min(n - 2, Math.max(1, Math.round(n * fraction)));
  if (size < 1) throw new RangeError(`probe.valFraction: the train split (${n} images) is too small to hold out a validation split`);
  return size;
}

function rows(src: Float32Array, width: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * width);
  idx.forEach((i, j) => out.set(src.subarray(i * width, (i + 1) * width), j * width));
  return out;
}

function subset(s: FeatureSplit, idx: Int32Array, dim: number): FeatureSplit {
  const tokenWidth = s.tokens ? s.tokens.length / s.n : 0;
  return {
    n: idx.length, labels: Int32Array.from(idx, (i) => s.labels[i]), cls: rows(s.cls, dim, idx), mean: rows(s.mean, dim, idx),
    tokens: s.tokens ? rows(s.tokens, tokenWidth, idx) : null,
  };
}

/** Splits train features into train and validation, a pure function of (n, fraction, seed); both keep index order. */
export function holdOutValidation(s: FeatureSplit, dim: number, fraction: number, seed: number): { train: FeatureSplit; val: FeatureSplit } {
  const size = validationSize(s.n, fraction);
  const order = Int32Array.from({ length: s.n }, (_, i) => i);
  Rng.derive(seed, 'probe-val').shuffle(order);
  const val = order.slice(0, size).sort();
  const train = order.slice(size).sort();
  return { train: subset(s, train, dim), val: subset(s, val, dim) };
}
