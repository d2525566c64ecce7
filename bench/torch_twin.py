#!/usr/bin/env python3
"""PyTorch twin of one MIM Lab training step (CAE or MAE, pixel targets), for `mim-lab bench` and the equivalence tests.

The bench exports the model's spec, its initial weights and one batch of step inputs to a folder; this script loads
them into the torch engine's model (engines/torch/mimlab_torch: the one PyTorch definition, same parameter names and
op order as TF.js), prints the first-step loss (which must match MIM Lab's: proof that it is the same model), then
runs training steps on command — the engine's own step (forward, backward, global-norm clipping, AdamW with decay
on weights of rank ≥ 2, the CAE teacher update) on the fixed batch:

    python3 bench/torch_twin.py --dir DIR [--threads T]      (OPENBLAS_NUM_THREADS is read by OpenBLAS at start)
    stdout: {"event": "ready", "loss": ..., "loss64": ..., "main": ..., "align": ..., "torch": "1.13.1", "threads": T}
    stdin:  "run K"     →  stdout: {"event": "ran", "ms": [K step times]}
    stdin:  "losses K"  →  stdout: {"event": "losses", "rows": [[loss, main, align], … K steps]}  (at the step's lr)
    stdin:  "quit"
Needs only torch and numpy (Debian: apt-get install python3-torch libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'engines', 'torch'))
from mimlab_torch.device import Compute  # noqa: E402
from mimlab_torch.inputs import StepInputs  # noqa: E402
from mimlab_torch.model import ModelSpec, create_model, load_arrays  # noqa: E402
from mimlab_torch.train_step import adamw, train_step  # noqa: E402


def load(dir_):
    with open(os.path.join(dir_, 'spec.json')) as f:
        spec = json.load(f)
    blob = open(os.path.join(dir_, 'arrays.bin'), 'rb').read()
    arrays = {}
    for a in spec['arrays']:
        n = math.prod(a['shape']) if a['shape'] else 1
        arrays[a['name']] = torch.frombuffer(bytearray(blob[a['offset']:a['offset'] + 4 * n]), dtype=torch.float32).reshape(a['shape'])
    return spec, arrays


def model_spec(s):
    e, d, g = s['encoder'], s['decoder'], s['geometry']
    return ModelSpec(
        algorithm=s['algorithm'], image_size=g['imageSize'], patch_size=g['patchSize'], channels=g['channels'], dim=e['dim'],
        depth=e['depth'], heads=e['heads'], mlp_ratio=e['mlpRatio'], layer_scale=e['layerScale'], drop_path=0.0,
        regressor_depth=s['regressorDepth'], decoder_depth=s['decoderDepth'], decoder_dim=d['dim'], decoder_heads=d['heads'],
        decoder_layer_scale=d['layerScale'], align_weight=s['alignWeight'], teacher_momentum=s['teacherMomentum'], norm_pix=False, seed=0)


def build(spec, arrays, dtype=torch.float32):
    """The engine's model with the exported weights, and the exported batch as StepInputs."""
    model = create_model(model_spec(spec)).to(dtype)
    load_arrays(model, {k: v.to(dtype) for k, v in arrays.items() if not k.startswith('input.')}, 'twin export')
    model.pos.copy_(arrays['input.pos'])
    if 'input.decoderPos' in arrays:
        model.decoder_pos.copy_(arrays['input.decoderPos'])
    b, nv, nm = spec['batch'], spec['nVis'], spec['nMask']
    rows = lambda name, n: arrays[f'input.{name}'].to(dtype).reshape(b, n, -1)
    inp = StepInputs(torch.tensor(spec['visIdx']).reshape(b, nv), torch.tensor(spec['maskIdx']).reshape(b, nm),
                     rows('visPatches', nv), rows('maskPatches', nm), rows('target', nm))
    return model, inp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', required=True)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    spec, arrays = load(a.dir)
    model, inp = build(spec, arrays)
    with torch.no_grad():
        first = model.losses(inp)
        exact = build(spec, arrays, torch.float64)  # the same loss in float64: how far each float32 result is from exact
        loss64 = float(exact[0].losses(exact[1]).loss)
        del exact
    print(json.dumps({'event': 'ready', 'loss': float(first.loss), 'loss64': loss64, 'main': float(first.main),
                      'align': None if first.align is None else float(first.align), 'torch': torch.__version__,
                      'threads': torch.get_num_threads(), 'openblasThreads': os.environ.get('OPENBLAS_NUM_THREADS')}), flush=True)
    t = spec['train']
    opt, params = adamw(model, {'train': t})
    compute = Compute({'train': {}})
    step = lambda: train_step(model, opt, params, [inp], t['lr'], t['clipGrad'], compute, model)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'run':
            ms = []
            for _ in range(int(cmd[1])):
                t0 = time.perf_counter()
                step()
                ms.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({'event': 'ran', 'ms': ms}), flush=True)
        elif cmd[0] == 'losses':
            rows = [[r['loss'], r['main'], r['align']] for r in (step() for _ in range(int(cmd[1])))]
            print(json.dumps({'event': 'losses', 'rows': rows}), flush=True)


if __name__ == '__main__':
    main()
