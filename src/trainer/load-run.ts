// Loads a run's model from one of its checkpoints (probes, diagnostics, reports), or builds the same
// architecture untrained (`randomInit`: the baseline every probe table needs).
import { validateConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { createModel } from '../ml/create-model';
import type { MimModel } from '../ml/model';
import { modelSpecFromConfig } from '../ml/model-spec';
import { RUN_FILES } from '../protocol/run-files';
import { loadCheckpoint, resolveCheckpointStep } from './checkpoint';
import { importStore } from './model-state';
import { readJson, RunFolder } from './run-folder';

export interface LoadedRun {
  config: Config;
  model: MimModel;
  /** Checkpoint step the weights come from (0 for a random-init model). */
  step: number;
}

export function loadRunModel(runDir: string, which: 'latest' | number, randomInit = false): LoadedRun {
  const run = new RunFolder(runDir);
  const config = validateConfig(readJson<Config>(run.path(RUN_FILES.config), 'run config'));
  const model = createModel(modelSpecFromConfig(config));
  if (randomInit) return { config, model, step: 0 };
  try {
    const step = resolveCheckpointStep(run.path(RUN_FILES.checkpoints), which);
    const ck = loadCheckpoint(run.path(RUN_FILES.checkpoints), step);
    for (const [name, store] of Object.entries(model.trainable)) importStore(store, ck.arrays, name, `checkpoint step ${step} of ${runDir}`);
    for (const [name, store] of Object.entries(model.frozen)) importStore(store, ck.arrays, name, `checkpoint step ${step} of ${runDir}`);
    return { config, model, step };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
