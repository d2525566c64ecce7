// Feeds one run panel: a full snapshot when the webview says `ready` (first load, shown again, reloaded),
// then numbered deltas read from the run folder, at most one message per `minIntervalMs` (≤ 4/s by default).
// Plain Node: the panel passes `post`, the tests pass a recorder.
import { join } from 'node:path';
import { RUN_FILES, type MetricsRow, type RunStatus } from '../protocol/run-files';
import type { HostToRunPanel, MetricColumns, RunActions, RunDelta, RunView } from '../protocol/webview';
import { emptyColumns } from '../protocol/webview';
import { JsonLinesTail, appendColumns, columnLength, rowsToColumns } from './metrics-tail';
import { displayStateOf, readCheckpoints, readJson, readProbes, readSampleSteps } from './run-reader';

export interface RunFeedOptions {
  runDir: string;
  post: (msg: HostToRunPanel) => void;
  isLiveRun: () => boolean;
  isLiveProbe: (probeId: string) => boolean;
  actions: (view: Omit<RunView, 'actions'>) => RunActions;
  minIntervalMs?: number;
  /** Poll period while something is running, and while idle. */
  activePollMs?: number;
  idlePollMs?: number;
}

type ViewKey = keyof RunView;
const VIEW_KEYS: readonly ViewKey[] = ['runId', 'runDir', 'displayState', 'status', 'config', 'checkpoints', 'samples', 'probes', 'actions'];

export class RunFeed {
  private seq = 0;
  private tail: JsonLinesTail<MetricsRow>;
  private sent: RunView | null = null;
  private pendingMetrics: MetricColumns = emptyColumns();
  private pendingRun: Partial<RunView> = {};
  private lastPostAt = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private active = false;
  private disposed = false;
  private config: Record<string, unknown> | null = null;

  constructor(private readonly opts: RunFeedOptions) {
    this.tail = new JsonLinesTail<MetricsRow>(join(opts.runDir, RUN_FILES.metrics));
  }

  private get minInterval(): number {
    return this.opts.minIntervalMs ?? 250;
  }

  /** Reads the run folder from scratch and posts a snapshot; deltas follow from here. */
  snapshot(): void {
    if (this.disposed) return;
    this.cancelFlush();
    this.tail = new JsonLinesTail<MetricsRow>(join(this.opts.runDir, RUN_FILES.metrics));
    this.config = null;
    const metrics = rowsToColumns(this.tail.read().rows);
    const run = this.readView();
    this.sent = run;
    this.pendingMetrics = emptyColumns();
    this.pendingRun = {};
    this.active = true;
    this.seq += 1;
    this.lastPostAt = Date.now();
    this.opts.post({ type: 'snapshot', seq: this.seq, snapshot: { run, metrics } });
    this.schedulePoll();
  }

  /** The webview went away (hidden or disposed); it will ask for a snapshot when it comes back. */
  pause(): void {
    this.active = false;
    this.cancelFlush();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** Reads what changed on disk and queues a delta. Called by the poll timer and when the trainer sends an event. */
  poll(): void {
    if (!this.active || this.disposed) return;
    const { rows, reset } = this.tail.read();
    if (reset) {
      this.snapshot();
      return;
    }
    if (rows.length) appendColumns(this.pendingMetrics, rowsToColumns(rows));
    const view = this.readView();
    for (const k of VIEW_KEYS) {
      if (JSON.stringify(view[k]) !== JSON.stringify(this.sent?.[k])) (this.pendingRun as Record<string, unknown>)[k] = view[k];
    }
    this.sent = view;
    if (columnLength(this.pendingMetrics) > 0 || Object.keys(this.pendingRun).length > 0) this.scheduleFlush();
  }

  /** Current view, for hosts that need it (status bar, buttons). */
  get view(): RunView | null {
    return this.sent;
  }

  private readView(): RunView {
    const { runDir } = this.opts;
    const status = readJson<RunStatus>(join(runDir, RUN_FILES.status));
    this.config = this.config ?? readJson<Record<string, unknown>>(join(runDir, RUN_FILES.config));
    const base: Omit<RunView, 'actions'> = {
      runId: runDir.split(/[\\/]/).pop() ?? runDir,
      runDir,
      displayState: displayStateOf(status, this.opts.isLiveRun()),
      status,
      config: this.config,
      checkpoints: readCheckpoints(runDir),
      samples: readSampleSteps(runDir),
      probes: readProbes(runDir, this.opts.isLiveProbe),
    };
    return { ...base, actions: this.opts.actions(base) };
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastPostAt + this.minInterval - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private cancelFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private flush(): void {
    this.flushTimer = null;
    if (!this.active || this.disposed) return;
    const delta: RunDelta = {};
    if (columnLength(this.pendingMetrics) > 0) delta.metrics = this.pendingMetrics;
    if (Object.keys(this.pendingRun).length > 0) delta.run = this.pendingRun;
    if (!delta.metrics && !delta.run) return;
    this.pendingMetrics = emptyColumns();
    this.pendingRun = {};
    this.seq += 1;
    this.lastPostAt = Date.now();
    this.opts.post({ type: 'delta', seq: this.seq, delta });
  }

  private busy(): boolean {
    const v = this.sent;
    return v !== null && (v.displayState === 'running' || v.probes.some((p) => p.state === 'running') || this.opts.isLiveRun());
  }

  private schedulePoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const ms = this.busy() ? this.opts.activePollMs ?? 500 : this.opts.idlePollMs ?? 2000;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      if (!this.active || this.disposed) return;
      this.poll();
      this.schedulePoll();
    }, ms);
  }

  dispose(): void {
    this.disposed = true;
    this.pause();
  }
}
