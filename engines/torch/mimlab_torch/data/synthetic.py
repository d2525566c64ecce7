"""Port of src/data/synthetic-render.ts and synthetic.ts: the built-in texture dataset, vectorised with numpy.

Image i of a split is a pure function of (split, i, size): the random draws are made one by one from
Rng.derive(DATASET_SEED, split, i) in the TypeScript order, the pixels are evaluated on a grid in float64 with
the same formulas and the same summation order, so both engines render the same bytes.
"""
import math

import numpy as np

from ..rng import Rng
from .types import Split

CLASSES = ['h-stripes', 'v-stripes', 'diag-stripes', 'anti-diag-stripes', 'checker', 'dots', 'rings', 'waves', 'grid', 'blotches']
DATASET_SEED = 0x5EEDDA7A
TAU = 2 * math.pi
MEMO_BUDGET_BYTES = 64 * 1024 * 1024


def _rotate(x, y, a):
    c, s = math.cos(a), math.sin(a)
    return c * x - s * y, s * x + c * y


def _field(label, size, p, rng):
    period, angle, phase_x, phase_y = p
    if label <= 3:
        direction = [0, math.pi / 2, math.pi / 4, -math.pi / 4][label]

        def f(x, y):
            _, v = _rotate(x, y, -(direction + angle))
            return np.sin((TAU * v) / period + phase_y)
        return f
    if label == 4:
        def f(x, y):
            u, v = _rotate(x, y, -angle)
            return 2 * np.sin((TAU * u) / period + phase_x) * np.sin((TAU * v) / period + phase_y)
        return f
    if label == 5:
        def f(x, y):
            u, v = _rotate(x, y, -angle)
            return np.cos((TAU * u) / period + phase_x) + np.cos((TAU * v) / period + phase_y) - 1
        return f
    if label == 6:
        cx = rng.uniform(-0.25, 1.25) * size
        cy = rng.uniform(-0.25, 1.25) * size
        return lambda x, y: np.sin((TAU * np.hypot(x - cx, y - cy)) / period + phase_x)
    if label == 7:
        d = rng.uniform(0, math.pi)
        amp = rng.uniform(0.35, 0.6) * period
        wavelength = rng.uniform(2.5, 3.5) * period

        def f(x, y):
            u, v = _rotate(x, y, -d)
            return np.sin((TAU * (v + amp * np.sin((TAU * u) / wavelength + phase_x))) / period + phase_y)
        return f
    if label == 8:
        def f(x, y):
            u, v = _rotate(x, y, -angle)
            return np.maximum(np.cos((TAU * u) / period + phase_x), np.cos((TAU * v) / period + phase_y)) * 2 - 1.2
        return f
    if label == 9:
        comps = []
        for _ in range(5):
            a = rng.uniform(0, TAU)
            fr = TAU / (period * rng.uniform(1.2, 2))
            comps.append((a, fr, rng.uniform(0, TAU)))

        def f(x, y):
            s = 0
            for a, fr, ph in comps:
                s = s + np.sin(fr * (math.cos(a) * x + math.sin(a) * y) + ph)
            return s * 0.8
        return f
    raise ValueError(f'synthetic: no class {label}')


def _luma(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _colour(rng):
    return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)]


def _contrasting(ref, min_diff, rng):
    for _ in range(20):
        c = _colour(rng)
        if abs(_luma(c) - _luma(ref)) >= min_diff:
            return c
    if _luma(ref) > 128:
        return [rng.uniform(0, 60), rng.uniform(0, 60), rng.uniform(0, 60)]
    return [rng.uniform(195, 255), rng.uniform(195, 255), rng.uniform(195, 255)]


def render(label, size, rng):
    """One image of class `label`: uint8 [size, size, 3]."""
    a = _colour(rng)
    b = _contrasting(a, 60, rng)
    pose = (rng.uniform(5, 9) * (size / 32), rng.uniform(-0.15, 0.15), rng.uniform(0, TAU), rng.uniform(0, TAU))
    f = _field(label, size, pose, rng)
    sharpness = rng.uniform(1.5, 4)
    ga = rng.uniform(0, TAU)
    g_amp = [rng.uniform(-25, 25), rng.uniform(-25, 25), rng.uniform(-25, 25)]
    ss = 2
    y, x = np.meshgrid(np.arange(size, dtype=np.float64), np.arange(size, dtype=np.float64), indexing='ij')
    t = 0
    for sy in range(ss):  # the TS sums sub-samples sy-major, sx-minor: same order, same rounding
        for sx in range(ss):
            t = t + np.tanh(sharpness * f(x + (sx + 0.5) / ss, y + (sy + 0.5) / ss))
    w = 0.5 + (0.5 * t) / (ss * ss)
    g = ((x - size / 2) * math.cos(ga) + (y - size / 2) * math.sin(ga)) / size
    out = np.empty((size, size, 3), np.uint8)
    for k in range(3):
        v = a[k] + w * (b[k] - a[k]) + g * g_amp[k]
        out[..., k] = np.clip(np.floor(v + 0.5), 0, 255)  # Math.round, then clamp
    return out


class SyntheticSplit(Split):
    def __init__(self, split, length, size):
        self.split, self.length, self.size = split, length, size
        self.memo = {} if length * size * size * 3 <= MEMO_BUDGET_BYTES else None

    def __len__(self):
        return self.length

    def label(self, i):
        return i % len(CLASSES)

    def read(self, i):
        if not (0 <= i < self.length):
            raise IndexError(f'synthetic {self.split}: index {i} outside [0, {self.length})')
        if self.memo is not None and i in self.memo:
            return self.memo[i]
        img = render(self.label(i), self.size, Rng.derive(DATASET_SEED, self.split, i))
        if self.memo is not None:
            self.memo[i] = img
        return img
