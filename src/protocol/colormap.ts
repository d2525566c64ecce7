// The one colour scale of attention maps, shared by the PNGs written next to samples (Node) and the panels'
// canvases (webview), so a map looks the same wherever it is opened.

// matplotlib's viridis at 0, 1/8, …, 1: perceptually uniform and readable by colour-blind users.
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Colour of t ∈ [0, 1] (clamped; non-finite → 0). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/**
 * Scales to [0, 1] between the smallest and largest value (attention rows are probabilities that are often
 * close to uniform; stretching the range shows where the mass goes). A constant row maps to 0.5; null and
 * non-finite entries map to 0.
 */
export function normalizeRange(values: ArrayLike<number | null>): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return Array.from(values, (v) => (v === null || !Number.isFinite(v) ? 0 : span > 0 ? (v - min) / span : 0.5));
}
