"""CAE and MAE: the one PyTorch definition of MIM Lab's models (the TF.js twin is src/ml/cae.ts, mae.ts, vit.ts).

Tokens are kept per sample in [cls, visible…, masked…] order, each with its own fixed position: attention is
permutation-equivariant, so this equals the papers' spatial order. Parameter names are the TF.js checkpoint's.
Shapes: B batch, Nv visible, Nm masked, N = Nv + Nm patches, P values per patch, D width.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from torch import nn

from .align_target import AlignSpec, align_loss, align_spec_of, align_target, needs_block_outputs
from .nn import Block, CrossBlock, LayerNorm, Linear, initialise, new_param
from .posembed import sincos_2d
from .signals import data_var


@dataclass(frozen=True)
class ModelSpec:
    algorithm: str
    image_size: int
    patch_size: int
    channels: int
    dim: int
    depth: int
    heads: int
    mlp_ratio: float
    layer_scale: float
    drop_path: float
    regressor_depth: int
    decoder_depth: int
    decoder_dim: int  # CAE: = dim
    decoder_heads: int
    decoder_layer_scale: float  # CAE: layer_scale; MAE: 0
    align_weight: float
    teacher_momentum: float
    norm_pix: bool
    seed: int
    align: AlignSpec = AlignSpec()  # CAE: the alignment target and loss (paper: raw latents, MSE)

    @property
    def grid(self):
        return self.image_size // self.patch_size

    @property
    def patch_dim(self):
        return self.patch_size * self.patch_size * self.channels


def spec_from_config(c):
    m, cae = c['model'], c['algorithm'] == 'cae'
    return ModelSpec(
        algorithm=c['algorithm'], image_size=c['data']['imageSize'], patch_size=m['patchSize'], channels=c['data']['channels'],
        dim=m['dim'], depth=m['depth'], heads=m['heads'], mlp_ratio=m['mlpRatio'], layer_scale=m['layerScale'], drop_path=m['dropPath'],
        regressor_depth=m['regressorDepth'], decoder_depth=m['decoderDepth'],
        decoder_dim=m['dim'] if cae else m['decoderDim'], decoder_heads=m['heads'] if cae else m['decoderHeads'],
        decoder_layer_scale=m['layerScale'] if cae else 0.0, align_weight=c['loss']['alignWeight'],
        teacher_momentum=c['teacher']['momentum'], norm_pix=c['loss']['normPix'], seed=c['train']['seed'],
        align=align_spec_of(c))


def _pick(table, idx):
    """Position rows of a fixed table [N, D] per sample: idx [B, n] → [B, n, D]."""
    return table[idx]


# ---- the models ---------------------------------------------------------------------------------------------

class Encoder(nn.Module):
    """ViT (timm forward_features): patch embedding + fixed positions, a cls token, pre-LN blocks, final LayerNorm."""

    def __init__(self, s):
        super().__init__()
        self.patchEmbed = Linear(s.patch_dim, s.dim)
        self.patchEmbed.w.init = ('xavierUniform',)
        new_param(self, 'cls', (s.dim,), ('truncNormal', 0.02))
        self.blocks = nn.ModuleList(Block(s.dim, s.heads, s.mlp_ratio, s.layer_scale, i + 1) for i in range(s.depth))
        self.norm = LayerNorm(s.dim)

    def forward(self, patches, pos, keep=None, capture=None, blocks=None):
        """patches [B, n, P], pos [B, n, D] → [B, 1 + n, D] (cls first; its position is zero). `blocks` collects each
        block's output [B, 1 + n, D] (the residual stream, before the final norm)."""
        tokens = self.patchEmbed(patches) + pos
        x = torch.cat([self.cls.expand(tokens.shape[0], 1, -1), tokens], 1)
        for i, blk in enumerate(self.blocks):
            x = blk(x, keep[i] if keep else None, capture)
            if blocks is not None:
                blocks.append(x)
        return self.norm(x)


@dataclass
class Losses:
    loss: torch.Tensor
    main: torch.Tensor
    align: Optional[torch.Tensor]
    latent_std: Optional[torch.Tensor]
    target_var: Optional[torch.Tensor] = None  # data2vec's target_var / pred_var (CAE), no gradient
    pred_var: Optional[torch.Tensor] = None


