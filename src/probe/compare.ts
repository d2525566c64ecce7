// `mim-lab compare`: one table over run folders — algorithm, the config values that differ between the runs,
// final losses, and each probe's top-1 (pretrained and, where probed, the random-init baseline).
import { basename } from 'node:path';
import { flatten } from '../config/resolve';
import { displayConfigValue } from '../protocol/config-fields';
import { otherHeadText, probeKindLabel } from '../protocol/probe-scores';
import { readMetrics, readProbeRecords, readRunConfig, readRunStatus } from '../protocol/read/run-folder';
import { PROBE_KINDS, RUN_FILES, type MetricsRow, type ProbeKind, type ProbeResult } from '../protocol/run-files';

export type TableFormat = 'text' | 'markdown' | 'csv';

/** Leaves that never describe the experiment (where it ran, how often it logged). */
const IGNORED = /^(backend|data\.path|data\.prefetch|train\.logEvery|train\.checkpointEvery|train\.keepCheckpoints|sample\.|monitor\.)/;

export interface RunRow {
  run: string;
  algorithm: string;
  state: string;
  step: number | null;
  config: Record<string, unknown>;
  last: MetricsRow | null;
  /** Best-known result per kind: pretrained (latest checkpoint probed) and random init. */
  probes: Partial<Record<ProbeKind, ProbeResult>>;
  random: Partial<Record<ProbeKind, ProbeResult>>;
  /** The same probe on standardised raw pixels (`--pixels`), the second floor. */
  pixels: Partial<Record<ProbeKind, ProbeResult>>;
}

/** Later checkpoint wins, then the later finish: the number that describes the run as it is now. */
function better(a: ProbeResult | undefined, b: ProbeResult): boolean {
  if (!a) return true;
  return b.checkpointStep !== a.checkpointStep ? b.checkpointStep > a.checkpointStep : b.finishedAt > a.finishedAt;
}

export function readRunRow(runDir: string): RunRow {
  const config = readRunConfig(runDir);
  if (!config) throw new Error(`not a run folder (no readable ${RUN_FILES.config}): ${runDir}`);
  const status = readRunStatus(runDir);
  const metrics = readMetrics(runDir);
  const row: RunRow = {
    run: basename(runDir), algorithm: String(config.algorithm ?? '?'), state: status?.state ?? 'unknown', step: status?.step ?? null,
    config: flatten(config), last: metrics[metrics.length - 1] ?? null, probes: {}, random: {}, pixels: {},
  };
  for (const { result: r } of readProbeRecords(runDir)) {
    if (!r || !(PROBE_KINDS as readonly string[]).includes(r.kind) || typeof r.top1 !== 'number') continue;
    const slot = r.pixels ? row.pixels : r.randomInit ? row.random : row.probes;
    if (better(slot[r.kind], r)) slot[r.kind] = r;
  }
  return row;
}

/** Config leaves that describe the experiment and whose values differ between the runs, sorted. */
export function differingConfigKeys(rows: readonly Pick<RunRow, 'config'>[]): string[] {
  // Only keys every run has: a key missing from an older run's config is schema growth, not an experiment choice.
  const keys = Object.keys(rows[0]?.config ?? {}).filter((k) => rows.every((r) => k in r.config));
  return keys.filter((k) => !IGNORED.test(k) && new Set(rows.map((r) => shownValue(r, k))).size > 1).sort();
}

/** A config value as people read it ("—" where the field does not apply to the run's algorithm). */
function shownValue(r: Pick<RunRow, 'config'>, k: string): string {
  return displayConfigValue(k, r.config[k], r.config.algorithm);
}

/** Config leaves whose values differ between the runs, as `key=value` per run. */
export function configDifferences(rows: readonly RunRow[]): string[][] {
  const differing = differingConfigKeys(rows);
  return rows.map((r) => differing.map((k) => `${k}=${shownValue(r, k)}`));
}

/** A head other than CAE's is named beside the score. */
function headSuffix(r: ProbeResult): string {
  const text = otherHeadText(r.head);
  return text ? ` (${text})` : '';
}

const pct = (r: ProbeResult | undefined): string => (r ? `${(r.top1 * 100).toFixed(1)}${headSuffix(r)}` : '-');
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toPrecision(4));

export interface Table {
  header: string[];
  rows: string[][];
}

export function buildTable(rows: readonly RunRow[]): Table {
  const diffs = configDifferences(rows);
  const randomKinds = PROBE_KINDS.filter((k) => rows.some((r) => r.random[k]));
  const pixelKinds = PROBE_KINDS.filter((k) => rows.some((r) => r.pixels[k]));
  const header = ['run', 'algorithm', 'config', 'state', 'step', 'loss', 'loss_main', 'loss_align',
    ...PROBE_KINDS.map((k) => `${probeKindLabel(k)} top-1 %`), ...randomKinds.map((k) => `${probeKindLabel(k)} (random init) %`), ...pixelKinds.map((k) => `${probeKindLabel(k)} (pixels) %`)];
  const body = rows.map((r, i) => [
    r.run, r.algorithm, rows.length > 1 ? diffs[i].join(' ') || '(same)' : String(r.config.preset ?? ''), r.state, r.step === null ? '-' : String(r.step),
    num(r.last?.loss), num(r.last?.loss_main), num(r.last?.loss_align ?? null),
    ...PROBE_KINDS.map((k) => pct(r.probes[k])), ...randomKinds.map((k) => pct(r.random[k])), ...pixelKinds.map((k) => pct(r.pixels[k])),
  ]);
  return { header, rows: body };
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatTable(t: Table, format: TableFormat): string {
  switch (format) {
    case 'csv':
      return [t.header, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
    case 'markdown': {
      const esc = (s: string): string => s.replace(/\|/g, '\\|');
      const line = (r: string[]): string => `| ${r.map(esc).join(' | ')} |`;
      return [line(t.header), `|${t.header.map(() => ' --- ').join('|')}|`, ...t.rows.map(line)].join('\n') + '\n';
    }
    case 'text': {
      const widths = t.header.map((h, c) => Math.max(h.length, ...t.rows.map((r) => r[c].length)));
      const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
      return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n') + '\n';
    }
  }
}
