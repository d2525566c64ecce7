"""Checkpoints `checkpoints/step-NNNNNN/` (format 2, shared with the TF.js engine): `weights.safetensors` (every array,
F32, TF.js names) + `meta.json` (CheckpointMeta without `arrays`, plus `engine`). Written in a temporary folder and
renamed into place, so a kill at any moment never leaves half a checkpoint under a final name. Format 1 (TF.js's
weights.bin + an index in meta.json) is read too, so the torch engine can continue an older TF.js run.
"""
import json
import os
import re
import shutil

import numpy as np
import torch

from . import safetensors_io

FORMAT = 2
WEIGHTS = 'weights.safetensors'


def name_of(step):
    return f'step-{step:06d}'


def _write_json(path, value):
    with open(path, 'w') as f:
        f.write(json.dumps(value, indent=2) + '\n')
        f.flush()
        os.fsync(f.fileno())


def save(root, meta, arrays, keep):
    """Writes step meta['step'] atomically, then keeps only the newest `keep`."""
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, name_of(meta['step']))
    tmp = os.path.join(root, f'.tmp-{name_of(meta["step"])}-{os.getpid()}')
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp)
    safetensors_io.write(os.path.join(tmp, WEIGHTS), arrays)
    _write_json(os.path.join(tmp, 'meta.json'), {**meta, 'format': FORMAT})  # meta last: its presence marks the folder done
    if os.path.exists(final):
        trash = os.path.join(root, f'.old-{name_of(meta["step"])}-{os.getpid()}')
        os.rename(final, trash)
        os.rename(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.rename(tmp, final)
    prune(root, keep)
    return final


def _complete(d):
    try:
        meta = json.load(open(os.path.join(d, 'meta.json')))
        if meta.get('format') == 1:
            floats = sum(a['length'] for a in meta['arrays'])
            return os.path.getsize(os.path.join(d, 'weights.bin')) == 4 * floats
        safetensors_io.read_header(os.path.join(d, WEIGHTS))
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


def list_steps(root):
    """Steps of the complete checkpoints, ascending; leftovers of interrupted writes by other processes are removed."""
    if not os.path.isdir(root):
        return []
    steps = []
    for name in os.listdir(root):
        d = os.path.join(root, name)
        if name.startswith('.tmp-') or name.startswith('.old-'):
            if name.rsplit('-', 1)[-1] != str(os.getpid()):
                shutil.rmtree(d, ignore_errors=True)
            continue
        m = re.fullmatch(r'step-(\d+)', name)
        if m and _complete(d):
            steps.append(int(m.group(1)))
    return sorted(steps)


def prune(root, keep):
    steps = list_steps(root)
    for s in steps[:max(0, len(steps) - keep)]:
        shutil.rmtree(os.path.join(root, name_of(s)), ignore_errors=True)


def load(root, step):
    """(meta, name → float32 tensor) of a complete checkpoint of either format."""
    d = os.path.join(root, name_of(step))
    if not _complete(d):
        raise ValueError(f'checkpoint {d} is missing or incomplete')
    meta = json.load(open(os.path.join(d, 'meta.json')))
    if meta.get('format') == 1:
        flat = np.fromfile(os.path.join(d, 'weights.bin'), '<f4')
        arrays = {a['name']: torch.from_numpy(flat[a['offset']:a['offset'] + a['length']].reshape(a['shape']).copy()) for a in meta['arrays']}
        return meta, arrays
    if meta.get('format') != FORMAT:
        raise ValueError(f'checkpoint {d} has format {meta.get("format")}, expected 1 or {FORMAT}')
    return meta, safetensors_io.read(os.path.join(d, WEIGHTS))
