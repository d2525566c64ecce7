// The run folder (DESIGN.md §2), written only by its trainer: config, status, metrics, checkpoints.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import { parseJsonLines, RUN_FILES, type MetricsRow, type RunStatus } from '../protocol/run-files';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs-atomic';

function timestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** The `<name>` part of a run folder's name: file-name safe, at most 60 characters. */
export function safeRunName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
}

/** Creates `<runsDir>/<date-time>-<name>` (suffixed when taken) and returns its path. */
export function createRunDir(runsDir: string, name: string): string {
  mkdirSync(runsDir, { recursive: true });
  const safe = safeRunName(name);
  const base = `${timestamp()}-${safe}`;
  for (let i = 0; ; i++) {
    const dir = join(runsDir, i === 0 ? base : `${base}-${i}`);
    try {
      mkdirSync(dir); // fails when it exists: two runs started in the same second get different folders
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${path} (${(err as Error).message})`);
  }
}

export class RunFolder {
  constructor(readonly dir: string) {}

  path(file: string): string {
    return join(this.dir, file);
  }

  writeConfig(config: Config): void {
    writeJsonAtomic(this.path(RUN_FILES.config), config);
  }

  readConfig(): Config {
    return readJson<Config>(this.path(RUN_FILES.config), 'run config');
  }

  writeStatus(status: RunStatus): void {
    writeJsonAtomic(this.path(RUN_FILES.status), status);
  }

  readStatus(): RunStatus | null {
    return existsSync(this.path(RUN_FILES.status)) ? readJson<RunStatus>(this.path(RUN_FILES.status), 'run status') : null;
  }

  /** Appends one line; the OS flushes it on each call, so a crash loses at most a torn last line. */
  appendMetrics(row: MetricsRow): void {
    appendFileSync(this.path(RUN_FILES.metrics), `${JSON.stringify(row)}\n`);
  }

  readMetrics(): MetricsRow[] {
    const p = this.path(RUN_FILES.metrics);
    return existsSync(p) ? parseJsonLines<MetricsRow>(readFileSync(p, 'utf8')) : [];
  }

  /** Keeps only rows up to `step` (the checkpoint a resume starts from), each step once. */
  truncateMetrics(step: number): void {
    const seen = new Set<number>();
    const kept = this.readMetrics().filter((r) => r.step <= step && !seen.has(r.step) && seen.add(r.step));
    writeFileAtomic(this.path(RUN_FILES.metrics), kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  log(line: string): void {
    appendFileSync(this.path(RUN_FILES.log), `${new Date().toISOString()} ${line}\n`);
  }

  /** The stack trace of an unexpected error goes here, never to the terminal. */
  logError(context: string, err: unknown): void {
    this.log(`error: ${context}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}
