"""python3 -m mimlab_torch bench --job JOB.json: the engine's own training step timed on a config, as `npm run bench`
shows it beside TF.js and the twin (src/bench/torch-engine.ts). JOB.json: {"version": 1, "config": <resolved
Config>, "steps": N, "warmup": W}. Each timed step is what a run does (next loader batch, inputs, forward/backward,
AdamW, teacher update); nothing is written. Prints one {"type": "bench", …} line."""
import statistics
import tempfile
import time

import torch

from .config import check_config
from .data.datasets import open_dataset
from .data.loader import BatchStream
from .data.stats import resolve_normalisation
from .data.types import BadInput
from .device import Compute
from .inputs import step_inputs
from .model import create_model, spec_from_config
from .train_step import adamw, train_step


def bench(job):
    if job.get('version') != 1 or not isinstance(job.get('config'), dict):
        raise BadInput('bench JOB.json: needs version 1 and the resolved config')
    steps, warmup = job.get('steps'), job.get('warmup', 0)
    if not isinstance(steps, int) or steps < 1 or not isinstance(warmup, int) or warmup < 0:
        raise BadInput(f'bench JOB.json: steps must be an integer ≥ 1 and warmup ≥ 0, got {steps!r} and {warmup!r}')
    config = check_config(job['config'])
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
    stream = BatchStream(dataset, config, norm, 0, warmup + steps)
    ms = []
    for step in range(warmup + steps):
        t0 = time.perf_counter()
        inputs = step_inputs(spec, stream.next(), micro, step, compute.device)
        train_step(model, opt, params, inputs, t['lr'], t['clipGrad'], compute, losses_fn)
        if compute.device.type == 'cuda':
            torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(ms[warmup:])
    return {'type': 'bench', 'medianMs': median, 'imgsPerSec': B / (median / 1000), 'backend': compute.backend,
            'device': compute.device_name, 'torch': torch.__version__}

