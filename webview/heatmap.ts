// Attention heatmaps over the patch grid, optionally overlaid on the image. Reused by the run panel and the report.
import { normalizeRange, viridis } from '../src/protocol/colormap';
import type { Tile } from './image-grid';

export interface HeatmapOptions {
  grid: [number, number];
  /** One value per patch, row-major; null patches are left uncoloured. */
  values: readonly (number | null)[];
  base?: { img: HTMLImageElement; tile: Tile };
  overlay: boolean;
  /** Patches to outline (e.g. the masked ones) and the one to mark as the query. */
  outline?: readonly number[];
  query?: number;
  cssSize: number;
}

export function drawHeatmap(canvas: HTMLCanvasElement, o: HeatmapOptions): void {
  const [rows, cols] = o.grid;
  const px = Math.max(8, Math.ceil(256 / Math.max(rows, cols)));
  canvas.width = cols * px;
  canvas.height = rows * px;
  canvas.style.width = `${o.cssSize}px`;
  canvas.style.height = `${Math.round((o.cssSize * rows) / cols)}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const showBase = o.overlay && o.base;
  if (showBase && o.base) ctx.drawImage(o.base.img, o.base.tile.sx, o.base.tile.sy, o.base.tile.sw, o.base.tile.sh, 0, 0, canvas.width, canvas.height);
  const norm = normalizeRange(o.values);
  for (let p = 0; p < rows * cols; p++) {
    if (o.values[p] === null || o.values[p] === undefined) continue;
    const [r, g, b] = viridis(norm[p]);
    ctx.fillStyle = `rgba(${r},${g},${b},${showBase ? 0.1 + 0.65 * norm[p] : 1})`;
    ctx.fillRect((p % cols) * px, Math.floor(p / cols) * px, px, px);
  }
  ctx.lineWidth = Math.max(1, px / 16);
  ctx.strokeStyle = 'rgba(255,255,255,0.6)';
  for (const p of o.outline ?? []) ctx.strokeRect((p % cols) * px + 0.5, Math.floor(p / cols) * px + 0.5, px - 1, px - 1);
  if (o.query !== undefined) {
    ctx.strokeStyle = '#00e5ff';
    ctx.lineWidth = Math.max(2, px / 8);
    ctx.strokeRect((o.query % cols) * px + 1, Math.floor(o.query / cols) * px + 1, px - 2, px - 2);
  }
  canvas.dataset.drawn = '1';
}

/** A small colour bar for the heatmaps: low → high attention within each map. */
export function colorLegend(): HTMLElement {
  const c = document.createElement('canvas');
  c.width = 128;
  c.height = 1;
  c.className = 'legend-bar';
  const ctx = c.getContext('2d');
  if (ctx) {
    for (let x = 0; x < c.width; x++) {
      const [r, g, b] = viridis(x / (c.width - 1));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, 0, 1, 1);
    }
  }
  const wrap = document.createElement('span');
  wrap.className = 'legend';
  wrap.title = 'Each map is scaled from its lowest to its highest weight';
  wrap.append('low ', c, ' high');
  return wrap;
}
