// Where each planned run stands, read from its run folder (the folders are the truth; state.json only mirrors
// this): not started, resumable (stopped, or interrupted: `running` with its process gone), still running in a
// process of an earlier sweep, finished; and which probes and random-init baselines already have results.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeTrainer } from '../jobs/external-stop';
import { displayStateOf } from '../jobs/display-state';
import { isPidAlive } from '../util/pid';
import { readRunRow } from '../probe/compare';
import { readRunStatus } from '../protocol/read/run-folder';
import { RUN_FILES, type ProbeKind } from '../protocol/run-files';
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

/**
 * `active`: a child of this sweep is working on the run, so a folder without its config is one being created.
 * Otherwise such a folder was left by a `pretrain` killed before it wrote its config: empty, it is removed and the
 * run starts afresh; not empty, it is left for a person to look at and the run counts as failed.
 */
export function readRunProgress(plan: SweepPlan, run: PlannedRun, active = false): RunProgress {
  const runDir = findRunDir(plan.spec.runsDir, run.name);
  const none = { run, probes: {}, random: {} };
  if (!runDir) return { ...none, runDir: null, training: 'pending' };
  if (!existsSync(join(runDir, RUN_FILES.config))) {
    if (active) return { ...none, runDir, training: 'running' };
    if (readdirSync(runDir).length > 0) return { ...none, runDir, training: 'failed' };
    rmSync(runDir, { recursive: true, force: true });
    return { ...none, runDir: null, training: 'pending' };
  }
  const status = readRunStatus(runDir);
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

/** `active`: indices of the runs a child of this sweep is working on. */
export function readSweepProgress(plan: SweepPlan, active: ReadonlySet<number> = new Set()): RunProgress[] {
  return plan.runs.map((r) => readRunProgress(plan, r, active.has(r.index)));
}

/** The per-run part of state.json: each run's baseline is the random-init result in its representative's folder. */
export function runStates(plan: SweepPlan, progress: readonly RunProgress[]): SweepRunState[] {
  const repOf = new Map<string, RunProgress>();
  for (const i of plan.baselineRuns) repOf.set(plan.runs[i].baseline, progress[i]);
  return progress.map((p) => ({
    name: p.run.name, runDir: p.runDir, training: p.training, probes: p.probes, baseline: repOf.get(p.run.baseline)?.random ?? {},
  }));
}
