// Reads run folders (DESIGN.md §2) from disk. No vscode here: the tree, the panels and the tests share it.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, parseJsonLines, type MetricsRow, type ProbeMetricsRow, type ProbeResult, type RunStatus } from '../protocol/run-files';
import { PROBE_ATTENTION_DIR, type ProbeAttentionManifest } from '../protocol/samples';
import { isSafeId, type DisplayState, type ProbeView } from '../protocol/webview';
import { isPidAlive } from '../util/pid';
export { isPidAlive };

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** True when a process with this pid exists (signal 0 probes without sending anything). */
/** A run whose status says running but whose process is gone was interrupted (crash, killed editor, reboot). */
export function displayStateOf(status: RunStatus | null, hasLiveJob: boolean, alive: (pid: number) => boolean = isPidAlive): DisplayState {
  if (!status) return hasLiveJob ? 'running' : 'unknown';
  if (status.state !== 'running') return status.state;
  return hasLiveJob || alive(status.pid) ? 'running' : 'interrupted';
}

/** Run folders directly under `runsDir` (a folder holding config.json or status.json). */
export function listRunDirs(runsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return [];
  }
  return names
    .map((n) => join(runsDir, n))
    .filter((d) => existsSync(join(d, RUN_FILES.status)) || existsSync(join(d, RUN_FILES.config)));
}

function stepsFromNames(names: string[], pattern: RegExp): number[] {
  const steps: number[] = [];
  for (const n of names) {
    const m = pattern.exec(n);
    if (m) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Checkpoint steps from `checkpoints/step-000010/` style folders. */
export function readCheckpoints(runDir: string): number[] {
  return stepsFromNames(safeReaddir(join(runDir, RUN_FILES.checkpoints)), /^step-(\d+)$/);
}

/** Steps that have a complete `samples/<step>/sample.json`. */
export function readSampleSteps(runDir: string): number[] {
  const dir = join(runDir, RUN_FILES.samples);
  return stepsFromNames(safeReaddir(dir).filter((n) => existsSync(join(dir, n, 'sample.json'))), /^(\d+)$/);
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
    if (size > len) lines.shift(); // first line may be cut
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

export function readAllMetrics(runDir: string): MetricsRow[] {
  try {
    return parseJsonLines<MetricsRow>(readFileSync(join(runDir, RUN_FILES.metrics), 'utf8'));
  } catch {
    return [];
  }
}

const RECENT_MS = 120_000;

function probeKind(x: unknown): ProbeView['kind'] {
  return x === 'linear' || x === 'attentive' || x === 'knn' ? x : 'unknown';
}

/** Probes of a run. Without a result, a probe is running when `isLive(id)` says so or it wrote recently. */
export function readProbes(runDir: string, isLive: (probeId: string) => boolean = () => false, now = Date.now()): ProbeView[] {
  const dir = join(runDir, RUN_FILES.probes);
  const out: ProbeView[] = [];
  for (const id of safeReaddir(dir).sort()) {
    const pdir = join(dir, id);
    const result = readJson<ProbeResult>(join(pdir, 'result.json'));
    if (result) {
      out.push({
        id, kind: probeKind(result.kind), state: 'done', epoch: result.epochs, epochs: result.epochs, top1: result.top1,
        top5: result.top5 ?? null, randomInit: Boolean(result.randomInit), ...(result.pixels ? { pixels: true } : {}), checkpointStep: result.checkpointStep ?? null,
        hasAttention: existsSync(join(pdir, PROBE_ATTENTION_DIR, 'attention.json')), numClasses: result.numClasses ?? null,
      });
      continue;
    }
    const cfg = readJson<Record<string, unknown>>(join(pdir, 'config.json'));
    if (!cfg && !existsSync(join(pdir, 'metrics.jsonl'))) continue;
    const last = readLastJsonLine<ProbeMetricsRow>(join(pdir, 'metrics.jsonl'));
    let mtime = 0;
    for (const f of ['metrics.jsonl', 'config.json']) {
      try {
        mtime = Math.max(mtime, statSync(join(pdir, f)).mtimeMs);
      } catch {
        // missing file
      }
    }
    const running = isLive(id) || now - mtime < RECENT_MS;
    const epochs = typeof cfg?.epochs === 'number' ? cfg.epochs : 0;
    out.push({
      id, kind: probeKind(cfg?.kind), state: running ? 'running' : 'failed', epoch: last?.epoch ?? 0, epochs,
      top1: last?.test_top1 ?? null, top5: null, randomInit: Boolean(cfg?.randomInit), checkpointStep: typeof cfg?.checkpointStep === 'number' ? cfg.checkpointStep : null,
    });
  }
  return out;
}

export interface RunSummary {
  runId: string;
  runDir: string;
  status: RunStatus | null;
  displayState: DisplayState;
  algorithm: string;
  preset: string;
  lastMetrics: MetricsRow | null;
  checkpoints: number[];
  probes: ProbeView[];
  /** Sort key: start time from status.json, else the folder's mtime. */
  startedAt: number;
}

export function readRunSummary(runDir: string, hasLiveJob = false, isLiveProbe?: (id: string) => boolean): RunSummary {
  const status = readJson<RunStatus>(join(runDir, RUN_FILES.status));
  const config = readJson<{ algorithm?: string; preset?: string }>(join(runDir, RUN_FILES.config));
  let startedAt = status?.startedAt ? Date.parse(status.startedAt) : NaN;
  if (!Number.isFinite(startedAt)) {
    try {
      startedAt = statSync(runDir).mtimeMs;
    } catch {
      startedAt = 0;
    }
  }
  return {
    runId: runDir.split(/[\\/]/).pop() ?? runDir,
    runDir,
    status,
    displayState: displayStateOf(status, hasLiveJob),
    algorithm: status?.algorithm ?? config?.algorithm ?? '?',
    preset: config?.preset ?? '',
    lastMetrics: readLastJsonLine<MetricsRow>(join(runDir, RUN_FILES.metrics)),
    checkpoints: readCheckpoints(runDir),
    probes: readProbes(runDir, isLiveProbe),
    startedAt,
  };
}

/** All runs under `runsDir`, newest first. */
export function readRunSummaries(
  runsDir: string,
  isLiveRun: (runDir: string) => boolean = () => false,
  isLiveProbe: (runDir: string, probeId: string) => boolean = () => false,
): RunSummary[] {
  return listRunDirs(runsDir)
    .map((d) => readRunSummary(d, isLiveRun(d), (id) => isLiveProbe(d, id)))
    .sort((a, b) => b.startedAt - a.startedAt || a.runId.localeCompare(b.runId));
}

/** An attentive probe's query attention (`probes/<id>/attention/attention.json`), or null. */
export function readProbeAttention(runDir: string, probeId: string): ProbeAttentionManifest | null {
  if (!isSafeId(probeId)) return null;
  return readJson<ProbeAttentionManifest>(join(runDir, RUN_FILES.probes, probeId, PROBE_ATTENTION_DIR, 'attention.json'));
}
