// Builds the Experiments view's snapshot from disk: every run (through the compare table's reader), the config
// keys that differ, each run's metrics paired with its random-init baseline, the requested grouping (the same
// groupRuns as `mim-lab table`) and the sweeps of the sweeps folder. No vscode here.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../config/presets';
import { differingConfigKeys, readRunRow, type RunRow } from '../probe/compare';
import type { ExperimentRow, ExperimentsSnapshot, SweepView } from '../protocol/experiments';
import { RUN_FILES, type RunStatus } from '../protocol/run-files';
import { baselineIndex } from '../sweep/baseline';
import { findRunDir, isSweepDir, readPlan, readSweepStatus } from '../sweep/folder';
import { configValueText, groupRuns, runMetrics } from '../sweep/group-table';
import { displayStateOf, isPidAlive, listRunDirs, readJson, readSampleSteps } from './run-reader';

export interface ExperimentsSources {
  runsDir: string;
  sweepsDir: string;
  groupBy: readonly string[];
  isLiveRun: (runDir: string) => boolean;
  /** Sweeps this window started or queued: id → state. */
  ownSweeps: ReadonlyMap<string, 'queued' | 'running'>;
  canRun: boolean;
}

interface SweepInfo {
  view: SweepView;
  runDirs: string[];
}

function readSweeps(sweepsDir: string, own: ExperimentsSources['ownSweeps']): SweepInfo[] {
  const ids = existsSync(sweepsDir) ? readdirSync(sweepsDir).filter((n) => isSweepDir(join(sweepsDir, n))).sort() : [];
  const out: SweepInfo[] = ids.flatMap((id) => {
    const dir = join(sweepsDir, id);
    let plan: ReturnType<typeof readPlan>;
    try {
      plan = readPlan(dir);
    } catch {
      return []; // not a plan this version reads
    }
    const status = readSweepStatus(dir);
    const alive = status?.state === 'running' && isPidAlive(status.pid);
    const mine = own.get(id);
    const state: SweepView['state'] = mine === 'queued' ? 'queued' : alive || mine === 'running' ? 'running' : status?.state === 'running' ? 'interrupted' : status?.state ?? 'stopped';
    const runs = status?.runs ?? [];
    return [{
      runDirs: plan.runs.map((r) => findRunDir(plan.spec.runsDir, r.name)).filter((d): d is string => d !== null),
      view: {
        id, state, runs: plan.runs.length, trained: runs.filter((r) => r.training === 'completed').length,
        probed: runs.filter((r) => plan.spec.probes.every((k) => r.probes[k] !== undefined) && r.training === 'completed').length,
        cancellable: state === 'running' || state === 'queued', resumable: state === 'stopped' || state === 'interrupted' || state === 'failed',
      },
    }];
  });
  for (const [id, s] of own) {
    if (s === 'queued' && !ids.includes(id)) out.push({ runDirs: [], view: { id, state: 'queued', runs: 0, trained: 0, probed: 0, cancellable: true, resumable: false } });
  }
  return out;
}

function rowOf(r: RunRow, dir: string, keys: readonly string[], metrics: Record<string, number>, sweep: string | null, live: boolean): ExperimentRow {
  const status = readJson<RunStatus>(join(dir, RUN_FILES.status));
  return {
    runId: r.run, state: displayStateOf(status, live), algorithm: r.algorithm, step: status?.step ?? 0, totalSteps: status?.totalSteps ?? 0,
    config: Object.fromEntries(keys.map((k) => [k, configValueText(r.config[k])])), metrics, sweep, samples: readSampleSteps(dir),
  };
}

export function buildExperimentsSnapshot(src: ExperimentsSources): ExperimentsSnapshot {
  const dirs = listRunDirs(src.runsDir).sort();
  const rows: { row: RunRow; dir: string }[] = [];
  for (const dir of dirs) {
    try {
      rows.push({ row: readRunRow(dir), dir });
    } catch {
      // a folder whose config is not written yet: it shows up on the next refresh
    }
  }
  const all = rows.map((r) => r.row);
  const sweeps = readSweeps(src.sweepsDir, src.ownSweeps);
  const sweepOf = new Map<string, string>();
  for (const s of sweeps) for (const d of s.runDirs) sweepOf.set(d, s.view.id);
  const keys = differingConfigKeys(all);
  const baselines = baselineIndex(all);
  const completed = all.filter((r) => r.state === 'completed');
  const table = groupRuns(completed.length ? completed : all, src.groupBy, all);
  return {
    rows: rows.map(({ row, dir }) => rowOf(row, dir, keys, runMetrics(row, baselines), sweepOf.get(dir) ?? null, src.isLiveRun(dir))),
    configKeys: keys,
    metrics: table.columns,
    groupBy: [...src.groupBy],
    groups: src.groupBy.length && completed.length ? table.rows : [],
    sweeps: sweeps.map((s) => s.view),
    presets: Object.keys(PRESETS),
    canRun: src.canRun,
  };
}
