"""python3 -m mimlab_torch.torchrun <torchrun arguments>: PyTorch's own launcher (torch.distributed.run, what the
`torchrun` script runs), with one compatibility fix and nothing else.

torch 1.13 (Debian's python3-torch) on Python ≥ 3.11 cannot parse its own default `--redirects 0` / `--tee 0`:
Python 3.11 no longer lists the zero member of an IntFlag when iterating it, so Std.from_str("0") returns None and
torchrun fails before starting a worker ("'NoneType' object has no attribute 'get'"). Later torch releases fixed
it; on those this module is plain torchrun.
"""
import sys

from torch.distributed import run
from torch.distributed.elastic.multiprocessing import api


def _fix_std_parsing():
    if api.Std.from_str('0') is not None:
        return
    parse = api.Std.from_str.__func__

    def from_str(cls, vm):
        if vm == '0':
            return cls.NONE
        parsed = parse(cls, vm)
        return {i: api.Std.NONE if v is None else v for i, v in parsed.items()} if isinstance(parsed, dict) else parsed
    api.Std.from_str = classmethod(from_str)


if __name__ == '__main__':
    _fix_std_parsing()
    sys.exit(run.main())
