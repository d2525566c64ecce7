// The one reader of run folders (DESIGN.md §2), for every engine's runs: the editor's tree and panels, `compare`
// and `report` all read through it. Tolerant by contract: a missing file is null or empty, a torn last line of a
// JSON-lines file is skipped, fields this version does not know (another engine's status.json) are kept, and a
// damaged file is reported through `notes` where a caller wants to say so, never thrown.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import {
  parseJsonLines, PROBE_FILES, RUN_FILES, SAMPLE_MANIFEST,
  type MetricsRow, type ProbeMetricsRow, type ProbeResult, type RunStatus,
} from '../run-files';
import { PROBE_ATTENTION_DIR, PROBE_ATTENTION_MANIFEST, sampleDirName, type ProbeAttentionManifest, type SampleManifest } from '../samples';
import type { SampleData } from '../webview';

/** Where a caller collects what could not be read (the report prints them); omitted, failures are silent. */
export type Notes = string[] | undefined;

/** A JSON file, or null when it is missing or unreadable (noted when it exists but does not parse). */
function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function readJson<T>(file: string, notes?: Notes): T | null {
  const text = readText(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    notes?.push(`could not read ${file}: ${(err as Error).message}`);
    return null;
  }
}

/** All rows of a JSON-lines file ([] when missing); a torn last line is skipped, damage before it is noted. */
export function readJsonLines<T>(file: string, notes?: Notes): T[] {
  const text = readText(file);
  if (text === null) return [];
  try {
    return parseJsonLines<T>(text);
  } catch (err) {
    notes?.push(`${file} is damaged before its last line: ${(err as Error).message}`);
    return [];
  }
}

/** The last complete row of a JSON-lines file, reading only its tail. */
export function readLastJsonLine<T>(file: string, tailBytes = 8192): T | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, tailBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    if (size > len) lines.shift(); // the first line may be cut
    for (let i = lines.length - 1; i >= 0; i--) {
      const t = lines[i].trim();
      if (!t) continue;
      try {
        return JSON.parse(t) as T;
      } catch {
        // torn last line: try the one before
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function stepsOf(names: string[], pattern: RegExp): number[] {
  const steps: number[] = [];
  for (const n of names) {
    const m = pattern.exec(n);
    if (m) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

/** `name` inside `dir`, or null when it would escape it (manifests are data, not trusted paths). */
export function inside(dir: string, name: string): string | null {
  const p = normalize(join(dir, name));
  return p.startsWith(normalize(dir) + sep) ? p : null;
}

/** Whether `dir` is a run folder: it holds config.json or status.json. */
export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.status)) || existsSync(join(dir, RUN_FILES.config));
}

/** Run folders directly under `runsDir`. */
export function listRunDirs(runsDir: string): string[] {
  return safeReaddir(runsDir).map((n) => join(runsDir, n)).filter(isRunDir);
}

/** `config.json` as written (a plain object; unknown keys kept), or null. */
export function readRunConfig(runDir: string, notes?: Notes): Record<string, unknown> | null {
  const c = readJson<unknown>(join(runDir, RUN_FILES.config), notes);
  return c !== null && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : null;
}

/** `status.json` with every field it has, including those of another engine (engine, device, worldSize…). */
export function readRunStatus(runDir: string, notes?: Notes): (RunStatus & Record<string, unknown>) | null {
  const s = readJson<unknown>(join(runDir, RUN_FILES.status), notes);
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as RunStatus & Record<string, unknown>) : null;
}

export function readMetrics(runDir: string, notes?: Notes): MetricsRow[] {
  return readJsonLines<MetricsRow>(join(runDir, RUN_FILES.metrics), notes);
}

export function readLastMetrics(runDir: string): MetricsRow | null {
  return readLastJsonLine<MetricsRow>(join(runDir, RUN_FILES.metrics));
}

/**
 * Steps of the checkpoints, `checkpoints/step-NNNNNN/`, whatever the engine and the weights' format (1: weights.bin,
 * 2: weights.safetensors): both engines write into a temporary name and rename, so a folder under its final name
 * is complete. Only probes and resume open the weights.
 */
export function listCheckpointSteps(runDir: string): number[] {
  return stepsOf(safeReaddir(join(runDir, RUN_FILES.checkpoints)), /^step-(\d+)$/);
}

