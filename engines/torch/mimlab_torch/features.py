"""python3 -m mimlab_torch features --job JOB.json: the frozen encoder's features of a checkpoint, computed by this
engine, as the TF.js probes extract them (src/probe/features.ts): centre views normalised with the run's
statistics, all patches visible, the final-LayerNorm'd tokens; `cls` and `mean` (of the patch tokens) pooled, and
all tokens when asked. JOB.json: {"version": 1, "runDir", "checkpoint": step | "latest", "maxTrain", "maxTest",
"tokens": bool}; prints one JSON object {"dim", "tokensPerImage", "train": {"labels", "cls", "mean", "tokens"?},
"test": …} (flat float lists), so a TF.js probe can be run on this engine's features and compared."""
import json

import numpy as np
import torch

from . import checkpoint
from .data.datasets import open_dataset
from .data.loader import load_centre
from .data.stats import resolve_normalisation
from .data.types import BadInput
from .inputs import patchify
from .model import create_model, load_arrays, spec_from_config

BATCH = 256


@torch.no_grad()
def encode_images(model, images):
    """Dataset-normalised centre views NHWC [B, S, S, C] (numpy) → the encoder's tokens [B, 1 + N, D], all patches
    visible, no drop path, on the model's device."""
    device = model.pos.device
    patches = patchify(torch.from_numpy(images).to(device), model.spec.patch_size)  # [B, N, P]
    return model.encoder(patches, model.pos.expand(patches.shape[0], -1, -1))


@torch.no_grad()
def split_features(model, spec, split, limit, norm, config, tokens):
    n = len(split) if limit <= 0 else min(limit, len(split))
    d = config['data']
    out = {'labels': [], 'cls': [], 'mean': [], **({'tokens': []} if tokens else {})}
    for start in range(0, n, BATCH):
        images, labels, _ = load_centre(split, range(start, min(n, start + BATCH)), d['imageSize'], d['channels'], norm['mean'], norm['std'])
        x = encode_images(model, images).cpu()  # [B, 1 + N, D]
        out['labels'] += [int(l) for l in labels]
        out['cls'].append(x[:, 0].numpy())
        out['mean'].append(x[:, 1:].mean(1).numpy())
        if tokens:
            out['tokens'].append(x.numpy())
    return {k: v if k == 'labels' else np.concatenate(v).astype(np.float32).ravel().tolist() for k, v in out.items()}


def features(job):
    run_dir = job.get('runDir')
    try:
        config = json.load(open(f'{run_dir}/config.json'))
    except (OSError, ValueError, TypeError) as e:
        raise BadInput(f'features JOB.json: runDir {run_dir!r} is not a run folder ({e})')
    steps = checkpoint.list_steps(f'{run_dir}/checkpoints')
    want = job.get('checkpoint', 'latest')
    step = steps[-1] if want == 'latest' and steps else want
    if step not in steps:
        raise BadInput(f'features JOB.json: checkpoint {want!r} is not among the complete checkpoints {steps} of {run_dir}')
    _, arrays = checkpoint.load(f'{run_dir}/checkpoints', step)
    spec = spec_from_config(config)
    model = create_model(spec).eval()
    load_arrays(model, arrays, f'checkpoint step {step} of {run_dir}')
    dataset = open_dataset(config)
    norm = resolve_normalisation(config, dataset, run_dir, write=False)
    tokens = bool(job.get('tokens'))
    return {'dim': spec.dim, 'tokensPerImage': spec.grid ** 2 + 1, 'step': step,
            'train': split_features(model, spec, dataset.train, int(job.get('maxTrain', 0)), norm, config, tokens),
            'test': split_features(model, spec, dataset.test, int(job.get('maxTest', 0)), norm, config, tokens)}

