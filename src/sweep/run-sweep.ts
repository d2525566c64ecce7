// Runs a sweep's tasks J at a time, each a child process of the CLI (`pretrain`, `resume`, `probe`), managed
// like the editor's jobs (TrainerJob: IPC, stop = ask → SIGTERM → SIGKILL). Progress is re-read from the run
// folders after every exit, so a sweep started again after a crash or kill picks up exactly what is missing.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeTrainer } from '../jobs/external-stop';
import { isPidAlive } from '../util/pid';
import { TrainerJob, type LaunchOptions } from '../jobs/trainer-job';
import type { StopSignal } from '../trainer/stop';
import { SWEEP_FILES, readSweepStatus, writeSweepStatus, type SweepState, type SweepStatus } from './folder';
import type { SweepPlan } from './plan';
import { readRunStatus } from '../protocol/read/run-folder';
import { readSweepProgress, runStates, type RunProgress } from './progress';
import { jobSpecOf, pendingTasks, taskKey, taskLabel, type SweepTask } from './tasks';

export interface SweepOptions {
  dir: string;
  plan: SweepPlan;
  jobs: number;
  launch: LaunchOptions;
  stop: StopSignal;
  print: (line: string) => void;
  /** How often to look again while waiting on processes of an earlier sweep (ms). */
  pollMs?: number;
}

interface Active {
  task: SweepTask;
  job: TrainerJob;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Children of a killed sweep stop by themselves (their IPC channel closes); wait until they have. */
async function waitForOrphans(opts: SweepOptions): Promise<void> {
  const alive = (pid: number): boolean => isPidAlive(pid) && looksLikeTrainer(pid);
  const listed = readSweepStatus(opts.dir)?.active ?? [];
  // A child started just before the kill may not be listed yet; its run folder's status names it.
  const fromRuns = readSweepProgress(opts.plan).flatMap((p) => {
    const s = p.runDir ? readRunStatus(p.runDir) : null;
    return s?.state === 'running' && typeof s.pid === 'number' ? [{ pid: s.pid, task: p.run.name }] : [];
  });
  const before = [...listed, ...fromRuns.filter((r) => !listed.some((a) => a.pid === r.pid))]
    .filter((a) => a.pid !== process.pid && alive(a.pid));
  if (before.length === 0) return;
  opts.print(`[sweep] waiting for ${before.length} process(es) of the previous start to stop: ${before.map((a) => `${a.pid} (${a.task})`).join(', ')}`);
  const end = Date.now() + 120_000;
  while (Date.now() < end && before.some((a) => alive(a.pid))) await sleep(opts.pollMs ?? 500);
}

function describeRun(plan: SweepPlan, run: number): string {
  const r = plan.runs[run];
  return [...Object.entries(r.point).map(([k, v]) => `${k}=${v}`), `seed ${r.seed}`].join(' ');
}

export async function runSweep(opts: SweepOptions): Promise<SweepState> {
  const { plan, dir, print, stop } = opts;
  const poll = opts.pollMs ?? 500;
  await waitForOrphans(opts);
  const active = new Map<string, Active>();
  /** Tasks that ended badly in this start are not tried again until the next one (a failing probe would loop). */
  const failed = new Map<string, string>();
  let nextId = 1;
  const activeRuns = (): Set<number> => new Set([...active.values()].map((a) => a.task.run));
  let progress: RunProgress[] = readSweepProgress(plan);

  const save = (state: SweepState): void => {
    const status: SweepStatus = {
      id: plan.id, state, pid: process.pid, jobs: opts.jobs, updatedAt: new Date().toISOString(),
      active: [...active.values()].map((a) => ({ pid: a.job.pid ?? 0, task: `${plan.runs[a.task.run].name} ${taskLabel(a.task)}` })),
      runs: runStates(plan, progress), errors: [...failed.values()],
    };
    writeSweepStatus(dir, status);
  };

  const start = (task: SweepTask): void => {
    const name = plan.runs[task.run].name;
    const job = new TrainerJob(nextId++, jobSpecOf(plan, progress[task.run], task), opts.launch);
    const log = join(dir, SWEEP_FILES.logs, `${name}.log`);
    appendFileSync(log, `\n=== ${new Date().toISOString()} ${taskLabel(task)} (pid ${job.pid ?? '?'})\n`);
    job.onOutput((o) => appendFileSync(log, o.text));
    active.set(taskKey(task), { task, job });
    print(`[sweep] ${name} ${taskLabel(task)} started (${describeRun(plan, task.run)})`);
    void job.exited.then((exit) => {
      active.delete(taskKey(task));
      const secs = (exit.durationMs / 1000).toFixed(1);
      if (exit.code === 0) {
        print(`[sweep] ${name} ${taskLabel(task)} done in ${secs} s`);
        return;
      }
      if (stop.requested) return; // stopped on purpose: resumed by the next start
      const why = exit.hostError ?? exit.done?.error ?? exit.stderrTail.trim().split('\n').pop() ?? '';
      const message = `${name} ${taskLabel(task)} exited with ${exit.code ?? exit.signal} after ${secs} s${why ? `: ${why}` : ''} (log: ${log})`;
      failed.set(taskKey(task), message);
      print(`[sweep] ${message}`);
    });
  };

  for (;;) {
    progress = readSweepProgress(plan, activeRuns());
    if (stop.requested) break;
    const busyRuns = activeRuns();
    const todo = pendingTasks(plan, progress).filter((t) => !failed.has(taskKey(t)) && !active.has(taskKey(t)));
    for (const t of todo) {
      if (active.size >= opts.jobs) break;
      if (busyRuns.has(t.run)) continue; // one process per run folder at a time
      busyRuns.add(t.run);
      start(t);
    }
    save('running');
    const elsewhere = progress.some((p) => p.training === 'running' && !busyRuns.has(p.run.index));
    if (active.size === 0 && !elsewhere) break;
    await Promise.race([...[...active.values()].map((a) => a.job.exited), sleep(poll)]);
  }

  if (stop.requested) {
    print(`[sweep] stopping ${active.size} process(es): each checkpoints first`);
    await Promise.all([...active.values()].map((a) => a.job.stop()));
    progress = readSweepProgress(plan, activeRuns());
    save('stopped');
    return 'stopped';
  }
  const bad = progress.filter((p) => p.training === 'failed' || p.training === 'diverged');
  const state: SweepState = failed.size > 0 || bad.length > 0 ? 'failed' : 'completed';
  save(state);
  return state;
}
