// Fault soak (issue 19): one run killed with SIGKILL at random moments, each kill followed by a resume, then
// checked: after every kill no torn file or checkpoint, at the end every step logged exactly once and the same
// losses as an uninterrupted run of the same config. The engine is a parameter (the commands that start and
// resume a run), so the same soak drives the TF.js CLI and the PyTorch engine.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../ml/rng';
import { RUN_FILES, type MetricsRow } from '../protocol/run-files';
import { listCheckpoints } from '../trainer/checkpoint';
import { crashProblems, finishedRunProblems, readMetricsRows } from './run-integrity';

/** Commands (executable first) that start a fresh run under `runsDir` and resume the run at `runDir`. */
export interface SoakEngine {
  name: string;
  pretrain(runsDir: string): string[];
  resume(runDir: string): string[];
  env?: NodeJS.ProcessEnv;
}

/** The engine behind `mim-lab pretrain … / mim-lab resume` (TF.js today; `--set engine=…` picks another). */
export function cliSoakEngine(cli: string, pretrainArgs: readonly string[], name = 'tfjs', node = process.execPath): SoakEngine {
  return {
    name,
    pretrain: (runsDir) => [node, cli, 'pretrain', ...pretrainArgs, '--runs-dir', runsDir],
    resume: (runDir) => [node, cli, 'resume', runDir],
    env: { MIMLAB_LOG_EVERY: '1000000' },
  };
}

export interface SoakOptions {
  engine: SoakEngine;
  /** Steps the run is configured for (the kill moments are spread over them). */
  steps: number;
  kills: number;
  seed: number;
  /** Holds the reference run and the soaked run. */
  workDir: string;
  /** Share of kills aimed at the start-up (before the first step of a start or resume). */
  startupShare?: number;
  log?: (line: string) => void;
}

export interface SoakKill {
  round: number;
  moment: 'start-up' | 'mid-run';
  /** mid-run: killed this long after the run had logged `targetStep`; start-up: this long after the start. */
  targetStep: number;
  delayMs: number;
  /** Last step in metrics.jsonl when the signal was sent, and the latest complete checkpoint after. */
  loggedStep: number;
  checkpointStep: number;
  /** How the process ended: 'SIGKILL' unless it finished first. */
  ended: string;
  problems: string[];
}

export interface SoakResult {
  engine: string;
  refDir: string;
  runDir: string;
  kills: SoakKill[];
  problems: string[];
  referenceSeconds: number;
  soakSeconds: number;
}

interface Proc {
  wait: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  kill(): void;
}

function start(argv: string[], env: NodeJS.ProcessEnv | undefined): Proc {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const wait = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { wait, kill: () => child.kill('SIGKILL') };
}

const END_MARGIN = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The run folder under `runsDir` (the one holding config.json), or null before it exists. */
function findRun(runsDir: string): string | null {
  if (!existsSync(runsDir)) return null;
  const dirs = readdirSync(runsDir).map((n) => join(runsDir, n)).filter((d) => existsSync(join(d, RUN_FILES.config)));
  return dirs.sort()[0] ?? null;
}

function lastLogged(runDir: string | null): number {
  if (!runDir) return 0;
  try {
    return readMetricsRows(runDir).reduce((m, r) => Math.max(m, r.step), 0);
  } catch {
    return 0; // a torn line mid-file is reported by crashProblems, not here
  }
}

/** What must match an uninterrupted run: everything but wall-clock fields. */
export function deterministicPart(r: MetricsRow): unknown[] {
  return [r.step, r.epoch, r.lr, r.loss, r.loss_main, r.loss_align, r.latent_std, r.grad_norm, r.mlm_acc];
}

function firstDifference(a: MetricsRow[], b: MetricsRow[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ? JSON.stringify(deterministicPart(a[i])) : 'none';
    const y = b[i] ? JSON.stringify(deterministicPart(b[i])) : 'none';
    if (x !== y) return `row ${i + 1}: soaked ${x} vs uninterrupted ${y}`;
  }
  return null;
}

