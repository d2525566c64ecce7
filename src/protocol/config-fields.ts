// Which config fields mean something for which algorithm. A resolved config holds every field (one schema for
// both), so MAE runs carry CAE's λ, teacher and regressor values; whoever shows a config (run header, compare
// panel, `compare`, sweeps) asks here and shows NOT_APPLICABLE instead of a value that has no effect.

export const NOT_APPLICABLE = '—';

/** Fields used by only some algorithms; every other field applies to all. */
const ONLY_FOR: Readonly<Record<string, readonly string[]>> = {
  'loss.alignWeight': ['cae'], // λ of the latent alignment loss: MAE has no regressor, no teacher
  'teacher.momentum': ['cae'],
  'model.regressorDepth': ['cae'],
  'monitor.collapseStd': ['cae'], // the collapse watch reads the teacher's latent_std
  'model.decoderDim': ['mae'], // CAE's decoder keeps the encoder's width and heads
  'model.decoderHeads': ['mae'],
};

/** Whether the dotted config key `key` has an effect for `algorithm` (unknown algorithms: every field applies). */
export function fieldApplies(key: string, algorithm: unknown): boolean {
  const only = ONLY_FOR[key];
  return !only || typeof algorithm !== 'string' || !['cae', 'mae'].includes(algorithm) || only.includes(algorithm);
}

/** The dotted keys of `keys` that have no effect for `algorithm`. */
export function inapplicableFields(keys: readonly string[], algorithm: unknown): string[] {
  return keys.filter((k) => !fieldApplies(k, algorithm));
}

/** A config value for people: strings as they are, others as JSON, NOT_APPLICABLE where the field has no effect. */
export function displayConfigValue(key: string, value: unknown, algorithm: unknown): string {
  if (!fieldApplies(key, algorithm)) return NOT_APPLICABLE;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
