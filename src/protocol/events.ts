// Messages between a trainer/probe child process and whoever drives it (CLI or extension host).
// The child sends TrainerEvent over Node IPC (process.send) when it has a channel; the parent sends HostCommand.

import type { MetricsRow, ProbeMetricsRow, ProbeResult, RunStatus } from './run-files';

export const PROTOCOL_VERSION = 1;

export interface SampleSummary {
  step: number;
  /** Folder relative to the run folder, e.g. `samples/000100`. */
  dir: string;
  /** File names inside `dir`, PNGs for people and JSON for programs. */
  files: string[];
}

export type TrainerEvent =
  | { type: 'hello'; version: number; pid: number; job: 'pretrain' | 'probe'; runDir: string; backend: string }
  | { type: 'status'; status: RunStatus }
  | { type: 'metrics'; row: MetricsRow }
  | { type: 'checkpoint'; step: number }
  | { type: 'sample'; sample: SampleSummary }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'probe-progress'; probeId: string; epoch: number; epochs: number; row: ProbeMetricsRow }
  | { type: 'probe-result'; result: ProbeResult }
  | { type: 'done'; job: 'pretrain' | 'probe'; state: string; runDir: string; error?: string };

export type HostCommand = { type: 'hello'; version: number } | { type: 'stop' };

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

const EVENT_TYPES = new Set(['hello', 'status', 'metrics', 'checkpoint', 'sample', 'log', 'probe-progress', 'probe-result', 'done']);

/** Validates a message received from a child process. */
export function isTrainerEvent(x: unknown): x is TrainerEvent {
  return typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string' && EVENT_TYPES.has((x as { type: string }).type);
}

export function isHostCommand(x: unknown): x is HostCommand {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as { type?: unknown }).type;
  return t === 'stop' || (t === 'hello' && typeof (x as { version?: unknown }).version === 'number');
}
