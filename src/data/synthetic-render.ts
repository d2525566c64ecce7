// Renders one image of the built-in dataset: a class shape at a random pose and colour on a cluttered,
// low-contrast background. Colours and brightness are drawn independently of the class, and shape areas
// are roughly equalised, so only shape tells the classes apart.
import type { Rng } from '../ml/rng';
import type { RawImage } from './types';

export const SYNTHETIC_CLASSES = [
  'disc', 'ring', 'square', 'triangle', 'cross', 'h-stripes', 'v-stripes', 'checker', 'star', 'two-dots',
] as const;

type Inside = (u: number, v: number) => boolean;

function polygon(points: [number, number][]): Inside {
  return (u, v) => {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i];
      const [xj, yj] = points[j];
      if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}

function regular(n: number, radii: number[]): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    const r = radii[i % radii.length];
    return [r * Math.cos(a), r * Math.sin(a)] as [number, number];
  });
}

const TRIANGLE = polygon(regular(3, [1]));
const STAR = polygon(regular(10, [1, 0.45]));

interface ShapeSpec {
  inside: (u: number, v: number, bands: number) => boolean;
  /** Radius multiplier that brings the filled area near 2 (in units of the base radius squared). */
  scale: number;
  /** Stripes must stay horizontal/vertical, so these classes only get a small rotation jitter. */
  fullRotation: boolean;
}

const band = (t: number, bands: number): boolean => Math.floor(((t + 0.9) / 1.8) * bands) % 2 === 0;

const SHAPES: ShapeSpec[] = [
  { inside: (u, v) => u * u + v * v <= 1, scale: 0.8, fullRotation: true },
  { inside: (u, v) => { const r = u * u + v * v; return r <= 1 && r >= 0.36; }, scale: 1.0, fullRotation: true },
  { inside: (u, v) => Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8, scale: 0.88, fullRotation: true },
  { inside: (u, v) => TRIANGLE(u, v), scale: 1.24, fullRotation: true },
  { inside: (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1), scale: 1.0, fullRotation: true },
  { inside: (u, v, b) => Math.abs(u) <= 0.9 && Math.abs(v) <= 0.9 && band(v, b), scale: 1.1, fullRotation: false },
  { inside: (u, v, b) => Math.abs(u) <= 0.9 && Math.abs(v) <= 0.9 && band(u, b), scale: 1.1, fullRotation: false },
  { inside: (u, v, b) => Math.abs(u) <= 0.9 && Math.abs(v) <= 0.9 && band(u, b - 2) === band(v, b - 2), scale: 1.1, fullRotation: true },
  { inside: (u, v) => STAR(u, v), scale: 1.24, fullRotation: true },
  { inside: (u, v) => (u - 0.55) ** 2 + v * v <= 0.16 || (u + 0.55) ** 2 + v * v <= 0.16, scale: 1.3, fullRotation: true },
];

const luma = (c: number[]): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

function randomColour(rng: Rng): number[] {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

/** A colour at least `minDiff` luma away from `ref` (rejection sampling, then the far end of the range). */
function contrasting(ref: number[], minDiff: number, rng: Rng): number[] {
  for (let i = 0; i < 20; i++) {
    const c = randomColour(rng);
    if (Math.abs(luma(c) - luma(ref)) >= minDiff) return c;
  }
  return luma(ref) > 128 ? [rng.uniform(0, 60), rng.uniform(0, 60), rng.uniform(0, 60)] : [rng.uniform(195, 255), rng.uniform(195, 255), rng.uniform(195, 255)];
}

/** Background: base colour + gradient + soft blobs, all low contrast (float RGB, size×size). */
function background(size: number, base: number[], rng: Rng): Float32Array {
  const img = new Float32Array(size * size * 3);
  const ga = rng.uniform(0, 2 * Math.PI);
  const gAmp = [rng.uniform(-30, 30), rng.uniform(-30, 30), rng.uniform(-30, 30)];
  const blobs = Array.from({ length: 2 + rng.int(3) }, () => ({
    x: rng.uniform(0, size), y: rng.uniform(0, size), s: rng.uniform(0.1, 0.3) * size,
    amp: [rng.uniform(-35, 35), rng.uniform(-35, 35), rng.uniform(-35, 35)],
  }));
  const cx = Math.cos(ga) / size;
  const cy = Math.sin(ga) / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = (x - size / 2) * cx + (y - size / 2) * cy; // in [-0.7, 0.7]
      for (let k = 0; k < 3; k++) {
        let v = base[k] + g * gAmp[k];
        for (const b of blobs) v += b.amp[k] * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
        img[(y * size + x) * 3 + k] = v;
      }
    }
  }
  return img;
}

