// Where each planned run stands, read from its run folder (the folders are the truth; state.json only mirrors
// this): not started, resumable (stopped, or interrupted: `running` with its process gone), still running in a
// process of an earlier sweep, finished; and which probes and random-init baselines already have results.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeTrainer } from '../host/external-stop';
import { displayStateOf, isPidAlive } from '../host/run-reader';
import { readRunRow } from '../probe/compare';
import { RUN_FILES, type ProbeKind, type RunStatus } from '../protocol/run-files';
import { findRunDir, type SweepRunState, type TrainingState } from './folder';
import type { PlannedRun, SweepPlan } from './plan';

export interface RunProgress {
  run: PlannedRun;
  runDir: string | null;
  training: TrainingState;
  /** Top-1 of the pretrained encoder's probes on its final checkpoint. */
  probes: Partial<Record<ProbeKind, number>>;
  /** Top-1 of random-init probes written into this run's folder. */
  random: Partial<Record<ProbeKind, number>>;
}

function readStatus(runDir: string): RunStatus | null {
  try {
    return JSON.parse(readFileSync(join(runDir, RUN_FILES.status), 'utf8')) as RunStatus;
  } catch {
    return null;
  }
}

/** A folder a killed `pretrain` created but never wrote its config into holds nothing to resume: remove it. */
function dropEmptyRunDir(runDir: string): boolean {
  if (existsSync(join(runDir, RUN_FILES.config))) return false;
  if (readdirSync(runDir).length > 0) return false;
  rmSync(runDir, { recursive: true, force: true });
  return true;
}

export function readRunProgress(plan: SweepPlan, run: PlannedRun): RunProgress {
  let runDir = findRunDir(plan.spec.runsDir, run.name);
  if (runDir && dropEmptyRunDir(runDir)) runDir = null;
  if (!runDir) return { run, runDir: null, training: 'pending', probes: {}, random: {} };
  const status = readStatus(runDir);
  // No status yet: the trainer is starting (or was killed before its first status); it resumes like a stopped run.
  // A pid counts only while it still runs MIM Lab (after a reboot the number may belong to anything).
  const training: TrainingState = status ? displayStateOf(status, false, (pid) => isPidAlive(pid) && looksLikeTrainer(pid)) as TrainingState : 'interrupted';
  const row = readRunRow(runDir);
  const probes: RunProgress['probes'] = {};
  const random: RunProgress['random'] = {};
  for (const [kind, r] of Object.entries(row.probes)) {
    if (status && r && r.checkpointStep >= status.checkpointStep) probes[kind as ProbeKind] = r.top1;
  }
  for (const [kind, r] of Object.entries(row.random)) if (r) random[kind as ProbeKind] = r.top1;
  return { run, runDir, training, probes, random };
}

export function readSweepProgress(plan: SweepPlan): RunProgress[] {
  return plan.runs.map((r) => readRunProgress(plan, r));
}

/** The per-run part of state.json: each run's baseline is the random-init result in its representative's folder. */
export function runStates(plan: SweepPlan, progress: readonly RunProgress[]): SweepRunState[] {
  const repOf = new Map<string, RunProgress>();
  for (const i of plan.baselineRuns) repOf.set(plan.runs[i].baseline, progress[i]);
  return progress.map((p) => ({
    name: p.run.name, runDir: p.runDir, training: p.training, probes: p.probes, baseline: repOf.get(p.run.baseline)?.random ?? {},
  }));
}
