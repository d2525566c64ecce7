// Small run folders of a seed study, written from a few hand-chosen numbers: the table test computes the expected
// mean ± sd from the same numbers by hand, and the e2e Experiments scenario lists them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverrides, presetConfig } from '../../src/config/resolve';
import type { ProbeKind, ProbeResult, RunState } from '../../src/protocol/run-files';

export interface ExperimentRun {
  id: string;
  /** Dotted config overrides on cae-tiny. */
  set: Record<string, unknown>;
  state: RunState;
  /** Final metrics row. */
  loss: number;
  lossMain: number;
  lossAlign: number;
  probes: Partial<Record<ProbeKind, number>>;
  random?: Partial<Record<ProbeKind, number>>;
}

/**
 * Group A (λ 0, dim 32): seeds 0, 1, 2 (and a failed seed 3 the table leaves out). Group B (λ 2, dim 32): seeds 0, 1,
 * whose baselines live in group A's folders (same encoder shape and seed). Group C (λ 2, dim 64): seed 0, its own baseline.
 */
export const EXPERIMENT_RUNS: ExperimentRun[] = [
  { id: '20261130-100000-sweep-001-s0', set: { 'loss.alignWeight': 0, 'train.seed': 0 }, state: 'completed', loss: 1.0, lossMain: 1.0, lossAlign: 0.5, probes: { knn: 0.5, linear: 0.4 }, random: { knn: 0.2, linear: 0.1 } },
  { id: '20261130-100100-sweep-002-s1', set: { 'loss.alignWeight': 0, 'train.seed': 1 }, state: 'completed', loss: 2.0, lossMain: 2.0, lossAlign: 0.25, probes: { knn: 0.6, linear: 0.5 }, random: { knn: 0.3 } },
  { id: '20261130-100200-sweep-003-s2', set: { 'loss.alignWeight': 0, 'train.seed': 2 }, state: 'completed', loss: 4.0, lossMain: 4.0, lossAlign: 0.75, probes: { knn: 0.7 }, random: { knn: 0.25 } },
  { id: '20261130-100300-sweep-004-s3', set: { 'loss.alignWeight': 0, 'train.seed': 3 }, state: 'failed', loss: 9.0, lossMain: 9.0, lossAlign: 9.0, probes: { knn: 0.99 } },
  { id: '20261130-100400-sweep-005-s0', set: { 'loss.alignWeight': 2, 'train.seed': 0 }, state: 'completed', loss: 3.0, lossMain: 1.5, lossAlign: 0.75, probes: { knn: 0.55 } },
  { id: '20261130-100500-sweep-006-s1', set: { 'loss.alignWeight': 2, 'train.seed': 1 }, state: 'completed', loss: 3.5, lossMain: 2.0, lossAlign: 0.75, probes: { knn: 0.65 } },
  { id: '20261130-100600-sweep-007-s0', set: { 'loss.alignWeight': 2, 'model.dim': 64, 'train.seed': 0 }, state: 'completed', loss: 2.5, lossMain: 1.5, lossAlign: 0.5, probes: { knn: 0.4 }, random: { knn: 0.1 } },
];

function writeProbe(runDir: string, kind: ProbeKind, top1: number, randomInit: boolean, step: number): void {
  const id = `${kind}-${randomInit ? 'random' : `step${String(step).padStart(6, '0')}`}-20261130-120000`;
  mkdirSync(join(runDir, 'probes', id), { recursive: true });
  const r: ProbeResult = {
    id, kind, top1, top5: null, randomInit, checkpointStep: randomInit ? 0 : step, epochs: kind === 'knn' ? 0 : 5, features: 'mean',
    numTrain: 512, numTest: 256, numClasses: 10, finishedAt: '2026-11-30T12:00:00.000Z',
  };
  writeFileSync(join(runDir, 'probes', id, 'result.json'), JSON.stringify(r));
}

/** Writes EXPERIMENT_RUNS under runsDir; returns their folders. */
export function writeExperimentRuns(runsDir: string, runs: readonly ExperimentRun[] = EXPERIMENT_RUNS): string[] {
  return runs.map((r) => {
    const dir = join(runsDir, r.id);
    mkdirSync(dir, { recursive: true });
    const config = applyOverrides(presetConfig('cae-tiny'), r.set, r.id);
    const steps = config.train.steps;
    const step = r.state === 'completed' ? steps : 7;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({
      state: r.state, kind: 'pretrain', algorithm: 'cae', step, totalSteps: steps, epoch: 0, pid: 2147480000, backend: 'wasm',
      startedAt: `2026-11-30T${r.id.slice(9, 11)}:${r.id.slice(11, 13)}:00.000Z`, updatedAt: '2026-11-30T12:00:00.000Z', checkpointStep: step,
    }));
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ step, epoch: 0, lr: 1e-5, loss: r.loss, loss_main: r.lossMain, loss_align: r.lossAlign, imgs_per_s: 100, time: '' })}\n`);
    for (const [kind, top1] of Object.entries(r.probes)) writeProbe(dir, kind as ProbeKind, top1, false, step);
    for (const [kind, top1] of Object.entries(r.random ?? {})) writeProbe(dir, kind as ProbeKind, top1, true, step);
    return dir;
  });
}
