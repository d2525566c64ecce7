"""The run folder (DESIGN.md §2) as the TF.js trainer writes it: config.json, status.json (atomic), metrics.jsonl
(one flushed line per logged step), log.txt. Every write is a no-op on ranks other than 0."""
import datetime
import json
import os

FILES = {'config': 'config.json', 'status': 'status.json', 'metrics': 'metrics.jsonl', 'log': 'log.txt',
         'checkpoints': 'checkpoints', 'samples': 'samples'}


def iso_now():
    """JavaScript's Date.toISOString(): UTC, milliseconds, 'Z'."""
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def write_json_atomic(path, value):
    tmp = os.path.join(os.path.dirname(path), f'.{os.path.basename(path)}.{os.getpid()}.tmp')
    with open(tmp, 'w') as f:
        f.write(json.dumps(value, indent=2) + '\n')
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class RunFolder:
    def __init__(self, path, writer=True):
        self.dir, self.writer = path, writer

    def path(self, key):
        return os.path.join(self.dir, FILES.get(key, key))

    def write_config(self, config):
        if self.writer:
            write_json_atomic(self.path('config'), config)

    def write_status(self, status):
        if self.writer:
            write_json_atomic(self.path('status'), status)

    def append_metrics(self, row):
        if self.writer:
            with open(self.path('metrics'), 'a') as f:
                f.write(json.dumps(row) + '\n')

    def read_metrics(self):
        """Rows of metrics.jsonl; a torn last line (a crash mid-write) is dropped."""
        try:
            lines = open(self.path('metrics')).read().split('\n')
        except OSError:
            return []
        rows = []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:
                if any(l.strip() for l in lines[i + 1:]):
                    raise
        return rows

    def truncate_metrics(self, step):
        """Keeps rows up to `step` (the checkpoint a resume starts from), each step once."""
        if not self.writer:
            return
        seen, kept = set(), []
        for r in self.read_metrics():
            if r['step'] <= step and r['step'] not in seen:
                seen.add(r['step'])
                kept.append(r)
        tmp = self.path('metrics') + f'.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            f.write(''.join(json.dumps(r) + '\n' for r in kept))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path('metrics'))

    def log(self, line):
        if self.writer:
            with open(self.path('log'), 'a') as f:
                f.write(f'{iso_now()} {line}\n')
