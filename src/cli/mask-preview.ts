// The mask generator previewed (issue 18): a bad mask on a small grid is a known cause of collapse, so
// `mim-lab data inspect` draws the run's sample masks (the same draws as the fixed sample batch) over centre views.
import type { Config } from '../config/schema';
import { imageGrid } from '../data/png';
import type { RawImage } from '../data/types';
import { sampleMasks } from '../diagnostics/sample-batch';
import { upscale } from '../data/pixels';
import { maskStatistics } from '../ml/masking';

const GREY = 128;

/** One view with its masked patches greyed out (¾ grey, ¼ image, so the hidden content stays faintly visible). */
function greyMasked(img: RawImage, mask: Uint8Array, grid: number, patch: number): RawImage {
  const data = Uint8Array.from(img.data);
  const c = img.channels;
  for (let p = 0; p < grid * grid; p++) {
    if (!mask[p]) continue;
    const top = Math.floor(p / grid) * patch;
    const left = (p % grid) * patch;
    for (let y = top; y < top + patch; y++) {
      for (let x = left; x < left + patch; x++) {
        for (let ch = 0; ch < c; ch++) {
          const i = (y * img.width + x) * c + ch;
          data[i] = Math.round(0.25 * data[i] + 0.75 * GREY);
        }
      }
    }
  }
  return { ...img, data };
}

export interface MaskPreview {
  image: RawImage;
  /** One line for the inspect summary. */
  summary: string;
}

/** Grid of `views.length` centre views (model size), each under its sample mask, `cols` per row, zoomed `zoom`×. */
export function maskPreview(config: Config, views: RawImage[], cols: number, zoom: number): MaskPreview {
  const grid = config.data.imageSize / config.model.patchSize;
  const masks = sampleMasks(config, views.length);
  const tiles = views.map((v, b) => upscale(greyMasked(v, masks.masks.subarray(b * masks.N, (b + 1) * masks.N), grid, config.model.patchSize), zoom));
  const stats = maskStatistics(masks.masks, { gridH: grid, gridW: grid });
  const m = config.mask;
  const kind = m.kind === 'multiblock' ? `multiblock (${m.blocks} blocks, scale ${m.blockScale.join('–')}, aspect ${m.blockAspect.join('–')})` : m.kind;
  return {
    image: imageGrid(tiles, cols, 2),
    summary: `${kind}, ${m.count} of ${grid * grid} patches masked on a ${grid}×${grid} grid; `
      + `${stats.meanComponents.toFixed(1)} masked regions per image, the largest ${(stats.meanLargestFraction * 100).toFixed(0)} % of the mask`,
  };
}
