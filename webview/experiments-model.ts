// The Experiments view's pure logic (no DOM): filter, sort, CSV, scatter points, the step each run shows under
// the shared slider. Tested in plain Node.
import type { ExperimentMetric, ExperimentRow } from '../src/protocol/experiments';
import { metricNumber } from '../src/protocol/summary-text';

/** A table column: a fixed field, a config key or a metric. */
export type ColumnId = 'run' | 'state' | 'sweep' | `config:${string}` | `metric:${string}`;

export interface SortState {
  column: ColumnId;
  descending: boolean;
}

/** The value a row shows in a column: numbers sort as numbers, text as text, missing values last. */
export function cellValue(row: ExperimentRow, column: ColumnId): number | string | null {
  if (column === 'run') return row.runId;
  if (column === 'state') return row.state;
  if (column === 'sweep') return row.sweep;
  if (column.startsWith('config:')) {
    const v = row.config[column.slice(7)];
    if (v === undefined) return null;
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return row.metrics[column.slice(7)] ?? null;
}

export function sortRows(rows: readonly ExperimentRow[], sort: SortState | null): ExperimentRow[] {
  if (!sort) return [...rows];
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = cellValue(a, sort.column);
    const y = cellValue(b, sort.column);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return String(x).localeCompare(String(y), undefined, { numeric: true }) * dir;
  });
}

/**
 * Space-separated terms, all of which must match: `key=value` compares a config value (the key may be its last
 * part, `alignWeight=0`), anything else is a case-insensitive substring of the run id, state, sweep or a config value.
 */
export function filterRows(rows: readonly ExperimentRow[], text: string): ExperimentRow[] {
  const terms = text.trim().split(/\s+/).filter(Boolean);
  if (!terms.length) return [...rows];
  return rows.filter((r) => terms.every((t) => {
    const eq = t.indexOf('=');
    if (eq > 0) {
      const key = t.slice(0, eq);
      const value = t.slice(eq + 1);
      return Object.entries(r.config).some(([k, v]) => (k === key || k.endsWith(`.${key}`)) && v === value);
    }
    const needle = t.toLowerCase();
    return [r.runId, r.state, r.sweep ?? '', ...Object.values(r.config)].some((s) => s.toLowerCase().includes(needle));
  }));
}

export function metricText(v: number | undefined, m: ExperimentMetric): string {
  return v === undefined ? '–' : metricNumber(v, m);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as shown (filtered, sorted): run, state, sweep, each config key and each metric's raw number. */
export function rowsToCsv(rows: readonly ExperimentRow[], configKeys: readonly string[], metrics: readonly ExperimentMetric[]): string {
  const header = ['run', 'state', 'sweep', ...configKeys, ...metrics.map((m) => m.id)];
  const body = rows.map((r) => [r.runId, r.state, r.sweep ?? '', ...configKeys.map((k) => r.config[k] ?? ''), ...metrics.map((m) => {
    const v = r.metrics[m.id];
    return v === undefined ? '' : String(v);
  })]);
  return `${[header, ...body].map((l) => l.map(csvCell).join(',')).join('\n')}\n`;
}

export interface ScatterData {
  /** Numeric x axis when every value is a number; else categories in first-seen order. */
  categories: string[] | null;
  points: { x: number; y: number; runId: string }[];
  /** Mean of y per distinct x. */
  means: { x: number; y: number; n: number }[];
}

export function scatterData(rows: readonly ExperimentRow[], key: string, metric: string): ScatterData {
  const withY = rows.filter((r) => r.metrics[metric] !== undefined && r.config[key] !== undefined);
  const texts = withY.map((r) => r.config[key]);
  const numeric = texts.every((t) => t.trim() !== '' && Number.isFinite(Number(t)));
  const categories = numeric ? null : [...new Set(texts)];
  const xOf = (t: string): number => (categories ? categories.indexOf(t) : Number(t));
  const points = withY.map((r) => ({ x: xOf(r.config[key]), y: r.metrics[metric], runId: r.runId }));
  const byX = new Map<number, number[]>();
  for (const p of points) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
  const means = [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([x, ys]) => ({ x, y: ys.reduce((s, v) => s + v, 0) / ys.length, n: ys.length }));
  return { categories, points, means };
}

/** Steps the shared slider offers: every sample step of the compared runs, ascending. */
export function sharedSteps(rows: readonly Pick<ExperimentRow, 'samples'>[]): number[] {
  return [...new Set(rows.flatMap((r) => r.samples))].sort((a, b) => a - b);
}

/** The step a run shows at slider step `step`: that step, else its latest sample before it, else its first. */
export function stepFor(samples: readonly number[], step: number): number | null {
  if (!samples.length) return null;
  let best: number | null = null;
  for (const s of samples) if (s <= step && (best === null || s > best)) best = s;
  return best ?? Math.min(...samples);
}
