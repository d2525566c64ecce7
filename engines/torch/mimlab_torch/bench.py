"""python3 -m mimlab_torch bench --job JOB.json: the engine's own training step timed on a config, with its model
FLOP utilisation, as `mim-lab bench` shows it (src/bench/torch-engine.ts) and scripts/gpu-check.sh records it.

JOB.json: {"version": 1, "config": <resolved Config>, "steps": N, "warmup": W}. The loader first prepares up to
PREPARED batches (timed: the loader's own img/s with its workers); then W warm-up steps and N timed steps cycle
over them, each what a run does after its batch arrives (inputs to the device from pinned memory, forward/backward,
AdamW, teacher update, the step's one read-back), CUDA synchronised before the clock stops. Nothing is written.
MFU = the analytic model FLOPs of a step (flops.py) ÷ step time ÷ the device's datasheet peak (peaks.py).
Prints one {"type": "bench", …} line."""
import statistics
import tempfile
import time

import torch

from .config import check_config
from .data.datasets import open_dataset
from .data.loader import BatchStream, loader_workers
from .data.stats import resolve_normalisation
from .data.types import BadInput
from .device import Compute
from .flops import config_patches, step_flops
from .inputs import step_inputs
from .model import create_model, spec_from_config
from .peaks import mfu
from .train_step import adamw, train_step

PREPARED = 4  # distinct batches (masks differ per step; the step's FLOPs do not)
FLOP_CONVENTION = ('matmuls of every linear layer and both attention products, forward ×3 for the trained stages '
                   '(forward + backward), the CAE teacher forward once; element-wise ops not counted')


def _check(job):
    if job.get('version') != 1 or not isinstance(job.get('config'), dict):
        raise BadInput('bench JOB.json: needs version 1 and the resolved config')
    steps, warmup = job.get('steps'), job.get('warmup', 0)
    if not isinstance(steps, int) or steps < 1 or not isinstance(warmup, int) or warmup < 0:
        raise BadInput(f'bench JOB.json: steps must be an integer ≥ 1 and warmup ≥ 0, got {steps!r} and {warmup!r}')
    return check_config(job['config']), steps, warmup


def _sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def bench(job):
    config, steps, warmup = _check(job)
    compute = Compute(config)
    dataset = open_dataset(config)
    with tempfile.TemporaryDirectory() as scratch:
        norm = resolve_normalisation(config, dataset, scratch, write=False)
    spec = spec_from_config(config)
    model = create_model(spec).to(compute.device)
    opt, params = adamw(model, config)
    t = config['train']
    B = t['batchSize']
    micro = t['microBatch'] if t['microBatch'] > 0 else B
    losses_fn = compute.compiled(model)

    prepared = min(PREPARED, warmup + steps)
    t0 = time.perf_counter()
    stream = BatchStream(dataset, config, norm, 0, prepared, pin_memory=compute.pin_memory)
    batches = [stream.next() for _ in range(prepared)]
    loader_s = time.perf_counter() - t0

    if compute.device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(compute.device)
    ms = []
    for step in range(warmup + steps):
        _sync(compute.device)
        t0 = time.perf_counter()
        inputs = step_inputs(spec, batches[step % prepared], micro, step, compute.device)
        train_step(model, opt, params, inputs, t['lr'], t['clipGrad'], compute, losses_fn)
        _sync(compute.device)
        ms.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(ms[warmup:])
    n_vis, n_mask = config_patches(config)
    flops = step_flops(spec, B, n_vis, n_mask)
    return {
        'type': 'bench', 'medianMs': median, 'minMs': min(ms[warmup:]), 'maxMs': max(ms[warmup:]), 'steps': steps, 'warmup': warmup,
        'imgsPerSec': B / (median / 1000), 'batch': B, 'backend': compute.backend, 'device': compute.device_name,
        'torch': torch.__version__, 'precision': compute.precision, 'compile': compute.compile,
        'optimizer': f'adamw-{opt.implementation}', 'pinMemory': compute.pin_memory,
        'loaderWorkers': loader_workers(dataset.name), 'loaderImgsPerSec': prepared * B / loader_s,
        'gflopPerStep': flops['total'] / 1e9, 'flopConvention': FLOP_CONVENTION,
        **mfu(flops['total'], median / 1000, compute.device.type, compute.device_name, compute.precision),
        **({'peakMemoryGiB': torch.cuda.max_memory_allocated(compute.device) / 2 ** 30} if compute.device.type == 'cuda' else {}),
    }
