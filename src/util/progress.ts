// Progress of long work as people know it from tqdm and Keras: done/total, %, img/s, elapsed, ETA and the latest
// losses on one line. On a terminal the line is redrawn in place (`\r`, cut to the terminal's width, at most every
// `redrawMs`); in a pipe or a log a full line is written at most every `intervalMs` (~10 s), plus a last one at the
// end. Pure of the process: the clock and the output are injected, so the tests drive both.

/** One update from the work: `images` counts what was processed since the task started (for img/s). */
export interface ProgressUpdate {
  /** Names the task ("pretrain", "features train", "attentive probe"): a new name starts a new line. */
  task: string;
  done: number;
  total: number;
  /** What `done` counts ("step", "img", "epoch"). */
  unit: string;
  images: number;
  /** Latest values shown after the timings (losses, accuracies), in this order. */
  fields?: Record<string, number | null | undefined>;
}

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
  /** Terminal width (TTY only). */
  columns?: number;
}

export interface ProgressOptions {
  out: ProgressOutput;
  /** Milliseconds, monotonic. */
  clock?: () => number;
  /** Pipe: least time between two lines. */
  intervalMs?: number;
  /** TTY: least time between two redraws. */
  redrawMs?: number;
}

export const PIPE_INTERVAL_MS = 10_000;
const TTY_REDRAW_MS = 100;
/** Weight of the newest interval in the smoothed rate (tqdm's default). */
const SMOOTHING = 0.3;

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

function formatValue(x: number): string {
  return Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(4);
}

export interface ProgressView {
  task: string;
  done: number;
  total: number;
  unit: string;
  /** Images per second (smoothed), null before a rate is known. */
  imagesPerSecond: number | null;
  elapsedS: number;
  /** Seconds left, null before a rate is known; 0 when done. */
  etaS: number | null;
  fields?: ProgressUpdate['fields'];
}

/** The line's text: `pretrain 1200/6000 step 20% | 1050 img/s | 1:09 elapsed | ETA 4:36 | loss 0.9120 main 0.5001`. */
export function formatProgress(v: ProgressView): string {
  const pct = v.total > 0 ? Math.floor((100 * v.done) / v.total) : 0;
  const parts = [
    `${v.task} ${v.done}/${v.total} ${v.unit} ${String(pct).padStart(3)}%`,
    `${v.imagesPerSecond === null ? '-' : v.imagesPerSecond.toFixed(0)} img/s`,
    `${formatDuration(v.elapsedS)} elapsed`,
    `ETA ${v.etaS === null ? '?' : formatDuration(v.etaS)}`,
  ];
  const fields = Object.entries(v.fields ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  if (fields.length) parts.push(fields.map(([k, x]) => `${k} ${formatValue(x)}`).join(' '));
  return parts.join(' | ');
}

interface TaskState {
  task: string;
  startedAt: number;
  last: { at: number; done: number; images: number };
  /** Smoothed rates per second. */
  unitRate: number | null;
  imageRate: number | null;
  latest: ProgressUpdate;
  printedAt: number;
}

/** One live progress line at a time; `line()` prints other output without garbling it. */
export class ProgressLine {
  private readonly out: ProgressOutput;
  private readonly clock: () => number;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private current: TaskState | null = null;
  /** Whether the live line is drawn (TTY) and must be erased before other output. */
  private drawn = false;

  constructor(o: ProgressOptions) {
    this.out = o.out;
    this.clock = o.clock ?? (() => performance.now());
    this.intervalMs = o.intervalMs ?? PIPE_INTERVAL_MS;
    this.redrawMs = o.redrawMs ?? TTY_REDRAW_MS;
  }

  update(u: ProgressUpdate): void {
    const now = this.clock();
    if (!this.current || this.current.task !== u.task || u.done < this.current.last.done) this.begin(u, now);
    const t = this.current as TaskState;
    const dt = (now - t.last.at) / 1000;
    if (dt > 0 && u.done > t.last.done) {
      const unit = (u.done - t.last.done) / dt;
      const img = (u.images - t.last.images) / dt;
      t.unitRate = t.unitRate === null ? unit : SMOOTHING * unit + (1 - SMOOTHING) * t.unitRate;
      t.imageRate = t.imageRate === null ? img : SMOOTHING * img + (1 - SMOOTHING) * t.imageRate;
      t.last = { at: now, done: u.done, images: u.images };
    }
    t.latest = u;
    const finished = u.done >= u.total;
    if (finished) {
      this.emit(t, now, true);
      this.current = null;
      return;
    }
    const wait = this.out.isTTY ? this.redrawMs : this.intervalMs;
    if (now - t.printedAt >= wait) this.emit(t, now, false);
  }

  /** Prints a whole line of other output; on a TTY the live line is erased first and drawn again below it. */
  line(text: string, write: (s: string) => void = (s) => this.out.write(s)): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    write(`${text}\n`);
    if (this.drawn && this.current) this.out.write(this.render(this.current, this.clock(), false));
  }

  /** Ends a live line that will get no more updates (the work stopped or failed), keeping what it showed. */
  close(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    this.current = null;
  }

  private begin(u: ProgressUpdate, now: number): void {
    this.close();
    // The first update marks the start: rates come from the updates after it.
    this.current = { task: u.task, startedAt: now, last: { at: now, done: u.done, images: u.images }, unitRate: null, imageRate: null, latest: u, printedAt: now };
    if (this.out.isTTY) this.emit(this.current, now, false);
  }

  private view(t: TaskState, now: number, final: boolean): ProgressView {
    const u = t.latest;
    const elapsedS = (now - t.startedAt) / 1000;
    // The last line reports the task's average rate, the live ones the smoothed recent rate.
    const imagesPerSecond = final && elapsedS > 0 && u.images > 0 ? u.images / elapsedS : t.imageRate;
    const etaS = final ? 0 : t.unitRate ? (u.total - u.done) / t.unitRate : null;
    return { task: u.task, done: u.done, total: u.total, unit: u.unit, imagesPerSecond, elapsedS, etaS, fields: u.fields };
  }

  private render(t: TaskState, now: number, final: boolean): string {
    const text = formatProgress(this.view(t, now, final));
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    return `\r${text.length > width ? text.slice(0, width) : text}\x1b[K`;
  }

  private emit(t: TaskState, now: number, final: boolean): void {
    t.printedAt = now;
    if (this.out.isTTY) {
      this.out.write(this.render(t, now, final) + (final ? '\n' : ''));
      this.drawn = !final;
    } else {
      this.out.write(`${formatProgress(this.view(t, now, final))}\n`);
    }
  }
}
