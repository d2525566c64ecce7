// Features of a run's encoder for a probe: from the cache when its key matches, else extracted and cached.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import type { Normalisation } from '../data/stats';
import type { Dataset } from '../data/types';
import { RUN_FILES } from '../protocol/run-files';
import { checkpointName } from '../trainer/checkpoint';
import type { LoadedRun } from '../trainer/load-run';
import type { ProgressUpdate } from '../util/progress';
import { readFeatureCache, writeFeatureCache, type CachedArrays, type FeatureCacheKey } from './cache';
import type { ProbeConfig } from './config';
import { extractSplit, limitSplit, type EncoderView, type FeatureSet, type FeatureSplit } from '../diagnostics/features';

export interface FeatureRequest {
  runDir: string;
  loaded: LoadedRun;
  randomInit: boolean;
  dataset: Dataset;
  norm: Normalisation;
  probe: ProbeConfig;
  needTokens: boolean;
  shouldStop?: () => boolean;
  log?: (message: string) => void;
  progress?: (u: ProgressUpdate) => void;
}

function checkpointCreatedAt(runDir: string, step: number): string | null {
  const meta = join(runDir, RUN_FILES.checkpoints, checkpointName(step), 'meta.json');
  if (!existsSync(meta)) return null;
  try {
    return (JSON.parse(readFileSync(meta, 'utf8')) as { createdAt?: string }).createdAt ?? null;
  } catch {
    return null;
  }
}

export function featureCacheKey(r: Omit<FeatureRequest, 'needTokens' | 'loaded'> & { config: Config; step: number }): FeatureCacheKey {
  const train = limitSplit(r.dataset.train, r.probe.maxTrain);
  const test = limitSplit(r.dataset.test, r.probe.maxTest);
  return {
    checkpointStep: r.randomInit ? 0 : r.step, randomInit: r.randomInit, seed: r.config.train.seed,
    checkpointCreatedAt: r.randomInit ? null : checkpointCreatedAt(r.runDir, r.step),
    dataset: r.dataset.name, trainLength: train.length, testLength: test.length,
    imageSize: r.config.data.imageSize, channels: r.config.data.channels, mean: r.norm.mean, std: r.norm.std,
  };
}

function fromCache(pooled: CachedArrays, tokens: CachedArrays | null, split: 'train' | 'test'): FeatureSplit {
  const get = <T extends Float32Array | Int32Array>(c: CachedArrays, name: string): T => {
    const a = c.arrays.get(`${split}.${name}`);
    if (!a) throw new Error(`feature cache: ${split}.${name} missing`);
    return a as T;
  };
  const labels = get<Int32Array>(pooled, 'labels');
  return { n: labels.length, labels, cls: get(pooled, 'cls'), mean: get(pooled, 'mean'), tokens: tokens ? get<Float32Array>(tokens, 'tokens') : null };
}

export async function probeFeatures(r: FeatureRequest): Promise<FeatureSet> {
  const { config, model, step } = r.loaded;
  const key = featureCacheKey({ ...r, config, step });
  const numClasses = r.dataset.classNames.length;
  const pooled = readFeatureCache(r.runDir, key, 'pooled');
  const tokens = r.needTokens ? readFeatureCache(r.runDir, key, 'tokens') : null;
  if (pooled && (!r.needTokens || tokens)) {
    r.log?.('features: from cache');
    return {
      dim: pooled.dim, tokensPerImage: pooled.tokensPerImage, numClasses, positions: model.pos,
      train: fromCache(pooled, tokens, 'train'), test: fromCache(pooled, tokens, 'test'),
    };
  }
  const enc: EncoderView = { store: model.encoder, spec: model.spec.encoder, geometry: model.spec.geometry, pos: model.pos };
  const view = { imageSize: config.data.imageSize, channels: config.data.channels, mean: r.norm.mean, std: r.norm.std };
  const t0 = performance.now();
  const onBatch = (split: string) => (done: number, total: number): void => r.progress?.({ task: `features ${split}`, done, total, unit: 'img', images: done });
  const train = await extractSplit(enc, limitSplit(r.dataset.train, r.probe.maxTrain), view, r.probe.extractBatch, r.needTokens, r.shouldStop, onBatch('train'));
  const test = await extractSplit(enc, limitSplit(r.dataset.test, r.probe.maxTest), view, r.probe.extractBatch, r.needTokens, r.shouldStop, onBatch('test'));
  r.log?.(`features: extracted ${train.n} + ${test.n} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const dims = { dim: enc.spec.dim, tokensPerImage: enc.pos.length / enc.spec.dim + 1 };
  writeFeatureCache(r.runDir, key, 'pooled', dims, train, test);
  if (r.needTokens) writeFeatureCache(r.runDir, key, 'tokens', dims, train, test);
  return { ...dims, numClasses, positions: enc.pos, train, test };
}