class MimModel(nn.Module):
    """What the trainer needs of either algorithm: stores (checkpoint sections), losses, the post-step update."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.register_buffer('pos', torch.from_numpy(sincos_2d(spec.dim, spec.grid, spec.grid)), persistent=False)

    def stores(self):
        return {name: getattr(self, name) for name in self.store_names}

    def trainable(self):
        return {name: getattr(self, name) for name in self.store_names if name != 'teacher'}

    def encode_visible(self, inp, capture=None):
        keep = inp.keep['encoder'] if inp.keep else None
        return self.encoder(inp.vis_patches, _pick(self.pos, inp.vis_idx), keep, capture)

    def encode_all(self, inp, capture=None):
        """Encoder over all N patches in [visible…, masked…] order (+cls) → [B, 1 + N, D]; no drop path."""
        patches = torch.cat([inp.vis_patches, inp.mask_patches], 1)
        pos = torch.cat([_pick(self.pos, inp.vis_idx), _pick(self.pos, inp.mask_idx)], 1)
        return self.encoder(patches, pos, None, capture)

    def forward(self, inp):
        """The losses as a tuple of tensors (loss, main, then align, latent_std, target_var, pred_var or 0): what
        torch.compile traces."""
        r = self.losses(inp)
        zero = r.loss.new_zeros(())
        return (r.loss, r.main, *(zero if v is None else v for v in (r.align, r.latent_std, r.target_var, r.pred_var)))

    @torch.no_grad()
    def after_step(self, momentum=None):
        pass


class Cae(MimModel):
    store_names = ('encoder', 'regressor', 'decoder', 'teacher')

    def __init__(self, s):
        super().__init__(s)
        self.encoder = Encoder(s)
        self.teacher = Encoder(s).requires_grad_(False)
        self.regressor = nn.Module()
        new_param(self.regressor, 'maskToken', (s.dim,), ('truncNormal', 0.02))
        self.regressor.blocks = nn.ModuleList(CrossBlock(s.dim, s.heads, s.mlp_ratio, s.layer_scale, i + 1) for i in range(s.regressor_depth))
        self.regressor.norm = LayerNorm(s.dim)
        self.decoder = nn.Module()
        self.decoder.blocks = nn.ModuleList(Block(s.dim, s.heads, s.mlp_ratio, s.decoder_layer_scale, i + 1) for i in range(s.decoder_depth))
        self.decoder.norm = LayerNorm(s.dim)
        self.decoder.head = Linear(s.dim, s.patch_dim)
        initialise(self.stores(), s.seed)
        self.teacher.load_state_dict(self.encoder.state_dict())  # θ_t starts as θ_e

    # ---- teacher: masked patches only (+cls), no gradient → latents and alignment target [B, Nm, D] ----------
    @torch.no_grad()
    def teacher_forward(self, inp):
        """The teacher's raw latents of the masked patches and the alignment target made from them (see align_target.py)."""
        blocks = [] if needs_block_outputs(self.spec.align) else None
        latent = self.teacher(inp.mask_patches, _pick(self.pos, inp.mask_idx), blocks=blocks)[:, 1:]
        return latent, align_target(self.spec.align, latent, [b[:, 1:] for b in blocks or []])

    # ---- latent contextual regressor: z_v → latent_pred [B, Nm, D] (LayerNorm'd) ----------------------------
    def regress(self, zv, inp, capture=None):
        b, d = inp.batch, self.spec.dim
        pos_q = _pick(self.pos, inp.mask_idx)
        pos_k = torch.cat([zv.new_zeros(b, 1, d), _pick(self.pos, inp.vis_idx), pos_q], 1)  # cls, visible, masked
        xq = self.regressor.maskToken.expand(b, pos_q.shape[1], d)
        keep = inp.keep['regressor'] if inp.keep else None
        for i, blk in enumerate(self.regressor.blocks):
            xkv = torch.cat([zv, xq], 1)  # keys/values: visible latents and the current queries
            xq = blk(xq, pos_q, xkv, pos_k, keep[i] if keep else None, capture)
        return self.regressor.norm(xq)

    # ---- decoder: latents of the masked patches (+positions) → per-patch prediction [B, Nm, P] --------------
    def decode(self, latent, inp):
        x = latent + _pick(self.pos, inp.mask_idx)
        for blk in self.decoder.blocks:
            x = blk(x)
        return self.decoder.head(self.decoder.norm(x))

    def losses(self, inp):
        latent, target = self.teacher_forward(inp)
        latent_std = latent.reshape(-1, latent.shape[-1]).var(0, unbiased=False).sqrt().mean()  # of the raw latents, whatever the target
        latent_pred = self.regress(self.encode_visible(inp), inp)
        main = ((self.decode(latent_pred, inp) - inp.target) ** 2).mean()
        align = align_loss(self.spec.align, latent_pred, target)
        # With λ = 0 the alignment term stays out of the graph (logged, no gradient), as in the TS.
        loss = main + align * self.spec.align_weight if self.spec.align_weight > 0 else main
        return Losses(loss, main, align, latent_std, data_var(target), data_var(latent_pred))

    @torch.no_grad()
    def after_step(self, momentum=None):
        """θ_t ← m·θ_t + (1−m)·θ_e (m = 0: a copy of the encoder); m from the teacher schedule when given."""
        m = self.spec.teacher_momentum if momentum is None else momentum
        for t, e in zip(self.teacher.parameters(), self.encoder.parameters()):
            if m == 0:
                t.copy_(e)
            else:
                t.mul_(m).add_(e, alpha=1 - m)


