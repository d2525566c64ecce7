"""Port of src/data/transforms.ts on uint8 [H, W, C] numpy images. Geometry follows torchvision.

The resampling is the same separable triangle filter (bilinear up, antialiased down, taps outside the image
dropped), written as two small weight matrices; the random crop box and flip consume the Rng exactly as the TS.
Pixel values can differ from the TS by a rounding step (float32 weights summed in a different order).
"""
import math

import numpy as np

from ..masking import js_round

LOG_RATIO = (math.log(3 / 4), math.log(4 / 3))


def _filter_matrix(src_start, src_len, out_len, limit):
    """[out_len, limit] weights of the triangle filter (rows sum to 1), all output pixels at once."""
    scale = src_len / out_len
    support = max(1.0, scale)
    n = math.ceil(support) * 2 + 1
    o = np.arange(out_len)
    centre = src_start + (o + 0.5) * scale  # half-pixel centres (align_corners = false)
    s = np.floor(centre - support).astype(np.int64)[:, None] + np.arange(n)[None, :]
    d = np.abs(s + 0.5 - centre[:, None]) / support
    w = np.where((d < 1) & (s >= 0) & (s < limit), 1 - d, 0.0)  # taps outside the image are dropped (as PIL)
    total = w.sum(1, keepdims=True)
    w = (w / np.where(total > 0, total, 1)).astype(np.float32)
    m = np.zeros((out_len, limit), np.float64)
    np.add.at(m, (np.repeat(o, n), np.clip(s, 0, limit - 1).reshape(-1)), w.reshape(-1))
    return m


def resize_region(img, box, out_w, out_h):
    """Resamples box = (x, y, w, h) of img to out_w × out_h."""
    x, y, w, h = box
    height, width = img.shape[:2]
    mx = _filter_matrix(x, w, out_w, width)
    my = _filter_matrix(y, h, out_h, height)
    out = np.einsum('oh,hwc,pw->opc', my, img.astype(np.float64), mx, optimize=True)
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def random_resized_crop_box(width, height, scale, rng):
    """torchvision RandomResizedCrop.get_params: 10 tries, then a centre crop."""
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(scale[0], scale[1])
        ratio = math.exp(rng.uniform(*LOG_RATIO))
        w = js_round(math.sqrt(target * ratio))
        h = js_round(math.sqrt(target / ratio))
        if 0 < w <= width and 0 < h <= height:
            return rng.int(width - w + 1), rng.int(height - h + 1), w, h
    in_ratio = width / height
    w, h = width, height
    if in_ratio < 3 / 4:
        h = js_round(w / (3 / 4))
    elif in_ratio > 4 / 3:
        w = js_round(h * (4 / 3))
    return (width - w) // 2, (height - h) // 2, w, h


def to_channels(img, channels):
    """Gray → RGB by replication; RGB → gray by ITU-R 601 luma; RGBA drops alpha on black."""
    c = img.shape[2]
    if c == channels:
        return img
    src = img.astype(np.float64)
    a = src[..., 3:4] / 255 if c == 4 else 1.0
    rgb = (src[..., :3] if c >= 3 else np.repeat(src[..., :1], 3, axis=2)) * a
    if channels == 1:
        out = np.floor((rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) / 1000 + 0.5)[..., None]
    else:
        out = np.floor(rgb + 0.5)
    return out.astype(np.uint8)


def centre_view(img, size, channels):
    """Shorter side resized to `size`, centre crop, `channels` channels (the evaluation view)."""
    h, w = img.shape[:2]
    if not (w == size and h == size):
        s = min(w, h)
        img = resize_region(img, ((w - s) / 2, (h - s) / 2, s, s), size, size)
    return to_channels(img, channels)


def augmented_view(img, size, channels, crop_scale, flip, rng):
    """Random resized crop + optional horizontal flip, drawn from rng in the TS order."""
    h, w = img.shape[:2]
    out = resize_region(img, random_resized_crop_box(w, h, crop_scale, rng), size, size)
    if flip and rng.next() < 0.5:
        out = out[:, ::-1]
    return to_channels(np.ascontiguousarray(out), channels)


def normalise(img, mean, std):
    """(v/255 − mean)/std per channel, float32 [H, W, C] (the TS computes v·(1/(255·std)) − mean/std in float32)."""
    scale = (1 / (255 * np.asarray(std, np.float64))).astype(np.float32)
    shift = (np.asarray(mean, np.float64) / np.asarray(std, np.float64)).astype(np.float32)
    return img.astype(np.float32) * scale - shift
