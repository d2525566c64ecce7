// Messages between the host and the Experiments view (a table of every run, grouped views, sweeps, a scatter
// plot and side-by-side reconstructions). Same rules as the other panels: `ready` first, then full snapshots;
// the webview sends intents, both sides validate what they receive.
import type { DisplayState } from './webview';
import { isSafeId } from './webview';

/** A metric column of the table (probe top-1, random init, paired margin, final losses), as src/sweep defines them. */
export interface ExperimentMetric {
  id: string;
  label: string;
  unit: 'percent' | 'value';
  signed: boolean;
}

export interface ExperimentRow {
  runId: string;
  state: DisplayState;
  algorithm: string;
  step: number;
  totalSteps: number;
  /** Values of the config keys that differ between runs (and the seed), as text. */
  config: Record<string, string>;
  /** Metric id → value (percent points for probes), where known. */
  metrics: Record<string, number>;
  /** The sweep this run belongs to, if any. */
  sweep: string | null;
  /** Steps with reconstruction samples. */
  samples: number[];
}

export interface GroupSummaryView {
  mean: number;
  sd: number | null;
  n: number;
}

export interface ExperimentGroup {
  group: Record<string, string>;
  runs: string[];
  metrics: Record<string, GroupSummaryView | null>;
}

export interface SweepView {
  id: string;
  /** `queued`: waiting for an earlier sweep of this window; `interrupted`: its process is gone mid-way. */
  state: 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';
  runs: number;
  trained: number;
  probed: number;
  /** Whether this window can cancel it (it started it, or its process is alive). */
  cancellable: boolean;
  resumable: boolean;
}

export interface ExperimentsSnapshot {
  rows: ExperimentRow[];
  /** Config keys with columns, sorted; train.seed included when it differs. */
  configKeys: string[];
  metrics: ExperimentMetric[];
  /** Group rows when the view asked for a grouping (completed runs only, as `mim-lab table`). */
  groupBy: string[];
  groups: ExperimentGroup[];
  sweeps: SweepView[];
  presets: string[];
  /** Training is off in an untrusted workspace. */
  canRun: boolean;
}

/** A sweep as the form asks for it; the host turns it into `mim-lab sweep` options (the CLI validates). */
export interface SweepRequest {
  preset: string;
  grid: string[];
  seeds: string;
  jobs: number;
  probes: string;
  sets: string[];
}

export interface SampleStrip {
  runId: string;
  step: number;
  /** reconstruction.png as a data URI ('' when missing). */
  image: string;
  views: string[];
  indices: number[];
  labels: number[];
}

export type HostToExperiments =
  | { type: 'snapshot'; seq: number; snapshot: ExperimentsSnapshot }
  | { type: 'strip'; strip: SampleStrip | null; runId: string; step: number };

export type ExperimentsToHost =
  | { type: 'ready' }
  | { type: 'group-by'; keys: string[] }
  | { type: 'compare'; runIds: string[] }
  | { type: 'open-run'; runId: string }
  | { type: 'request-strip'; runId: string; step: number }
  | { type: 'queue-sweep'; request: SweepRequest }
  | { type: 'cancel-sweep'; id: string }
  | { type: 'resume-sweep'; id: string }
  | { type: 'export-csv'; csv: string }
  | { type: 'webview-error'; message: string };

export interface ExperimentsPanelState {
  ui?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isKey = (x: unknown): x is string => typeof x === 'string' && /^[A-Za-z][A-Za-z0-9.]{0,99}$/.test(x);
const isText = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
const isStrings = (x: unknown, max: number): x is string[] => Array.isArray(x) && x.length <= 64 && x.every((s) => isText(s, max));

function parseSweepRequest(x: unknown): SweepRequest | null {
  if (!isObj(x)) return null;
  const { preset, grid, seeds, jobs, probes, sets } = x;
  if (!isText(preset, 100) || !isStrings(grid, 1000) || !isText(seeds, 200) || !isText(probes, 100) || !isStrings(sets, 1000)) return null;
  if (typeof jobs !== 'number' || !Number.isInteger(jobs)) return null;
  return { preset, grid, seeds, jobs, probes, sets };
}

/** Validates a message from the Experiments view; null for anything malformed or unknown. */
export function parseExperimentsMessage(x: unknown): ExperimentsToHost | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'group-by': return Array.isArray(x.keys) && x.keys.length <= 8 && x.keys.every(isKey) ? { type: 'group-by', keys: x.keys } : null;
    case 'compare': return Array.isArray(x.runIds) && x.runIds.length <= 64 && x.runIds.every(isSafeId) ? { type: 'compare', runIds: x.runIds } : null;
    case 'open-run': return isSafeId(x.runId) ? { type: 'open-run', runId: x.runId } : null;
    case 'request-strip':
      return isSafeId(x.runId) && typeof x.step === 'number' && Number.isInteger(x.step) && x.step >= 0 ? { type: 'request-strip', runId: x.runId, step: x.step } : null;
    case 'queue-sweep': {
      const request = parseSweepRequest(x.request);
      return request ? { type: 'queue-sweep', request } : null;
    }
    case 'cancel-sweep': return isSafeId(x.id) ? { type: 'cancel-sweep', id: x.id } : null;
    case 'resume-sweep': return isSafeId(x.id) ? { type: 'resume-sweep', id: x.id } : null;
    case 'export-csv': return isText(x.csv, 20_000_000) ? { type: 'export-csv', csv: x.csv } : null;
    case 'webview-error': return typeof x.message === 'string' ? { type: 'webview-error', message: x.message.slice(0, 2000) } : null;
    default: return null;
  }
}

export function isHostToExperiments(x: unknown): x is HostToExperiments {
  if (!isObj(x)) return false;
  if (x.type === 'snapshot') return typeof x.seq === 'number' && isObj(x.snapshot) && Array.isArray((x.snapshot as Obj).rows);
  if (x.type === 'strip') return typeof x.runId === 'string' && typeof x.step === 'number' && (x.strip === null || isObj(x.strip));
  return false;
}
