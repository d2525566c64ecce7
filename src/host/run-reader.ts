// The editor's view of run folders: display states, tree summaries and probe views, read through the one
// run-folder reader (src/protocol/read). No vscode here: the tree, the panels and the tests share it.
import { statSync } from 'node:fs';
import {
  listCheckpointSteps, listRunDirs, readLastMetrics, readProbeAttentionManifest,
  readProbeRecords, readRunConfig, readRunStatus, type ProbeRecord,
} from '../protocol/read/run-folder';
import type { MetricsRow, RunStatus } from '../protocol/run-files';
import type { ProbeAttentionManifest } from '../protocol/samples';
import { isSafeId, type DisplayState, type ProbeView } from '../protocol/webview';
import { isPidAlive } from '../util/pid';
import { displayStateOf } from '../jobs/display-state';
export { displayStateOf, isPidAlive };

export {
  listCheckpointSteps as readCheckpoints, listRunDirs, listSampleSteps as readSampleSteps, readJson, readLastJsonLine,
  readMetrics as readAllMetrics,
} from '../protocol/read/run-folder';


const RECENT_MS = 120_000;

function probeKind(x: unknown): ProbeView['kind'] {
  return x === 'linear' || x === 'attentive' || x === 'knn' ? x : 'unknown';
}

function probeView(p: ProbeRecord, isLive: (probeId: string) => boolean, now: number): ProbeView | null {
  const r = p.result;
  if (r) {
    return {
      id: p.id, kind: probeKind(r.kind), state: 'done', epoch: r.epochs, epochs: r.epochs, top1: r.top1,
      top5: r.top5 ?? null, randomInit: Boolean(r.randomInit), ...(r.pixels ? { pixels: true } : {}), checkpointStep: r.checkpointStep ?? null,
      hasAttention: p.hasAttention, numClasses: r.numClasses ?? null, ...(r.head ? { head: r.head } : {}),
    };
  }
  const cfg = p.config;
  if (!cfg && p.lastMetrics === null && p.updatedAtMs === 0) return null; // an empty folder: not a probe yet
  const running = isLive(p.id) || now - p.updatedAtMs < RECENT_MS;
  return {
    id: p.id, kind: probeKind(cfg?.kind), state: running ? 'running' : 'failed', epoch: p.lastMetrics?.epoch ?? 0,
    epochs: typeof cfg?.epochs === 'number' ? cfg.epochs : 0, top1: p.lastMetrics?.test_top1 ?? null, top5: null,
    randomInit: Boolean(cfg?.randomInit), checkpointStep: typeof cfg?.checkpointStep === 'number' ? cfg.checkpointStep : null,
  };
}

/** Probes of a run. Without a result, a probe is running when `isLive(id)` says so or it wrote recently. */
export function readProbes(runDir: string, isLive: (probeId: string) => boolean = () => false, now = Date.now()): ProbeView[] {
  return readProbeRecords(runDir).map((p) => probeView(p, isLive, now)).filter((v): v is ProbeView => v !== null);
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
  const status = readRunStatus(runDir);
  const config = readRunConfig(runDir);
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
    algorithm: status?.algorithm ?? (typeof config?.algorithm === 'string' ? config.algorithm : '?'),
    preset: typeof config?.preset === 'string' ? config.preset : '',
    lastMetrics: readLastMetrics(runDir),
    checkpoints: listCheckpointSteps(runDir),
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
  return readProbeAttentionManifest(runDir, probeId);
}
