"""The torch engine's GPU check (issue 16), for a machine with PyTorch (CUDA) and no Node: started by scripts/gpu-check.sh.

1. the environment: python, torch, CUDA, the device, nvidia-smi;
2. `python -m mimlab_torch bench` on cae-vit-b16-224 and mae-vit-b16-224 in bf16 at batch 64 (img/s, MFU), and
   the analytic FLOP count of each against torch's own count of the executed ops on this device (batch 2);
3. a 200-step cae-vit-b16-224 run in bf16 (`python -m mimlab_torch run`), then a resume to 220 steps (the fused
   AdamW's state through a checkpoint);
and writes under --out: env.json, bench-<preset>.json, run/ (metrics.jsonl, status.json, log.txt, config.json),
run-events.jsonl, run-stderr.txt, summary.json. The configs are the resolved ones in configs/ (written by
scripts/gpu-check-configs.ts, since no Node resolves them here); --tiny takes their shrunk twins so it runs on a CPU.
Every part runs even when one fails; the exit status is 1 if any failed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PRESETS = ('cae-vit-b16-224', 'mae-vit-b16-224')
RUN_PRESET = 'cae-vit-b16-224'
RESUME_EXTRA_STEPS = 20
RUN_FILES = ('metrics.jsonl', 'status.json', 'log.txt', 'config.json')


def config_of(preset, tiny):
    with open(os.path.join(HERE, 'configs', f'{preset}{"-tiny" if tiny else ""}.json')) as f:
        return json.load(f)


def engine_env():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'engines', 'torch') + os.pathsep + os.environ.get('PYTHONPATH', ''))
    # The built-in data renders each 224 px image on a loader worker (≈10 ms): one worker would starve a GPU.
    env.setdefault('MIMLAB_LOADER_WORKERS', str(max(1, min(12, (os.cpu_count() or 2) - 2))))
    return env


def engine(args, timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    return subprocess.run([sys.executable, '-m', 'mimlab_torch', *args], env=engine_env(), cwd=ROOT, stdout=stdout,
                          stderr=stderr, stdin=subprocess.DEVNULL, text=True, timeout=timeout)


def engine_job(args, timeout, stdout, stderr):
    """A training job: its stdin stays open until it exits, since the engine stops (checkpoint, exit 130) when its
    stdin reaches EOF, the sign that the parent went away, and this script's own stdin may be closed already."""
    p = subprocess.Popen([sys.executable, '-m', 'mimlab_torch', *args], env=engine_env(), cwd=ROOT, stdout=stdout,
                         stderr=stderr, stdin=subprocess.PIPE)
    try:
        return p.wait(timeout=timeout)
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait()
        p.stdin.close()


def environment():
    import torch
    env = {'python': sys.version.split()[0], 'torch': torch.__version__, 'cuda': torch.version.cuda,
           'cudaAvailable': torch.cuda.is_available(), 'cpus': os.cpu_count(),
           'loaderWorkers': engine_env()['MIMLAB_LOADER_WORKERS']}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        env.update(device=torch.cuda.get_device_name(0), capability=f'{props.major}.{props.minor}',
                   memoryGiB=round(props.total_memory / 2 ** 30, 1), bf16Supported=torch.cuda.is_bf16_supported())
    if shutil.which('nvidia-smi'):
        env['nvidiaSmi'] = subprocess.run(['nvidia-smi'], capture_output=True, text=True).stdout
    return env


