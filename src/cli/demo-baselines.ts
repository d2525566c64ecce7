// The demo's two floors, the random-init encoder and raw pixels, do not depend on pretraining, so they are probed
// in a second process with one wasm thread while pretraining runs. Pretraining keeps all its threads (a cae-demo
// step: 68 ms on two, 82 ms on one). The overlap costs it a lot, measured in the demo on an idle 2-core AMD EPYC:
// while the floors ran (1:45), pretraining fell from ≈850 to ≈350 img/s, three busy threads on two cores; the
// whole demo still came out shorter (9:36, 10:30 before with the floors after pretraining). Each probe is the
// `mim-lab probe` a user would type, one after another (the attentive probe caches the pooled features the random-init linear and k-NN probes then reuse).
import { thisCliLaunch, TrainerJob, type LaunchOptions } from '../jobs/trainer-job';
import { probeKindLabel } from '../protocol/probe-scores';
import type { ProbeKind, ProbeResult } from '../protocol/run-files';

export type Floor = 'random' | 'pixels';

export interface Baseline {
  kind: ProbeKind;
  floor: Floor;
}

export function baselineLabel(b: Baseline): string {
  return `${probeKindLabel(b.kind)} probe (${b.floor === 'random' ? 'random init' : 'pixels'})`;
}

/** The CLI that is running now, started again as the child (`node dist/cli.js probe …`), with one wasm thread. */
export function baselineLaunch(): LaunchOptions {
  return thisCliLaunch({ MIMLAB_WASM_THREADS: '1' });
}

/** Probes `baselines` of a run folder in a child process each, in order; `started` once the first is launched. */
export class BaselineProbes {
  private job: TrainerJob | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(private readonly baselines: readonly Baseline[], private readonly sets: readonly string[], private readonly launch: LaunchOptions) {}

  get started(): boolean {
    return this.running !== null;
  }

  /** Starts probing `runDir` (once); `onResult` gets each result as it arrives. */
  start(runDir: string, onResult: (b: Baseline, r: ProbeResult) => void): void {
    if (this.running) return;
    this.running = this.runAll(runDir, onResult);
    this.running.catch(() => {}); // surfaces through done()
  }

  /** Resolves when every baseline is probed; rejects with the first failure (naming the probe and why). */
  done(): Promise<void> {
    if (!this.running) return Promise.reject(new Error('the baseline probes were never started'));
    return this.running;
  }

  /** Stops the probe in flight (ask → SIGTERM → SIGKILL) and starts no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.job?.stop({ askMs: 5_000, termMs: 2_000 });
  }

  private async runAll(runDir: string, onResult: (b: Baseline, r: ProbeResult) => void): Promise<void> {
    for (const [i, b] of this.baselines.entries()) {
      if (this.stopped) throw new Error(`${baselineLabel(b)} not run: the demo was stopped`);
      const job = new TrainerJob(i, {
        kind: 'probe', runDir, probe: b.kind, sets: this.sets, ...(b.floor === 'random' ? { randomInit: true } : { pixels: true }),
      }, this.launch);
      this.job = job;
      let result: ProbeResult | null = null;
      job.onEvent((e) => {
        if (e.type === 'probe-result') result = e.result;
      });
      const exit = await job.exited;
      this.job = null;
      if (exit.code !== 0 || !result) {
        const why = exit.hostError ?? exit.done?.error ?? (exit.stderrTail.trim().split('\n').pop() || `exit ${exit.code ?? exit.signal}`);
        throw new Error(`${baselineLabel(b)} ${exit.done?.state ?? 'failed'}: ${why}`);
      }
      onResult(b, result);
    }
  }
}
