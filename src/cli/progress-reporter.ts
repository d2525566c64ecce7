// The terminal's default output: one live progress line for long work (src/util/progress.ts) with log lines
// printed above it; `--quiet` uses consoleReporter's sparse lines instead (src/trainer/reporter.ts).
import type { Reporter } from '../trainer/reporter';
import { logLine } from '../trainer/reporter';
import { ProgressLine } from '../util/progress';

export function progressReporter(line: ProgressLine): Reporter {
  return {
    emit(e) {
      if (e.type === 'log') line.line(logLine(e));
      else if (e.type === 'done' && e.state !== 'completed') line.close(); // a stopped or failed task's line stays as it was
    },
    progress: (u) => line.update(u),
  };
}

/** The progress line on stderr, redrawn in place when stderr is a terminal. */
export function stderrProgressLine(): ProgressLine {
  const err = process.stderr;
  return new ProgressLine({
    out: { write: (s) => err.write(s), isTTY: err.isTTY === true, get columns(): number | undefined { return err.columns; } }, // read per line: the terminal may be resized
  });
}
