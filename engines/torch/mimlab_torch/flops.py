"""Model FLOPs of one training step, counted analytically from the model's shape (the numerator of MFU).

Convention (PaLM's / nanoGPT's MFU accounting, adapted to what each algorithm computes): every matmul of a linear
layer counts 2·m·k·n, attention counts its two products (scores Q·Kᵀ and context P·V, 2·2·Tq·Tk·D per sample and
block, all heads); a trained stage costs its forward three times (forward + the two products of the backward pass);
CAE's teacher runs forward only, on the masked patches, and is counted once. Element-wise work (LayerNorm, GELU,
softmax, the losses, AdamW) is left out. CAE: encoder on 1 + Nv tokens, teacher on 1 + Nm, regressor (queries Nm,
keys/values 1 + Nv + Nm), decoder on Nm. MAE: encoder on 1 + Nv, decoder on 1 + N.

The ×3 rule also charges the patch embedding's input gradient, which autograd never computes (pixels need no
gradient): the count exceeds the executed matmuls by that one term, 2·B·Nv·P·D (`measured_flops` checks this).
The TypeScript bench counts the same way (src/bench/flops.ts).
"""
import math


def _hidden(dim, ratio):
    """The MLP width, as nn.Mlp rounds it."""
    return int(math.floor(dim * ratio + 0.5))


def _self_blocks(batch, tokens, dim, hidden, depth):
    """Pre-LN self-attention blocks: qkv, proj, fc1, fc2 and the two attention products."""
    m = batch * tokens
    linear = 2 * m * dim * (3 * dim + dim + 2 * hidden)
    attention = 2 * 2 * batch * tokens * tokens * dim
    return {'linear': depth * linear, 'attention': depth * attention}


def _add(*parts):
    return {'linear': sum(p['linear'] for p in parts), 'attention': sum(p['attention'] for p in parts)}


def _dense(m, k, n):
    return {'linear': 2 * m * k * n, 'attention': 0}


def stage_flops(spec, batch, n_vis, n_mask):
    """Forward FLOPs per stage: {stage: {'linear', 'attention'}, …} for a batch with n_vis visible, n_mask masked patches."""
    d, p = spec.dim, spec.patch_dim
    hidden = _hidden(d, spec.mlp_ratio)
    encoder = _add(_dense(batch * n_vis, p, d), _self_blocks(batch, 1 + n_vis, d, hidden, spec.depth))
    if spec.algorithm == 'cae':
        nk, mq = 1 + n_vis + n_mask, batch * n_mask
        regressor_block = _add(_dense(mq, d, d), _dense(mq, d, d),  # q, proj
                               _dense(batch * nk, d, d), _dense(batch * nk, d, d),  # k, v
                               _dense(mq, d, hidden), _dense(mq, hidden, d),  # mlp
                               {'linear': 0, 'attention': 2 * 2 * batch * n_mask * nk * d})
        return {
            'encoder': encoder,
            'teacher': _add(_dense(batch * n_mask, p, d), _self_blocks(batch, 1 + n_mask, d, hidden, spec.depth)),
            'regressor': {k: spec.regressor_depth * v for k, v in regressor_block.items()},
            'decoder': _add(_self_blocks(batch, n_mask, d, hidden, spec.decoder_depth), _dense(mq, d, p)),
        }
    dd, n = spec.decoder_dim, 1 + n_vis + n_mask
    decoder = _add(_dense(batch * (1 + n_vis), d, dd), _self_blocks(batch, n, dd, _hidden(dd, spec.mlp_ratio), spec.decoder_depth),
                   _dense(batch * n, dd, p))
    return {'encoder': encoder, 'decoder': decoder}


FORWARD_ONLY = ('teacher',)


def step_flops(spec, batch, n_vis, n_mask):
    """{'forward', 'total', 'stages'}: total = 3 × forward of the trained stages + forward of the teacher."""
    stages = stage_flops(spec, batch, n_vis, n_mask)
    fwd = {name: s['linear'] + s['attention'] for name, s in stages.items()}
    total = sum(f if name in FORWARD_ONLY else 3 * f for name, f in fwd.items())
    return {'forward': sum(fwd.values()), 'total': total, 'stages': stages}


def embedding_input_grad(spec, batch, n_vis):
    """The patch embedding's input-gradient matmul that the ×3 rule counts and autograd skips."""
    return 2 * batch * n_vis * spec.patch_dim * spec.dim


def config_patches(config):
    """(visible, masked) patches per sample of a config: mask.count is exact per sample for every mask kind."""
    g = config['data']['imageSize'] // config['model']['patchSize']
    n_mask = config['mask']['count']
    return g * g - n_mask, n_mask
