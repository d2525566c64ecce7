// Pure helpers for attention maps: colormap, normalisation and mapping regressor keys back to the patch grid.

const INFERNO: [number, number, number][] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164],
];

/** Inferno-like colour for t in [0, 1]. */
export function colormap(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(x));
  const f = x - i;
  const a = INFERNO[i];
  const b = INFERNO[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/**
 * Scales to [0, 1] between the smallest and largest value (attention rows are probabilities that are often
 * close to uniform; stretching the range shows where the mass goes). A constant row maps to 0.5.
 */
export function normalizeRange(values: readonly (number | null)[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return values.map((v) => (v === null || !Number.isFinite(v) ? 0 : span > 0 ? (v - min) / span : 0.5));
}

/**
 * Regressor cross-attention keys are the visible patches (grid order) followed by the masked queries
 * (in `masked` order). Returns one value per grid patch (null where a patch is not a key).
 */
export function regressorToGrid(keys: readonly number[], masked: readonly number[], numPatches: number): (number | null)[] {
  const maskedSet = new Set(masked);
  const visible: number[] = [];
  for (let p = 0; p < numPatches; p++) if (!maskedSet.has(p)) visible.push(p);
  const out: (number | null)[] = new Array(numPatches).fill(null);
  visible.forEach((p, j) => {
    out[p] = keys[j] ?? null;
  });
  masked.forEach((p, m) => {
    const v = keys[visible.length + m];
    if (v !== undefined) out[p] = (out[p] ?? 0) + v;
  });
  return out;
}

/** Places key weights on the grid when the sample lists each key's grid index (newer samples). */
export function keysToGrid(values: readonly number[], keyPatches: readonly number[], numPatches: number): (number | null)[] {
  const out: (number | null)[] = new Array(numPatches).fill(null);
  keyPatches.forEach((p, j) => {
    if (p >= 0 && p < numPatches && values[j] !== undefined) out[p] = (out[p] ?? 0) + values[j];
  });
  return out;
}
