// How a group's mean ± sd reads in a table cell, shared by `mim-lab table` and the Experiments view (no Node here).
import type { ExperimentMetric, GroupSummaryView } from './experiments';

/** Percent points with one decimal (margins signed); raw values with 4 significant digits, their sd with 2. */
export function metricNumber(x: number, c: ExperimentMetric, sd = false): string {
  if (c.unit === 'percent') return `${c.signed && !sd && x > 0 ? '+' : ''}${x.toFixed(1)}`;
  return x.toPrecision(sd ? 2 : 4);
}

/** `mean ± sd`, with `(n=k)` where k differs from the group's size; `-` when nothing was measured. */
export function summaryText(s: GroupSummaryView | null, c: ExperimentMetric, groupN: number): string {
  if (!s) return '-';
  const sd = s.sd === null ? '' : ` ± ${metricNumber(s.sd, c, true)}`;
  return `${metricNumber(s.mean, c)}${sd}${s.n !== groupN ? ` (n=${s.n})` : ''}`;
}
