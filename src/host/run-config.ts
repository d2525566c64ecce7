// The config a new run from the editor runs with, resolved once here and handed to the trainer as it is (no vscode,
// so the tests check it directly).
import { applyOverrides, validateConfig } from '../config/resolve';
import type { Config } from '../config/schema';

/** The editor's settings that shape a new run, applied on top of what the user chose. */
export interface RunSettings {
  backend: string;
  sampleEvery: number | null;
}

/**
 * The config that will run: the choice, then the settings (`mimLab.sampleEvery`; `mimLab.backend` unless auto,
 * so a config file's own backend stays), validated once here and passed to the trainer as it is.
 */
export function configToRun(choice: Config, settings: RunSettings): Config {
  const overrides: Record<string, unknown> = {};
  if (settings.sampleEvery !== null) overrides['sample.every'] = settings.sampleEvery;
  if (settings.backend !== 'auto') overrides.backend = settings.backend;
  return validateConfig(applyOverrides(choice, overrides, 'MIM Lab settings'));
}
