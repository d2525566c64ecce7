"""The tensors of one step (src/ml/inputs.ts): visible/masked patches selected per sample in [visible…, masked…]
order, the pixel targets (norm-pix optional) and the drop-path draws, from a batch of images and its masks."""
from dataclasses import dataclass
from typing import Optional

import torch

from .rng import Rng


@dataclass
class StepInputs:
    vis_idx: torch.Tensor  # [B, Nv] long, ascending
    mask_idx: torch.Tensor  # [B, Nm] long, ascending
    vis_patches: torch.Tensor  # [B, Nv, P]
    mask_patches: torch.Tensor  # [B, Nm, P]
    target: torch.Tensor  # [B, Nm, P] (per-patch normalised with norm-pix)
    keep: Optional[dict] = None  # drop-path keep masks per scope ('encoder', 'regressor'), training only

    @property
    def batch(self):
        return self.vis_idx.shape[0]


def patchify(images, p):
    """NHWC [B, S, S, C] → [B, N, p·p·C], patches row-major, values (row, col, channel) as MAE's patchify."""
    b, s, _, c = images.shape
    g = s // p
    return images.reshape(b, g, p, g, p, c).permute(0, 1, 3, 2, 4, 5).reshape(b, g * g, p * p * c)


def normalise_patches(x):
    """MAE's norm-pix: each patch by its own mean and unbiased variance (eps 1e-6 inside the root)."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=True, keepdim=True) if x.shape[-1] > 1 else torch.zeros_like(mean)
    return (x - mean) / (var + 1e-6).sqrt()


def drop_path_rates(depth, rate):
    return [rate * i / (depth - 1) if depth > 1 else rate for i in range(depth)]


def drop_path_keep(rates, batch, seed, step, scope, first=0):
    """Per-block keep masks [B, 1, 1] scaled by 1/keep-prob, from Rng.derive(seed, 'droppath', step, scope, i) as the TS;
    `first`: the global batch slot of sample 0 (a DDP rank's share takes its own draws of the one stream)."""
    out = []
    for i, rate in enumerate(rates):
        if rate <= 0:
            out.append(None)
            continue
        rng = Rng.derive(seed, 'droppath', step, scope, i)
        draws = [rng.next() for _ in range(first + batch)][first:]
        out.append(torch.tensor([1 / (1 - rate) if d >= rate else 0.0 for d in draws]).reshape(batch, 1, 1))
    return out


def build_inputs(spec, images, masks, drop_step=None, device='cpu', first=0):
    """images NHWC [B, S, S, C] (dataset-normalised) + a MaskBatch → StepInputs; drop_step (seed's step) draws drop path,
    `first` is the global batch slot of images[0] for those draws."""
    patches = patchify(images.to(device, non_blocking=True), spec.patch_size)
    vis_idx = torch.from_numpy(masks.visible).to(device)
    mask_idx = torch.from_numpy(masks.masked).to(device)
    gather = lambda idx: torch.gather(patches, 1, idx[..., None].expand(-1, -1, patches.shape[-1]))
    mask_patches = gather(mask_idx)
    keep = None
    if drop_step is not None and spec.drop_path > 0:
        b = vis_idx.shape[0]
        keep = {scope: [k if k is None else k.to(device) for k in drop_path_keep(drop_path_rates(depth, spec.drop_path), b, spec.seed, drop_step, scope, first)]
                for scope, depth in (('encoder', spec.depth), ('regressor', spec.regressor_depth))}
    return StepInputs(vis_idx, mask_idx, gather(vis_idx), mask_patches, normalise_patches(mask_patches) if spec.norm_pix else mask_patches, keep)


def step_inputs(spec, batch, micro, step, device, first=0):
    """A loader batch (images, masks) → StepInputs per micro-batch of `micro` images; `first`: the global slot of image 0."""
    images, masks = batch['images'], batch['masks']
    return [build_inputs(spec, images[s:s + micro], masks.slice(s, micro), drop_step=step, device=device, first=first)
            for s in range(0, images.shape[0], micro)]
