// Where a job's events go: the parent process over IPC (extension host) and/or the terminal (CLI).
import type { TrainerEvent } from '../protocol/events';
import type { ProgressUpdate } from '../util/progress';

export interface Reporter {
  emit(event: TrainerEvent): void;
  /** Live progress of long work (a terminal's progress line); absent where nobody shows it. */
  progress?(update: ProgressUpdate): void;
}

/** Sends events to the parent when this process was forked with an IPC channel. */
export function ipcReporter(): Reporter | null {
  if (typeof process.send !== 'function' || !process.connected) return null;
  return { emit: (e) => { if (process.connected) process.send?.(e); } };
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : Math.abs(x) >= 1000 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toFixed(4);
}

/** A log event as a terminal line. */
export function logLine(e: Extract<TrainerEvent, { type: 'log' }>): string {
  return e.level === 'info' ? e.message : `${e.level}: ${e.message}`;
}

/** The sparse terminal output of `--quiet`: a line of metrics every `every` steps, probe epochs, logs. */
export function consoleReporter(every: number, out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Reporter {
  return {
    emit(e) {
      switch (e.type) {
        case 'metrics': {
          const r = e.row;
          if (r.step % every !== 0 && r.step !== 1) return;
          out(`step ${r.step} epoch ${r.epoch} loss ${fmt(r.loss)} main ${fmt(r.loss_main)} align ${fmt(r.loss_align)} `
            + `${r.mlm_acc !== undefined && r.mlm_acc !== null ? `mlm_acc ${fmt(r.mlm_acc)} ` : ''}lr ${fmt(r.lr)} latent_std ${fmt(r.latent_std)} ${r.imgs_per_s.toFixed(1)} img/s`);
          return;
        }
        case 'log':
          out(logLine(e));
          return;
        case 'probe-progress':
          out(`probe ${e.probeId} epoch ${e.epoch}/${e.epochs} loss ${fmt(e.row.loss)} train ${fmt(e.row.train_top1)} `
            + `${e.row.val_top1 !== undefined && e.row.val_top1 !== null ? `val ${fmt(e.row.val_top1)}` : `test ${fmt(e.row.test_top1)}`}`);
          return;
        default:
          return;
      }
    },
  };
}

export function combine(...reporters: (Reporter | null)[]): Reporter {
  const rs = reporters.filter((r): r is Reporter => r !== null);
  const shown = rs.filter((r) => r.progress);
  return {
    emit: (e) => rs.forEach((r) => r.emit(e)),
    ...(shown.length ? { progress: (u: ProgressUpdate) => shown.forEach((r) => r.progress?.(u)) } : {}),
  };
}
