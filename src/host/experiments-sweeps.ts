// Sweeps started from the editor: each is `mim-lab sweep …` as a child process (it runs its own J trainers),
// one at a time per window, the rest queued. Cancel = SIGTERM (the sweep stops its trainers, which checkpoint),
// SIGKILL after a grace period; dispose cancels everything, so no sweep outlives the window. No vscode here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { SweepRequest } from '../protocol/experiments';
import { Emitter } from '../util/emitter';
import type { LaunchOptions } from '../jobs/trainer-job';

interface Queued {
  id: string;
  args: string[];
}

interface Running extends Queued {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: string;
}

export interface SweepEnded {
  id: string;
  code: number | null;
  /** The CLI's `error: …` line, when it refused or failed. */
  error: string | null;
}

/** `mim-lab sweep` options for a request from the form; the CLI validates them (exit 2 with the reason). */
export function sweepArgs(req: SweepRequest, id: string, runsDir: string, sweepsDir: string, backend: string): string[] {
  const args = ['--preset', req.preset, '--seeds', req.seeds, '--jobs', String(req.jobs), '--probe', req.probes, '--name', id, '--runs-dir', runsDir, '--sweeps-dir', sweepsDir];
  for (const g of req.grid) args.push('--grid', g);
  for (const s of req.sets) args.push('--set', s);
  if (backend && backend !== 'auto') args.push('--backend', backend);
  return args;
}

export class SweepQueue {
  private readonly queue: Queued[] = [];
  private running: Running | null = null;
  private readonly changed = new Emitter<void>();
  private readonly ended = new Emitter<SweepEnded>();
  readonly onChanged = this.changed.event;
  readonly onEnded = this.ended.event;
  private disposed = false;

  constructor(private readonly launch: () => LaunchOptions, private readonly log: (line: string) => void, private readonly graceMs = 30_000) {}

  /** Queues `sweep <args>` under an id (the sweep folder's name); starts it when nothing else runs. */
  enqueue(id: string, args: string[]): void {
    if (this.disposed) throw new Error('the sweep queue is disposed');
    this.queue.push({ id, args });
    this.next();
    this.changed.fire();
  }

  states(): Map<string, 'queued' | 'running'> {
    const out = new Map<string, 'queued' | 'running'>(this.queue.map((q) => [q.id, 'queued']));
    if (this.running) out.set(this.running.id, 'running');
    return out;
  }

  private next(): void {
    if (this.running || this.disposed) return;
    const item = this.queue.shift();
    if (!item) return;
    const o = this.launch();
    const child = spawn(o.execPath, [o.trainerPath, 'sweep', ...item.args], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Running = { ...item, child, stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    child.on('error', (err) => run.stderr += `error: ${err.message}\n`);
    child.stdout?.setEncoding('utf8').on('data', (t: string) => { for (const l of t.split('\n')) if (l.trim()) this.log(`[sweep ${item.id}] ${l}`); });
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      run.stderr = (run.stderr + t).slice(-4000);
      for (const l of t.split('\n')) if (l.trim()) this.log(`[sweep ${item.id} stderr] ${l}`);
    });
    this.running = run;
    this.log(`[sweep ${item.id}] started pid ${child.pid ?? '?'}: sweep ${item.args.join(' ')}`);
    void run.exited.then((code) => {
      this.running = null;
      const error = code === 0 || code === 130 ? null : run.stderr.split('\n').find((l) => l.startsWith('error: '))?.slice(7) ?? `exited with ${code}`;
      this.ended.fire({ id: item.id, code, error });
      this.next();
      this.changed.fire();
    });
  }

  /** Drops a queued sweep, or stops the running one (resolves once it has exited). */
  async cancel(id: string, graceMs = this.graceMs): Promise<boolean> {
    const i = this.queue.findIndex((q) => q.id === id);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.changed.fire();
      return true;
    }
    const run = this.running;
    if (!run || run.id !== id) return false;
    run.child.kill('SIGTERM');
    const gone = await Promise.race([run.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
    if (!gone) run.child.kill('SIGKILL');
    await run.exited;
    return true;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.queue.length = 0;
    if (this.running) await this.cancel(this.running.id, 4_000); // the editor gives deactivate a few seconds
    this.changed.dispose();
    this.ended.dispose();
  }
}
