// Shared fixtures for engine tests: a tiny config, random images, and step inputs.
import { resolveConfig } from '../../src/config/resolve';
import type { Config } from '../../src/config/schema';
import { initBackend } from '../../src/ml/backend';
import { buildInputs, type MimInputs } from '../../src/ml/inputs';
import { generateMasks } from '../../src/ml/masking';
import { modelSpecFromConfig, type ModelSpec } from '../../src/ml/model-spec';
import { Rng } from '../../src/ml/rng';
import { maskSpecOf } from '../../src/ml/mask-spec';

let ready: Promise<unknown> | null = null;

/** Tests run on wasm (deterministic, and the backend users get on CPU). */
export function useWasm(): Promise<unknown> {
  ready ??= initBackend('wasm');
  return ready;
}

export function tinyConfig(sets: string[] = []): Config {
  return resolveConfig({ preset: 'cae-tiny', sets: ['train.batchSize=4', ...sets] });
}

export function randomImages(config: Config, batch: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const n = batch * config.data.imageSize ** 2 * config.data.channels;
  return Float32Array.from({ length: n }, () => rng.normal());
}

export function tinyInputs(config: Config, step = 0, withDropPath = false): { spec: ModelSpec; inputs: MimInputs } {
  const spec = modelSpecFromConfig(config);
  const B = config.train.batchSize;
  const masks = generateMasks(maskSpecOf(config), B, config.train.seed, step);
  const inputs = buildInputs(randomImages(config, B, step + 1), masks, spec.geometry, config.loss.normPix,
    withDropPath ? { seed: config.train.seed, step } : undefined);
  return { spec, inputs };
}
