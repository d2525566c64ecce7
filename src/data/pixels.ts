// Pixel conversions shared by samples, probes and the tokenizer: dataset-normalised values → [0, 1] units,
// and integer upscaling for pictures meant for people.
import type { RawImage } from './types';

export interface Norm {
  mean: number[];
  std: number[];
}

/** In place: dataset-normalised values → [0, 1] pixel units. Channels are innermost (NHWC, and patch rows). */
export function toUnit(values: Float32Array, norm: Norm): Float32Array {
  const C = norm.mean.length;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * norm.std[i % C] + norm.mean[i % C];
  return values;
}

/** Nearest-neighbour upscaling by an integer factor (patches stay crisp squares). */
export function upscale(img: RawImage, k: number): RawImage {
  if (k === 1) return img;
  const { width: w, height: h, channels: c } = img;
  const data = new Uint8Array(w * k * h * k * c);
  for (let y = 0; y < h * k; y++) {
    for (let x = 0; x < w * k; x++) {
      const s = (Math.floor(y / k) * w + Math.floor(x / k)) * c;
      const d = (y * w * k + x) * c;
      for (let i = 0; i < c; i++) data[d + i] = img.data[s + i];
    }
  }
  return { width: w * k, height: h * k, channels: c, data };
}
