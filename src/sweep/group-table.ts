// One row per group of runs (by config keys, the seed aside): mean ± sd and n of every probe's top-1, of the
// random-init baseline it is paired with, of the paired margin, and of the final losses. `mim-lab table` and the
// editor's Experiments view both show this, so they always agree.
import type { RunRow } from '../probe/compare';
import type { ExperimentGroup, ExperimentMetric } from '../protocol/experiments';
import { PROBE_KINDS, type ProbeKind } from '../protocol/run-files';
import { baselineIndex, baselineKey } from './baseline';
import { summarize } from './stats';

export const LOSS_METRICS = ['loss', 'loss_main', 'loss_align'] as const;

/** Percent points (probes, margins; margins signed) or raw values (losses). */
export type MetricColumn = ExperimentMetric;

/** One group: key → value text, its runs, and each metric's summary. */
export type GroupRow = ExperimentGroup;

export interface GroupTable {
  groupBy: string[];
  columns: MetricColumn[];
  rows: GroupRow[];
}

export function configValueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

function probeColumns(kinds: readonly ProbeKind[]): MetricColumn[] {
  return kinds.flatMap((k) => [
    { id: `${k}.top1`, label: `${k} top-1 %`, unit: 'percent' as const, signed: false },
    { id: `${k}.random`, label: `${k} random init %`, unit: 'percent' as const, signed: false },
    { id: `${k}.margin`, label: `${k} margin`, unit: 'percent' as const, signed: true },
  ]);
}

/** Per run: each metric's value, with probes paired to the random-init result of the same baseline group (seed). */
export function runMetrics(row: RunRow, baselines: ReturnType<typeof baselineIndex>): Record<string, number> {
  const out: Record<string, number> = {};
  const random = baselines.get(baselineKey(row.config)) ?? {};
  for (const k of PROBE_KINDS) {
    const p = row.probes[k];
    const r = random[k];
    if (p) out[`${k}.top1`] = p.top1 * 100;
    if (r) out[`${k}.random`] = r.top1 * 100;
    if (p && r) out[`${k}.margin`] = (p.top1 - r.top1) * 100;
  }
  for (const m of LOSS_METRICS) {
    const v = row.last?.[m];
    if (typeof v === 'number' && Number.isFinite(v)) out[m] = v;
  }
  return out;
}

/**
 * Groups `rows` by `groupBy` (in first-seen order). Random-init baselines are looked up in all of `rows`, and in
 * `baselineRows` when given (a baseline may live in a run that is itself left out of the table).
 */
export function groupRuns(rows: readonly RunRow[], groupBy: readonly string[], baselineRows: readonly RunRow[] = rows): GroupTable {
  const baselines = baselineIndex(baselineRows);
  const perRun = rows.map((r) => runMetrics(r, baselines));
  const kinds = PROBE_KINDS.filter((k) => perRun.some((m) => m[`${k}.top1`] !== undefined || m[`${k}.random`] !== undefined));
  const columns: MetricColumn[] = [
    ...probeColumns(kinds),
    ...LOSS_METRICS.filter((m) => perRun.some((x) => x[m] !== undefined)).map((m) => ({ id: m, label: m, unit: 'value' as const, signed: false })),
  ];
  const groups = new Map<string, { group: Record<string, string>; members: number[] }>();
  rows.forEach((r, i) => {
    const group = Object.fromEntries(groupBy.map((k) => [k, configValueText(r.config[k])]));
    const key = JSON.stringify(group);
    const g = groups.get(key) ?? { group, members: [] };
    g.members.push(i);
    groups.set(key, g);
  });
  const out: GroupRow[] = [...groups.values()].map(({ group, members }) => ({
    group,
    runs: members.map((i) => rows[i].run),
    metrics: Object.fromEntries(columns.map((c) => [c.id, summarize(members.map((i) => perRun[i][c.id]).filter((v): v is number => v !== undefined))])),
  }));
  return { groupBy: [...groupBy], columns, rows: out };
}
