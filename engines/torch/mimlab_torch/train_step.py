"""One optimizer step (src/ml/train-step.ts): forward/backward per micro-batch (gradients averaged), global-norm
clipping, a finite check (no update when the loss or gradient is not finite), AdamW, the teacher update.
Numbers are read once per step. Under DDP `losses_fn` is the DistributedDataParallel wrapper: gradients are
all-reduced during the last micro-batch's backward (no_sync before it), so every rank clips the same global
gradient, and the loss parts are averaged across ranks (`reduce`) before the finite check, so all ranks agree."""
import contextlib
import math

import torch

from .optimizer_choice import adamw_choice, adamw_keywords


def adamw(model, config):
    """torch's AdamW, decoupled decay on weights of rank ≥ 2 only, eps 1e-8 as the TS engine; fused on CUDA where
    torch has it (optimizer_choice.py; `opt.implementation` says which)."""
    t = config['train']
    params = [p for m in model.trainable().values() for p in m.parameters()]
    groups = [{'params': [p for p in params if p.dim() >= 2], 'weight_decay': t['weightDecay']},
              {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0}]
    implementation, extra = adamw_choice(torch.__version__, params[0].device.type, adamw_keywords())
    opt = torch.optim.AdamW(groups, lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=1e-8, **extra)
    opt.implementation = implementation
    return opt, params


def train_step(model, opt, params, micro, lr, clip, compute, losses_fn, reduce=lambda values: values, teacher_momentum=None):
    """→ dict(loss, main, align, latent_std, target_var, pred_var, grad_norm, finite); loss parts are means over
    micro-batches and ranks. `teacher_momentum`: this step's value of the teacher schedule (default: the spec's)."""
    for g in opt.param_groups:
        g['lr'] = lr
    opt.zero_grad(set_to_none=True)
    k = len(micro)
    parts = []
    for i, inp in enumerate(micro):
        accumulate = losses_fn.no_sync() if i < k - 1 and hasattr(losses_fn, 'no_sync') else contextlib.nullcontext()
        with accumulate:
            with compute.autocast():
                loss, *signals = losses_fn(inp)
            (loss / k).backward()
        parts.append(torch.stack([v.detach().float() for v in (loss, *signals)]))
    norm = torch.nn.utils.clip_grad_norm_(params, clip if clip > 0 else float('inf'))
    loss, main, align, std, target_var, pred_var = reduce(torch.stack(parts).mean(0).tolist())
    grad_norm = float(norm)
    finite = all(math.isfinite(x) for x in (loss, main, align, grad_norm))
    if finite:
        opt.step()
        model.after_step(teacher_momentum)
    cae = model.spec.algorithm == 'cae'
    return {'loss': loss, 'main': main, 'align': align if cae else None, 'latent_std': std if cae else None,
            'target_var': target_var if cae else None, 'pred_var': pred_var if cae else None, 'grad_norm': grad_norm, 'finite': finite}
