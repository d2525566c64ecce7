// A small planted problem for the attentive probe: T tokens per image, the label carried by one patch token
// (a class-dependent offset on its first channels), everything else Gaussian noise. Shared by the depth tests.
import type { FeatureSet, FeatureSplit } from '../../../src/diagnostics/features';
import { Rng } from '../../../src/ml/rng';

export const PLANTED = { dim: 8, patches: 4, classes: 3 } as const;

function plantedSplit(n: number, seed: number): FeatureSplit {
  const { dim: D, patches: N, classes: C } = PLANTED;
  const T = N + 1;
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(C));
  const tokens = Float32Array.from({ length: n * T * D }, () => rng.normal());
  for (let i = 0; i < n; i++) tokens[(i * T + 2) * D + labels[i]] += 2; // patch 1 (token 2) carries the label
  const mean = new Float32Array(n * D);
  for (let i = 0; i < n; i++) for (let t = 1; t < T; t++) for (let j = 0; j < D; j++) mean[i * D + j] += tokens[(i * T + t) * D + j] / N;
  return { n, labels, cls: tokens.filter((_, k) => Math.floor(k / D) % T === 0), mean, tokens };
}

export function plantedFeatures(nTrain = 96, nTest = 48): FeatureSet {
  const { dim: D, patches: N, classes: C } = PLANTED;
  const rng = new Rng(99);
  return {
    dim: D, tokensPerImage: N + 1, numClasses: C, positions: Float32Array.from({ length: N * D }, () => rng.normal() * 0.1),
    train: plantedSplit(nTrain, 1), test: plantedSplit(nTest, 2),
  };
}
