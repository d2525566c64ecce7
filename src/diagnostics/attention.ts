// Attention rows as researchers read them. The models keep tokens in [cls, visible…, masked…] order per sample
// (see cae.ts); here rows are cut to the patch keys, renormalised, averaged over heads and, where a map is
// drawn on the image, put back in grid order.
//
// What is renormalised: every softmax row also gives weight to the cls key. We drop that one entry and divide
// the remaining N patch weights by their sum, so each saved row is a distribution over patches (sums to 1).
// The head average is the mean of those renormalised per-head rows, so it sums to 1 as well.

/** Drops the cls key (index 0) of a softmax row over [cls, patches…] and rescales the rest to sum to 1. */
export function patchDistribution(row: ArrayLike<number>): Float64Array {
  const out = new Float64Array(row.length - 1);
  let sum = 0;
  for (let i = 1; i < row.length; i++) sum += row[i];
  // A row that put (numerically) all its weight on cls carries no spatial information: show it as uniform.
  if (!(sum > 1e-12)) return out.fill(1 / out.length);
  for (let i = 1; i < row.length; i++) out[i - 1] = row[i] / sum;
  return out;
}

/** Mean of equally long rows. */
export function averageRows(rows: Float64Array[]): Float64Array {
  const out = new Float64Array(rows[0].length);
  for (const r of rows) for (let i = 0; i < r.length; i++) out[i] += r[i] / rows.length;
  return out;
}

/** Grid index of each patch key in token order: the sample's visible indices, then its masked ones. */
export function keyPatches(visIdx: Int32Array, maskIdx: Int32Array, b: number, nVis: number, nMask: number): number[] {
  return [...visIdx.subarray(b * nVis, (b + 1) * nVis), ...maskIdx.subarray(b * nMask, (b + 1) * nMask)];
}

/** A row over patch keys in token order → the same weights in grid order. */
export function toGridOrder(row: Float64Array, keys: number[]): Float64Array {
  const out = new Float64Array(row.length);
  keys.forEach((p, j) => {
    out[p] = row[j];
  });
  return out;
}

export interface AttentionShape {
  batch: number;
  heads: number;
  /** Keys per row including cls: 1 + N. */
  keys: number;
}

/**
 * Per layer, rows [B, H, 1+N] (one query per sample: encoder cls, or the chosen regressor query) →
 * number[b][layer][head…, avg][key] over the N patch keys, still in token order.
 */
export function headRows(layers: Float32Array[], s: AttentionShape): Float64Array[][][] {
  return Array.from({ length: s.batch }, (_, b) => layers.map((probs) => {
    const heads = Array.from({ length: s.heads }, (_, h) => {
      const off = (b * s.heads + h) * s.keys;
      return patchDistribution(probs.subarray(off, off + s.keys));
    });
    return [...heads, averageRows(heads)];
  }));
}

/** The masked patch (position in the sample's masked list) nearest the centroid of its masked region. */
export function chooseQuery(masked: ArrayLike<number>, gridSide: number): number {
  let cy = 0;
  let cx = 0;
  for (let j = 0; j < masked.length; j++) {
    cy += Math.floor(masked[j] / gridSide) / masked.length;
    cx += (masked[j] % gridSide) / masked.length;
  }
  let best = 0;
  let bestD = Infinity;
  for (let j = 0; j < masked.length; j++) {
    const d = (Math.floor(masked[j] / gridSide) - cy) ** 2 + ((masked[j] % gridSide) - cx) ** 2;
    if (d < bestD - 1e-9) {
      best = j;
      bestD = d;
    }
  }
  return best;
}

/** Compact JSON numbers: 6 significant digits keep each row's sum within ~1e-5 of 1. */
export function rounded(row: ArrayLike<number>): number[] {
  return Array.from(row, (x) => Number(x.toPrecision(6)));
}
