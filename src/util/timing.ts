// What a long command cost, printed at its end so that the times the README states can be re-checked: wall time,
// CPU time of the whole process (every thread: wasm's XNNPACK pool, decode workers) and the machine it ran on.
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

/** Starts measuring now; the returned function reads the totals so far. */
export function startTiming(clock: () => number = () => performance.now()): () => Timing {
  const t0 = clock();
  const cpu0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(cpu0);
    return {
      wallS: (clock() - t0) / 1000, cpuS: (c.user + c.system) / 1e6, cores: availableCores(),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU', load: os.loadavg()[0],
    };
  };
}

/** `time: wall 3:41, CPU 6:50, 2 cores (AMD EPYC 7B13), load 1.9`. */
export function formatTiming(t: Timing): string {
  return `time: wall ${formatDuration(t.wallS)}, CPU ${formatDuration(t.cpuS)}, ${t.cores} core${t.cores === 1 ? '' : 's'} (${t.cpuModel}), load ${t.load.toFixed(1)}`;
}
