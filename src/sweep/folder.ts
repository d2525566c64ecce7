// The sweep folder (`.mimlab/sweeps/<id>/`): plan.json (what to run, written once), state.json (what the sweep
// process last saw, rewritten atomically for the editor), lock.json (the pid of the sweep process running it) and
// logs/ (each child's output). The run folders themselves stay the truth: a restart re-reads them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/resolve';
import { isPidAlive } from '../util/pid';
import type { ProbeKind } from '../protocol/run-files';
import { safeRunName } from '../trainer/run-folder';
import { writeJsonAtomic } from '../util/fs-atomic';
import { PLAN_VERSION, samePlan, type SweepPlan } from './plan';

export const SWEEP_FILES = { plan: 'plan.json', state: 'state.json', lock: 'lock.json', logs: 'logs' } as const;
export const DEFAULT_SWEEPS_DIR = join('.mimlab', 'sweeps');

export type SweepState = 'running' | 'completed' | 'stopped' | 'failed';
export type TrainingState = 'pending' | 'running' | 'completed' | 'stopped' | 'interrupted' | 'failed' | 'diverged';

export interface SweepRunState {
  name: string;
  runDir: string | null;
  training: TrainingState;
  /** Probe kind → pretrained top-1 (fraction), where probed. */
  probes: Partial<Record<ProbeKind, number>>;
  /** Probe kind → random-init top-1 of this run's baseline, where probed. */
  baseline: Partial<Record<ProbeKind, number>>;
}

/** `state.json`. */
export interface SweepStatus {
  id: string;
  state: SweepState;
  pid: number;
  jobs: number;
  updatedAt: string;
  /** Child processes now running (a restart waits for any still alive). */
  active: { pid: number; task: string }[];
  runs: SweepRunState[];
  errors: string[];
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, SWEEP_FILES.plan));
}

export function readPlan(dir: string): SweepPlan {
  let plan: SweepPlan;
  try {
    plan = JSON.parse(readFileSync(join(dir, SWEEP_FILES.plan), 'utf8')) as SweepPlan;
  } catch (err) {
    throw new ConfigError(`${dir}: not a sweep folder (no readable ${SWEEP_FILES.plan}: ${(err as Error).message})`);
  }
  if (plan.version !== PLAN_VERSION || !Array.isArray(plan.runs)) throw new ConfigError(`${dir}/${SWEEP_FILES.plan}: expected plan version ${PLAN_VERSION}`);
  return plan;
}

export function readSweepStatus(dir: string): SweepStatus | null {
  try {
    return JSON.parse(readFileSync(join(dir, SWEEP_FILES.state), 'utf8')) as SweepStatus;
  } catch {
    return null;
  }
}

export function writeSweepStatus(dir: string, status: SweepStatus): void {
  writeJsonAtomic(join(dir, SWEEP_FILES.state), status);
}

/** Creates the folder with its plan, or checks that an existing one holds the same plan (then it resumes). */
export function openSweepDir(sweepsDir: string, plan: SweepPlan): { dir: string; plan: SweepPlan; resumed: boolean } {
  const dir = join(sweepsDir, plan.id);
  if (isSweepDir(dir)) {
    const existing = readPlan(dir);
    if (!samePlan(existing, plan)) {
      throw new ConfigError(`sweep folder ${dir} holds a different plan (other grid, seeds, probes or base config); give this sweep another --name, or resume that one with \`mim-lab sweep ${dir}\``);
    }
    return { dir, plan: existing, resumed: true };
  }
  mkdirSync(join(dir, SWEEP_FILES.logs), { recursive: true });
  writeJsonAtomic(join(dir, SWEEP_FILES.plan), plan);
  return { dir, plan, resumed: false };
}

/** Takes the lock; refuses while another live process holds it (a lock left by a killed sweep is taken over). */
export function acquireLock(dir: string): () => void {
  const file = join(dir, SWEEP_FILES.lock);
  try {
    const held = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
    if (typeof held.pid === 'number' && held.pid !== process.pid && isPidAlive(held.pid)) {
      throw new ConfigError(`sweep ${dir} is already running (pid ${held.pid}); stop it first (Ctrl-C, or kill -TERM ${held.pid})`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
  }
  writeJsonAtomic(file, { pid: process.pid, startedAt: new Date().toISOString() });
  return () => rmSync(file, { force: true });
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The folder `pretrain --name <name>` created under runsDir (`<date-time>-<name>`), or null when none yet. */
export function findRunDir(runsDir: string, name: string): string | null {
  const re = new RegExp(`^\\d{8}-\\d{6}-${escapeRe(safeRunName(name))}(-\\d+)?$`);
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return null;
  }
  const hits = names.filter((n) => re.test(n)).sort();
  return hits.length ? join(runsDir, hits[0]) : null;
}