/** Runs the reference, then the soak; the result lists every problem found (none: the soak passed). */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => {});
  const rng = new Rng(o.seed);
  const refRuns = join(o.workDir, 'reference');
  const soakRuns = join(o.workDir, 'soak');
  mkdirSync(refRuns, { recursive: true });
  mkdirSync(soakRuns, { recursive: true });
  const problems: string[] = [];

  // The uninterrupted run: its losses are the target, its pace sets the kill moments.
  const t0 = performance.now();
  const ref = start(o.engine.pretrain(refRuns), o.engine.env);
  let firstStepMs = 0;
  for (let done = false; !done;) {
    done = await Promise.race([ref.wait.then(() => true), sleep(20).then(() => false)]);
    if (!firstStepMs && lastLogged(findRun(refRuns)) > 0) firstStepMs = performance.now() - t0;
  }
  const refExit = await ref.wait;
  const refMs = performance.now() - t0;
  const refDir = findRun(refRuns) ?? '';
  if (refExit.code !== 0 || !refDir) throw new Error(`the uninterrupted ${o.engine.name} run failed (exit ${refExit.code}): ${refExit.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  const stepMs = Math.max(1, (refMs - firstStepMs) / o.steps);
  log(`reference: ${o.steps} steps in ${(refMs / 1000).toFixed(1)} s (start-up ${(firstStepMs / 1000).toFixed(1)} s, ${stepMs.toFixed(0)} ms/step)`);

  const s0 = performance.now();
  const kills: SoakKill[] = [];
  let runDir: string | null = null;
  for (let round = 0; round < o.kills; round++) {
    const startup = rng.next() < (o.startupShare ?? 0.2);
    // Mid-run targets sweep the whole run, so kills land early, late and on checkpoint steps alike.
    // The last target stays a few steps before the end, so no run finishes before its kill.
    const targetStep = startup ? 0 : 1 + Math.floor(((round + rng.next()) * (o.steps - END_MARGIN - 1)) / o.kills);
    const delayMs = Math.round(startup ? rng.next() * firstStepMs : rng.next() * 1.5 * stepMs);
    const proc = start(runDir ? o.engine.resume(runDir) : o.engine.pretrain(soakRuns), o.engine.env);
    const began = performance.now();
    let exited = false;
    void proc.wait.then(() => { exited = true; });
    if (!startup) {
      while (!exited && lastLogged(runDir ?? findRun(soakRuns)) < targetStep) await sleep(10);
    }
    const waitFrom = startup ? began : performance.now();
    while (!exited && performance.now() - waitFrom < delayMs) await sleep(Math.min(5, delayMs));
    const loggedStep = lastLogged(runDir ?? findRun(soakRuns));
    proc.kill();
    const exit = await proc.wait;
    runDir = runDir ?? findRun(soakRuns);
    const found = runDir ? crashProblems(runDir) : [];
    const kill: SoakKill = {
      round, moment: startup ? 'start-up' : 'mid-run', targetStep, delayMs, loggedStep,
      checkpointStep: runDir ? listCheckpoints(join(runDir, RUN_FILES.checkpoints)).pop() ?? 0 : 0,
      ended: exit.signal ?? `exit ${exit.code}`, problems: found,
    };
    kills.push(kill);
    log(`kill ${round + 1}/${o.kills}: ${kill.moment}${startup ? '' : ` after step ${targetStep}`} +${delayMs} ms → logged ${loggedStep}, checkpoint ${kill.checkpointStep}, ${kill.ended}${found.length ? `; ${found.join('; ')}` : ''}`);
    problems.push(...found.map((p) => `after kill ${round + 1}: ${p}`));
    if (exit.signal !== 'SIGKILL') problems.push(`kill ${round + 1}: the process ended by itself (${kill.ended}) before the signal: ${exit.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  }

  const last = start(runDir ? o.engine.resume(runDir) : o.engine.pretrain(soakRuns), o.engine.env);
  const exit = await last.wait;
  runDir = runDir ?? findRun(soakRuns);
  const soakMs = performance.now() - s0;
  if (exit.code !== 0 || !runDir) problems.push(`the final resume exited ${exit.signal ?? exit.code}: ${exit.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  if (runDir) {
    problems.push(...finishedRunProblems(runDir, o.steps));
    const diff = firstDifference(readMetricsRows(runDir), readMetricsRows(refDir));
    if (diff) problems.push(`losses differ from the uninterrupted run at ${diff}`);
  }
  log(`soak: ${o.kills} kills + final resume in ${(soakMs / 1000).toFixed(1)} s; ${problems.length ? `${problems.length} problem(s)` : 'every step logged once, same losses, no torn checkpoint'}`);
  return { engine: o.engine.name, refDir, runDir: runDir ?? '', kills, problems, referenceSeconds: refMs / 1000, soakSeconds: soakMs / 1000 };
}
