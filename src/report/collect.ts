// Reads a run folder into ReportData: config, status, metrics as columns, sample steps (manifest, the
// reconstruction grid as a data: URI, raw attention), probe results and attentive-probe attention overlays.
// Tolerant: a missing or broken file becomes a note in the report, never a failed report.
import { basename, join, resolve } from 'node:path';
import {
  inside, isRunDir, listProbeIds, listSampleSteps, probeDir, readJson, readMetrics, readPngDataUri, readProbeAttentionManifest,
  readRunConfig, readRunStatus, readSampleData,
} from '../protocol/read/run-folder';
import { PROBE_FILES, RUN_FILES, type MetricsRow } from '../protocol/run-files';
import { PROBE_ATTENTION_DIR } from '../protocol/samples';
import { emptyColumns, METRIC_KEYS, type MetricColumns, type SampleData } from '../protocol/webview';
import { probeAttentionFromDump } from '../diagnostics/probe-attention-dump';
import { REPORT_DATA_VERSION, type ReportData, type ReportProbe } from '../protocol/report-data';

export interface CollectOptions {
  /** Sample steps embedded at most (evenly chosen, first and last kept): keeps long runs' reports small. */
  maxSamples?: number;
  /** Metric rows embedded at most (evenly thinned, last kept). */
  maxMetricRows?: number;
}

export const DEFAULT_MAX_SAMPLES = 24;
export const DEFAULT_MAX_METRIC_ROWS = 20_000;

/** `n` indices of [0, length) evenly spread, always with the first and the last. */
export function evenPick(length: number, n: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  if (n <= 1) return [length - 1];
  return [...new Set(Array.from({ length: n }, (_, k) => Math.round((k * (length - 1)) / (n - 1))))];
}

function metricColumns(rows: MetricsRow[]): MetricColumns {
  const cols = emptyColumns();
  for (const r of rows) {
    const rec = r as unknown as Record<string, unknown>;
    for (const k of METRIC_KEYS) {
      const v = rec[k];
      cols[k].push(typeof v === 'number' && Number.isFinite(v) ? v : null);
    }
  }
  return cols;
}

async function readProbe(runDir: string, id: string, notes: string[]): Promise<ReportProbe> {
  const result = readJson<ReportProbe['result']>(join(probeDir(runDir, id), PROBE_FILES.result), notes);
  const attDir = join(probeDir(runDir, id), PROBE_ATTENTION_DIR);
  let attention = readProbeAttentionManifest(runDir, id, notes);
  if (attention) {
    attention.maps = attention.maps.map((m) => ({ ...m, png: readPngDataUri(inside(attDir, m.png)) }));
  } else {
    // The probe job's own dump (no overlays of its own): draw it from the run's dataset.
    try {
      const r = await probeAttentionFromDump(runDir, id);
      if (r) {
        attention = r.manifest;
        attention.maps = attention.maps.map((m) => ({ ...m, png: `data:image/png;base64,${Buffer.from(r.pngs.get(m.png) ?? []).toString('base64')}` }));
      }
    } catch (err) {
      notes.push(`attention of probe ${id} not drawn: ${(err as Error).message}`);
    }
  }
  return { id, result, attention };
}

export async function collectReport(runDir: string, opts: CollectOptions = {}): Promise<ReportData> {
  const dir = resolve(runDir);
  if (!isRunDir(dir)) {
    throw new Error(`not a run folder (no ${RUN_FILES.config} or ${RUN_FILES.status}): ${runDir}`);
  }
  const notes: string[] = [];
  const config = readRunConfig(dir, notes);
  const status = readRunStatus(dir, notes);
  let rows: MetricsRow[] = readMetrics(dir, notes);
  const maxRows = opts.maxMetricRows ?? DEFAULT_MAX_METRIC_ROWS;
  if (rows.length > maxRows) {
    notes.push(`loss curves show ${maxRows} of ${rows.length} logged steps (evenly thinned)`);
    rows = evenPick(rows.length, maxRows).map((i) => rows[i]);
  }

  const sampleSteps = listSampleSteps(dir);
  const picked = evenPick(sampleSteps.length, opts.maxSamples ?? DEFAULT_MAX_SAMPLES).map((i) => sampleSteps[i]);
  if (picked.length < sampleSteps.length) notes.push(`reconstructions: ${picked.length} of ${sampleSteps.length} sample steps embedded (evenly chosen, first and last kept)`);
  const samples = picked.map((s) => readSampleData(dir, s, notes)).filter((s): s is SampleData => s !== null);

  const probes: ReportProbe[] = [];
  for (const id of listProbeIds(dir)) probes.push(await readProbe(dir, id, notes));

  return {
    version: REPORT_DATA_VERSION, runId: basename(dir), generatedAt: new Date().toISOString(), config, status,
    metrics: metricColumns(rows), sampleSteps, samples, probes, notes,
  };
}
