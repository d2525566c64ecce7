// Which runs share a random-init baseline. A random-init encoder's weights are a function of its shape and the
// seed (ParamStore derives every array from (seed, scope, name)), and its probe score also depends on the images
// it is probed on. Runs that agree on these keys share one baseline; pairing by seed is why train.seed is one.
import type { ProbeKind, ProbeResult } from '../protocol/run-files';

export const RANDOM_INIT_KEYS: readonly string[] = [
  'data.dataset', 'data.path', 'data.imageSize', 'data.channels', 'data.mean', 'data.std', 'data.syntheticTrain', 'data.syntheticTest',
  'model.patchSize', 'model.dim', 'model.depth', 'model.heads', 'model.mlpRatio', 'model.layerScale',
  'train.seed',
];

/** A stable key of a flattened config's random-init-relevant values. */
export function baselineKey(flatConfig: Record<string, unknown>): string {
  return JSON.stringify(RANDOM_INIT_KEYS.map((k) => flatConfig[k] ?? null));
}

export interface BaselineSource {
  config: Record<string, unknown>;
  random: Partial<Record<ProbeKind, ProbeResult>>;
}

/** Random-init results by baseline key and probe kind; the first run that has one wins (plan or folder order). */
export function baselineIndex(rows: readonly BaselineSource[]): Map<string, Partial<Record<ProbeKind, ProbeResult>>> {
  const index = new Map<string, Partial<Record<ProbeKind, ProbeResult>>>();
  for (const r of rows) {
    const key = baselineKey(r.config);
    const slot = index.get(key) ?? {};
    for (const [kind, result] of Object.entries(r.random) as [ProbeKind, ProbeResult][]) slot[kind] ??= result;
    index.set(key, slot);
  }
  return index;
}
