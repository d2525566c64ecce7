// Messages between the extension host and its webviews (run panel, compare panel).
// The webview says `ready`; the host answers with a full snapshot, then numbered deltas. Webviews send intents,
// never state. Both sides validate what they receive with the guards below.

import type { AttentiveHeadShape, ProbeKind, RunState, RunStatus } from './run-files';
import { PROBE_KINDS } from './run-files';
import type { ProbeAttentionManifest, SampleManifest } from './samples';

/** Columns of `metrics.jsonl` the panels plot, in a fixed order. */
export const METRIC_KEYS = ['step', 'epoch', 'lr', 'loss', 'loss_main', 'loss_align', 'imgs_per_s', 'latent_std', 'grad_norm', 'mlm_acc', 'target_var', 'pred_var', 'rank_me'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** Metrics as columns (smaller to send than rows, and what the chart wants). Missing values are null. */
export type MetricColumns = Record<MetricKey, (number | null)[]>;

/** What the UI shows for a run: the trainer's state, or `interrupted` when status says running but no process is alive. */
export type DisplayState = RunState | 'interrupted' | 'unknown';

export interface ProbeView {
  id: string;
  kind: ProbeKind | 'unknown';
  state: 'running' | 'done' | 'failed';
  epoch: number;
  epochs: number;
  /** Latest test top-1 while running, final top-1 when done (fraction in [0, 1]). */
  top1: number | null;
  top5: number | null;
  randomInit: boolean;
  /** A probe on standardised raw pixels (`--pixels`): the second floor beside random init. */
  pixels?: boolean;
  checkpointStep: number | null;
  /** Whether `probes/<id>/attention/attention.json` exists (attentive probes: the query's attention map). */
  hasAttention?: boolean;
  /** Classes of the probed task (chance level is 1 / numClasses); known once result.json exists. */
  numClasses?: number | null;
  /** Attentive probes: the head's depth, queries and MLP, from result.json. */
  head?: AttentiveHeadShape;
}

/** Which buttons are enabled, decided by the host (it owns processes and workspace trust). */
export interface RunActions {
  stop: boolean;
  resume: boolean;
  probe: boolean;
  /** Why training/probes are unavailable (e.g. untrusted workspace), shown next to the buttons. */
  disabledReason?: string;
}

export interface RunView {
  runId: string;
  runDir: string;
  displayState: DisplayState;
  status: RunStatus | null;
  /** The resolved config as written by the trainer (nested object), or null before it exists. */
  config: Record<string, unknown> | null;
  checkpoints: number[];
  /** Steps that have a `samples/<step>/sample.json`. */
  samples: number[];
  probes: ProbeView[];
  actions: RunActions;
}

export interface RunSnapshot {
  run: RunView;
  metrics: MetricColumns;
}

/** Changes since the previous message. `metrics` rows are appended; every other present field replaces. */
export interface RunDelta {
  run?: Partial<RunView>;
  metrics?: MetricColumns;
}

/** A sample step's images and raw attention, read by the host (the webview cannot read the run folder). */
export interface SampleData {
  manifest: SampleManifest;
  /** The reconstruction grid PNG as a data: URI. */
  reconstruction: string;
  /** number[image][layer][head + avg][patch], or null when missing. */
  encoderAttention: number[][][][] | null;
  /** number[image][layer][key], or null (MAE or missing). */
  regressorAttention: number[][][] | null;
}

export type HostToRunPanel =
  | { type: 'snapshot'; seq: number; snapshot: RunSnapshot }
  | { type: 'delta'; seq: number; delta: RunDelta }
  | { type: 'sample'; step: number; sample: SampleData | null; error?: string }
  | { type: 'probe-attention'; probeId: string; attention: ProbeAttentionManifest | null };

export type RunPanelIntent = 'stop' | 'resume' | 'reveal';

export type RunPanelToHost =
  | { type: 'ready' }
  /** The webview saw a gap in delta numbers and asks for a fresh snapshot. */
  | { type: 'resync'; lastSeq: number }
  | { type: 'request-sample'; step: number }
  | { type: 'request-probe-attention'; probeId: string }
  | { type: 'intent'; action: RunPanelIntent }
  | { type: 'probe'; kind: ProbeKind }
  | { type: 'webview-error'; message: string };

export interface CompareRun {
  runId: string;
  runDir: string;
  algorithm: string;
  preset: string;
  /** engineLabel(): engine · backend · device. */
  engine?: string;
  displayState: DisplayState;
  step: number;
  totalSteps: number;
  metrics: MetricColumns;
  probes: ProbeView[];
  /** A few config values that usually differ between compared runs (λ, lr, mask, …). */
  keyConfig: Record<string, string>;
  /** Per probe kind, the best random-init top-1 among the compared runs with the same encoder and data (the floor). */
  randomInitFloors?: Partial<Record<ProbeKind, number>>;
}

export type HostToComparePanel = { type: 'snapshot'; seq: number; runs: CompareRun[] };

export type ComparePanelToHost =
  | { type: 'ready' }
  | { type: 'open-run'; runId: string }
  | { type: 'webview-error'; message: string };

/** State a panel keeps across reloads via `setState`, and that its serializer restores from. */
export interface RunPanelState { runDir: string; ui?: Record<string, unknown> }
export interface ComparePanelState { runDirs: string[] }

// ---------------------------------------------------------------------------------------------- guards

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

const INTENTS: readonly string[] = ['stop', 'resume', 'reveal'];

/** Probe ids are folder names written by the trainer: no separators, no `..`. */
export function isSafeId(x: unknown): x is string {
  return typeof x === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(x) && !x.includes('..');
}

/** Validates a message from a run panel; returns null for anything malformed or unknown. */
export function parseRunPanelMessage(x: unknown): RunPanelToHost | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'resync': return isNonNegInt(x.lastSeq) ? { type: 'resync', lastSeq: x.lastSeq } : null;
    case 'request-sample': return isNonNegInt(x.step) ? { type: 'request-sample', step: x.step } : null;
    case 'request-probe-attention': return isSafeId(x.probeId) ? { type: 'request-probe-attention', probeId: x.probeId } : null;
    case 'intent':
      return typeof x.action === 'string' && INTENTS.includes(x.action) ? { type: 'intent', action: x.action as RunPanelIntent } : null;
    case 'probe':
      return typeof x.kind === 'string' && (PROBE_KINDS as readonly string[]).includes(x.kind) ? { type: 'probe', kind: x.kind as ProbeKind } : null;
    case 'webview-error': return typeof x.message === 'string' ? { type: 'webview-error', message: x.message.slice(0, 2000) } : null;
    default: return null;
  }
}

