"""Who this process is in a (future) data-parallel job, read from torchrun's environment and nothing else.

Only rank 0 writes the run folder and sends events; metrics are reduced across ranks before they are logged.
With one process (today) every helper is the identity, so the training loop already has the DDP shape.
"""
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self):
        return self.rank == 0


def current_world():
    return World(int(os.environ.get('RANK', 0)), int(os.environ.get('WORLD_SIZE', 1)), int(os.environ.get('LOCAL_RANK', 0)))


def reduce_mean(values, world):
    """Mean of each float across ranks (loss parts); the identity with one process."""
    if world.size == 1 or not dist.is_initialized():
        return values
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t)
    return (t / world.size).tolist()
