// Reads a run folder into ReportData: config, status, metrics as columns, sample steps (manifest, the
// reconstruction grid as a data: URI, raw attention), probe results and attentive-probe attention overlays.
// Tolerant: a missing or broken file becomes a note in the report, never a failed report.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, normalize, resolve, sep } from 'node:path';
import { parseJsonLines, RUN_FILES, type MetricsRow, type ProbeResult, type RunStatus } from '../protocol/run-files';
import { PROBE_ATTENTION_DIR, sampleDirName, type ProbeAttentionManifest, type SampleManifest } from '../protocol/samples';
import { emptyColumns, METRIC_KEYS, type MetricColumns, type SampleData } from '../protocol/webview';
import { probeAttentionFromDump } from '../diagnostics/probe-attention-dump';
import { PROBE_ATTENTION_FILE } from '../diagnostics/probe-attention';
import { REPORT_DATA_VERSION, type ReportData, type ReportProbe } from '../protocol/report-data';

export interface CollectOptions {
  /** Sample steps embedded at most (evenly chosen, first and last kept): keeps long runs' reports small. */
  maxSamples?: number;
  /** Metric rows embedded at most (evenly thinned, last kept). */
  maxMetricRows?: number;
}

export const DEFAULT_MAX_SAMPLES = 24;
export const DEFAULT_MAX_METRIC_ROWS = 20_000;

function readJsonOr<T>(file: string, notes: string[]): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    notes.push(`could not read ${file}: ${(err as Error).message}`);
    return null;
  }
}

/** `name` inside `dir`, or null when it would escape it (manifests are data, not trusted paths). */
function inside(dir: string, name: string): string | null {
  const p = normalize(join(dir, name));
  return p.startsWith(dir + sep) ? p : null;
}

function pngDataUri(file: string | null): string {
  return file && existsSync(file) ? `data:image/png;base64,${readFileSync(file).toString('base64')}` : '';
}

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

function stepFolders(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => /^\d+$/.test(n) && existsSync(join(dir, n, 'sample.json'))).map(Number).sort((a, b) => a - b);
}

function readSample(samplesDir: string, step: number, notes: string[]): SampleData | null {
  const dir = resolve(samplesDir, sampleDirName(step));
  const manifest = readJsonOr<SampleManifest>(join(dir, 'sample.json'), notes);
  if (!manifest) return null;
  const json = <T>(name: string | undefined): T | null => {
    const p = name ? inside(dir, name) : null;
    return p ? readJsonOr<T>(p, notes) : null;
  };
  return {
    manifest,
    reconstruction: pngDataUri(manifest.reconstruction ? inside(dir, manifest.reconstruction) : null),
    encoderAttention: json<number[][][][]>(manifest.encoderAttention?.data),
    regressorAttention: json<number[][][]>(manifest.regressorAttention?.data ?? undefined),
  };
}

async function readProbe(runDir: string, probesDir: string, id: string, notes: string[]): Promise<ReportProbe> {
  const dir = resolve(probesDir, id);
  const result = readJsonOr<ProbeResult>(join(dir, 'result.json'), notes);
  const attDir = join(dir, PROBE_ATTENTION_DIR);
  let attention = readJsonOr<ProbeAttentionManifest>(join(attDir, PROBE_ATTENTION_FILE), notes);
  if (attention) {
    attention.maps = attention.maps.map((m) => ({ ...m, png: pngDataUri(inside(attDir, m.png)) }));
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
  if (!existsSync(join(dir, RUN_FILES.config)) && !existsSync(join(dir, RUN_FILES.metrics))) {
    throw new Error(`not a run folder (no ${RUN_FILES.config} or ${RUN_FILES.metrics}): ${runDir}`);
  }
  const notes: string[] = [];
  const config = readJsonOr<Record<string, unknown>>(join(dir, RUN_FILES.config), notes);
  const status = readJsonOr<RunStatus>(join(dir, RUN_FILES.status), notes);

  const metricsFile = join(dir, RUN_FILES.metrics);
  let rows: MetricsRow[] = [];
  try {
    rows = existsSync(metricsFile) ? parseJsonLines<MetricsRow>(readFileSync(metricsFile, 'utf8')) : [];
  } catch (err) {
    notes.push(`metrics.jsonl is damaged before its last line: ${(err as Error).message}`);
  }
  const maxRows = opts.maxMetricRows ?? DEFAULT_MAX_METRIC_ROWS;
  if (rows.length > maxRows) {
    notes.push(`loss curves show ${maxRows} of ${rows.length} logged steps (evenly thinned)`);
    rows = evenPick(rows.length, maxRows).map((i) => rows[i]);
  }

  const samplesDir = join(dir, RUN_FILES.samples);
  const sampleSteps = stepFolders(samplesDir);
  const picked = evenPick(sampleSteps.length, opts.maxSamples ?? DEFAULT_MAX_SAMPLES).map((i) => sampleSteps[i]);
  if (picked.length < sampleSteps.length) notes.push(`reconstructions: ${picked.length} of ${sampleSteps.length} sample steps embedded (evenly chosen, first and last kept)`);
  const samples = picked.map((s) => readSample(samplesDir, s, notes)).filter((s): s is SampleData => s !== null);

  const probesDir = join(dir, RUN_FILES.probes);
  const probeIds = existsSync(probesDir) ? readdirSync(probesDir).filter((n) => !n.startsWith('.') && statSync(join(probesDir, n)).isDirectory()).sort() : [];
  const probes: ReportProbe[] = [];
  for (const id of probeIds) probes.push(await readProbe(dir, probesDir, id, notes));

  return {
    version: REPORT_DATA_VERSION, runId: basename(dir), generatedAt: new Date().toISOString(), config, status,
    metrics: metricColumns(rows), sampleSteps, samples, probes, notes,
  };
}