export function parseComparePanelMessage(x: unknown): ComparePanelToHost | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'open-run': return typeof x.runId === 'string' && x.runId.length < 500 ? { type: 'open-run', runId: x.runId } : null;
    case 'webview-error': return typeof x.message === 'string' ? { type: 'webview-error', message: x.message.slice(0, 2000) } : null;
    default: return null;
  }
}

/** Validates a message arriving in the run panel (structure only; the host is trusted but may be a different version). */
export function isHostToRunPanel(x: unknown): x is HostToRunPanel {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'snapshot': return isNonNegInt(x.seq) && isObj(x.snapshot) && isObj(x.snapshot.run) && isObj(x.snapshot.metrics);
    case 'delta': return isNonNegInt(x.seq) && isObj(x.delta);
    case 'sample': return isNonNegInt(x.step) && (x.sample === null || isObj(x.sample));
    case 'probe-attention': return typeof x.probeId === 'string' && (x.attention === null || isObj(x.attention));
    default: return false;
  }
}

export function isHostToComparePanel(x: unknown): x is HostToComparePanel {
  return isObj(x) && x.type === 'snapshot' && isNonNegInt(x.seq) && Array.isArray(x.runs);
}

export function isRunPanelState(x: unknown): x is RunPanelState {
  return isObj(x) && typeof x.runDir === 'string' && x.runDir.length > 0;
}

export function isComparePanelState(x: unknown): x is ComparePanelState {
  return isObj(x) && Array.isArray(x.runDirs) && x.runDirs.every((d) => typeof d === 'string');
}

export function emptyColumns(): MetricColumns {
  const out = {} as MetricColumns;
  for (const k of METRIC_KEYS) out[k] = [];
  return out;
}
