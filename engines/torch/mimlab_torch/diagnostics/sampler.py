"""The training-time sampler (src/diagnostics/sampler.ts, sample-step.ts, eval-forward.ts): before the first step,
every `sample.every` steps, at the last step and when stopped, the fixed sample batch's reconstructions and
attention maps go to samples/<step>/ (same files and sample.json as the TF.js engine) and a `sample` event is sent.
It only reads the model (no drop path, no gradient, no random draws), so training is unchanged; a failure is
logged as a warning and never stops the run."""
import json
import os
import re
import shutil
import time

import torch

from ..data.loader import load_centre
from ..masking import sample_masks
from ..inputs import build_inputs
from ..rng import Rng
from .display import (TILE_PAD, attention_overlay, choose_query, compose_views, display_scale, head_rows, rounded,
                      to_grid_order)
from .png import encode_png, image_grid, upscale

MANIFEST = 'sample.json'


def sample_indices(test_length, count, seed):
    order = Rng.derive(seed, 'sample-indices').shuffle(list(range(test_length)))
    return sorted(order[:min(count, test_length)])


def is_sample_step(step, config):
    every = config['sample']['every']
    return every > 0 and (step % every == 0 or step == config['train']['steps'])


@torch.no_grad()
def eval_forward(model, inp, queries):
    """Predictions [B, Nm, P], encoder-only decode (CAE), cls rows per encoder layer [B, H, 1+N], regressor query rows."""
    enc_cap, reg_cap = [], []
    all_tokens = model.encode_all(inp, enc_cap)
    cls = [p[:, :, 0].float().cpu().numpy() for p in enc_cap]
    if model.spec.algorithm == 'mae':
        return model.decode(model.encode_visible(inp), inp).float().cpu().numpy(), None, cls, []
    pred = model.decode(model.regress(model.encode_visible(inp), inp, reg_cap), inp)
    nv = inp.vis_idx.shape[1]
    enc_dec = model.decode(all_tokens[:, 1 + nv:], inp)  # encoder outputs at the masked positions, regressor removed
    q = torch.as_tensor(queries, device=pred.device)
    reg = [p[torch.arange(p.shape[0], device=p.device), :, q].float().cpu().numpy() for p in reg_cap]
    return pred.float().cpu().numpy(), enc_dec.float().cpu().numpy(), cls, reg


def compute_sample(model, batch, step):
    """→ (manifest, {file name: bytes or str})."""
    spec = model.spec
    side, masks = spec.grid, batch['masks']
    b = masks.batch
    device = next(model.parameters()).device
    inp = build_inputs(spec, torch.from_numpy(batch['images']), masks, device=device)
    queries = [choose_query(masks.masked[i], side) for i in range(b)]
    pred, enc_dec, cls, reg = eval_forward(model, inp, queries)
    scale = display_scale(spec.image_size)
    views, images = compose_views(batch['images'], spec.patch_size, masks.masked, pred, enc_dec, spec.norm_pix, batch['norm'])
    files = {}

    def png(name, img):
        files[name] = encode_png(img)
        return name

    png('reconstruction.png', image_grid([images[v][i] for i in range(b) for v in range(len(views))], len(views), 0))
    strips = [png(f'strip-{i}.png', image_grid([upscale(images[v][i], scale) for v in range(len(views))], len(views), TILE_PAD)) for i in range(b)]
    keys = [list(masks.visible[i]) + list(masks.masked[i]) for i in range(b)]
    originals = images[0]

    def overlay_row(rows, outline=None):
        return image_grid([attention_overlay(originals[i], r, side, scale, None if outline is None else outline[i]) for i, r in enumerate(rows)], b, TILE_PAD)

    heads = spec.heads
    enc_rows = [[[to_grid_order(r, keys[i]) for r in hs] for hs in layers] for i, layers in enumerate(head_rows(cls, heads))]
    enc_maps = []
    for layer in range(spec.depth):
        for h in range(heads + 1):
            head = 'avg' if h == heads else h
            enc_maps.append({'layer': layer, 'head': head, 'png': png(f'attn-l{layer}-h{head}.png', overlay_row([im[layer][h] for im in enc_rows]))})
    files['encoder-attention.json'] = json.dumps([[[rounded(r) for r in hs] for hs in im] for im in enc_rows], separators=(',', ':'))
    regressor = None
    if reg:
        reg_tok = [[hs[heads] for hs in layers] for layers in head_rows(reg, heads)]
        reg_rows = [[to_grid_order(r, keys[i]) for r in layers] for i, layers in enumerate(reg_tok)]
        query = [int(masks.masked[i][q]) for i, q in enumerate(queries)]
        maps = [{'layer': layer, 'head': 'avg', 'png': png(f'regressor-l{layer}-havg.png', overlay_row([im[layer] for im in reg_rows], query))}
                for layer in range(len(reg))]
        files['regressor-attention.json'] = json.dumps([[rounded(r) for r in layers] for layers in reg_tok], separators=(',', ':'))
        regressor = {'query': query, 'data': 'regressor-attention.json', 'keys': [[int(k) for k in ks] for ks in keys], 'maps': maps}
    manifest = {
        'step': step, 'algorithm': spec.algorithm, 'imageSize': spec.image_size, 'patchSize': spec.patch_size, 'grid': [side, side],
        'indices': batch['indices'], 'labels': batch['labels'], 'views': views, 'reconstruction': 'reconstruction.png', 'strips': strips,
        'masked': [[int(p) for p in masks.masked[i]] for i in range(b)], 'display': {'scale': scale, 'pad': TILE_PAD},
        'encoderAttention': {'layers': spec.depth, 'heads': heads, 'data': 'encoder-attention.json', 'maps': enc_maps},
        'regressorAttention': regressor,
    }
    return manifest, files


