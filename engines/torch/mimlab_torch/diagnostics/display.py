"""Model-space arrays → pictures (src/diagnostics/display.ts, heatmap.ts, attention.ts, src/util/colormap.ts):
the five reconstruction views, attention rows renormalised over patches, viridis overlays on the image."""
import numpy as np

MASKED_GREY = 0.5
UNPREDICTED_GREY = 0.2
TILE_PAD = 2
VIRIDIS = np.array([[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
                    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]], np.float64)


def display_scale(image_size, target=128):
    return max(1, int(np.floor(target / image_size + 0.5)))


def _patch_stats(x):
    """Mean and std per row (unbiased variance, eps 1e-6 inside the root), as patchStats."""
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).sum(-1, keepdims=True) / max(1, x.shape[-1] - 1)
    return mean, np.sqrt(var + 1e-6)


def compose_views(images, patch, mask_idx, prediction, encoder_decode, norm_pix, norm):
    """images NHWC normalised [B, S, S, C]; mask_idx [B, Nm]; predictions [B, Nm, P] in target space
    → (view names, uint8 images [V][B] of [S, S, C])."""
    b, s, _, c = images.shape
    g = s // patch
    allp = images.reshape(b, g, patch, g, patch, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, g * g, -1).astype(np.float64)
    rows = np.arange(b)[:, None]
    masked_orig = allp[rows, mask_idx]
    is_masked = np.zeros(allp.shape[:2], bool)
    is_masked[rows, mask_idx] = True
    mean = np.tile(np.asarray(norm['mean'], np.float64), allp.shape[-1] // c)
    std = np.tile(np.asarray(norm['std'], np.float64), allp.shape[-1] // c)
    unit = lambda x: x * std + mean
    original = unit(allp)

    def unit_pred(p):
        p = np.asarray(p, np.float64)
        if norm_pix:
            m, sd = _patch_stats(masked_orig)
            p = p * sd + m
        return unit(p)

    def compose(masked, show_visible):
        out = np.full(allp.shape, UNPREDICTED_GREY if masked is not None else MASKED_GREY)
        if show_visible:
            out[~is_masked] = original[~is_masked]
        if masked is not None:
            out[rows, mask_idx] = masked
        return out

    pred = unit_pred(prediction)
    views = [('original', original), ('masked', compose(None, True)), ('prediction', compose(pred, False)), ('pasted', compose(pred, True))]
    if encoder_decode is not None:
        views.append(('encoder-decode', compose(unit_pred(encoder_decode), False)))

    def to_images(p):
        img = p.reshape(b, g, g, patch, patch, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, s, s, c)
        return list(np.floor(255 * np.clip(img, 0, 1) + 0.5).astype(np.uint8))
    return [n for n, _ in views], [to_images(p) for _, p in views]


def patch_distribution(row):
    """Drops the cls key (index 0) of a softmax row and rescales the rest to sum to 1 (uniform if nothing is left)."""
    rest = np.asarray(row[1:], np.float64)
    total = rest.sum()
    return rest / total if total > 1e-12 else np.full(len(rest), 1 / len(rest))


def head_rows(layers, heads):
    """layers: per layer [B, H, 1 + N] → [b][layer][head…, avg] rows over the N patch keys (token order)."""
    out = []
    for b in range(layers[0].shape[0]):
        per_layer = []
        for probs in layers:
            hs = [patch_distribution(probs[b, h]) for h in range(heads)]
            per_layer.append(hs + [np.mean(hs, axis=0)])
        out.append(per_layer)
    return out


def to_grid_order(row, keys):
    out = np.zeros(len(row))
    out[np.asarray(keys)] = row
    return out


def choose_query(masked, side):
    """The masked patch (position in the sample's list) nearest the centroid of its masked region."""
    m = np.asarray(masked)
    cy, cx = sum((m // side) / len(m)), sum((m % side) / len(m))
    best, best_d = 0, float('inf')
    for j, p in enumerate(m):
        d = (p // side - cy) ** 2 + (p % side - cx) ** 2
        if d < best_d - 1e-9:
            best, best_d = j, d
    return best


def rounded(row):
    """6 significant digits, as Number(x.toPrecision(6))."""
    return [float(f'{x:.6g}') for x in row]


def viridis(t):
    t = np.where(np.isfinite(t), t, 0)
    x = np.clip(t, 0, 1) * (len(VIRIDIS) - 1)
    i = np.minimum(len(VIRIDIS) - 2, np.floor(x)).astype(int)
    f = (x - i)[..., None]
    return np.floor(VIRIDIS[i] + (VIRIDIS[i + 1] - VIRIDIS[i]) * f + 0.5)


def normalize_range(values):
    v = np.asarray(values, np.float64)
    lo, hi = v.min(), v.max()
    return (v - lo) / (hi - lo) if hi - lo > 0 else np.full(len(v), 0.5)


def attention_overlay(img, weights, grid, scale, outline=None, alpha=0.6):
    """uint8 image [S, S, 1|3] + weights over patches (grid order) → RGB overlay [S·scale, S·scale, 3]."""
    s = img.shape[0]
    w = s * scale
    patch = (s // grid) * scale
    colours = viridis(normalize_range(weights)).reshape(grid, grid, 3)
    up = img.repeat(scale, 0).repeat(scale, 1).astype(np.float64)
    if up.shape[2] == 1:
        up = np.repeat(up, 3, 2)
    heat = colours.repeat(patch, 0).repeat(patch, 1)
    out = np.floor((1 - alpha) * up + alpha * heat + 0.5)
    if outline is not None:
        oy, ox = (outline // grid) * patch, (outline % grid) * patch
        edge = max(1, int(np.floor(scale / 2 + 0.5)))
        yy, xx = np.mgrid[0:w, 0:w]
        inside = (yy >= oy) & (yy < oy + patch) & (xx >= ox) & (xx < ox + patch)
        border = (yy < oy + edge) | (yy >= oy + patch - edge) | (xx < ox + edge) | (xx >= ox + patch - edge)
        out[inside & border] = [255, 64, 64]
    return out.astype(np.uint8)
