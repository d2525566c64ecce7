"""Who this process is in a data-parallel job, read from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK) and
nothing else, and the few collectives the training loop needs (as facebookresearch/mae's util/misc.py).

Only rank 0 writes the run folder and sends events; gradients are averaged by DistributedDataParallel; loss parts
are averaged across ranks before they are logged; a stop is agreed on by all ranks at the top of a step. With one
process every helper is the identity, so the loop has one shape for both.
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

    @property
    def distributed(self):
        return self.size > 1


def current_world():
    return World(int(os.environ.get('RANK', 0)), int(os.environ.get('WORLD_SIZE', 1)), int(os.environ.get('LOCAL_RANK', 0)))


def join(world, backend):
    """Joins torchrun's process group (env:// rendezvous: MASTER_ADDR/PORT set by torchrun)."""
    if world.distributed and not dist.is_initialized():
        dist.init_process_group(backend=backend)


def leave(world):
    if world.distributed and dist.is_initialized():
        dist.destroy_process_group()


def _device():
    return torch.device('cuda', torch.cuda.current_device()) if dist.get_backend() == 'nccl' else torch.device('cpu')


def reduce_mean(values, world):
    """Mean of each float across ranks (loss parts); the identity with one process."""
    if not world.distributed:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=_device())
    dist.all_reduce(t)
    return (t / world.size).tolist()


def any_rank(flag, world):
    """True on every rank when it is true on any (a stop asked of one rank stops all at the same step)."""
    if not world.distributed:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def from_main(value, world):
    """Rank 0's value of a small picklable object on every rank (e.g. the checkpoint step a resume starts from)."""
    if not world.distributed:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def data_parallel(model, world):
    """The model wrapped in DistributedDataParallel (gradient all-reduce during backward), or itself."""
    if not world.distributed:
        return model
    # device_ids=None: the module sits on one device (this rank's GPU, or the CPU).
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=None, broadcast_buffers=False)
