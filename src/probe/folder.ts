// `probes/<id>/` (DESIGN.md §2): config.json first (so a running probe is visible), metrics.jsonl per epoch,
// result.json last and atomically (its presence means "finished").
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_FILES, RUN_FILES, type ProbeKind, type ProbeMetricsRow, type ProbeResult } from '../protocol/run-files';
import { writeJsonAtomic } from '../util/fs-atomic';

function timestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `<kind>-<step000600|random|pixels>-<date-time>`, suffixed when two probes start in the same second. */
export function createProbeFolder(runDir: string, kind: ProbeKind, randomInit: boolean, step: number, pixels = false): ProbeFolder {
  const root = join(runDir, RUN_FILES.probes);
  mkdirSync(root, { recursive: true });
  const base = `${kind}-${pixels ? 'pixels' : randomInit ? 'random' : `step${String(step).padStart(6, '0')}`}-${timestamp()}`;
  for (let i = 0; ; i++) {
    const id = i === 0 ? base : `${base}-${i}`;
    try {
      mkdirSync(join(root, id));
      return new ProbeFolder(id, join(root, id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export class ProbeFolder {
  constructor(readonly id: string, readonly dir: string) {}

  writeConfig(config: object): void {
    writeJsonAtomic(join(this.dir, PROBE_FILES.config), config);
  }

  appendMetrics(row: ProbeMetricsRow): void {
    appendFileSync(join(this.dir, PROBE_FILES.metrics), `${JSON.stringify(row)}\n`);
  }

  writeResult(result: ProbeResult): void {
    writeJsonAtomic(join(this.dir, PROBE_FILES.result), result);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(join(this.dir, name), value);
  }
}
