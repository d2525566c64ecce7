"""Per-channel normalisation as src/data/stats.ts: config values, else <runDir>/data-stats.json when it matches
the dataset, else computed from up to 2000 evenly strided train images (centre view) and cached."""
import json
import os

import numpy as np

from .transforms import centre_view
from .types import CorruptImage, DatasetError

STATS_FILE = 'data-stats.json'


def subsample_indices(length, max_n):
    n = min(length, max_n)
    return [(k * length) // n for k in range(n)]


def compute_stats(split, size, channels, max_images=2000):
    total = np.zeros(channels)
    sq = np.zeros(channels)
    pixels = count = 0
    for i in subsample_indices(len(split), max_images):
        try:
            raw = split.read(i)
        except CorruptImage:
            continue
        v = centre_view(raw, size, channels).reshape(-1, channels).astype(np.float64) / 255
        total += v.sum(0)
        sq += (v * v).sum(0)
        pixels += v.shape[0]
        count += 1
    if count == 0:
        raise DatasetError('cannot compute normalisation statistics: no readable train image')
    mean = total / pixels
    sd = np.sqrt(np.maximum(0, sq / pixels - mean ** 2))
    std = np.where(sd < 1e-3, 1.0, sd)  # a constant channel is only centred
    return {'mean': mean.tolist(), 'std': std.tolist(), 'count': count}


def resolve_normalisation(config, dataset, run_dir, write=True):
    """{'mean', 'std', 'source'}; `write` False on ranks that must not touch the run folder."""
    d = config['data']
    mean, std, channels, size = d['mean'], d['std'], d['channels'], d['imageSize']
    if mean or std:
        if len(mean) != channels or len(std) != channels:
            raise DatasetError(f'data.mean and data.std need {channels} values each (data.channels), got {len(mean)} and {len(std)}')
        if any(not s > 0 for s in std):
            raise DatasetError(f'data.std must be positive, got {std}')
        return {'mean': list(mean), 'std': list(std), 'source': 'config'}
    key = {'dataset': dataset.name, 'trainLength': len(dataset.train), 'imageSize': size, 'channels': channels}
    file = os.path.join(run_dir, STATS_FILE)
    try:
        s = json.load(open(file))
        if all(s.get(k) == v for k, v in key.items()) and len(s['mean']) == channels and len(s['std']) == channels:
            return {'mean': s['mean'], 'std': s['std'], 'source': 'cache'}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing, torn or foreign: recompute
    stats = compute_stats(dataset.train, size, channels)
    if write:
        tmp = f'{file}.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            f.write(json.dumps({**key, **stats}, indent=2) + '\n')
        os.replace(tmp, file)
    return {'mean': stats['mean'], 'std': stats['std'], 'source': 'computed'}
