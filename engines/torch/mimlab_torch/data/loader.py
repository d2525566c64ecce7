"""Training batches with the semantics of src/data/pipeline.ts: batch `step` is a pure function of (seed, step).

The data order is a per-epoch permutation from Rng.derive(seed, purpose, 'order', epoch); item j of step s is
augmented with Rng.derive(seed, purpose, 'aug', s, j); an unreadable item is replaced by the next readable one.
So a resumed run sees exactly the batches it would have seen. `StepSampler` says which items a step holds and,
for data parallelism, which of them this rank loads; image folders decode on DataLoader worker processes.
"""
import os

import numpy as np
import torch

from ..masking import generate_masks, mask_spec_of
from ..rng import Rng
from .transforms import augmented_view, centre_view, normalise
from .types import CorruptImage, DatasetError

MAX_CONSECUTIVE_CORRUPT = 1000


def epoch_of(step, batch_size, length):
    return (step * batch_size) // length


class StepSampler:
    """Positions of the global batch of each step in the infinite sequence of epochs; rank r takes its slice."""

    def __init__(self, length, batch_size, seed, purpose, rank=0, world_size=1):
        if batch_size % world_size:
            raise DatasetError(f'train.batchSize ({batch_size}) must be divisible by the number of processes ({world_size})')
        self.length, self.batch_size, self.seed, self.purpose = length, batch_size, seed, purpose
        self.rank, self.world_size = rank, world_size
        self.orders = {}

    def order(self, epoch):
        perm = self.orders.get(epoch)
        if perm is None:
            perm = Rng.derive(self.seed, self.purpose, 'order', epoch).shuffle(list(range(self.length)))
            if len(self.orders) >= 3:  # a batch spans at most two epochs
                self.orders.pop(next(iter(self.orders)))
            self.orders[epoch] = perm
        return perm

    def index_at(self, pos):
        return self.order(pos // self.length)[pos % self.length]

    def items(self, step):
        """[(step, j, dataset index)] of this rank's share of batch `step` (j: slot in the global batch)."""
        per = self.batch_size // self.world_size
        return [(step, j, self.index_at(step * self.batch_size + j)) for j in range(self.rank * per, (self.rank + 1) * per)]


def read_valid(split, index, skipped):
    """Item `index` or the next readable one; `skipped` (dict index → file) collects the unreadable ones."""
    tries = min(len(split), MAX_CONSECUTIVE_CORRUPT)
    for t in range(tries):
        i = (index + t) % len(split)
        if i in skipped:
            continue
        try:
            return split.read(i), i
        except CorruptImage as e:
            skipped[i] = e.file
    raise DatasetError(f'{tries} consecutive unreadable images from index {index}; first: {next(iter(skipped.values()), "?")}')


class ViewItems(torch.utils.data.Dataset):
    """Item (step, j, index) → the normalised training view [S, S, C], its label, the index used, new skips, step, j."""

    def __init__(self, split, size, channels, mean, std, seed, purpose, augment):
        self.split, self.size, self.channels, self.mean, self.std = split, size, channels, mean, std
        self.seed, self.purpose, self.augment = seed, purpose, augment
        self.skipped = {}

    def __len__(self):
        return len(self.split)

    def __getitem__(self, item):
        step, j, index = item
        before = dict(self.skipped)
        img, used = read_valid(self.split, index, self.skipped)
        if self.augment:
            view = augmented_view(img, self.size, self.channels, self.augment['cropScale'], self.augment['hflip'],
                                  Rng.derive(self.seed, self.purpose, 'aug', step, j))
        else:
            view = centre_view(img, self.size, self.channels)
        new = {k: v for k, v in self.skipped.items() if k not in before}
        return torch.from_numpy(normalise(view, self.mean, self.std)), self.split.label(used), used, new, step, j


class _Collate:
    """Stacks a step's items and draws their masks (sample j of step s from Rng.derive(seed, 'mask', s, j)), so the
    worker, not the training process, does the CPU-side preparation."""

    def __init__(self, mask_spec, seed):
        self.mask_spec, self.seed = mask_spec, seed

    def __call__(self, items):
        step, first = items[0][4], items[0][5]
        return {
            'images': torch.stack([it[0] for it in items]),  # [B, S, S, C]
            'labels': torch.tensor([it[1] for it in items]),
            'indices': [it[2] for it in items],
            'skipped': {k: v for it in items for k, v in it[3].items()},
            'masks': generate_masks(self.mask_spec, len(items), self.seed, step, start=first),
        }


class _Steps(torch.utils.data.Sampler):
    def __init__(self, sampler, start, end):
        self.sampler, self.start, self.end = sampler, start, end

    def __iter__(self):
        for s in range(self.start, self.end):
            yield self.sampler.items(s)

    def __len__(self):
        return self.end - self.start


def loader_workers(dataset_name):
    """Worker processes prepare the next batches while the model trains: one for in-memory datasets (augmentation
    only), up to 8 for image folders (decoding is the slow part); none on a single core. MIMLAB_LOADER_WORKERS overrides."""
    env = os.environ.get('MIMLAB_LOADER_WORKERS')
    if env is not None:
        return max(0, int(env))
    spare = (os.cpu_count() or 1) - 1
    return max(0, min(8 if dataset_name.startswith('folder:') else 1, spare))


class BatchStream:
    """Batches start … end − 1 in order (prefetched by the DataLoader); next() → dict(images, labels, indices, skipped, masks).
    pin_memory (CUDA): batches arrive page-locked, so build_inputs' non_blocking copy overlaps the host work."""

    def __init__(self, dataset, config, norm, start, end, rank=0, world_size=1, purpose='pretrain', pin_memory=False):
        d, t = config['data'], config['train']
        self.sampler = StepSampler(len(dataset.train), t['batchSize'], t['seed'], purpose, rank, world_size)
        items = ViewItems(dataset.train, d['imageSize'], d['channels'], norm['mean'], norm['std'], t['seed'], purpose,
                          {'cropScale': d['cropScale'], 'hflip': d['hflip']})
        workers = loader_workers(dataset.name)
        extra = {'prefetch_factor': max(1, d['prefetch']), 'persistent_workers': False} if workers > 0 else {}
        self.loader = iter(torch.utils.data.DataLoader(items, batch_sampler=_Steps(self.sampler, start, end), num_workers=workers,
                                                       collate_fn=_Collate(mask_spec_of(config), t['seed']), pin_memory=pin_memory, **extra))
        self.step = start
        self.skipped = {}

    def next(self):
        batch = next(self.loader)
        self.skipped.update(batch['skipped'])
        self.step += 1
        return batch


def load_centre(split, indices, size, channels, mean, std):
    """A fixed list of items in the deterministic centre view → float32 [n, S, S, C], labels, indices used."""
    skipped = {}
    imgs, labels, used = [], [], []
    for i in indices:
        img, u = read_valid(split, i, skipped)
        imgs.append(normalise(centre_view(img, size, channels), mean, std))
        labels.append(split.label(u))
        used.append(u)
    return np.stack(imgs), labels, used
