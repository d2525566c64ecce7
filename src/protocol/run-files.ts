// The run-folder contract (DESIGN.md §2): file names and the shapes of what the trainer writes.
// Shared by the trainer, the CLI, the extension host and the webviews; no I/O here.

export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  log: 'log.txt',
  checkpoints: 'checkpoints',
  samples: 'samples',
  probes: 'probes',
  report: 'report.html',
} as const;

/** Inside `probes/<id>/`: config first, metrics per epoch, result last (its presence means finished). */
export const PROBE_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  result: 'result.json',
  /** The attentive probe job's raw query attention (test indices, per-head token rows). */
  attention: 'attention.json',
} as const;

/** Inside `samples/<step>/`: the manifest, written last. */
export const SAMPLE_MANIFEST = 'sample.json';

export type RunState = 'running' | 'completed' | 'stopped' | 'failed' | 'diverged';
export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'stopped', 'failed', 'diverged'];

/** `status.json`, rewritten atomically by the trainer. */
export interface RunStatus {
  state: RunState;
  kind: 'pretrain';
  algorithm: 'cae' | 'mae';
  step: number;
  totalSteps: number;
  epoch: number;
  pid: number;
  /** tfjs: e.g. wasm, tensorflow; torch: torch-cpu or torch-cuda. */
  backend: string;
  /** Which engine writes the run (absent in runs from before the torch engine: tfjs). */
  engine?: 'tfjs' | 'torch';
  /** Torch engine: device name, torch version, fp32/bf16, whether torch.compile is on, processes (DDP). */
  device?: string;
  torchVersion?: string;
  precision?: string;
  compile?: boolean;
  worldSize?: number;
  /** Torch engine under torchrun (worldSize > 1): the collective backend, nccl (CUDA) or gloo (CPU). */
  distBackend?: 'nccl' | 'gloo';
  /** Torch engine: the AdamW implementation (adamw-fused | adamw-foreach | adamw-single-tensor), pinned loader batches. */
  optimizer?: string;
  pinMemory?: boolean;
  startedAt: string;
  updatedAt: string;
  /** Last checkpoint step on disk (0 when none yet). */
  checkpointStep: number;
  error?: string;
  /** Non-fatal warnings, e.g. a representation-collapse signal or skipped corrupt images. */
  warnings?: string[];
  skippedImages?: number;
}

/** The torch engine reports backend torch-cpu / torch-cuda; every other backend is TF.js's. */
export function engineOfBackend(backend: string): 'torch' | 'tfjs' {
  return backend.startsWith('torch') ? 'torch' : 'tfjs';
}

/**
 * "torch · torch-cuda · NVIDIA H100", "tfjs · wasm", "torch · torch-cpu · 2 processes (gloo) · …": the engine, what it
 * ran on and, under torchrun, the world size (runs from before `engine` existed are tfjs).
 */
export function engineLabel(status: Pick<RunStatus, 'engine' | 'backend' | 'device' | 'worldSize' | 'distBackend'> | null, configEngine?: unknown): string {
  const engine = status?.engine ?? (configEngine === 'torch' ? 'torch' : 'tfjs');
  const world = status?.worldSize && status.worldSize > 1 ? `${status.worldSize} processes${status.distBackend ? ` (${status.distBackend})` : ''}` : '';
  return [engine, status?.backend, world, status?.device].filter(Boolean).join(' · ');
}

/** One line of `metrics.jsonl`. `loss_align` is null for MAE. */
export interface MetricsRow {
  step: number;
  epoch: number;
  lr: number;
  loss: number;
  loss_main: number;
  loss_align: number | null;
  imgs_per_s: number;
  /** Std of the teacher latents over batch and tokens, averaged over channels: the collapse signal. */
  latent_std?: number | null;
  grad_norm?: number;
  /** Token accuracy on masked patches (token targets only). */
  mlm_acc?: number | null;
  /** data2vec's target_var / pred_var (a std over batch and tokens, averaged over channels) of the alignment targets and predictions (CAE). */
  target_var?: number | null;
  pred_var?: number | null;
  /** RankMe of the encoder's pooled features on a fixed test batch (steps where monitor.rankEvery logs it). */
  rank_me?: number;
  /** Teacher momentum used after this step (a ramping teacher.schedule only). */
  teacher_momentum?: number;
  time: string;
}

export type ProbeKind = 'linear' | 'attentive' | 'knn';
export const PROBE_KINDS: readonly ProbeKind[] = ['linear', 'attentive', 'knn'];

/** `probes/<id>/result.json`, written atomically once a probe finishes. */
export interface ProbeResult {
  id: string;
  kind: ProbeKind;
  /** Fractions in [0, 1]. */
  top1: number;
  top5: number | null;
  randomInit: boolean;
  checkpointStep: number;
  epochs: number;
  features: string;
  numTrain: number;
  numTest: number;
  numClasses: number;
  finishedAt: string;
  /** Validation split held out from train (probe.valFraction > 0 or --grid): its size and the reported head's top-1 on it. */
  numVal?: number;
  valTop1?: number;
  /** `--grid`: every (lr, weight decay) head's validation top-1; `top1` is the test score of the head at `gridBest`. */
  grid?: { lr: number; weightDecay: number; valTop1: number }[];
  gridBest?: number;
  /** `--pixels`: the probe ran on standardised raw pixels (no encoder), the second floor beside random init. */
  pixels?: boolean;
  /** Attentive probes: the head's shape (probe.depth, probe.queries, probe.mlp). */
  head?: AttentiveHeadShape;
}

/** An attentive probe head: blocks (CAE 1), learnable queries (CAE 1) and the MLP after the attention (CAE off, V-JEPA on). */
export interface AttentiveHeadShape {
  depth: number;
  queries: number;
  mlp: boolean;
}

/** One line of `probes/<id>/metrics.jsonl`. */
export interface ProbeMetricsRow {
  epoch: number;
  loss: number | null;
  train_top1: number | null;
  /** Null while a validation split is monitored: the test split is then evaluated once, at the end. */
  test_top1: number | null;
  val_top1?: number | null;
}

/** Parses JSON lines, tolerating a torn (partially written) last line after a crash. */
export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch (err) {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim())) throw err;
    }
  }
  return rows;
}
