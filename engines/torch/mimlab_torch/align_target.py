"""What the CAE regressor's output is aligned with, and how (src/ml/align-target.ts, issue 18). Applied to the
teacher's latents of the masked patches, without gradient.
- raw: the teacher's final-LayerNorm'd latents (CAE).
- layernorm: a parameter-free LayerNorm over features of those latents (I-JEPA's F.layer_norm(h, (D,))).
- instancenorm-topk: each of the last K teacher blocks' outputs (the residual stream, before the final norm),
  instance-normalised per sample and channel over that sample's masked tokens, then averaged over the K blocks
  (data2vec). CAE's teacher sees only the masked patches, so the statistics are over those.
The loss is mse (CAE) or smooth-l1 (F.smooth_l1_loss, mean over elements; beta 0 = L1)."""
from dataclasses import dataclass

import torch.nn.functional as F

TARGETS = ('raw', 'layernorm', 'instancenorm-topk')
LOSSES = ('mse', 'smooth-l1')
NORM_EPS = 1e-5  # PyTorch's default eps of F.layer_norm and F.instance_norm, as the TS


@dataclass(frozen=True)
class AlignSpec:
    target: str = 'raw'
    top_k: int = 0  # instancenorm-topk: blocks averaged, counted from the last; 0 = all
    loss: str = 'mse'
    beta: float = 1.0  # smooth-l1 threshold (0 = L1)


def align_spec_of(config):
    """loss.align*; configs from before them are the paper's CAE alignment (raw, mse)."""
    l = config['loss']
    return AlignSpec(l.get('alignTarget', 'raw'), l.get('alignTopK', 0), l.get('alignLoss', 'mse'), l.get('alignBeta', 1))


def needs_block_outputs(spec):
    return spec.target == 'instancenorm-topk'


def align_target(spec, final, blocks):
    """final: the teacher's latents [B, Nm, D]; blocks: its per-block outputs of the same tokens [B, Nm, D], first block
    first (read by instancenorm-topk only) → the target [B, Nm, D]."""
    if spec.target == 'raw':
        return final
    if spec.target == 'layernorm':
        return F.layer_norm(final, final.shape[-1:], eps=NORM_EPS)
    k = spec.top_k if spec.top_k > 0 else len(blocks)
    if not 1 <= k <= len(blocks):
        raise ValueError(f"loss.alignTopK ({spec.top_k}) must be in [0, {len(blocks)}] (the teacher's blocks)")
    # F.instance_norm normalises [B, C, L] over L: channels D, the Nm tokens as the length.
    normed = [F.instance_norm(b.transpose(1, 2), eps=NORM_EPS).transpose(1, 2) for b in blocks[-k:]]
    return normed[0] if k == 1 else sum(normed[1:], normed[0]) / k


def align_loss(spec, pred, target):
    if spec.loss == 'mse':
        return ((pred - target) ** 2).mean()
    return F.smooth_l1_loss(pred, target, beta=spec.beta)
