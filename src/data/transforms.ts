// Pure image transforms on channels-last uint8 images. Geometry follows torchvision so numbers in papers
// (crop scale 0.08–1, ratio 3/4–4/3) mean the same thing here.
import type { Rng } from '../ml/rng';
import type { RawImage } from './types';

/** A source region in pixel units (may be fractional). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Per-output-pixel taps of a triangle filter: bilinear when upscaling, area-like (antialiased) when downscaling. */
function taps(srcStart: number, srcLen: number, outLen: number, limit: number): { idx: Int32Array; w: Float32Array; n: number } {
  const scale = srcLen / outLen;
  const support = Math.max(1, scale);
  const n = Math.ceil(support) * 2 + 1;
  const idx = new Int32Array(outLen * n);
  const w = new Float32Array(outLen * n);
  for (let o = 0; o < outLen; o++) {
    const centre = srcStart + (o + 0.5) * scale; // half-pixel centres (align_corners = false)
    const lo = Math.floor(centre - support);
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const s = lo + t;
      const d = Math.abs(s + 0.5 - centre) / support;
      const wt = d < 1 && s >= 0 && s < limit ? 1 - d : 0; // taps outside the image are dropped (as PIL)
      idx[o * n + t] = Math.min(limit - 1, Math.max(0, s));
      w[o * n + t] = wt;
      sum += wt;
    }
    for (let t = 0; t < n; t++) w[o * n + t] /= sum || 1;
  }
  return { idx, w, n };
}

/** Resamples the region `box` of `img` to outW×outH (separable triangle filter). */
export function resizeRegion(img: RawImage, box: Box, outW: number, outH: number): RawImage {
  const c = img.channels;
  const hx = taps(box.x, box.w, outW, img.width);
  const hy = taps(box.y, box.h, outH, img.height);
  // Horizontal pass over only the source rows the vertical pass will touch.
  const rowLo = hy.idx.reduce((a, b) => Math.min(a, b), img.height);
  const rowHi = hy.idx.reduce((a, b) => Math.max(a, b), 0);
  const rows = rowHi - rowLo + 1;
  const tmp = new Float32Array(rows * outW * c);
  // Locals rather than property reads, and the channel loop outermost over a tap's weight and index, in the inner
  // loops: this runs on every training image, on the main thread. Same sums in the same order as the plain loops.
  const src = img.data;
  const { idx: xi, w: xw, n: xn } = hx;
  for (let r = 0; r < rows; r++) {
    const srcRow = (rowLo + r) * img.width;
    for (let o = 0; o < outW; o++) {
      const tap0 = o * xn;
      const dst = (r * outW + o) * c;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let t = 0; t < xn; t++) {
          const wt = xw[tap0 + t];
          if (wt !== 0) acc += wt * src[(srcRow + xi[tap0 + t]) * c + k];
        }
        tmp[dst + k] = acc;
      }
    }
  }
  const out = new Uint8Array(outW * outH * c);
  const { idx: yi, w: yw, n: yn } = hy;
  const rowLen = outW * c;
  for (let o = 0; o < outH; o++) {
    const tap0 = o * yn;
    const dst = o * rowLen;
    for (let j = 0; j < rowLen; j++) {
      let acc = 0;
      for (let t = 0; t < yn; t++) {
        const wt = yw[tap0 + t];
        if (wt !== 0) acc += wt * tmp[(yi[tap0 + t] - rowLo) * rowLen + j];
      }
      out[dst + j] = Math.min(255, Math.max(0, Math.round(acc)));
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}

export function resize(img: RawImage, outW: number, outH: number): RawImage {
  if (outW === img.width && outH === img.height) return img;
  return resizeRegion(img, { x: 0, y: 0, w: img.width, h: img.height }, outW, outH);
}

/** Integer crop; the box must lie inside the image. */
export function crop(img: RawImage, x: number, y: number, w: number, h: number): RawImage {
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > img.width || y + h > img.height) {
    throw new RangeError(`crop ${x},${y} ${w}x${h} outside ${img.width}x${img.height}`);
  }
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) out.set(img.data.subarray(((y + r) * img.width + x) * c, ((y + r) * img.width + x + w) * c), r * w * c);
  return { width: w, height: h, channels: c, data: out };
}

const LOG_RATIO: [number, number] = [Math.log(3 / 4), Math.log(4 / 3)];

/** torchvision RandomResizedCrop.get_params: 10 tries at (area scale, log-uniform ratio), then a centre crop. */
export function randomResizedCropBox(width: number, height: number, scale: [number, number], rng: Rng): Box {
  const area = width * height;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const ratio = Math.exp(rng.uniform(LOG_RATIO[0], LOG_RATIO[1]));
    const w = Math.round(Math.sqrt(target * ratio));
    const h = Math.round(Math.sqrt(target / ratio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), w, h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < 3 / 4) h = Math.round(w / (3 / 4));
  else if (inRatio > 4 / 3) w = Math.round(h * (4 / 3));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h };
}

export function randomResizedCrop(img: RawImage, size: number, scale: [number, number], rng: Rng): RawImage {
  return resizeRegion(img, randomResizedCropBox(img.width, img.height, scale, rng), size, size);
}

export function hflip(img: RawImage): RawImage {
  const { width: w, height: h, channels: c } = img;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * c;
      const d = (y * w + (w - 1 - x)) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k];
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Gray → RGB by replication; RGB → gray by ITU-R 601 luma (as PIL's convert('L')); RGBA drops alpha on black. */
export function toChannels(img: RawImage, channels: number): RawImage {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const src = img.data;
  const c = img.channels;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = c === 4 ? src[i * 4 + 3] / 255 : 1;
    const r = src[i * c] * a;
    const g = (c >= 3 ? src[i * c + 1] : src[i * c]) * a;
    const b = (c >= 3 ? src[i * c + 2] : src[i * c]) * a;
    if (channels === 1) out[i] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
    else {
      out[i * channels] = Math.round(r);
      out[i * channels + 1] = Math.round(g);
      out[i * channels + 2] = Math.round(b);
    }
  }
  return { width: img.width, height: img.height, channels, data: out };
}

/** The source box of "resize the shorter side to size, then centre crop size×size". */
export function centreBox(width: number, height: number): Box {
  const s = Math.min(width, height);
  return { x: (width - s) / 2, y: (height - s) / 2, w: s, h: s };
}

/** The deterministic evaluation view: shorter side resized to `size`, centre crop, `channels` channels. */
export function centreView(img: RawImage, size: number, channels: number): RawImage {
  const out = img.width === size && img.height === size ? img : resizeRegion(img, centreBox(img.width, img.height), size, size);
  return toChannels(out, channels);
}

/** Training view: random resized crop + optional horizontal flip, drawn from `rng` in a fixed order. */
export function augmentedView(img: RawImage, size: number, channels: number, cropScale: [number, number], flip: boolean, rng: Rng): RawImage {
  let out = randomResizedCrop(img, size, cropScale, rng);
  if (flip && rng.next() < 0.5) out = hflip(out);
  return toChannels(out, channels);
}

/** Writes (v/255 − mean)/std into `out` at `offset` (channels-last, same layout as `img`). */
export function normaliseInto(img: RawImage, mean: number[], std: number[], out: Float32Array, offset: number): void {
  const c = img.channels;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = 1 / (255 * std[k]);
    shift[k] = mean[k] / std[k];
  }
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const k = i % c;
    out[offset + i] = d[i] * scale[k] - shift[k];
  }
}
