// RunManager: one child process per run or probe. Starts jobs, relays their events, marks a run that died
// without saying so (crash, OOM, kill) as failed/stopped in status.json, and stops every child on dispose.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, type RunStatus } from '../protocol/run-files';
import type { TrainerEvent } from '../protocol/events';
import { Emitter } from '../util/emitter';
import type { JobSpec } from '../jobs/job-spec';
import { readJson } from './run-reader';
import { TrainerJob, type JobExit, type LaunchOptions, type StopTimings } from '../jobs/trainer-job';

export interface JobEvent {
  job: TrainerJob;
  event: TrainerEvent;
}

export interface JobEnded {
  job: TrainerJob;
  exit: JobExit;
  /** A one-line explanation when the job did not finish normally. */
  failure: string | null;
}

export interface RunManagerOptions {
  /** Called at each start, so settings changes apply to the next job. */
  launch: () => LaunchOptions;
  log?: (line: string) => void;
  stopTimings?: StopTimings;
  /** Shorter timings used on deactivate, when the editor gives extensions only a few seconds. */
  shutdownTimings?: StopTimings;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** The one line the CLI prints for a refusal (`error: …` on stderr, exit 2), without its prefix. */
function refusal(stderr: string): string | null {
  const line = stderr.split('\n').reverse().find((l) => l.startsWith('error: '));
  return line ? line.slice('error: '.length) : null;
}

/** Explains how a job ended, or null when it ended normally (finished, or stopped when asked). */
export function describeFailure(exit: JobExit): string | null {
  if (exit.hostError) return exit.hostError;
  if (exit.done) return exit.done.error ?? (exit.done.state === 'failed' || exit.done.state === 'diverged' ? `run ${exit.done.state}` : null);
  if (exit.stoppedBy) return null;
  if (exit.code === 0) return null;
  if (exit.code === 2) return refusal(exit.stderrTail) ?? `the trainer refused its input (exit 2)`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = lastLines(exit.stderrTail, 8);
  return `the trainer ${how}${tail ? `:\n${tail}` : ''}`;
}

/** Writes status.json atomically (write + rename), as the trainer does. */
export function writeStatusAtomic(runDir: string, status: RunStatus): void {
  const file = join(runDir, RUN_FILES.status);
  const tmp = `${file}.host-${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(status, null, 2));
  renameSync(tmp, file);
}

/** After a pretrain/resume child exits, make sure status.json no longer claims `running`. */
export function finalizeStatus(runDir: string, exit: JobExit, failure: string | null): void {
  const status = readJson<RunStatus>(join(runDir, RUN_FILES.status));
  if (!status || status.state !== 'running') return;
  const stopped = exit.stoppedBy !== null && !exit.hostError;
  writeStatusAtomic(runDir, {
    ...status,
    state: stopped ? 'stopped' : 'failed',
    updatedAt: new Date().toISOString(),
    ...(stopped ? {} : { error: failure ?? 'the trainer exited without reporting a result' }),
  });
}

export class RunManager {
  private nextId = 1;
  private readonly live = new Map<number, TrainerJob>();
  private readonly jobEvents = new Emitter<JobEvent>();
  private readonly jobsChanged = new Emitter<void>();
  private readonly jobEnded = new Emitter<JobEnded>();
  readonly onJobEvent = this.jobEvents.event;
  readonly onJobsChanged = this.jobsChanged.event;
  readonly onJobEnded = this.jobEnded.event;
  private disposed = false;

  constructor(private readonly options: RunManagerOptions) {}

  start(spec: JobSpec): TrainerJob {
    if (this.disposed) throw new Error('RunManager is disposed');
    if (spec.kind === 'resume' && this.jobFor(spec.runDir)) throw new Error('this run is already running');
    const job = new TrainerJob(this.nextId++, spec, this.options.launch());
    this.live.set(job.id, job);
    this.log(`[job ${job.id}] started pid ${job.pid ?? '?'}: ${spec.kind} ${spec.kind === 'pretrain' ? spec.runsDir : spec.runDir}`);
    job.onEvent((event) => {
      if (event.type === 'log') this.log(`[job ${job.id}] ${event.level}: ${event.message}`);
      if (event.type === 'hello' || event.type === 'done') this.jobsChanged.fire();
      this.jobEvents.fire({ job, event });
    });
    job.onOutput(({ stream, text }) => {
      for (const line of text.split('\n')) if (line.trim()) this.log(`[job ${job.id} ${stream}] ${line}`);
    });
    void job.exited.then((exit) => this.handleExit(job, exit));
    this.jobsChanged.fire();
    return job;
  }

  private handleExit(job: TrainerJob, exit: JobExit): void {
    this.live.delete(job.id);
    const failure = describeFailure(exit);
    if (job.runDir && job.spec.kind !== 'probe') {
      try {
        finalizeStatus(job.runDir, exit, failure);
      } catch (err) {
        this.log(`[job ${job.id}] could not update status.json: ${(err as Error).message}`);
      }
    }
    this.log(`[job ${job.id}] exited code=${exit.code} signal=${exit.signal} after ${(exit.durationMs / 1000).toFixed(1)} s${failure ? `: ${failure}` : ''}`);
    this.jobEnded.fire({ job, exit, failure });
    this.jobsChanged.fire();
  }

  jobs(): TrainerJob[] {
    return [...this.live.values()];
  }

  /** The live pretrain/resume job writing to this run folder. */
  jobFor(runDir: string): TrainerJob | undefined {
    return this.jobs().find((j) => j.spec.kind !== 'probe' && j.runDir === runDir);
  }

  probeJobsFor(runDir: string): TrainerJob[] {
    return this.jobs().filter((j) => j.spec.kind === 'probe' && j.runDir === runDir);
  }

  isLiveRun(runDir: string): boolean {
    return this.jobFor(runDir) !== undefined;
  }

  isLiveProbe(runDir: string, probeId: string): boolean {
    return this.probeJobsFor(runDir).some((j) => j.probeId === probeId);
  }

  async stop(job: TrainerJob): Promise<JobExit> {
    return job.stop(this.options.stopTimings);
  }

  /** Stops every child and resolves once all have exited (deactivate returns this promise). */
  async stopAll(timings: StopTimings = this.options.shutdownTimings ?? { askMs: 2_000, termMs: 1_500 }): Promise<void> {
    await Promise.all(this.jobs().map((j) => j.stop(timings)));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stopAll();
    this.jobEvents.dispose();
    this.jobsChanged.dispose();
    this.jobEnded.dispose();
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
