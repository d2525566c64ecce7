// Attention overlays: a patch-level heatmap (viridis) blended on the image, upscaled so patches read as squares.
import type { RawImage } from '../data/types';
import { normalizeRange, viridis } from '../protocol/colormap';

export interface OverlayOptions {
  /** Patch grid side (the weights are N = grid² values in grid order). */
  grid: number;
  /** Integer upscale of the result. */
  scale: number;
  /** Heatmap opacity over the image. */
  alpha?: number;
  /** Grid index of a patch to outline (the regressor's query). */
  outline?: number;
}

/**
 * Image (1 or 3 channels) + weights over patches → RGB overlay of side S·scale. Colours span each map's own
 * min…max (where it attends most, relative to elsewhere); the saved JSON keeps the actual probabilities.
 */
export function attentionOverlay(img: RawImage, weights: ArrayLike<number>, o: OverlayOptions): RawImage {
  const alpha = o.alpha ?? 0.6;
  const S = img.width;
  const W = S * o.scale;
  const patch = (S / o.grid) * o.scale; // patch side in output pixels
  const colours = normalizeRange(weights).map(viridis);
  const data = new Uint8Array(W * W * 3);
  const oy = o.outline !== undefined ? Math.floor(o.outline / o.grid) * patch : -1;
  const ox = o.outline !== undefined ? (o.outline % o.grid) * patch : -1;
  const edge = Math.max(1, Math.round(o.scale / 2));
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const s = (Math.floor(y / o.scale) * S + Math.floor(x / o.scale)) * img.channels;
      const colour = colours[Math.floor(y / patch) * o.grid + Math.floor(x / patch)];
      const d = (y * W + x) * 3;
      const onOutline = oy >= 0 && y >= oy && y < oy + patch && x >= ox && x < ox + patch
        && (y < oy + edge || y >= oy + patch - edge || x < ox + edge || x >= ox + patch - edge);
      for (let k = 0; k < 3; k++) {
        const px = img.data[s + (img.channels === 1 ? 0 : k)];
        data[d + k] = onOutline ? [255, 64, 64][k] : Math.round((1 - alpha) * px + alpha * colour[k]);
      }
    }
  }
  return { width: W, height: W, channels: 3, data };
}
