"""Port of src/ml/masking.ts: block-wise (BEiT + CAE's exact count) and random masks, 1 = masked.

Every draw happens in the TypeScript order, so (seed, step, b) gives the same mask in both engines.
Grids are row-major: patch index = row · grid_w + col.
"""
import math
from dataclasses import dataclass

import numpy as np

from .rng import Rng

MIN_ASPECT = 0.3
LOG_ASPECT = (math.log(MIN_ASPECT), math.log(1 / MIN_ASPECT))
ATTEMPTS_PER_BLOCK = 10
MAX_STALLED_CALLS = 100


@dataclass(frozen=True)
class MaskSpec:
    kind: str  # 'block' | 'random'
    grid_h: int
    grid_w: int
    count: int  # masked patches per sample
    min_block: int  # 0 = BEiT's 16 scaled to the grid


@dataclass
class MaskBatch:
    masks: np.ndarray  # [B, N] uint8, 1 = masked
    visible: np.ndarray  # [B, Nv] int64, ascending per sample
    masked: np.ndarray  # [B, Nm] int64, ascending per sample

    @property
    def batch(self):
        return self.masks.shape[0]

    def slice(self, start, count):
        """Samples [start, start + count) (micro-batching keeps each sample's own mask)."""
        end = start + count
        return MaskBatch(self.masks[start:end], self.visible[start:end], self.masked[start:end])


def mask_spec_of(config):
    g = config['data']['imageSize'] // config['model']['patchSize']
    m = config['mask']
    return MaskSpec(m['kind'], g, g, m['count'], m['minBlock'])


def js_round(x):
    """Math.round: halves go up (Python's round() goes to even)."""
    return math.floor(x + 0.5)


def effective_min_block(spec):
    if spec.min_block > 0:
        return spec.min_block
    return max(1, js_round(16 * spec.grid_h * spec.grid_w / 196))


def sample_random_mask(spec, rng):
    n = spec.grid_h * spec.grid_w
    order = rng.shuffle(list(range(n)))
    mask = np.zeros(n, np.uint8)
    mask[order[:spec.count]] = 1
    return mask


def _place_block(mask, gh, gw, min_block, max_patches, rng):
    grid = mask.reshape(gh, gw)
    for _ in range(ATTEMPTS_PER_BLOCK):
        area = rng.uniform(min_block, max_patches)
        aspect = math.exp(rng.uniform(*LOG_ASPECT))
        h = js_round(math.sqrt(area * aspect))
        w = js_round(math.sqrt(area / aspect))
        if not (h < gh and w < gw):
            continue
        top = rng.int(gh - h + 1)
        left = rng.int(gw - w + 1)
        delta = h * w - int(grid[top:top + h, left:left + w].sum())
        if 0 < delta <= max_patches:
            grid[top:top + h, left:left + w] = 1
            return delta
    return 0


def _top_up_cell(mask, gh, gw, rng):
    adjacent, anywhere = [], []
    for i in range(gh):
        for j in range(gw):
            p = i * gw + j
            if mask[p]:
                continue
            anywhere.append(p)
            if (i > 0 and mask[p - gw]) or (i < gh - 1 and mask[p + gw]) or (j > 0 and mask[p - 1]) or (j < gw - 1 and mask[p + 1]):
                adjacent.append(p)
    pool = adjacent or anywhere
    mask[pool[rng.int(len(pool))]] = 1


def sample_block_mask(spec, rng):
    gh, gw, count = spec.grid_h, spec.grid_w, spec.count
    min_block = effective_min_block(spec)
    mask = np.zeros(gh * gw, np.uint8)
    masked = 0
    stalled = 0 if gh > 1 and gw > 1 else MAX_STALLED_CALLS
    while masked < count and stalled < MAX_STALLED_CALLS:
        delta = _place_block(mask, gh, gw, min_block, count - masked, rng)
        masked += delta
        stalled = 0 if delta > 0 else stalled + 1
    for _ in range(count - masked):
        _top_up_cell(mask, gh, gw, rng)
    return mask


def sample_mask(spec, rng):
    return sample_block_mask(spec, rng) if spec.kind == 'block' else sample_random_mask(spec, rng)


def _batch_of(masks):
    masks = np.stack(masks)
    order = np.argsort(masks, axis=1, kind='stable')  # visible (0) first, each group ascending
    nm = int(masks[0].sum())
    return MaskBatch(masks, order[:, :masks.shape[1] - nm].astype(np.int64), order[:, masks.shape[1] - nm:].astype(np.int64))


def generate_masks(spec, batch, seed, step, start=0):
    """Masks of samples [start, start + batch) at a training step; sample b uses Rng.derive(seed, 'mask', step, b)."""
    return _batch_of([sample_mask(spec, Rng.derive(seed, 'mask', step, b)) for b in range(start, start + batch)])


def sample_masks(config, count):
    """The fixed sample batch's masks: image b from Rng.derive(seed, 'sample-mask', b) (src/diagnostics/sample-batch.ts)."""
    spec = mask_spec_of(config)
    return _batch_of([sample_mask(spec, Rng.derive(config['train']['seed'], 'sample-mask', b)) for b in range(count)])