/** Alpha-blends `colour` where `cover` (0..1, per pixel) is set. */
function blend(img: Float32Array, cover: Float32Array, colour: number[], alpha: number): void {
  for (let i = 0; i < cover.length; i++) {
    const a = cover[i] * alpha;
    if (a === 0) continue;
    for (let k = 0; k < 3; k++) img[i * 3 + k] += a * (colour[k] - img[i * 3 + k]);
  }
}

/** Anti-aliased thin line segment (analytic coverage from the distance to the segment). */
function lineCoverage(size: number, x0: number, y0: number, x1: number, y1: number, width: number): Float32Array {
  const cover = new Float32Array(size * size);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
      const d = Math.hypot(px - x0 - t * dx, py - y0 - t * dy);
      cover[y * size + x] = Math.max(0, Math.min(1, width / 2 + 0.5 - d));
    }
  }
  return cover;
}

/** Supersampled coverage of a shape given its inverse pose (pixel → unit shape coordinates). */
function shapeCoverage(size: number, spec: ShapeSpec, cx: number, cy: number, r: number, angle: number, bands: number, ss: number): Float32Array {
  const cover = new Float32Array(size * size);
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  const ext = r * 1.45; // bounding radius of every unit shape (corners of the ±0.9 patches ≈ 1.27)
  const x0 = Math.max(0, Math.floor(cx - ext));
  const x1 = Math.min(size - 1, Math.ceil(cx + ext));
  const y0 = Math.max(0, Math.floor(cy - ext));
  const y1 = Math.min(size - 1, Math.ceil(cy + ext));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const px = x + (sx + 0.5) / ss - cx;
          const py = y + (sy + 0.5) / ss - cy;
          if (spec.inside((cos * px - sin * py) / r, (sin * px + cos * py) / r, bands)) hits++;
        }
      }
      cover[y * size + x] = hits / (ss * ss);
    }
  }
  return cover;
}

/** One image of class `label`, size×size RGB; every random draw comes from `rng` in a fixed order. */
export function renderSynthetic(label: number, size: number, rng: Rng): RawImage {
  const spec = SHAPES[label];
  const base = randomColour(rng);
  const img = background(size, base, rng);

  // Distractor lines: thinner and fainter than the shape, any direction.
  const lines = 1 + rng.int(3);
  for (let l = 0; l < lines; l++) {
    const cover = lineCoverage(size, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0.6, 1.2) * (size / 32));
    blend(img, cover, contrasting(base, 40, rng), rng.uniform(0.35, 0.6));
  }

  const r = rng.uniform(0.17, 0.3) * size * spec.scale;
  const margin = Math.min(size / 2, r * 0.95);
  const cx = rng.uniform(margin, size - margin);
  const cy = rng.uniform(margin, size - margin);
  const angle = spec.fullRotation ? rng.uniform(0, 2 * Math.PI) : rng.uniform(-0.2, 0.2);
  const bands = 5 + 2 * rng.int(2); // 5 or 7 bands: both stripe ends filled, visible at 32 px
  const ss = size <= 64 ? 4 : 2;
  blend(img, shapeCoverage(size, spec, cx, cy, r, angle, bands, ss), contrasting(base, 55, rng), rng.uniform(0.75, 1));

  // Occasionally a line crosses the shape, so a clean silhouette is not guaranteed.
  if (rng.next() < 0.4) {
    const cover = lineCoverage(size, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0.6, 1.2) * (size / 32));
    blend(img, cover, contrasting(base, 40, rng), rng.uniform(0.3, 0.5));
  }

  const noise = rng.uniform(3, 12);
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(img[i] + noise * rng.normal())));
  return { width: size, height: size, channels: 3, data: out };
}
