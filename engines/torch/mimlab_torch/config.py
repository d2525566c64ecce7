"""Checks of the resolved Config (as config.json holds it) that the torch engine relies on, before any work.

The TypeScript side resolves and validates configs (src/config/resolve.ts); these checks repeat the relations the
engine needs so a hand-written JOB.json fails with the same kind of message (naming the key), never a traceback.
"""
import torch

from .align_target import LOSSES, TARGETS, align_spec_of
from .data.types import BadInput
from .masking import SAMPLERS, mask_spec_of
from .teacher_schedule import SCHEDULES, teacher_schedule_of

SUPPORTED_TARGETS = ('pixels',)


def train_option(config, key, default):
    """train.precision, absent from configs written before it existed."""
    return config.get('train', {}).get(key, default)


def torch_option(config, key, default):
    """torch.device / torch.compile (the schema's keys); configs from before them kept compile under train."""
    section = config.get('torch') or {}
    if key in section:
        return section[key]
    return config.get('train', {}).get(key, default)


def _get(config, dotted):
    cur = config
    for part in dotted.split('.'):
        if not isinstance(cur, dict) or part not in cur:
            raise BadInput(f'config: missing key {dotted}')
        cur = cur[part]
    return cur


def check_config(c):
    for key in ('algorithm', 'data.dataset', 'data.imageSize', 'data.channels', 'model.patchSize', 'model.dim', 'model.heads',
                'mask.kind', 'mask.count', 'train.steps', 'train.batchSize', 'train.seed', 'loss.target'):
        _get(c, key)
    if c['algorithm'] not in ('cae', 'mae'):
        raise BadInput(f"algorithm must be 'cae' or 'mae', got {c['algorithm']!r}")
    size, p = c['data']['imageSize'], c['model']['patchSize']
    if size % p:
        raise BadInput(f'data.imageSize ({size}) must be divisible by model.patchSize ({p})')
    n = (size // p) ** 2
    if not 1 <= c['mask']['count'] < n:
        raise BadInput(f"mask.count ({c['mask']['count']}) must be in [1, {n - 1}] for {n} patches")
    if c['mask']['kind'] not in SAMPLERS:
        raise BadInput(f"mask.kind must be one of {', '.join(SAMPLERS)}, got {c['mask']['kind']!r}")
    if c['model']['dim'] % c['model']['heads']:
        raise BadInput(f"model.heads ({c['model']['heads']}) must divide model.dim ({c['model']['dim']})")
    if c['model']['dim'] % 4:
        raise BadInput(f"model.dim ({c['model']['dim']}) must be divisible by 4 (2-D sin-cos positions)")
    if c['algorithm'] == 'mae' and c['model']['decoderDim'] % c['model']['decoderHeads']:
        raise BadInput(f"model.decoderHeads ({c['model']['decoderHeads']}) must divide model.decoderDim ({c['model']['decoderDim']})")
    t = c['train']
    if t['microBatch'] > 0 and t['batchSize'] % t['microBatch']:
        raise BadInput(f"train.microBatch ({t['microBatch']}) must divide train.batchSize ({t['batchSize']})")
    if c['loss']['target'] not in SUPPORTED_TARGETS:
        raise BadInput(f"loss.target={c['loss']['target']} is not supported by the torch engine yet (it cannot load a TF.js tokenizer); "
                       'use loss.target=pixels or engine=tfjs')
    check_research_options(c)
    precision = train_option(c, 'precision', 'fp32')
    if precision not in ('fp32', 'bf16'):
        raise BadInput(f"train.precision must be 'fp32' or 'bf16', got {precision!r}")
    device = torch_option(c, 'device', 'auto')
    if device not in ('auto', 'cpu', 'cuda'):
        raise BadInput(f"torch.device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    if torch_option(c, 'compile', False) and not hasattr(torch, 'compile'):
        raise BadInput(f'torch.compile=true needs torch ≥ 2.0 (torch.compile); this interpreter has torch {torch.__version__}: set torch.compile=false')
    return c


def _range(key, pair, high):
    if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and 0 < pair[0] <= pair[1] <= high):
        raise BadInput(f'{key} must be [min, max] with 0 < min ≤ max ≤ {high}, got {list(pair) if isinstance(pair, (list, tuple)) else pair!r}')


def check_research_options(c):
    """Issue 18's options (teacher schedule, alignment target and loss, multiblock masks, rank_me), as src/config checks them."""
    s = teacher_schedule_of(c)
    if s.kind not in SCHEDULES:
        raise BadInput(f"teacher.schedule must be one of {', '.join(SCHEDULES)}, got {s.kind!r}")
    for key, v in (('teacher.momentum', s.start), ('teacher.momentumEnd', s.end)):
        if not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise BadInput(f'{key} must be in [0, 1], got {v!r}')
    a = align_spec_of(c)
    if a.target not in TARGETS:
        raise BadInput(f"loss.alignTarget must be one of {', '.join(TARGETS)}, got {a.target!r}")
    if not (isinstance(a.top_k, int) and 0 <= a.top_k <= c['model']['depth']):
        raise BadInput(f"loss.alignTopK must be an integer in [0, model.depth = {c['model']['depth']}] (0: all blocks), got {a.top_k!r}")
    if a.loss not in LOSSES:
        raise BadInput(f"loss.alignLoss must be one of {', '.join(LOSSES)}, got {a.loss!r}")
    if not (isinstance(a.beta, (int, float)) and a.beta >= 0):
        raise BadInput(f'loss.alignBeta must be a number ≥ 0 (0: L1), got {a.beta!r}')
    m = mask_spec_of(c)
    if m.kind == 'multiblock':
        if not (isinstance(m.blocks, int) and m.blocks >= 1):
            raise BadInput(f'mask.blocks must be an integer ≥ 1, got {m.blocks!r}')
        _range('mask.blockScale', m.block_scale, 1)
        _range('mask.blockAspect', m.block_aspect, float('inf'))
    mon = c['monitor']
    if not (isinstance(mon.get('rankEvery', 0), int) and mon.get('rankEvery', 0) >= 0):
        raise BadInput(f"monitor.rankEvery must be an integer ≥ 0 (0: off), got {mon.get('rankEvery')!r}")
    if mon.get('rankEvery', 0) > 0 and not (isinstance(mon.get('rankImages'), int) and mon['rankImages'] >= 2):
        raise BadInput(f"monitor.rankImages must be an integer ≥ 2, got {mon.get('rankImages')!r}")
    if not (isinstance(mon.get('rankDrop', 0), (int, float)) and 0 <= mon.get('rankDrop', 0) <= 1):
        raise BadInput(f"monitor.rankDrop must be in [0, 1] (0: off), got {mon.get('rankDrop')!r}")


def changed_keys(old, new, prefix=''):
    """Dotted keys whose values differ between two configs."""
    keys = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            keys += changed_keys(a, b, f'{prefix}{k}.')
        elif a != b:
            keys.append(prefix + k)
    return keys
