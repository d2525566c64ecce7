"""Events for the parent: one JSON object per line on stdout, members of TrainerEvent (src/protocol/events.ts).
Everything else the engine prints goes to stderr."""
import json
import math
import sys

PROTOCOL_VERSION = 1


def _finite(x):
    """JSON has no NaN/Infinity: non-finite numbers travel as null (JSON.stringify does the same)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


class Reporter:
    def __init__(self, out=None, enabled=True):
        self.out, self.enabled = out or sys.stdout, enabled

    def emit(self, event):
        if not self.enabled:
            return
        self.out.write(json.dumps(_finite(event)) + '\n')
        self.out.flush()
