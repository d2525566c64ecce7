// The fixed sample batch every diagnostic looks at: seeded test-split indices, centre views, and masks drawn
// from their own stream. Nothing here touches the training loader or the (seed, 'mask', step, b) streams.
import type { Config } from '../config/schema';
import { loadCentre } from '../data/pipeline';
import type { Dataset } from '../data/types';
import { sampleMask, validateMaskSpec, type MaskBatch } from '../ml/masking';
import { Rng } from '../ml/rng';
import { maskSpecOf } from '../ml/mask-spec';
import type { Norm } from '../data/pixels';

export interface SampleBatch {
  /** Dataset-normalised centre views NHWC [n, S, S, C]. */
  images: Float32Array;
  indices: number[];
  labels: number[];
  masks: MaskBatch;
  norm: Norm;
}

/** `count` distinct test indices, a pure function of (seed, test length), in ascending order. */
export function sampleIndices(testLength: number, count: number, seed: number): number[] {
  const order = new Int32Array(testLength);
  for (let i = 0; i < testLength; i++) order[i] = i;
  Rng.derive(seed, 'sample-indices').shuffle(order);
  return Array.from(order.subarray(0, Math.min(count, testLength))).sort((a, b) => a - b);
}

/**
 * The masks of the sample batch: the run's mask spec, image b drawn from `Rng.derive(seed, 'sample-mask', b)`.
 * Its own purpose key, because training draws `(seed, 'mask', step, b)` and a step key like -1 is not safe:
 * Rng's number hashing maps -1 and 0 to the same stream.
 */
export function sampleMasks(config: Config, count: number): MaskBatch {
  const spec = maskSpecOf(config);
  validateMaskSpec(spec);
  const N = spec.gridH * spec.gridW;
  const Nm = spec.count;
  const Nv = N - Nm;
  const out: MaskBatch = { masks: new Uint8Array(count * N), visible: new Int32Array(count * Nv), masked: new Int32Array(count * Nm), B: count, N, Nv, Nm };
  for (let b = 0; b < count; b++) {
    const m = sampleMask(spec, Rng.derive(config.train.seed, 'sample-mask', b));
    out.masks.set(m, b * N);
    let v = b * Nv;
    let k = b * Nm;
    for (let p = 0; p < N; p++) {
      if (m[p]) out.masked[k++] = p; // ascending, as generateMasks
      else out.visible[v++] = p;
    }
  }
  return out;
}

/** Loads the run's sample batch (`sample.count` images of the test split); probes reuse it for their attention maps. */
export async function loadSampleBatch(config: Config, dataset: Dataset, norm: Norm): Promise<SampleBatch> {
  const indices = sampleIndices(dataset.test.length, config.sample.count, config.train.seed);
  const batch = await loadCentre(dataset.test, indices, { imageSize: config.data.imageSize, channels: config.data.channels, mean: norm.mean, std: norm.std });
  return {
    images: batch.images,
    indices: Array.from(batch.indices),
    labels: Array.from(batch.labels),
    masks: sampleMasks(config, indices.length),
    norm: { mean: [...norm.mean], std: [...norm.std] },
  };
}
