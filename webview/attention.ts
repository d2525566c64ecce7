// Pure helpers for attention maps: mapping regressor keys back to the patch grid (colours: src/protocol/colormap).

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
