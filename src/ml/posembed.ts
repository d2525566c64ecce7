// Fixed 2-D sin-cos position embedding, a line-by-line port of MAE's util/pos_embed.py
// (get_2d_sincos_pos_embed), extended to rectangular gridH × gridW grids. Rows are patches in
// row-major order (index = row · gridW + col).
//
// MAE builds `grid = np.meshgrid(grid_w, grid_h)` (w first), then takes "emb_h" from grid[0] and
// "emb_w" from grid[1]. With meshgrid's default 'xy' indexing grid[0] holds the *column* and grid[1]
// the *row*, so despite the names the first D/2 channels encode the column and the last D/2 the row.
// We keep that layout so weights and plots line up with MAE/CAE:
//   [ sin(col·ω) | cos(col·ω) | sin(row·ω) | cos(row·ω) ],  ω_k = 1 / 10000^(k / (D/4)),  k < D/4.

/** MAE's get_1d_sincos_pos_embed_from_grid: [M, dim] = [sin(pos·ω) | cos(pos·ω)], ω_k = 10000^(−k/(dim/2)). */
export function get1dSincosPosEmbed(dim: number, positions: ArrayLike<number>): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 2 !== 0) {
    throw new RangeError(`1-D sin-cos position embedding needs a positive even width, got ${dim}`);
  }
  const half = dim / 2;
  const out = new Float32Array(positions.length * dim);
  for (let m = 0; m < positions.length; m++) {
    for (let k = 0; k < half; k++) {
      // Computed in float64 (as numpy does) and rounded once on store.
      const angle = positions[m] / Math.pow(10000, k / half);
      out[m * dim + k] = Math.sin(angle);
      out[m * dim + half + k] = Math.cos(angle);
    }
  }
  return out;
}

/**
 * MAE's get_2d_sincos_pos_embed for a gridH × gridW grid: Float32Array [N, dim], or [1 + N, dim] with an
 * all-zero cls row first when `clsToken`. `dim` must be divisible by 4 (sin and cos for each of 2 axes).
 */
export function get2dSincosPosEmbed(dim: number, gridH: number, gridW: number, clsToken = false): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 4 !== 0) {
    throw new RangeError(`2-D sin-cos position embedding needs model.dim divisible by 4, got ${dim}`);
  }
  if (!Number.isInteger(gridH) || !Number.isInteger(gridW) || gridH <= 0 || gridW <= 0) {
    throw new RangeError(`position embedding grid must be positive integers, got ${gridH}×${gridW}`);
  }
  const n = gridH * gridW;
  const cols = new Float64Array(n);
  const rows = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    cols[p] = p % gridW; // MAE's grid[0]
    rows[p] = Math.floor(p / gridW); // MAE's grid[1]
  }
  const half = dim / 2;
  const embA = get1dSincosPosEmbed(half, cols);
  const embB = get1dSincosPosEmbed(half, rows);
  const offset = clsToken ? 1 : 0;
  const out = new Float32Array((n + offset) * dim);
  for (let p = 0; p < n; p++) {
    const row = (p + offset) * dim;
    out.set(embA.subarray(p * half, (p + 1) * half), row);
    out.set(embB.subarray(p * half, (p + 1) * half), row + half);
  }
  return out;
}
