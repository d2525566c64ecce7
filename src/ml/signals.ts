// Label-free quality and collapse signals (issue 18), logged beside the losses.
// - target_var / pred_var: data2vec's `compute_var` of the alignment targets and of the regressor's predictions,
//   √(unbiased variance over rows + 1e-6) averaged over channels. A std, under data2vec's name; on raw targets
//   target_var equals latent_std up to the 1e-6 and the unbiased correction.
// - rank_me: RankMe (Garrido et al. 2023), exp of the entropy of the L1-normalised singular values of a
//   feature matrix [n, D]: ≈ k for features of rank k, at most min(n, D).
import { fusedActive } from './kernels/fused';
import { fusedColVariance } from './kernels/fused-ops';
import { tf, type Scalar, type Tensor, type Tensor2D } from './tf';

/** Biased variance over the rows of x [M, D] → [D]; one kernel on wasm (tf.moments there is four, ≈5 % of a cae-demo step). */
export function columnVariance(x: Tensor2D): Tensor {
  return fusedActive() ? fusedColVariance(x) : tf.moments(x, 0).variance;
}

/** Mean over channels of the per-channel std over the rows of x [M, D] (CAE's latent_std). */
export function meanColumnStd(x: Tensor2D): Scalar {
  return tf.tidy(() => tf.mean(tf.sqrt(columnVariance(x))) as Scalar);
}

/** data2vec's compute_var: x [M, D] → mean over channels of √(unbiased var over the M rows + 1e-6). */
export function dataVar(x: Tensor2D): Scalar {
  return tf.tidy(() => {
    const m = x.shape[0];
    const variance = columnVariance(x);
    const unbiased = tf.mul(variance, m / Math.max(1, m - 1));
    return tf.mean(tf.sqrt(tf.add(unbiased, 1e-6))) as Scalar;
  });
}

/** RankMe's ε (the paper's 1e-7) added to each normalised singular value before the entropy. */
const RANKME_EPS = 1e-7;

/** Eigenvalues of a symmetric matrix [n, n] (row-major, float64) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += m[i * n + j] ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) { // columns p, q
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) { // rows p, q
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i * n + i]);
}

/** Singular values of features [n, D] (row-major): √ of the eigenvalues of the smaller Gram matrix. */
export function singularValues(x: Float32Array | Float64Array, n: number, dim: number): Float64Array {
  if (x.length !== n * dim) throw new RangeError(`singularValues: ${x.length} values is not ${n}×${dim}`);
  const small = Math.min(n, dim);
  const gram = new Float64Array(small * small);
  // Gram over the smaller side: XᵀX [D, D] when n ≥ D, else XXᵀ [n, n]; both have the same non-zero eigenvalues.
  const at = n >= dim ? (r: number, c: number): number => x[r * dim + c] : (r: number, c: number): number => x[c * dim + r];
  const rows = n >= dim ? n : dim;
  for (let i = 0; i < small; i++) {
    for (let j = i; j < small; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += at(r, i) * at(r, j);
      gram[i * small + j] = s;
      gram[j * small + i] = s;
    }
  }
  return symmetricEigenvalues(gram, small).map((l) => Math.sqrt(Math.max(0, l)));
}

/** RankMe of features [n, D]: exp(−Σ p_k log p_k), p_k = σ_k / Σσ + ε. */
export function rankMe(x: Float32Array | Float64Array, n: number, dim: number): number {
  const sv = singularValues(x, n, dim);
  const total = sv.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return 0;
  let h = 0;
  for (const s of sv) {
    const p = s / total + RANKME_EPS;
    h -= p * Math.log(p);
  }
  return Math.exp(h);
}
