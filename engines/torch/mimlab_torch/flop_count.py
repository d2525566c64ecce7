"""The matmul FLOPs torch actually executes, counted op by op, to check the analytic count of flops.py.

torch ≥ 2.1 has torch.utils.flop_counter.FlopCounterMode (matmuls, fused attention, convolutions, forward and
backward); on older torch (Debian's 1.13) a dispatch mode counts the aten matmuls the same way: 2·m·k·n for mm /
addmm, 2·b·m·k·n for bmm / baddbmm. Both see the backward pass, since autograd runs its ops through the dispatcher.
"""
import contextlib

import torch

try:
    from torch.utils.flop_counter import FlopCounterMode
except ImportError:  # torch < 2.1
    FlopCounterMode = None

from torch.utils._python_dispatch import TorchDispatchMode

_aten = torch.ops.aten


def _mm(a, b):
    return 2 * a.shape[0] * a.shape[1] * b.shape[1]


def _bmm(a, b):
    return 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]


_COUNTS = {
    _aten.mm.default: lambda args: _mm(args[0], args[1]),
    _aten.addmm.default: lambda args: _mm(args[1], args[2]),
    _aten.bmm.default: lambda args: _bmm(args[0], args[1]),
    _aten.baddbmm.default: lambda args: _bmm(args[1], args[2]),
}


class MatmulCounter(TorchDispatchMode):
    """Counts the FLOPs of aten matmuls run inside it (fused attention kernels are not known to it: torch < 2)."""

    def __init__(self):
        super().__init__()
        self.flops = 0
        self.unknown = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        count = _COUNTS.get(func)
        if count is not None:
            self.flops += count(args)
        elif 'attention' in str(func) or 'matmul' in str(func) or 'conv' in str(func):
            self.unknown.add(str(func))
        return func(*args, **(kwargs or {}))


class _Counter:
    """One interface over FlopCounterMode and MatmulCounter: `with counter:` … `counter.total()`."""

    def __init__(self):
        self.mode = FlopCounterMode(display=False) if FlopCounterMode is not None else MatmulCounter()

    def __enter__(self):
        self.mode.__enter__()
        return self

    def __exit__(self, *exc):
        return self.mode.__exit__(*exc)

    def total(self):
        if isinstance(self.mode, MatmulCounter):
            if self.mode.unknown:
                raise RuntimeError(f'matmul-like ops the counter does not know: {sorted(self.mode.unknown)}')
            return self.mode.flops
        return self.mode.get_total_flops()


def measured_flops(model, inputs, autocast=contextlib.nullcontext):
    """{'forward', 'total'}: the matmul FLOPs of the losses' forward alone, and of forward + backward, on one input.
    `autocast` (e.g. Compute.autocast) is entered once per pass: within one autocast region the casts made under
    no_grad are cached and reused, and the second pass would then compute no weight gradients."""
    with torch.no_grad(), _Counter() as fwd, autocast():
        model(inputs)
    model.zero_grad(set_to_none=True)
    with _Counter() as step:
        with autocast():
            loss = model(inputs)[0]
        loss.backward()
    model.zero_grad(set_to_none=True)
    return {'forward': fwd.total(), 'total': step.total(), 'counter': type(step.mode).__name__}