/** Steps that have a complete `samples/<step>/` (its manifest is written last). */
export function listSampleSteps(runDir: string): number[] {
  const dir = join(runDir, RUN_FILES.samples);
  return stepsOf(safeReaddir(dir).filter((n) => existsSync(join(dir, n, SAMPLE_MANIFEST))), /^(\d+)$/);
}

/** A PNG as a data: URI ('' when missing): webviews and the offline report load no files of their own. */
export function readPngDataUri(file: string | null): string {
  if (!file) return '';
  try {
    return `data:image/png;base64,${readFileSync(file).toString('base64')}`;
  } catch {
    return '';
  }
}

/** One sample step for a panel or the report: manifest, reconstruction grid as a data URI, raw attention arrays. */
export function readSampleData(runDir: string, step: number, notes?: Notes): SampleData | null {
  const dir = normalize(join(runDir, RUN_FILES.samples, sampleDirName(step)));
  const manifest = readJson<SampleManifest>(join(dir, SAMPLE_MANIFEST), notes);
  if (!manifest || typeof manifest !== 'object') return null;
  const json = <T>(name: string | null | undefined): T | null => {
    const p = name ? inside(dir, name) : null;
    return p ? readJson<T>(p, notes) : null;
  };
  return {
    manifest,
    reconstruction: readPngDataUri(manifest.reconstruction ? inside(dir, manifest.reconstruction) : null),
    encoderAttention: json<number[][][][]>(manifest.encoderAttention?.data),
    regressorAttention: json<number[][][]>(manifest.regressorAttention?.data),
  };
}

/** Probe ids under `probes/` (folders; `.cache` and other dot folders are not probes), sorted. */
export function listProbeIds(runDir: string): string[] {
  const dir = join(runDir, RUN_FILES.probes);
  return safeReaddir(dir).filter((n) => {
    if (n.startsWith('.')) return false;
    try {
      return statSync(join(dir, n)).isDirectory();
    } catch {
      return false;
    }
  }).sort();
}

export function probeDir(runDir: string, probeId: string): string {
  return join(runDir, RUN_FILES.probes, probeId);
}

/** What a probe folder holds so far: its result once finished, else its config and last epoch. */
export interface ProbeRecord {
  id: string;
  dir: string;
  result: ProbeResult | null;
  config: Record<string, unknown> | null;
  lastMetrics: ProbeMetricsRow | null;
  /** Latest write to config.json or metrics.jsonl (0 when neither exists): tells a running probe from a dead one. */
  updatedAtMs: number;
  hasAttention: boolean;
  /** The job's raw attention dump exists (overlays can be drawn from it). */
  hasAttentionDump: boolean;
}

export function readProbeRecord(runDir: string, probeId: string, notes?: Notes): ProbeRecord {
  const dir = probeDir(runDir, probeId);
  let updatedAtMs = 0;
  for (const f of [PROBE_FILES.metrics, PROBE_FILES.config]) {
    try {
      updatedAtMs = Math.max(updatedAtMs, statSync(join(dir, f)).mtimeMs);
    } catch {
      // not written yet
    }
  }
  const config = readJson<Record<string, unknown>>(join(dir, PROBE_FILES.config), notes);
  return {
    id: probeId,
    dir,
    result: readJson<ProbeResult>(join(dir, PROBE_FILES.result), notes),
    config: config !== null && typeof config === 'object' ? config : null,
    lastMetrics: readLastJsonLine<ProbeMetricsRow>(join(dir, PROBE_FILES.metrics)),
    updatedAtMs,
    hasAttention: existsSync(join(dir, PROBE_ATTENTION_DIR, PROBE_ATTENTION_MANIFEST)),
    hasAttentionDump: existsSync(join(dir, PROBE_FILES.attention)),
  };
}

export function readProbeRecords(runDir: string, notes?: Notes): ProbeRecord[] {
  return listProbeIds(runDir).map((id) => readProbeRecord(runDir, id, notes));
}

/** An attentive probe's overlay manifest (`probes/<id>/attention/attention.json`), or null. */
export function readProbeAttentionManifest(runDir: string, probeId: string, notes?: Notes): ProbeAttentionManifest | null {
  return readJson<ProbeAttentionManifest>(join(probeDir(runDir, probeId), PROBE_ATTENTION_DIR, PROBE_ATTENTION_MANIFEST), notes);
}
