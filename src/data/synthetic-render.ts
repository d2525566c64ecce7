// Renders one image of the built-in dataset: a class texture filling the whole image, in two random colours,
// at a random period, phase and (within the class) orientation, under a faint colour gradient.
// Why textures: every patch carries evidence of the class, and the masked patches are predictable from the
// visible ones only by recognising the texture, which is what a masked-image model must learn. Colours are
// drawn independently of the class, so the mean colour (all a near-linear random-init encoder keeps after
// pooling) says nothing about it. No pixel noise: with norm-pix targets it would be amplified into an
// unpredictable target in every low-contrast patch (measured: it held the loss on a plateau).
import type { Rng } from '../ml/rng';
import type { RawImage } from './types';

export const SYNTHETIC_CLASSES = [
  'h-stripes', 'v-stripes', 'diag-stripes', 'anti-diag-stripes', 'checker', 'dots', 'rings', 'waves', 'grid', 'blotches',
] as const;

/** Texture value in [-1, 1] (before the soft threshold) at pixel (x, y), for one drawn image. */
type Field = (x: number, y: number) => number;

interface Pose {
  /** Spatial period in pixels. */
  period: number;
  /** Orientation jitter (radians) around the class direction. */
  angle: number;
  phaseX: number;
  phaseY: number;
}

const TAU = 2 * Math.PI;

function rotate(x: number, y: number, a: number): [number, number] {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c * x - s * y, s * x + c * y];
}

/** Stripes along direction `dir` (0 = horizontal bands). */
function stripes(dir: number, p: Pose): Field {
  return (x, y) => {
    const [, v] = rotate(x, y, -(dir + p.angle));
    return Math.sin((TAU * v) / p.period + p.phaseY);
  };
}

function checker(p: Pose): Field {
  return (x, y) => {
    const [u, v] = rotate(x, y, -p.angle);
    return 2 * Math.sin((TAU * u) / p.period + p.phaseX) * Math.sin((TAU * v) / p.period + p.phaseY);
  };
}

function dots(p: Pose): Field {
  return (x, y) => {
    const [u, v] = rotate(x, y, -p.angle);
    return Math.cos((TAU * u) / p.period + p.phaseX) + Math.cos((TAU * v) / p.period + p.phaseY) - 1;
  };
}

function grid(p: Pose): Field {
  return (x, y) => {
    const [u, v] = rotate(x, y, -p.angle);
    return Math.max(Math.cos((TAU * u) / p.period + p.phaseX), Math.cos((TAU * v) / p.period + p.phaseY)) * 2 - 1.2;
  };
}

function rings(size: number, p: Pose, rng: Rng): Field {
  const cx = rng.uniform(-0.25, 1.25) * size;
  const cy = rng.uniform(-0.25, 1.25) * size;
  return (x, y) => Math.sin((TAU * Math.hypot(x - cx, y - cy)) / p.period + p.phaseX);
}

function waves(p: Pose, rng: Rng): Field {
  const dir = rng.uniform(0, Math.PI);
  const amp = rng.uniform(0.35, 0.6) * p.period;
  const wavelength = rng.uniform(2.5, 3.5) * p.period;
  return (x, y) => {
    const [u, v] = rotate(x, y, -dir);
    return Math.sin((TAU * (v + amp * Math.sin((TAU * u) / wavelength + p.phaseX))) / p.period + p.phaseY);
  };
}

/** Smooth random field: a few plane waves of random direction at about the class period, summed. */
function blotches(p: Pose, rng: Rng): Field {
  const comps = Array.from({ length: 5 }, () => ({
    a: rng.uniform(0, TAU), f: TAU / (p.period * rng.uniform(1.2, 2)), ph: rng.uniform(0, TAU),
  }));
  return (x, y) => comps.reduce((s, c) => s + Math.sin(c.f * (Math.cos(c.a) * x + Math.sin(c.a) * y) + c.ph), 0) * 0.8;
}

function field(label: number, size: number, p: Pose, rng: Rng): Field {
  switch (label) {
    case 0: return stripes(0, p);
    case 1: return stripes(Math.PI / 2, p);
    case 2: return stripes(Math.PI / 4, p);
    case 3: return stripes(-Math.PI / 4, p);
    case 4: return checker(p);
    case 5: return dots(p);
    case 6: return rings(size, p, rng);
    case 7: return waves(p, rng);
    case 8: return grid(p);
    case 9: return blotches(p, rng);
    default: throw new RangeError(`synthetic: no class ${label}`);
  }
}

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

/** One image of class `label`, size×size RGB; every random draw comes from `rng` in a fixed order. */
export function renderSynthetic(label: number, size: number, rng: Rng): RawImage {
  const a = randomColour(rng);
  const b = contrasting(a, 60, rng);
  const pose: Pose = {
    period: rng.uniform(5, 9) * (size / 32),
    angle: rng.uniform(-0.15, 0.15),
    phaseX: rng.uniform(0, TAU),
    phaseY: rng.uniform(0, TAU),
  };
  const f = field(label, size, pose, rng);
  const sharpness = rng.uniform(1.5, 4); // soft sinusoid … nearly binary edges
  const ga = rng.uniform(0, TAU);
  const gAmp = [rng.uniform(-25, 25), rng.uniform(-25, 25), rng.uniform(-25, 25)];
  const ss = 2; // 2×2 supersampling keeps thin features from aliasing at 32 px
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let t = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) t += Math.tanh(sharpness * f(x + (sx + 0.5) / ss, y + (sy + 0.5) / ss));
      }
      const w = 0.5 + (0.5 * t) / (ss * ss);
      const g = ((x - size / 2) * Math.cos(ga) + (y - size / 2) * Math.sin(ga)) / size;
      for (let k = 0; k < 3; k++) {
        const v = a[k] + w * (b[k] - a[k]) + g * gAmp[k];
        out[(y * size + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width: size, height: size, channels: 3, data: out };
}
