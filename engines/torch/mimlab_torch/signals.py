"""Label-free quality and collapse signals (src/ml/signals.ts, issue 18), logged beside the losses.
- target_var / pred_var: data2vec's compute_var of the alignment targets and of the regressor's predictions,
  √(unbiased variance over rows + 1e-6) averaged over channels.
- rank_me: RankMe (Garrido et al. 2023), exp of the entropy of the L1-normalised singular values of a feature
  matrix [n, D]: ≈ k for features of rank k, at most min(n, D)."""
import numpy as np
import torch

RANKME_EPS = 1e-7  # the paper's ε, added to each normalised singular value before the entropy


@torch.no_grad()
def data_var(x):
    """x [..., D] → mean over channels of √(unbiased var over all rows + 1e-6); one row gives the biased 0, as the TS."""
    rows = x.detach().float().reshape(-1, x.shape[-1])
    m = rows.shape[0]
    unbiased = rows.var(0, unbiased=False) * (m / max(1, m - 1))
    return (unbiased + 1e-6).sqrt().mean()


def singular_values(x):
    """Features [n, D] → singular values: √ of the eigenvalues of the smaller Gram matrix in float64 (as the TS)."""
    x = np.asarray(x, np.float64)
    gram = x.T @ x if x.shape[0] >= x.shape[1] else x @ x.T
    return np.sqrt(np.maximum(np.linalg.eigvalsh(gram), 0))


def rank_me(x):
    """RankMe of features [n, D]: exp(−Σ p_k log p_k), p_k = σ_k / Σσ + ε."""
    sv = singular_values(x)
    total = sv.sum()
    if not total > 0:
        return 0.0
    p = sv / total + RANKME_EPS
    return float(np.exp(-(p * np.log(p)).sum()))
