// Reconstruction grids: the trainer writes one PNG per sample step (a row per image, a column per view);
// this cuts it into labelled tiles. Reused by the run panel and the HTML report.
import { h } from './dom';

export interface Tile {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

export function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = (): void => resolve(img);
    img.onerror = (): void => reject(new Error('image failed to load'));
    img.src = src;
  });
}

/** Where image `row`, view `col` sits in a grid PNG of `rows` × `cols` tiles. */
export function tileOf(img: { naturalWidth: number; naturalHeight: number }, rows: number, cols: number, row: number, col: number): Tile {
  const sw = Math.floor(img.naturalWidth / Math.max(1, cols));
  const sh = Math.floor(img.naturalHeight / Math.max(1, rows));
  return { sx: col * sw, sy: row * sh, sw, sh };
}

/** A canvas showing one tile, scaled up without smoothing (pixels stay pixels). */
export function tileCanvas(img: HTMLImageElement, tile: Tile, cssSize: number): HTMLCanvasElement {
  const c = h('canvas', { className: 'tile', width: tile.sw * 8, height: tile.sh * 8 });
  c.style.width = `${cssSize}px`;
  c.style.height = `${Math.round((cssSize * tile.sh) / Math.max(1, tile.sw))}px`;
  const ctx = c.getContext('2d');
  if (ctx) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, tile.sx, tile.sy, tile.sw, tile.sh, 0, 0, c.width, c.height);
  }
  return c;
}

const VIEW_LABELS: Record<string, string> = {
  original: 'original', masked: 'masked input', prediction: 'prediction', pasted: 'pred. + visible', 'encoder-decode': 'encoder → decoder',
};

export interface GridOptions {
  views: readonly string[];
  /** A label per image row (e.g. class labels). */
  rowLabels: readonly string[];
  tileSize: number;
  viewTitles?: Record<string, string>;
}

/** A table of tiles: header row of view names, then one row per image. */
export function renderImageGrid(img: HTMLImageElement, o: GridOptions): HTMLTableElement {
  const titles = { ...VIEW_LABELS, ...o.viewTitles };
  const rows = o.rowLabels.length;
  const table = h('table', { className: 'image-grid' });
  table.append(h('thead', {}, h('tr', {}, h('th', {}), ...o.views.map((v) => h('th', { scope: 'col', title: v }, titles[v] ?? v)))));
  const body = h('tbody');
  for (let r = 0; r < rows; r++) {
    const tr = h('tr', {}, h('th', { scope: 'row' }, o.rowLabels[r]));
    o.views.forEach((_, c) => tr.append(h('td', {}, tileCanvas(img, tileOf(img, rows, o.views.length, r, c), o.tileSize))));
    body.append(tr);
  }
  table.append(body);
  return table;
}
