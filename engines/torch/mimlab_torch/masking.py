"""Port of src/ml/masking.ts and multiblock.ts: block-wise (BEiT + CAE's exact count), multiblock (I-JEPA's target
blocks, trimmed or topped up to the exact count) and random masks, 1 = masked.

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
    kind: str  # 'block' | 'random' | 'multiblock'
    grid_h: int
    grid_w: int
    count: int  # masked patches per sample
    min_block: int  # 0 = BEiT's 16 scaled to the grid
    # multiblock only (I-JEPA's defaults): target blocks per image, area fraction and aspect (h/w) ranges
    blocks: int = 4
    block_scale: tuple = (0.15, 0.2)
    block_aspect: tuple = (0.75, 1.5)


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
    return MaskSpec(m['kind'], g, g, m['count'], m['minBlock'], m.get('blocks', 4), tuple(m.get('blockScale', (0.15, 0.2))),
                    tuple(m.get('blockAspect', (0.75, 1.5))))


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


def sample_block_size(spec, rng):
    """I-JEPA's _sample_block_size: max_keep = ⌊H·W·scale⌋, h = round(√(max_keep·ar)), w = round(√(max_keep/ar)),
    shrunk until h < H and w < W; at least 1×1. Scale is drawn before aspect, as the TS."""
    gh, gw = spec.grid_h, spec.grid_w
    scale = rng.uniform(*spec.block_scale)
    aspect = rng.uniform(*spec.block_aspect)
    max_keep = math.floor(gh * gw * scale)
    h = js_round(math.sqrt(max_keep * aspect))
    w = js_round(math.sqrt(max_keep / aspect))
    while h >= gh and h > 1:
        h -= 1
    while w >= gw and w > 1:
        w -= 1
    return max(1, h), max(1, w)


def sample_multiblock_mask(spec, rng):
    """One block size per image, `blocks` corners (top, then left); cells set in block order, row-major within a block,
    until `count` are masked (the rest of the union stays visible); a smaller union is topped up next to it."""
    gh, gw, count = spec.grid_h, spec.grid_w, spec.count
    h, w = sample_block_size(spec, rng)
    corners = [(rng.int(gh - h + 1), rng.int(gw - w + 1)) for _ in range(spec.blocks)]
    mask = np.zeros(gh * gw, np.uint8)
    masked = 0
    for top, left in corners:
        for i in range(top, top + h):
            for j in range(left, left + w):
                p = i * gw + j
                if not mask[p] and masked < count:
                    mask[p] = 1
                    masked += 1
    for _ in range(count - masked):
        _top_up_cell(mask, gh, gw, rng)
    return mask


SAMPLERS = {'block': sample_block_mask, 'random': sample_random_mask, 'multiblock': sample_multiblock_mask}


def sample_mask(spec, rng):
    return SAMPLERS[spec.kind](spec, rng)


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