def bench(preset, tiny, steps, warmup, out):
    with tempfile.TemporaryDirectory() as tmp:
        job = os.path.join(tmp, 'job.json')
        with open(job, 'w') as f:
            json.dump({'version': 1, 'config': config_of(preset, tiny), 'steps': steps, 'warmup': warmup}, f)
        r = engine(['bench', '--job', job], timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f'bench {preset} exited {r.returncode}: {r.stderr.strip()[-2000:]}')
    result = json.loads(r.stdout.strip().splitlines()[-1])
    with open(os.path.join(out, f'bench-{preset}.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def run_job(kind, run_dir, config, out, tag):
    with tempfile.TemporaryDirectory() as tmp:
        job = os.path.join(tmp, 'job.json')
        with open(job, 'w') as f:
            json.dump({'version': 1, 'job': kind, 'runDir': run_dir, 'config': config}, f)
        with open(os.path.join(out, 'run-events.jsonl'), 'a') as events, open(os.path.join(out, 'run-stderr.txt'), 'a') as err:
            err.write(f'--- {tag}\n')
            err.flush()
            t0 = time.perf_counter()
            code = engine_job(['run', '--job', job], timeout=1800, stdout=events, stderr=err)
    return code, time.perf_counter() - t0


def metrics_of(run_dir):
    with open(os.path.join(run_dir, 'metrics.jsonl')) as f:
        return [json.loads(line) for line in f if line.strip()]


def pretrain_and_resume(tiny, out):
    config = config_of(RUN_PRESET, tiny)
    steps = config['train']['steps']
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = os.path.join(tmp, 'run')
        code, wall = run_job('pretrain', run_dir, config, out, 'pretrain')
        result = {'preset': RUN_PRESET, 'steps': steps, 'exit': code, 'wallS': wall}
        if code == 0:
            rows = metrics_of(run_dir)
            speeds = [r['imgs_per_s'] for r in rows[len(rows) // 4:]]  # past the first quarter (allocation, autotuning)
            result.update(lastLoss=rows[-1]['loss'], firstLoss=rows[0]['loss'], medianImgsPerSec=statistics.median(speeds),
                          loggedRows=len(rows))
            more = dict(config, train=dict(config['train'], steps=steps + RESUME_EXTRA_STEPS))
            rcode, rwall = run_job('resume', run_dir, more, out, 'resume')
            logged = [r['step'] for r in metrics_of(run_dir)]
            result['resume'] = {'exit': rcode, 'wallS': rwall, 'lastStep': logged[-1] if logged else None,
                                'everyStepOnce': len(logged) == len(set(logged)) and logged == sorted(logged)}
        os.makedirs(os.path.join(out, 'run'), exist_ok=True)
        for name in RUN_FILES:
            if os.path.exists(os.path.join(run_dir, name)):
                shutil.copy(os.path.join(run_dir, name), os.path.join(out, 'run', name))
        if os.path.exists(os.path.join(run_dir, 'status.json')):
            with open(os.path.join(run_dir, 'status.json')) as f:
                result['status'] = json.load(f)
    return result


FLOP_CHECK = """
import json, sys, torch
from mimlab_torch.device import Compute
from mimlab_torch.flop_count import measured_flops
from mimlab_torch.flops import embedding_input_grad, step_flops
from mimlab_torch.inputs import build_inputs
from mimlab_torch.masking import generate_masks, mask_spec_of
from mimlab_torch.model import create_model, spec_from_config
c = json.load(open(sys.argv[1]))
c['train']['batchSize'] = 2
compute, spec = Compute(c), spec_from_config(c)
model = create_model(spec).to(compute.device)
S = c['data']['imageSize']
inp = build_inputs(spec, torch.randn(2, S, S, c['data']['channels']), generate_masks(mask_spec_of(c), 2, 0, 0), drop_step=0, device=compute.device)
nv, nm = inp.vis_idx.shape[1], inp.mask_idx.shape[1]
m = measured_flops(model, inp, compute.autocast)
a = step_flops(spec, 2, nv, nm)
print(json.dumps({'analyticForward': a['forward'], 'measuredForward': m['forward'], 'counter': m['counter'],
                  'analyticTotalLessEmbeddingGrad': a['total'] - embedding_input_grad(spec, 2, nv), 'measuredTotal': m['total']}))
"""


def flop_check(preset, tiny):
    """The analytic FLOP count against torch's own count on this device (FlopCounterMode on torch ≥ 2.1, which also
    counts the fused attention kernels), at batch 2 in the config's precision."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'config.json')
        with open(path, 'w') as f:
            json.dump(config_of(preset, tiny), f)
        r = subprocess.run([sys.executable, '-c', FLOP_CHECK, path], env=engine_env(), cwd=ROOT, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f'flop check {preset} exited {r.returncode}: {r.stderr.strip()[-2000:]}')
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out['ok'] = out['analyticForward'] == out['measuredForward'] and out['analyticTotalLessEmbeddingGrad'] == out['measuredTotal']
    return out


def bench_line(preset, r):
    mfu = f"MFU {100 * r['mfu']:.1f} % of {r['peak']['tflops']} TFLOP/s ({r['peak']['device']}, {r['peak']['kind']})" \
        if r.get('mfu') is not None else f"MFU not available: {r.get('mfuUnavailable')}"
    return (f"{preset}: {r['medianMs']:.1f} ms/step, {r['imgsPerSec']:.1f} img/s at batch {r['batch']}, "
            f"{r['achievedTflops']:.2f} TFLOP/s; {mfu}; {r['optimizer']}, pinned {r['pinMemory']}, {r['precision']}, "
            f"loader {r['loaderImgsPerSec']:.0f} img/s")


def main():
    ap = argparse.ArgumentParser(prog='scripts/gpu-check.sh')
    ap.add_argument('--out', required=True, help='folder for the results ($OUT)')
    ap.add_argument('--tiny', action='store_true', help='shrunk models, batch 2: runs on a CPU')
    ap.add_argument('--steps', type=int, default=None, help='timed bench steps (default 30; 2 with --tiny)')
    ap.add_argument('--warmup', type=int, default=None, help='bench warm-up steps (default 10; 1 with --tiny)')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    steps = a.steps or (2 if a.tiny else 30)
    warmup = a.warmup if a.warmup is not None else (1 if a.tiny else 10)
    summary, failed = {'tiny': a.tiny}, False

    def save():  # after every part, so a run cut short by a time limit still leaves what it measured
        with open(os.path.join(a.out, 'summary.json'), 'w') as f:
            json.dump(summary, f, indent=2)

    summary['env'] = environment()
    with open(os.path.join(a.out, 'env.json'), 'w') as f:
        json.dump(summary['env'], f, indent=2)
    print(f"env: torch {summary['env']['torch']}, CUDA {summary['env']['cuda']}, device {summary['env'].get('device', 'none (CPU)')}", flush=True)

    summary['bench'] = {}
    for preset in PRESETS:
        try:
            r = bench(preset, a.tiny, steps, warmup, a.out)
            summary['bench'][preset] = r
            print(bench_line(preset, r), flush=True)
        except Exception as e:  # noqa: BLE001 - recorded; the other parts still run
            failed = True
            summary['bench'][preset] = {'error': str(e)}
            print(f'{preset}: bench FAILED: {e}', flush=True)
        save()

    summary['flopCheck'] = {}
    for preset in PRESETS:
        try:
            r = flop_check(preset, a.tiny)
            failed |= not r['ok']
            print(f"{preset}: FLOP count {'equals' if r['ok'] else 'DIFFERS FROM'} torch's ({r['counter']}): {r}", flush=True)
        except Exception as e:  # noqa: BLE001
            failed, r = True, {'error': str(e)}
            print(f'{preset}: FLOP check FAILED: {e}', flush=True)
        summary['flopCheck'][preset] = r
        save()

    try:
        run = pretrain_and_resume(a.tiny, a.out)
        summary['run'] = run
        ok = run['exit'] == 0 and run.get('resume', {}).get('exit') == 0 and run['resume']['everyStepOnce'] \
            and run['resume']['lastStep'] == run['steps'] + RESUME_EXTRA_STEPS
        failed |= not ok
        print(f"run {RUN_PRESET}: exit {run['exit']}, {run['steps']} steps in {run['wallS']:.0f} s, "
              f"median {run.get('medianImgsPerSec', float('nan')):.1f} img/s, loss {run.get('firstLoss')} → {run.get('lastLoss')}; "
              f"resume: {run.get('resume')}; {'ok' if ok else 'FAILED'}", flush=True)
    except Exception as e:  # noqa: BLE001
        failed = True
        summary['run'] = {'error': str(e)}
        print(f'run FAILED: {e}', flush=True)

    save()
    print(f"results in {a.out}: {', '.join(sorted(os.listdir(a.out)))}", flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