def publish_dir(dest, files):
    """Writes the files (manifest last) into a hidden sibling folder, then renames it over `dest`."""
    parent, name = os.path.dirname(dest), os.path.basename(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f'.tmp-{name}-{os.getpid()}')
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp)
    for file, data in files.items():
        with open(os.path.join(tmp, file), 'wb') as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
    if os.path.exists(dest):
        old = os.path.join(parent, f'.old-{name}-{os.getpid()}')
        shutil.rmtree(old, ignore_errors=True)
        os.rename(dest, old)
        os.rename(tmp, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, dest)


class Sampler:
    def __init__(self, config, dataset, norm, run, reporter, log):
        self.config, self.dataset, self.norm, self.run, self.reporter, self.log = config, dataset, norm, run, reporter, log
        self.batch, self.last = None, -1

    def _load(self):
        root = self.run.path('samples')
        if os.path.isdir(root):
            for n in os.listdir(root):
                if re.match(r'^\.(tmp|old)-', n):
                    shutil.rmtree(os.path.join(root, n), ignore_errors=True)
        c = self.config
        idx = sample_indices(len(self.dataset.test), c['sample']['count'], c['train']['seed'])
        images, labels, used = load_centre(self.dataset.test, idx, c['data']['imageSize'], c['data']['channels'], self.norm['mean'], self.norm['std'])
        return {'images': images, 'labels': [int(x) for x in labels], 'indices': [int(x) for x in used],
                'masks': sample_masks(c, len(idx)), 'norm': {'mean': list(self.norm['mean']), 'std': list(self.norm['std'])}}

    def at(self, step, model, moment):
        """moment: 'start' (a fresh run, step 0), 'step' (after each step) or 'stop'."""
        due = is_sample_step(step, self.config) if moment == 'step' else (moment == 'start' or step != self.last)
        if self.config['sample']['every'] <= 0 or not due:
            return
        self.last = step
        try:
            t0 = time.perf_counter()
            if self.batch is None:
                self.batch = self._load()
            manifest, files = compute_sample(model, self.batch, step)
            manifest['elapsedMs'] = round((time.perf_counter() - t0) * 1000)
            files[MANIFEST] = json.dumps(manifest, indent=2) + '\n'
            publish_dir(os.path.join(self.run.path('samples'), f'{step:06d}'), files)
            self.reporter.emit({'type': 'sample', 'sample': {'step': step, 'dir': f'samples/{step:06d}', 'files': list(files)}})
        except Exception as e:  # noqa: BLE001 - diagnostics must never cost a run
            self.log('warn', f'sampling at step {step} failed: {type(e).__name__}: {e}')
