// Incremental reader of an append-only JSON-lines file (metrics.jsonl): reads only new bytes,
// keeps a torn last line until its newline arrives, and restarts if the file shrank (run deleted/recreated).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { MetricsRow } from '../protocol/run-files';
import { METRIC_KEYS, emptyColumns, type MetricColumns } from '../protocol/webview';

export class JsonLinesTail<T> {
  private offset = 0;
  private pending = '';

  constructor(private readonly file: string) {}

  /** Returns rows appended since the last call, and whether the file was reset (the caller must drop old rows). */
  read(): { rows: T[]; reset: boolean } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return { rows: [], reset: false };
    }
    try {
      const size = fstatSync(fd).size;
      let reset = false;
      if (size < this.offset) {
        this.offset = 0;
        this.pending = '';
        reset = true;
      }
      if (size === this.offset) return { rows: [], reset };
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.pending + buf.subarray(0, n).toString('utf8');
      const lastNl = text.lastIndexOf('\n');
      this.pending = lastNl < 0 ? text : text.slice(lastNl + 1);
      const complete = lastNl < 0 ? '' : text.slice(0, lastNl);
      const rows: T[] = [];
      for (const line of complete.split('\n')) {
        const t = line.trim();
        if (!t) continue;
        try {
          rows.push(JSON.parse(t) as T);
        } catch {
          // A corrupt line in the middle (should not happen with an append-only writer): skip it, keep reading.
        }
      }
      return { rows, reset };
    } finally {
      closeSync(fd);
    }
  }
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Converts metrics rows to columns; non-finite values (a diverged loss) become null. */
export function rowsToColumns(rows: readonly MetricsRow[]): MetricColumns {
  const cols = emptyColumns();
  for (const row of rows) {
    const r = row as unknown as Record<string, unknown>;
    for (const k of METRIC_KEYS) cols[k].push(num(r[k]));
  }
  return cols;
}

export function appendColumns(into: MetricColumns, more: MetricColumns): void {
  for (const k of METRIC_KEYS) {
    const dst = into[k];
    for (const v of more[k]) dst.push(v);
  }
}

export function columnLength(cols: MetricColumns): number {
  return cols.step.length;
}
