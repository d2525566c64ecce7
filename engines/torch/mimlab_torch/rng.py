"""Port of src/ml/rng.ts: the seeded, splittable PRNG every random choice of a run derives from.

Same arithmetic as the TypeScript (32-bit wrap-around, murmur3 finaliser, mulberry32), so the same
(seed, keys…) gives the same stream in both engines: the same masks, data order, augmentation draws and
initial weights. mulberry32 is a counter generator (state += constant per draw), which lets `stream` draw
many values at once with numpy and still match the one-at-a-time sequence.
"""
import math

import numpy as np

M32 = 0xFFFFFFFF
GOLDEN = 0x6D2B79F5


def _imul(a, b):
    return (a * b) & M32


def mix32(h):
    h &= M32
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h


def hash_key(key):
    if isinstance(key, (int, np.integer)):
        key = int(key)
        # Low and high words mixed separately, as the TS does, so negative keys never alias small positive ones.
        return mix32(mix32((key & M32) ^ 0x9E3779B9) ^ ((key // 2 ** 32) & M32) ^ 0x85EBCA6B)
    h = 0x811C9DC5
    for unit in _utf16_units(key):
        h = _imul(h ^ unit, 0x01000193)
    return mix32(h)


def _utf16_units(s):
    """UTF-16 code units, as JavaScript's charCodeAt sees them."""
    b = s.encode('utf-16-le')
    return [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]


class Rng:
    def __init__(self, seed):
        self.state = int(seed) & M32

    @staticmethod
    def derive(seed, *keys):
        """A generator derived from a seed and a path of keys, e.g. Rng.derive(seed, 'mask', step)."""
        h = mix32(int(seed) & M32)
        for k in keys:
            h = mix32(h ^ hash_key(k))
        return Rng(h)

    def next(self):
        """Uniform in [0, 1) (mulberry32)."""
        self.state = (self.state + GOLDEN) & M32
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next()

    def int(self, n):
        """Integer in [0, n)."""
        return math.floor(self.next() * n)

    def normal(self):
        """Standard normal (Box–Muller), one value per two draws."""
        u = 1 - self.next()
        v = self.next()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def shuffle(self, arr):
        """In-place Fisher–Yates shuffle (a list or a 1-D numpy array)."""
        for i in range(len(arr) - 1, 0, -1):
            j = self.int(i + 1)
            arr[i], arr[j] = arr[j], arr[i]
        return arr

    def stream(self, n):
        """The next n values of next() as float64 numpy, computed at once."""
        k = np.arange(1, n + 1, dtype=np.uint64)
        t = ((self.state + k * GOLDEN) & M32).astype(np.uint32)
        self.state = (self.state + n * GOLDEN) & M32
        t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
        t ^= t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))
        return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296
