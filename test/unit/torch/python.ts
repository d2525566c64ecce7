// Runs the torch engine (engines/torch) and its Python helpers from node tests: /usr/bin/python3 (Debian's
// python3-torch) or $MIMLAB_PYTHON, one torch thread, events parsed from stdout.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../../src/config/schema';
import { isTrainerEvent, type TrainerEvent } from '../../../src/protocol/events';

export const PYTHON = process.env.MIMLAB_PYTHON ?? '/usr/bin/python3';
export const ENGINE_DIR = resolve(__dirname, '..', '..', '..', 'engines', 'torch');
export const TWIN = resolve(__dirname, '..', '..', '..', 'bench', 'torch_twin.py');

export function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: ENGINE_DIR, PYTHONDONTWRITEBYTECODE: '1', MIMLAB_TORCH_THREADS: '1', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MIMLAB_DEVICE: 'cpu' };
}

/** Runs a Python snippet with the package importable; returns its stdout parsed as JSON. */
export function pythonJson<T>(code: string): T {
  const r = spawnSync(PYTHON, ['-c', code], { env: pythonEnv(), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Writes JOB.json for a job on `runDir` (absolute) and returns its path. */
export function writeJob(dir: string, job: 'pretrain' | 'resume', runDir: string, config: Config): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `job-${job}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ version: 1, job, runDir, config }));
  return file;
}

export interface EngineRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: TrainerEvent[];
  /** stdout lines that are not trainer events (must be none). */
  stray: string[];
  stderr: string;
}

/** Starts the engine on a job file; `onEvent` may act on the process (stop it, kill it). */
export function startEngine(jobFile: string, onEvent?: (e: TrainerEvent, proc: ChildProcessWithoutNullStreams) => void): Promise<EngineRun> {
  const proc = spawn(PYTHON, ['-m', 'mimlab_torch', 'run', '--job', jobFile], { env: pythonEnv() });
  const run: EngineRun = { code: null, signal: null, events: [], stray: [], stderr: '' };
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        run.stray.push(line);
        continue;
      }
      if (!isTrainerEvent(e)) {
        run.stray.push(line);
        continue;
      }
      run.events.push(e);
      onEvent?.(e, proc);
    }
  });
  proc.stderr.on('data', (d: Buffer) => { run.stderr += d.toString(); });
  return new Promise((done) => proc.on('close', (code, signal) => done({ ...run, code, signal })));
}
