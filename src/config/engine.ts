// Which engine a config asks for, and the settings that only the torch engine understands (refused under tfjs
// rather than silently ignored). Configs written before the `engine` key existed are TF.js runs.
import type { Config, EngineName } from './schema';

export function engineOf(c: Pick<Config, 'engine'> | Partial<Config>): EngineName {
  return c.engine ?? 'tfjs';
}

/** Torch-only fields set under engine tfjs, as `key=value` (empty when the config is consistent). */
export function torchOnlyFieldsSet(c: Config): string[] {
  if (engineOf(c) === 'torch') return [];
  const set: string[] = [];
  if (c.torch?.device !== undefined && c.torch.device !== 'auto') set.push(`torch.device=${c.torch.device}`);
  if (c.torch?.compile === true) set.push('torch.compile=true');
  if (c.train.precision !== undefined && c.train.precision !== 'fp32') set.push(`train.precision=${c.train.precision}`);
  return set;
}