class Mae(MimModel):
    store_names = ('encoder', 'decoder')

    def __init__(self, s):
        super().__init__(s)
        self.register_buffer('decoder_pos', torch.from_numpy(sincos_2d(s.decoder_dim, s.grid, s.grid)), persistent=False)
        self.encoder = Encoder(s)
        self.decoder = nn.Module()
        self.decoder.embed = Linear(s.dim, s.decoder_dim)
        new_param(self.decoder, 'maskToken', (s.decoder_dim,), ('truncNormal', 0.02))
        self.decoder.blocks = nn.ModuleList(Block(s.decoder_dim, s.decoder_heads, s.mlp_ratio, 0.0, i + 1) for i in range(s.decoder_depth))
        self.decoder.norm = LayerNorm(s.decoder_dim)
        self.decoder.pred = Linear(s.decoder_dim, s.patch_dim)
        initialise(self.stores(), s.seed)

    def decode(self, zv, inp):
        """Encoder output [B, 1 + Nv, D] → prediction for the masked patches [B, Nm, P]."""
        b, nv = inp.batch, inp.vis_idx.shape[1]
        dd = self.spec.decoder_dim
        pos_vis = torch.cat([zv.new_zeros(b, 1, dd), _pick(self.decoder_pos, inp.vis_idx)], 1)
        masked = self.decoder.maskToken + _pick(self.decoder_pos, inp.mask_idx)
        x = torch.cat([self.decoder.embed(zv) + pos_vis, masked], 1)
        for blk in self.decoder.blocks:
            x = blk(x)
        return self.decoder.pred(self.decoder.norm(x))[:, 1 + nv:]

    def losses(self, inp):
        main = ((self.decode(self.encode_visible(inp), inp) - inp.target) ** 2).mean()
        return Losses(main, main, None, None)


def create_model(spec):
    if spec.algorithm == 'cae':
        return Cae(spec)
    if spec.algorithm == 'mae':
        return Mae(spec)
    raise ValueError(f'algorithm must be cae or mae, got {spec.algorithm}')


def named_arrays(model):
    """Every parameter as {'<store>.<name>': tensor}, the checkpoint naming."""
    return {f'{store}.{n}': p for store, m in model.stores().items() for n, p in m.named_parameters()}


@torch.no_grad()
def load_arrays(model, arrays, what):
    """Assigns saved arrays; every parameter must be present with the model's shape (errors name the array)."""
    for name, p in named_arrays(model).items():
        a = arrays.get(name)
        if a is None:
            raise KeyError(f'{what}: missing parameter {name}')
        if tuple(a.shape) != tuple(p.shape):
            raise ValueError(f'{what}: parameter {name} has shape {list(a.shape)} but the model expects {list(p.shape)}')
        p.copy_(torch.as_tensor(np.asarray(a)) if not isinstance(a, torch.Tensor) else a)
