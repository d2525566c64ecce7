"""python3 -m mimlab_torch run --job JOB.json   (or: bench --job BENCH.json, see bench.py)

JOB.json: {"version": 1, "job": "pretrain" | "resume", "runDir": "<abs path>", "config": <resolved Config>}.
Events go to stdout (one JSON object per line), everything else to stderr. Exit codes as the TF.js trainer:
0 completed, 1 failed, 2 bad input (nothing written), 3 diverged, 130 stopped.
"""
import argparse
import json
import os
import sys
import traceback

from .data.types import BadInput

EXIT = {'completed': 0, 'failed': 1, 'diverged': 3, 'stopped': 130}


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python3 -m mimlab_torch')
    sub = ap.add_subparsers(dest='command', required=True)
    r = sub.add_parser('run', help='run a pretraining job')
    r.add_argument('--job', required=True, help='JOB.json')
    b = sub.add_parser('bench', help='time the training step on a config (npm run bench)')
    b.add_argument('--job', required=True, help='JOB.json: {"version": 1, "config": …, "steps": N, "warmup": W}')
    f = sub.add_parser('features', help="a checkpoint's frozen-encoder features (as the TF.js probes extract them)")
    f.add_argument('--job', required=True, help='JOB.json: {"version": 1, "runDir", "checkpoint", "maxTrain", "maxTest", "tokens"}')
    a = ap.parse_args(argv)
    from .events import Reporter
    reporter = Reporter()
    try:
        try:
            job = json.load(open(a.job))
        except (OSError, ValueError) as e:
            raise BadInput(f'--job {a.job}: {e}')
        if a.command in ('features', 'bench'):  # one JSON result line on stdout
            from .bench import bench
            from .features import features
            print(json.dumps({'features': features, 'bench': bench}[a.command](job)), flush=True)
            return 0
        from .distributed import current_world
        from .pretrain import run
        from .stop import StopSignal
        stop = StopSignal()
        stop.listen()
        reporter.enabled = current_world().is_main
        return EXIT[run(job, reporter, stop)]
    except BadInput as e:
        print(f'mimlab_torch: {e}', file=sys.stderr)
        reporter.emit({'type': 'log', 'level': 'error', 'message': str(e)})
        return 2
    except Exception as e:  # noqa: BLE001 - one line for the user; the traceback only with MIMLAB_DEBUG=1
        if os.environ.get('MIMLAB_DEBUG') == '1':
            traceback.print_exc()
        print(f'mimlab_torch: {type(e).__name__}: {e}', file=sys.stderr)
        reporter.emit({'type': 'log', 'level': 'error', 'message': f'{type(e).__name__}: {e}'})
        return 1


if __name__ == '__main__':
    sys.exit(main())
