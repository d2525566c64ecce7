"""safetensors files (https://huggingface.co/docs/safetensors): the `safetensors` package when importable, else
this small reader/writer of the same format (8-byte little-endian header length, JSON header, raw data).

Only F32 is written (the checkpoint contract); the reader accepts F32/F16/BF16/F64 and returns float32 tensors.
"""
import json
import os
import struct

import numpy as np
import torch

try:
    from safetensors.torch import load_file as _st_load, save_file as _st_save
except ImportError:  # Debian has no python3-safetensors
    _st_load = _st_save = None

_NP = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16}


def write(path, tensors, metadata=None):
    """tensors: name → float tensor; written as F32, contiguous, names sorted."""
    tensors = {k: v.detach().to('cpu', torch.float32).contiguous() for k, v in tensors.items()}
    if _st_save is not None:
        _st_save(tensors, path, metadata=metadata)
        return
    header, offset = {}, 0
    for name in sorted(tensors):
        n = tensors[name].numel() * 4
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + n]}
        offset += n
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(',', ':')).encode()
    raw += b' ' * (-len(raw) % 8)  # the data starts 8-byte aligned, as the reference writer pads
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for name in sorted(tensors):
            f.write(tensors[name].numpy().astype('<f4', copy=False).tobytes())
        f.flush()
        os.fsync(f.fileno())


def read_header(path):
    """(header dict, data start) after checking the file is as long as the header says; raises ValueError if not."""
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(f'{path}: shorter than a safetensors header')
        (n,) = struct.unpack('<Q', head)
        if n > size - 8:
            raise ValueError(f'{path}: header length {n} exceeds the file')
        header = json.loads(f.read(n))
    end = max((v['data_offsets'][1] for k, v in header.items() if k != '__metadata__'), default=0)
    if size != 8 + n + end:
        raise ValueError(f'{path}: {size} bytes, but the header describes {8 + n + end}')
    return header, 8 + n


def read(path):
    """name → float32 tensor."""
    if _st_load is not None:
        return {k: v.float() for k, v in _st_load(path).items()}
    header, start = read_header(path)
    blob = np.fromfile(path, np.uint8)
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        a, b = h['data_offsets']
        raw = blob[start + a:start + b]
        if h['dtype'] == 'BF16':
            arr = (raw.view('<u2').astype(np.uint32) << 16).view(np.float32)
        elif h['dtype'] in _NP:
            arr = raw.view(np.dtype(_NP[h['dtype']]).newbyteorder('<')).astype(np.float32)
        else:
            raise ValueError(f'{path}: tensor {name} has dtype {h["dtype"]}; expected a float type')
        out[name] = torch.from_numpy(arr.reshape(h['shape']).copy())
    return out
