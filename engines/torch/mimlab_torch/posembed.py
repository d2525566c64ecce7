"""MAE's 2-D sin-cos position embedding, as src/ml/posembed.ts: [N, D], channels [sin col | cos col | sin row | cos row]."""
import numpy as np


def sincos_1d(dim, positions):
    half = dim // 2
    omega = 1.0 / np.power(10000.0, np.arange(half, dtype=np.float64) / half)
    angle = np.asarray(positions, np.float64)[:, None] / (1 / omega)  # pos / 10000^(k/half), as the TS divides
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=1)


def sincos_2d(dim, grid_h, grid_w):
    if dim % 4:
        raise ValueError(f'2-D sin-cos position embedding needs model.dim divisible by 4, got {dim}')
    p = np.arange(grid_h * grid_w)
    return np.concatenate([sincos_1d(dim // 2, p % grid_w), sincos_1d(dim // 2, p // grid_w)], axis=1).astype(np.float32)
