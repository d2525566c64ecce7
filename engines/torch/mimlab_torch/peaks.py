"""Peak FLOP/s of known accelerators (the denominator of MFU), picked by torch.cuda.get_device_name().

Dense (no 2:4 sparsity) tensor-core figures from NVIDIA's datasheets, in TFLOP/s: `bf16` is the BF16/FP16 tensor
core peak; `tf32` the TF32 tensor-core peak, which is what fp32 training gets here (the engine allows TF32 matmuls
on CUDA); `fp32` the plain FP32 (CUDA core) peak, for reference. The datasheets print the sparse figures for BF16
and TF32 ("with sparsity"); the dense ones are half. Unknown devices and CPUs get no peak, and MFU is then reported
as unavailable with the reason, never against an invented figure.
"""
import re

# (pattern on the device name, name, bf16, tf32, fp32, source). First match wins: the more specific name first.
PEAKS = (
    (r'GH200', 'NVIDIA GH200 (H100 SXM-class GPU)', 989.4, 494.7, 66.9, 'NVIDIA GH200 Grace Hopper datasheet'),
    (r'H200.*NVL', 'NVIDIA H200 NVL', 835.5, 417.5, 60.0, 'NVIDIA H200 datasheet (NVL column)'),
    (r'H200', 'NVIDIA H200 SXM', 989.4, 494.7, 66.9, 'NVIDIA H200 datasheet (SXM column)'),
    (r'H100.*NVL', 'NVIDIA H100 NVL', 835.5, 417.5, 60.0, 'NVIDIA H100 datasheet (NVL column)'),
    (r'H100.*PCIe', 'NVIDIA H100 PCIe', 756.0, 378.0, 51.0, 'NVIDIA H100 datasheet (PCIe column)'),
    (r'H100', 'NVIDIA H100 SXM', 989.4, 494.7, 66.9, 'NVIDIA H100 datasheet (SXM column)'),
    (r'A100', 'NVIDIA A100 (SXM or PCIe)', 312.0, 156.0, 19.5, 'NVIDIA A100 datasheet'),
    (r'L40S', 'NVIDIA L40S', 362.05, 183.0, 91.6, 'NVIDIA L40S datasheet'),
    (r'\bL4\b', 'NVIDIA L4', 121.0, 60.0, 30.3, 'NVIDIA L4 datasheet'),
)


def peak_for(device_name, precision):
    """{'tflops', 'device', 'kind', 'source'} for a CUDA device name and the run's precision, or None when unknown."""
    for pattern, name, bf16, tf32, _fp32, source in PEAKS:
        if re.search(pattern, device_name or ''):
            kind = 'bf16 dense tensor core' if precision == 'bf16' else 'tf32 dense tensor core'
            return {'tflops': bf16 if precision == 'bf16' else tf32, 'device': name, 'kind': kind, 'source': source}
    return None


def mfu(flops_per_step, step_seconds, device_type, device_name, precision):
    """{'achievedTflops', 'peak', 'mfu'} or {'achievedTflops', 'peak': None, 'mfu': None, 'mfuUnavailable': why}."""
    achieved = flops_per_step / step_seconds / 1e12
    if device_type != 'cuda':
        why = f'no datasheet peak for a CPU ({device_name}); MFU is reported on known CUDA devices only'
        return {'achievedTflops': achieved, 'peak': None, 'mfu': None, 'mfuUnavailable': why}
    peak = peak_for(device_name, precision)
    if peak is None:
        why = f'{device_name!r} is not in the table of datasheet peaks (mimlab_torch/peaks.py)'
        return {'achievedTflops': achieved, 'peak': None, 'mfu': None, 'mfuUnavailable': why}
    return {'achievedTflops': achieved, 'peak': peak, 'mfu': achieved / peak['tflops']}
