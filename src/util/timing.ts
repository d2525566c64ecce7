// What a long command cost, printed at its end so that the times the README states can be re-checked: wall time,
// CPU time of the whole process (every thread: wasm's XNNPACK pool, decode workers) plus its finished child processes
// (the torch engine, torchrun's ranks), and the machine it ran on.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { availableCores } from './env';
import { formatDuration } from './progress';

export interface Timing {
  wallS: number;
  cpuS: number;
  cores: number;
  cpuModel: string;
  /** 1-minute load average at the end: how busy the machine was (2 on 2 cores = fully used). */
  load: number;
}

/** Linux clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel build). */
const USER_HZ = 100;

/**
 * CPU seconds of this process's children that have exited and been waited for (utime + stime of /proc/self/stat's
 * cutime, cstime); 0 where /proc is not there. `stat` is the file's text (for tests).
 */
export function childrenCpuS(stat: string | null = readProcStat()): number {
  if (!stat) return 0;
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(rest[13]);
  const cstime = Number(rest[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / USER_HZ : 0;
}

function readProcStat(): string | null {
  try {
    return readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
}

/** Starts measuring now; the returned function reads the totals so far. */
export function startTiming(clock: () => number = () => performance.now()): () => Timing {
  const t0 = clock();
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuS();
  return () => {
    const c = process.cpuUsage(cpu0);
    return {
      wallS: (clock() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 + childrenCpuS() - children0, cores: availableCores(),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU', load: os.loadavg()[0],
    };
  };
}

/** `time: wall 3:41, CPU 6:50, 2 cores (AMD EPYC 7B13), load 1.9`. */
export function formatTiming(t: Timing): string {
  return `time: wall ${formatDuration(t.wallS)}, CPU ${formatDuration(t.cpuS)}, ${t.cores} core${t.cores === 1 ? '' : 's'} (${t.cpuModel}), load ${t.load.toFixed(1)}`;
}
