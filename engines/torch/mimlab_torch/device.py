"""Where and how the engine computes: device (torch.device: auto = CUDA when present; MIMLAB_DEVICE overrides it),
threads, bf16 autocast and torch.compile only when the config asks (train.precision, torch.compile), pinned loader
batches on CUDA."""
import contextlib
import os
import platform

import torch

from .config import torch_option, train_option
from .data.types import BadInput


class Compute:
    def __init__(self, config):
        env = os.environ.get('MIMLAB_DEVICE')
        want, key = (env, 'MIMLAB_DEVICE') if env else (torch_option(config, 'device', 'auto'), 'torch.device')
        if want not in ('auto', 'cpu', 'cuda'):
            raise BadInput(f'{key} must be auto, cpu or cuda, got {want!r}')
        if want == 'cuda' and not torch.cuda.is_available():
            raise BadInput(f'{key}=cuda but torch {torch.__version__} sees no CUDA device: set {key}=auto or cpu, or install a CUDA build of torch')
        cuda = want != 'cpu' and torch.cuda.is_available()
        self.device = torch.device('cuda', int(os.environ.get('LOCAL_RANK', 0))) if cuda else torch.device('cpu')
        self.backend = 'torch-cuda' if cuda else 'torch-cpu'
        # Page-locked loader batches let the host→GPU copy run asynchronously (non_blocking); pointless on CPU.
        self.pin_memory = cuda
        self.precision = train_option(config, 'precision', 'fp32')
        self.compile = bool(torch_option(config, 'compile', False))
        threads = os.environ.get('MIMLAB_TORCH_THREADS')
        if threads:
            torch.set_num_threads(max(1, int(threads)))
        if cuda:
            torch.cuda.set_device(self.device)
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True

    @property
    def device_name(self):
        if self.device.type == 'cuda':
            return torch.cuda.get_device_name(self.device)
        try:
            for line in open('/proc/cpuinfo'):
                if line.startswith('model name'):
                    return f'{line.split(":", 1)[1].strip()} ({torch.get_num_threads()} threads)'
        except OSError:
            pass
        return f'{platform.processor() or "CPU"} ({torch.get_num_threads()} threads)'

    def autocast(self):
        if self.precision == 'bf16':
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def compiled(self, fn):
        return torch.compile(fn) if self.compile else fn

    @property
    def dist_backend(self):
        """The collective backend of a data-parallel job: NCCL between GPUs, gloo between CPU processes."""
        return 'nccl' if self.device.type == 'cuda' else 'gloo'

    def status_fields(self, world_size, opt=None):
        """What status.json records of the compute: device, torch, precision, compile, world size, the AdamW
        implementation (fused / foreach / single-tensor, see optimizer_choice.py) and whether batches are pinned."""
        return {'engine': 'torch', 'backend': self.backend, 'device': self.device_name, 'torchVersion': torch.__version__,
                'precision': self.precision, 'compile': self.compile, 'worldSize': world_size,
                **({'distBackend': self.dist_backend} if world_size > 1 else {}),
                **({'optimizer': f'adamw-{opt.implementation}'} if hasattr(opt, 'implementation') else {}),
                'pinMemory': self.pin_memory}
