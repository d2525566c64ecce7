"""The pretraining job (src/trainer/pretrain.ts): validate → create the run folder → train with checkpoints,
metrics, samples and status → completed / stopped / diverged / failed. `resume` continues a run folder from its
latest complete checkpoint (written by either engine, with any number of processes).

Under torchrun every rank runs this loop on its share of each global batch (train.batchSize is global); rank 0
alone writes the run folder and sends events (DESIGN.md §7)."""
import json
import os
import time

import torch

from . import checkpoint
from .collapse import CollapseMonitor
from .config import changed_keys, check_config
from .data.datasets import open_dataset
from .data.loader import BatchStream, epoch_of
from .data.stats import resolve_normalisation
from .data.types import BadInput
from .device import Compute
from .diagnostics.sampler import Sampler
from .distributed import any_rank, current_world, data_parallel, from_main, join, leave, reduce_mean
from .events import PROTOCOL_VERSION
from .inputs import step_inputs
from .model import create_model, spec_from_config
from .rank_signal import RankSignal, is_rank_step
from .run_folder import RunFolder, iso_now
from .schedule import lr_at
from .state import export_state, import_state
from .teacher_schedule import teacher_momentum_at, teacher_schedule_of
from .train_step import adamw, train_step


def prepare(job):
    """Everything that can refuse the job, before any file is written: config, compute, dataset, run folder."""
    if job.get('version') != 1:
        raise BadInput(f"JOB.json: version must be 1, got {job.get('version')!r}")
    kind, run_dir, config = job.get('job'), job.get('runDir'), job.get('config')
    if kind not in ('pretrain', 'resume'):
        raise BadInput(f"JOB.json: job must be 'pretrain' or 'resume', got {kind!r}")
    if not isinstance(run_dir, str) or not os.path.isabs(run_dir):
        raise BadInput(f'JOB.json: runDir must be an absolute path, got {run_dir!r}')
    if not isinstance(config, dict):
        raise BadInput('JOB.json: config must be the resolved Config object')
    check_config(config)
    world = current_world()
    if config['train']['batchSize'] % world.size:
        raise BadInput(f"train.batchSize ({config['train']['batchSize']}) is the global batch and must be divisible by the number "
                       f'of processes ({world.size}): change train.batchSize or --nproc')
    if world.distributed and config['train']['microBatch'] > 0 and (config['train']['batchSize'] // world.size) % config['train']['microBatch']:
        raise BadInput(f"train.microBatch ({config['train']['microBatch']}) must divide each process's share of train.batchSize "
                       f"({config['train']['batchSize']} / {world.size} processes)")
    # The run folder is rank 0's (another rank could see the config.json that rank 0 just wrote).
    if world.is_main and kind == 'pretrain' and os.path.exists(os.path.join(run_dir, 'config.json')):
        raise BadInput(f'runDir {run_dir} already holds a run: use job "resume" to continue it')
    if world.is_main and kind == 'resume' and not os.path.isfile(os.path.join(run_dir, 'config.json')):
        raise BadInput(f'runDir {run_dir} is not a run folder (no config.json) to resume')
    compute = Compute(config)
    dataset = open_dataset(config)
    return kind, run_dir, config, compute, dataset


def run(job, reporter, stop):
    kind, run_dir, config, compute, dataset = prepare(job)
    world = current_world()
    join(world, compute.dist_backend)
    try:
        return _train(kind, run_dir, config, compute, dataset, world, reporter, stop)
    finally:
        leave(world)


def _train(kind, run_dir, config, compute, dataset, world, reporter, stop):
    if world.is_main:
        os.makedirs(run_dir, exist_ok=True)
    run = RunFolder(run_dir, writer=world.is_main)

    def log(level, message):
        run.log(f'{level}: {message}')
        reporter.emit({'type': 'log', 'level': level, 'message': message})

    if kind == 'pretrain':
        run.write_config(config)
    reporter.emit({'type': 'hello', 'version': PROTOCOL_VERSION, 'pid': os.getpid(), 'job': 'pretrain', 'runDir': run_dir, 'backend': compute.backend})
    log('info', f'run folder: {run_dir}')
    share = f', {world.size} processes ({compute.dist_backend}), {config["train"]["batchSize"] // world.size} images each' if world.distributed else ''
    log('info', f'backend: {compute.backend} on {compute.device_name}, torch {torch.__version__}, precision {compute.precision}'
                f'{", compiled" if compute.compile else ""}{share}')

    norm = from_main(resolve_normalisation(config, dataset, run_dir) if world.is_main else None, world)
    spec = spec_from_config(config)
    model = create_model(spec).to(compute.device)
    opt, params = adamw(model, config)
    t = config['train']
    B, steps = t['batchSize'], t['steps']
    ckpt_root = run.path('checkpoints')
    step = 0
    # Every rank loads the checkpoint rank 0 chose (a shared filesystem, as torchrun on a cluster expects).
    available = from_main(checkpoint.list_steps(ckpt_root) if kind == 'resume' else [], world)
    if available:
        meta, arrays = checkpoint.load(ckpt_root, available[-1])
        try:
            import_state(model, opt, arrays, meta['optimizerT'], f'checkpoint step {available[-1]} of {run_dir}')
        except (KeyError, ValueError) as e:  # the checkpoint does not fit this config's model
            raise BadInput(f'{e.args[0]} (was a model.* key changed since the run started?)')
        step = meta['step']
        log('info', f"resumed from checkpoint at step {step} (written by the {meta.get('engine', 'tfjs')} engine)")
    if kind == 'resume':
        changed = changed_keys(json.load(open(run.path('config'))), config)
        if changed:  # only once the checkpoint has loaded into this config's model
            run.write_config(config)
            log('info', f'config changed on resume: {", ".join(changed)}')
        run.truncate_metrics(step)

    losses_fn = compute.compiled(data_parallel(model, world))
    started_at = iso_now()
    warnings = []
    state = {'checkpoint_step': available[-1] if available else 0}
    stream = BatchStream(dataset, config, norm, step, steps, world.rank, world.size, pin_memory=compute.pin_memory)

    def status(st, error=None):
        s = {'state': st, 'kind': 'pretrain', 'algorithm': config['algorithm'], 'step': step, 'totalSteps': steps,
             'epoch': epoch_of(step, B, len(dataset.train)), 'pid': os.getpid(), 'backend': compute.backend, 'startedAt': started_at,
             'updatedAt': iso_now(), 'checkpointStep': state['checkpoint_step'], **({'error': error} if error else {}),
             **({'warnings': list(warnings)} if warnings else {}), 'skippedImages': len(stream.skipped), **compute.status_fields(world.size, opt)}
        run.write_status(s)
        reporter.emit({'type': 'status', 'status': s})

    def save():
        arrays, opt_t = export_state(model, opt)
        if world.is_main:
            checkpoint.save(ckpt_root, {'step': step, 'epoch': epoch_of(step, B, len(dataset.train)), 'optimizerT': opt_t, 'config': config,
                                        'rng': {'seed': t['seed'], 'step': step}, 'createdAt': iso_now(), 'engine': 'torch'},
                            arrays, t['keepCheckpoints'])
        state['checkpoint_step'] = step
        reporter.emit({'type': 'checkpoint', 'step': step})

    sampler = Sampler(config, dataset, norm, run, reporter, log) if world.is_main else None
    collapse = CollapseMonitor(config['monitor']['collapseStd'], rank_drop=config['monitor'].get('rankDrop', 0))
    rank_signal = RankSignal(config, dataset, norm) if world.is_main else None
    teacher_schedule = teacher_schedule_of(config)
    logs_momentum = config['algorithm'] == 'cae' and teacher_schedule.kind != 'constant'
    micro = t['microBatch'] if t['microBatch'] > 0 else B
    last_status, last_skipped = 0.0, 0
    final, error = 'completed', None
    status('running')
    try:
        if step == 0 and sampler:
            sampler.at(step, model, 'start')
        while step < steps:
            if any_rank(stop.requested, world):
                stop.request('another process of the job was stopped')  # keeps the reason of the one that was
                final = 'stopped'
                break
            t0 = time.perf_counter()
            batch = stream.next()
            lr = lr_at(step, t['lr'], t['minLr'], t['warmupSteps'], steps)
            first = world.rank * (B // world.size)  # this rank's first slot in the global batch
            inputs = step_inputs(spec, batch, micro, step, compute.device, first)
            momentum = teacher_momentum_at(step, teacher_schedule)
            r = train_step(model, opt, params, inputs, lr, t['clipGrad'], compute, losses_fn, lambda v: reduce_mean(v, world), momentum)
            if not r['finite']:
                final = 'diverged'
                error = (f"non-finite loss at step {step + 1} (loss {r['loss']}, grad norm {r['grad_norm']}); "
                         f"the last good checkpoint is step {state['checkpoint_step']}")
                log('error', error)
                break
            step += 1
            row = {'step': step, 'epoch': epoch_of(step - 1, B, len(dataset.train)), 'lr': lr, 'loss': r['loss'], 'loss_main': r['main'],
                   'loss_align': r['align'], 'imgs_per_s': B / (time.perf_counter() - t0),
                   'latent_std': r['latent_std'], 'grad_norm': r['grad_norm'], 'time': iso_now(),
                   **({'target_var': r['target_var'], 'pred_var': r['pred_var']} if r['target_var'] is not None else {}),
                   **({'teacher_momentum': momentum} if logs_momentum else {})}
            logged = step % t['logEvery'] == 0 or step == steps
            if logged and rank_signal and is_rank_step(step, config):
                row['rank_me'] = rank_signal.measure(model)
            if logged:
                run.append_metrics(row)
                reporter.emit({'type': 'metrics', 'row': row})
            for warning in (collapse.observe(step, r['main'], r['latent_std']), collapse.observe_rank(step, row['rank_me']) if 'rank_me' in row else None):
                if warning:
                    warnings.append(warning)
                    log('warn', warning)
            if len(stream.skipped) != last_skipped:
                log('warn', f'skipped {len(stream.skipped) - last_skipped} unreadable image(s) (total {len(stream.skipped)}), e.g. {list(stream.skipped.values())[-1]}')
                last_skipped = len(stream.skipped)
            if step % t['checkpointEvery'] == 0 or step == steps:
                save()
            if sampler:
                sampler.at(step, model, 'step')
            if time.perf_counter() - last_status > 0.5 or step == steps:
                status('running')
                last_status = time.perf_counter()
        if final == 'stopped':
            if state['checkpoint_step'] != step:
                save()
            if sampler:
                sampler.at(step, model, 'stop')
            log('info', f'stopped ({stop.reason}) at step {step}; resume with: mim-lab resume {run_dir}')
    except Exception as e:  # noqa: BLE001 - any failure mid-run becomes a `failed` run with its message
        final, error = 'failed', f'{type(e).__name__}: {e}'
        log('error', f'training failed at step {step}: {error}')
    finally:
        status(final, error)
        reporter.emit({'type': 'done', 'job': 'pretrain', 'state': final, 'runDir': run_dir, **({'error': error} if error else {})})
    return final

