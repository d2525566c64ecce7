"""Transformer layers with the TF.js engine's parameter names and op order (src/ml/blocks.ts, layers.ts).

Parameters are named as the TF.js ParamStore names them (`blocks.0.attn.qkv.w`, dense weights [in, out], LayerNorm
`g`/`b`), so `named_parameters()` of a model is the checkpoint's naming. Each parameter records its initialiser;
`initialise` fills them from the run seed exactly as the TS ParamStore does (same Rng streams).
Activations are [B, T, C] (batch, tokens, channels).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .rng import Rng

LINEAR_STD = 0.02
SDPA = getattr(F, 'scaled_dot_product_attention', None)  # torch ≥ 2.0


def new_param(module, name, shape, init):
    p = nn.Parameter(torch.zeros(shape))
    p.init = init
    module.register_parameter(name, p)
    return p


class Linear(nn.Module):
    def __init__(self, din, dout, bias=True, std=LINEAR_STD):
        super().__init__()
        new_param(self, 'w', (din, dout), ('truncNormal', std))
        if bias:
            new_param(self, 'b', (dout,), ('zeros',))
        else:
            self.b = None

    def forward(self, x):
        y = x @ self.w
        return y + self.b if self.b is not None else y


class LayerNorm(nn.Module):
    """LayerNorm over the last axis, eps 1e-6 (BEiT/CAE/MAE)."""

    def __init__(self, dim):
        super().__init__()
        new_param(self, 'g', (dim,), ('ones',))
        new_param(self, 'b', (dim,), ('zeros',))

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.g, self.b, 1e-6)


def output_std(layer_id):
    """BEiT/CAE rescale of residual output projections by depth (fix_init_weight)."""
    return LINEAR_STD / math.sqrt(2 * layer_id)


class Mlp(nn.Module):
    def __init__(self, dim, ratio, layer_id):
        super().__init__()
        hidden = int(math.floor(dim * ratio + 0.5))
        self.fc1 = Linear(dim, hidden)
        self.fc2 = Linear(hidden, dim, std=output_std(layer_id))

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


def attention(q, k, v, heads, capture=None):
    """Multi-head scaled dot-product attention: q [B, Tq, C], k/v [B, Tk, C] → [B, Tq, C].
    `capture` (a list) receives the probabilities [B, H, Tq, Tk]; without it torch's fused kernel is used when present."""
    b, tq, c = q.shape
    tk, dh = k.shape[1], c // heads
    split = lambda t, n: t.reshape(b, n, heads, dh).transpose(1, 2)  # [B, H, n, dh]
    qh, kh, vh = split(q, tq), split(k, tk), split(v, tk)
    if capture is None and SDPA is not None:
        ctx = SDPA(qh, kh, vh)
    else:
        probs = ((qh * (1 / math.sqrt(dh))) @ kh.transpose(-1, -2)).softmax(-1)
        if capture is not None:
            capture.append(probs)
        ctx = probs @ vh
    return ctx.transpose(1, 2).reshape(b, tq, c)


def residual(x, branch, gamma, keep):
    """x + γ·branch·keep: layer scale γ optional, keep = per-sample drop-path mask [B, 1, 1] (already scaled)."""
    y = branch * gamma if gamma is not None else branch
    if keep is not None:
        y = y * keep
    return x + y


class LayerScaled(nn.Module):
    def _layer_scale(self, dim, value):
        if value > 0:
            new_param(self, 'gamma1', (dim,), ('const', value))
            new_param(self, 'gamma2', (dim,), ('const', value))
        else:
            self.gamma1 = self.gamma2 = None


class Attention(nn.Module):
    def __init__(self, dim, layer_id):
        super().__init__()
        self.qkv = Linear(dim, 3 * dim)
        self.proj = Linear(dim, dim, std=output_std(layer_id))


