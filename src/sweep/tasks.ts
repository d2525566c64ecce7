// What is left to do, from the runs' progress: train (pretrain, or resume what was interrupted), probe each
// finished run, and probe the random-init encoder once per baseline group (in its first run's folder).
import type { JobSpec } from '../jobs/job-spec';
import type { ProbeKind } from '../protocol/run-files';
import type { SweepPlan } from './plan';
import type { RunProgress } from './progress';

export type SweepTask =
  | { kind: 'train'; run: number; resume: boolean }
  | { kind: 'probe'; run: number; probe: ProbeKind; randomInit: boolean };

export function taskKey(t: SweepTask): string {
  return t.kind === 'train' ? `${t.run}:train` : `${t.run}:${t.probe}${t.randomInit ? ':random-init' : ''}`;
}

export function taskLabel(t: SweepTask): string {
  if (t.kind === 'train') return t.resume ? 'resume' : 'pretrain';
  return `${t.probe} probe${t.randomInit ? ' (random init)' : ''}`;
}

/** Training ended one way or another: the folder has a config a random-init probe can read. */
const ended = (p: RunProgress): boolean => p.training === 'completed' || p.training === 'failed' || p.training === 'diverged';

/** Tasks in plan order; runs still running in another process are left alone until they end. */
export function pendingTasks(plan: SweepPlan, progress: readonly RunProgress[]): SweepTask[] {
  const reps = new Set(plan.baselineRuns);
  const out: SweepTask[] = [];
  for (const p of progress) {
    const run = p.run.index;
    if (p.training === 'pending') out.push({ kind: 'train', run, resume: false });
    else if (p.training === 'stopped' || p.training === 'interrupted') out.push({ kind: 'train', run, resume: true });
    if (p.training === 'completed') {
      for (const probe of plan.spec.probes) if (p.probes[probe] === undefined) out.push({ kind: 'probe', run, probe, randomInit: false });
    }
    if (reps.has(run) && ended(p)) {
      for (const probe of plan.spec.probes) if (p.random[probe] === undefined) out.push({ kind: 'probe', run, probe, randomInit: true });
    }
  }
  return out;
}

/** The CLI job that does a task (the same `pretrain` / `resume` / `probe` a user would type). */
export function jobSpecOf(plan: SweepPlan, progress: RunProgress, t: SweepTask): JobSpec {
  const { spec } = plan;
  const runDir = progress.runDir;
  if (t.kind === 'train' && !t.resume) {
    return { kind: 'pretrain', runsDir: spec.runsDir, preset: spec.preset, configFile: spec.configFile, sets: progress.run.sets, name: progress.run.name };
  }
  if (!runDir) throw new Error(`${taskLabel(t)} of ${progress.run.name}: the run has no folder yet`);
  if (t.kind === 'train') return { kind: 'resume', runDir };
  return { kind: 'probe', runDir, probe: t.probe, randomInit: t.randomInit };
}
