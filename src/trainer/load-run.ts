// Opens a folder the user named as a run (resume, probes, diagnostics, reports): refuses one that is missing, not
// a folder, or has no usable config.json with a RunInputError (exit 2) naming it; loads the model from one of its
// checkpoints, or builds the same architecture untrained (`randomInit`: the baseline every probe table needs).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, validateConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { createModel } from '../ml/create-model';
import type { MimModel } from '../ml/model';
import { modelSpecFromConfig } from '../ml/model-spec';
import { RUN_FILES } from '../protocol/run-files';
import { InputError } from '../util/input-error';
import { loadCheckpoint, resolveCheckpointStep } from './checkpoint';
import { importStore } from './model-state';
import { RunFolder } from './run-folder';
import { isPidAlive } from '../util/pid';

/** The folder given as a run cannot be used as one; the message names the folder or file and what was expected. */
export class RunInputError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'RunInputError';
  }
}

/** Refuses a path that is not a run folder (missing, a file, no config.json); returns its config.json path. */
export function requireRunFolder(runDir: string, command: string): string {
  if (!existsSync(runDir)) throw new RunInputError(`${command}: no such folder: ${runDir} (expected a run folder, e.g. .mimlab/runs/<id>)`);
  if (!statSync(runDir).isDirectory()) throw new RunInputError(`${command}: ${runDir} is a file, expected a run folder`);
  const file = join(runDir, RUN_FILES.config);
  if (!existsSync(file)) throw new RunInputError(`${command}: ${runDir} is not a run folder (it has no ${RUN_FILES.config})`);
  return file;
}

/** The validated config of the run at `runDir`; `command` prefixes the message (e.g. "resume"). */
export function readRunConfig(runDir: string, command: string): Config {
  const file = requireRunFolder(runDir, command);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RunInputError(`${command}: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RunInputError(`${command}: ${file} must hold a JSON object (the run's config)`);
  try {
    return validateConfig(raw as Config);
  } catch (err) {
    if (err instanceof ConfigError) throw new RunInputError(`${command}: ${file}: ${err.message}`);
    throw err;
  }
}

/** True when a process with this pid exists (signal 0 sends nothing). */
/** Refuses a run whose trainer is still alive: two trainers writing one folder would interleave its files. */
export function requireNotRunning(runDir: string, command: string): void {
  let status: { state?: unknown; pid?: unknown } | null = null;
  try {
    status = new RunFolder(runDir).readStatus();
  } catch {
    return; // unreadable status: the trainer rewrites it
  }
  if (status?.state === 'running' && status.pid !== process.pid && isPidAlive(status.pid)) {
    throw new RunInputError(`${command}: ${runDir} is still running (pid ${String(status.pid)}); stop it first (SIGTERM checkpoints it)`);
  }
}

/** The checkpoint step `which` names in the run, or a RunInputError listing what there is. */
export function runCheckpointStep(runDir: string, which: 'latest' | number, command: string): number {
  try {
    return resolveCheckpointStep(new RunFolder(runDir).path(RUN_FILES.checkpoints), which);
  } catch (err) {
    throw new RunInputError(`${command}: ${(err as Error).message}`);
  }
}

export interface LoadedRun {
  config: Config;
  model: MimModel;
  /** Checkpoint step the weights come from (0 for a random-init model). */
  step: number;
}

export function loadRunModel(runDir: string, which: 'latest' | number, randomInit = false, command = 'load run'): LoadedRun {
  const run = new RunFolder(runDir);
  const config = readRunConfig(runDir, command);
  const step = randomInit ? 0 : runCheckpointStep(runDir, which, command);
  const model = createModel(modelSpecFromConfig(config));
  if (randomInit) return { config, model, step };
  try {
    const ck = loadCheckpoint(run.path(RUN_FILES.checkpoints), step);
    for (const [name, store] of Object.entries(model.trainable)) importStore(store, ck.arrays, name, `checkpoint step ${step} of ${runDir}`);
    for (const [name, store] of Object.entries(model.frozen)) importStore(store, ck.arrays, name, `checkpoint step ${step} of ${runDir}`);
    return { config, model, step };
  } catch (err) {
    model.dispose();
    throw new RunInputError(`${command}: ${(err as Error).message}`);
  }
}
