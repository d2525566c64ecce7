"""Which AdamW implementation the engine asks torch for, as a pure function of torch's version, the device and the
keyword arguments torch.optim.AdamW accepts (so it is testable without a GPU).

- CUDA, torch ≥ 2.0 with `fused`: one fused kernel for the whole update (fewest launches; what MFU needs).
- CUDA otherwise (torch 1.13): `foreach`, the multi-tensor path.
- CPU: the single-tensor loop (`foreach=False`), torch's own CPU default, which keeps the update the one the
  TF.js-parity tests compare against.
"""
import inspect
import re


def torch_major_minor(version):
    """'2.5.1+cu124' → (2, 5); '1.13.0a0' → (1, 13)."""
    m = re.match(r'(\d+)\.(\d+)', version)
    if not m:
        raise ValueError(f'unrecognised torch version {version!r}')
    return int(m.group(1)), int(m.group(2))


def adamw_choice(torch_version, device_type, accepts):
    """(implementation, AdamW keyword arguments): 'fused' | 'foreach' | 'single-tensor'."""
    if device_type == 'cuda':
        if torch_major_minor(torch_version) >= (2, 0) and 'fused' in accepts:
            return 'fused', {'fused': True}
        if 'foreach' in accepts:
            return 'foreach', {'foreach': True}
    return 'single-tensor', ({'foreach': False} if 'foreach' in accepts else {})


def adamw_keywords():
    import torch
    return set(inspect.signature(torch.optim.AdamW).parameters)