class Block(LayerScaled):
    """Pre-LN self-attention block (encoder, decoders)."""

    def __init__(self, dim, heads, mlp_ratio, layer_scale, layer_id):
        super().__init__()
        self.heads = heads
        self.norm1 = LayerNorm(dim)
        self.attn = Attention(dim, layer_id)
        self.norm2 = LayerNorm(dim)
        self.mlp = Mlp(dim, mlp_ratio, layer_id)
        self._layer_scale(dim, layer_scale)

    def forward(self, x, keep=None, capture=None):
        q, k, v = self.attn.qkv(self.norm1(x)).chunk(3, dim=-1)
        x = residual(x, self.attn.proj(attention(q, k, v, self.heads, capture)), self.gamma1, keep)
        return residual(x, self.mlp(self.norm2(x)), self.gamma2, keep)


class CrossAttention(nn.Module):
    def __init__(self, dim, layer_id):
        super().__init__()
        self.q = Linear(dim, dim)
        self.k = Linear(dim, dim, bias=False)
        self.v = Linear(dim, dim)
        self.proj = Linear(dim, dim, std=output_std(layer_id))


class CrossBlock(LayerScaled):
    """CAE RegressorBlock: x = xq + γ1·CA(LN(xq+pos_q), LN(xkv+pos_k), LN(xkv)); x = LN(x); x = x + γ2·MLP(x)."""

    def __init__(self, dim, heads, mlp_ratio, layer_scale, layer_id):
        super().__init__()
        self.heads = heads
        self.norm1q, self.norm1k, self.norm1v = LayerNorm(dim), LayerNorm(dim), LayerNorm(dim)
        self.attn = CrossAttention(dim, layer_id)
        self.norm2 = LayerNorm(dim)
        self.mlp = Mlp(dim, mlp_ratio, layer_id)
        self._layer_scale(dim, layer_scale)

    def forward(self, xq, pos_q, xkv, pos_k, keep=None, capture=None):
        q = self.attn.q(self.norm1q(xq + pos_q))
        k = self.attn.k(self.norm1k(xkv + pos_k))
        v = self.attn.v(self.norm1v(xkv))
        x = residual(xq, self.attn.proj(attention(q, k, v, self.heads, capture)), self.gamma1, keep)
        x = self.norm2(x)
        return residual(x, self.mlp(x), self.gamma2, keep)


# ---- initialisation (src/ml/params.ts) ----------------------------------------------------------------------

def _trunc_normal(rng, n, std):
    """The TS draws normals (two uniforms each, Box–Muller) and rejects |z| > 2: the first n accepted, in order."""
    out, have = [], 0
    while have < n:
        start, want = rng.state, max(16, int((n - have) * 1.06) + 16)
        u = rng.stream(2 * want).reshape(want, 2)
        z = np.sqrt(-2 * np.log(1 - u[:, 0])) * np.cos(2 * np.pi * u[:, 1])
        ok = np.nonzero((z >= -2) & (z <= 2))[0][:n - have]
        if have + len(ok) == n:  # leave the stream just after the last pair used
            rng.state = (start + 2 * (int(ok[-1]) + 1) * 0x6D2B79F5) & 0xFFFFFFFF
        out.append(z[ok])
        have += len(ok)
    return np.concatenate(out) * std


def fill(shape, init, rng):
    n = int(np.prod(shape)) if shape else 1
    kind = init[0]
    if kind == 'zeros':
        a = np.zeros(n)
    elif kind == 'ones':
        a = np.ones(n)
    elif kind == 'const':
        a = np.full(n, init[1])
    elif kind == 'truncNormal':
        a = _trunc_normal(rng, n, init[1])
    elif kind == 'xavierUniform':
        bound = math.sqrt(6 / (shape[0] + shape[-1]))
        a = -bound + (2 * bound) * rng.stream(n)
    else:
        raise ValueError(f'unknown initialiser {kind}')
    return torch.from_numpy(a.astype(np.float32).reshape(shape))


@torch.no_grad()
def initialise(stores, seed):
    """Fills every parameter of each named store from Rng.derive(seed, 'init', store, name), as the TS does."""
    for scope, module in stores.items():
        for name, p in module.named_parameters():
            p.copy_(fill(tuple(p.shape), p.init, Rng.derive(seed, 'init', scope, name)))
