"""PNG encoding (8-bit gray or RGB) with zlib only, and the tile grids of src/data/png.ts imageGrid."""
import struct
import zlib

import numpy as np


def _chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(img):
    """uint8 [H, W, 1 | 3] → PNG bytes."""
    h, w, c = img.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), np.ascontiguousarray(img).reshape(h, w * c)], axis=1).tobytes()
    ihdr = struct.pack('>IIBBBBB', w, h, 8, 0 if c == 1 else 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + _chunk(b'IHDR', ihdr) + _chunk(b'IDAT', zlib.compress(raw, 6)) + _chunk(b'IEND', b'')


def image_grid(images, cols, pad, fill=255):
    """Tiles in rows of `cols`, `pad` pixels of `fill` around and between; RGB when any tile is RGB."""
    if not images:
        return np.full((1, 1, 1), fill, np.uint8)
    c = 3 if any(im.shape[2] >= 3 for im in images) else 1
    cw, ch = max(im.shape[1] for im in images), max(im.shape[0] for im in images)
    cols = max(1, min(cols, len(images)))
    rows = -(-len(images) // cols)
    out = np.full((rows * ch + (rows + 1) * pad, cols * cw + (cols + 1) * pad, c), fill, np.uint8)
    for t, im in enumerate(images):
        x0, y0 = pad + (t % cols) * (cw + pad), pad + (t // cols) * (ch + pad)
        out[y0:y0 + im.shape[0], x0:x0 + im.shape[1]] = im[..., :1] if c == 1 else (np.repeat(im, 3, 2) if im.shape[2] == 1 else im[..., :3])
    return out


def upscale(img, k):
    """Nearest-neighbour upscaling by an integer factor."""
    return img if k == 1 else img.repeat(k, 0).repeat(k, 1)
