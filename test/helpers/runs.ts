// Helpers for trainer tests: in-process runs into temp folders, and reading what they wrote.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/schema';
import type { MetricsRow } from '../../src/protocol/run-files';
import { parseJsonLines } from '../../src/protocol/run-files';
import { runPretrain, type StepHook } from '../../src/trainer/pretrain';
import type { Reporter } from '../../src/trainer/reporter';
import { StopSignal } from '../../src/trainer/stop';

export const silent: Reporter = { emit: () => {} };

const tempDirs: string[] = [];
// node:test runs each file in its own process, so the folders a file made go when that file is done.
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mimlab-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export async function train(config: Config, opts: { runsDir?: string; resumeDir?: string; stopAt?: number; hooks?: StepHook[] } = {}): Promise<{ runDir: string; state: string }> {
  const stop = new StopSignal();
  const hooks = [...(opts.hooks ?? [])];
  if (opts.stopAt !== undefined) {
    const at = opts.stopAt;
    hooks.push(async (step) => { if (step === at) stop.request('test'); });
  }
  return runPretrain({ config, runsDir: opts.runsDir ?? tempDir('runs'), resumeDir: opts.resumeDir, reporter: silent, stop, hooks });
}

export function metricsOf(runDir: string): MetricsRow[] {
  return parseJsonLines<MetricsRow>(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8'));
}

/** The deterministic part of a metrics row (timings excluded). */
export function lossesOf(rows: MetricsRow[]): [number, number, number, number | null, number | null | undefined][] {
  return rows.map((r) => [r.step, r.lr, r.loss, r.loss_align, r.latent_std]);
}
