"""What every dataset reader provides (src/data/types.ts)."""
from dataclasses import dataclass


class BadInput(Exception):
    """Input that makes the job impossible (config, dataset path, checkpoint): exit 2 before any work."""


class DatasetError(BadInput):
    """A dataset that cannot be used at all (missing path, truncated file, …)."""


class CorruptImage(Exception):
    """One unreadable item; the loader skips it, counts it and reports it."""

    def __init__(self, file, reason):
        super().__init__(f'{file}: {reason}')
        self.file = file


class Split:
    """A split of images: read(i) → uint8 [H, W, C] at native size; label(i) → int."""
    length = 0

    def __len__(self):
        return self.length

    def label(self, i):
        raise NotImplementedError

    def read(self, i):
        raise NotImplementedError


@dataclass
class Dataset:
    name: str
    train: Split
    test: Split
    class_names: list
    channels: int
