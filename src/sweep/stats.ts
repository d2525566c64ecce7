// Mean ± sample standard deviation (n − 1) over seeds: the numbers every ablation table reports.

export interface Summary {
  mean: number;
  /** Sample sd (n − 1); null for a single value. */
  sd: number | null;
  n: number;
}

export function summarize(values: readonly number[]): Summary | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: null, n };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}
