// One trainer/probe child process: forked with IPC, typed events in, commands out, a version handshake,
// and stop = ask → SIGTERM → SIGKILL. Awaitable through `exited` and disposable. No vscode here.
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { PROTOCOL_VERSION, isTrainerEvent, type HostCommand, type TrainerEvent } from '../protocol/events';
import { Emitter } from '../util/emitter';
import type { JobSpec } from './job-spec';
import { trainerArgs } from './job-spec';

export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** Last few KB of stderr, for error messages. */
  stderrTail: string;
  /** The trainer's own `done` event, or null when it died without one (crash, kill, protocol error). */
  done: Extract<TrainerEvent, { type: 'done' }> | null;
  /** Set when the host ended the process (stop, dispose) rather than the trainer finishing. */
  stoppedBy: 'ask' | 'SIGTERM' | 'SIGKILL' | null;
  /** A host-side reason for failure (protocol mismatch, spawn error). */
  hostError: string | null;
}

export interface LaunchOptions {
  execPath: string;
  trainerPath: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The CLI that is running now (`node dist/cli.js …`), started again as a child job, with `env` added. */
export function thisCliLaunch(env: NodeJS.ProcessEnv = {}): LaunchOptions {
  return { execPath: process.execPath, trainerPath: resolve(process.argv[1]), env: { ...process.env, ...env }, cwd: process.cwd() };
}

export interface StopTimings {
  /** How long to wait after asking before SIGTERM. */
  askMs: number;
  /** How long to wait after SIGTERM before SIGKILL. */
  termMs: number;
}

const STDERR_TAIL = 4000;

export class TrainerJob {
  readonly startedAt = Date.now();
  readonly exited: Promise<JobExit>;
  private readonly child: ChildProcess;
  private readonly events = new Emitter<TrainerEvent>();
  readonly onEvent = this.events.event;
  private readonly output = new Emitter<{ stream: 'stdout' | 'stderr'; text: string }>();
  readonly onOutput = this.output.event;
  private stderrTail = '';
  private doneEvent: JobExit['done'] = null;
  private stoppedBy: JobExit['stoppedBy'] = null;
  private hostError: string | null = null;
  private exitInfo: JobExit | null = null;
  private stopping: Promise<JobExit> | null = null;
  /** The run folder: known up front for resume/probe, from the `hello` event for a new run. */
  runDir: string | undefined;
  probeId: string | undefined;
  helloVersion: number | null = null;
  backend: string | undefined;

  constructor(readonly id: number, readonly spec: JobSpec, launch: LaunchOptions) {
    this.runDir = spec.kind === 'pretrain' ? undefined : spec.runDir;
    this.child = fork(launch.trainerPath, trainerArgs(spec), {
      execPath: launch.execPath,
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stdout?.setEncoding('utf8').on('data', (t: string) => this.output.fire({ stream: 'stdout', text: t }));
    this.child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-STDERR_TAIL);
      this.output.fire({ stream: 'stderr', text: t });
    });
    this.child.on('message', (m: unknown) => this.handleMessage(m));
    this.exited = new Promise<JobExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exitInfo) return;
        this.exitInfo = {
          code, signal, durationMs: Date.now() - this.startedAt, stderrTail: this.stderrTail,
          done: this.doneEvent, stoppedBy: this.stoppedBy, hostError: this.hostError,
        };
        resolve(this.exitInfo);
      };
      this.child.on('exit', (code, signal) => finish(code, signal));
      this.child.on('error', (err) => {
        this.hostError = this.hostError ?? `could not start the trainer: ${err.message}`;
        if (this.child.pid === undefined) finish(null, null);
      });
    });
    this.send({ type: 'hello', version: PROTOCOL_VERSION });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get exit(): JobExit | null {
    return this.exitInfo;
  }

  private send(cmd: HostCommand): void {
    if (this.child.connected) {
      this.child.send(cmd, (err) => {
        if (err) this.output.fire({ stream: 'stderr', text: `[host] could not send ${cmd.type}: ${err.message}\n` });
      });
    }
  }

  private handleMessage(m: unknown): void {
    if (!isTrainerEvent(m)) {
      this.output.fire({ stream: 'stderr', text: `[host] ignored malformed message from trainer: ${JSON.stringify(m).slice(0, 200)}\n` });
      return;
    }
    if (m.type === 'hello') {
      this.helloVersion = m.version;
      if (m.version !== PROTOCOL_VERSION) {
        this.hostError = `protocol mismatch: the trainer speaks version ${m.version}, the extension ${PROTOCOL_VERSION}; rebuild with \`npm run build\``;
        this.events.fire(m);
        this.kill('SIGKILL');
        return;
      }
      this.runDir = m.runDir || this.runDir;
      this.backend = m.backend;
    } else if (this.helloVersion === null) {
      this.output.fire({ stream: 'stderr', text: `[host] ${m.type} event before hello\n` });
    }
    if (m.type === 'done') this.doneEvent = m;
    if (m.type === 'probe-progress') this.probeId = m.probeId;
    if (m.type === 'probe-result') this.probeId = m.result.id;
    this.events.fire(m);
  }

  private kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exitInfo) return;
    this.stoppedBy = signal;
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.exitInfo) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      void this.exited.then(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Asks the trainer to checkpoint and exit; escalates to SIGTERM, then SIGKILL. Resolves when it has exited. */
  stop(timings: StopTimings = { askMs: 20_000, termMs: 5_000 }): Promise<JobExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    if (this.stopping) return this.stopping;
    this.stopping = (async (): Promise<JobExit> => {
      if (this.child.connected) {
        this.stoppedBy = 'ask';
        this.send({ type: 'stop' });
        if (await this.waitExit(timings.askMs)) return this.exited;
      }
      this.kill('SIGTERM');
      if (await this.waitExit(timings.termMs)) return this.exited;
      this.kill('SIGKILL');
      return this.exited;
    })();
    return this.stopping;
  }

  /** Stops without waiting (for disposables lists); prefer `await stop()`. */
  dispose(): void {
    void this.stop({ askMs: 2_000, termMs: 2_000 });
    this.events.dispose();
  }
}
