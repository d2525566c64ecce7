// Mean ± sample standard deviation (n − 1) over seeds: the numbers every ablation table reports.

import type { GroupSummaryView } from '../protocol/experiments';

/** mean, sample sd (n − 1; null for a single value) and n. */
export type Summary = GroupSummaryView;

export function summarize(values: readonly number[]): Summary | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: null, n };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}
