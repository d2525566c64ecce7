// `mim-lab data inspect`: what the configured dataset looks like to the model, before any training.
// Prints a summary per split and writes a grid of centre views and their augmented views.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/schema';
import { Rng } from '../ml/rng';
import { openDataset } from '../data/open';
import { classCount } from '../data/preflight';
import { encodePng, imageGrid } from '../data/png';
import { augmentedView, centreView } from '../data/transforms';
import { CorruptImageError, type RawImage, type Split } from '../data/types';
import { maskPreview } from './mask-preview';

const SAMPLES = 16;
const COLS = 8;

function truncatedNames(names: string[], max = 12): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (+${names.length - max} more)` : shown;
}

/** Opens the dataset, writes the sample grid to `outPng` and returns a printable summary. */
export async function dataInspect(config: Config, outPng: string): Promise<string> {
  const ds = await openDataset(config);
  const d = config.data;
  const size = ds.nativeSize ? `${ds.nativeSize.width}×${ds.nativeSize.height}` : 'varies per image';
  const lines = [
    `dataset   ${ds.name}`,
    `classes   ${ds.classNames.length}: ${truncatedNames(ds.classNames)}`,
    `stored    ${size}, ${ds.channels} channel${ds.channels === 1 ? '' : 's'}`,
    `model in  ${d.imageSize}×${d.imageSize}, ${d.channels} channel${d.channels === 1 ? '' : 's'}; crop scale ${d.cropScale.join('–')}, hflip ${d.hflip}`,
  ];
  for (const [name, split] of [['train', ds.train], ['test', ds.test]] as const) {
    lines.push(`${name.padEnd(9)} ${split.length} images, ${classCount(split)} classes`);
  }

  // Rows alternate: centre views of 8 images, then the augmented views of the same 8.
  const tiles: RawImage[] = [];
  const corrupt: string[] = [];
  const n = Math.min(SAMPLES, ds.train.length);
  const views: { centre: RawImage; aug: RawImage }[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const img = await ds.train.read(i);
      const rng = Rng.derive(config.train.seed, 'inspect', i);
      views.push({ centre: centreView(img, d.imageSize, d.channels), aug: augmentedView(img, d.imageSize, d.channels, d.cropScale, d.hflip, rng) });
    } catch (e) {
      if (!(e instanceof CorruptImageError)) throw e;
      corrupt.push(e.file);
    }
  }
  for (let r = 0; r < views.length; r += COLS) {
    const row = views.slice(r, r + COLS);
    tiles.push(...row.map((v) => v.centre), ...Array.from({ length: COLS - row.length }, () => blank(d.imageSize, d.channels)));
    tiles.push(...row.map((v) => v.aug), ...Array.from({ length: COLS - row.length }, () => blank(d.imageSize, d.channels)));
  }
  // Binary formats are validated whole at open time; only folders can hold undecodable files.
  const corruptNote = ds.name.startsWith('folder:') ? `${corrupt.length} of the first ${n} train images unreadable (not checked beyond)` : '0 (validated at open)';
  lines.push(`corrupt   ${corruptNote}`);
  for (const f of corrupt) lines.push(`          ${f}`);
  if (tiles.length > 0) {
    const zoom = Math.max(1, Math.floor(96 / d.imageSize)); // 32 px tiles are too small to judge by eye
    const grid = imageGrid(tiles.map((t) => upscale(t, zoom)), COLS, 2);
    mkdirSync(dirname(outPng), { recursive: true });
    writeFileSync(outPng, encodePng(grid.data, grid.width, grid.height, grid.channels as 1 | 3));
    lines.push(`grid      ${outPng} (rows: centre view, augmented view; ${zoom}× nearest-neighbour zoom)`);
    // The masks the run will use on its sample batch, over the same centre views (grey = masked, the teacher's targets).
    try {
      const masks = maskPreview(config, views.map((v) => v.centre), COLS, zoom);
      const masksPng = outPng.replace(/(\.png)?$/i, '-masks.png');
      writeFileSync(masksPng, encodePng(masks.image.data, masks.image.width, masks.image.height, masks.image.channels as 1 | 3));
      lines.push(`masks     ${masksPng}: ${masks.summary} (grey = masked)`);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      lines.push(`masks     not drawn: ${err.message}`); // e.g. a mask.count too large for this image size
    }
  }
  return lines.join('\n');
}

function blank(size: number, channels: number): RawImage {
  return { width: size, height: size, channels, data: new Uint8Array(size * size * channels).fill(255) };
}

/** Nearest-neighbour zoom: keeps pixel edges visible, unlike bilinear. */
function upscale(img: RawImage, k: number): RawImage {
  if (k === 1) return img;
  const w = img.width * k;
  const c = img.channels;
  const data = new Uint8Array(w * img.height * k * c);
  for (let y = 0; y < img.height * k; y++) {
    for (let x = 0; x < w; x++) {
      const src = (Math.floor(y / k) * img.width + Math.floor(x / k)) * c;
      for (let ch = 0; ch < c; ch++) data[(y * w + x) * c + ch] = img.data[src + ch];
    }
  }
  return { width: w, height: img.height * k, channels: c, data };
}
