// Named presets. Paper-scale ones follow the CAE/MAE papers; small ones are sized to train in minutes on 2 CPU cores.
import type { Config } from './schema';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults every preset starts from: a small CAE on the built-in dataset. */
export const BASE_CONFIG: Config = {
  algorithm: 'cae',
  preset: 'cae-small',
  engine: 'tfjs',
  backend: 'auto',
  torch: { device: 'auto', compile: false },
  data: {
    dataset: 'synthetic', path: '', imageSize: 32, channels: 3, cropScale: [0.08, 1], hflip: true,
    mean: [], std: [], prefetch: 4, syntheticTrain: 8000, syntheticTest: 2000,
  },
  model: {
    patchSize: 4, dim: 128, depth: 6, heads: 4, mlpRatio: 4, layerScale: 0.1, dropPath: 0,
    regressorDepth: 2, decoderDepth: 2, decoderDim: 128, decoderHeads: 4,
  },
  mask: { kind: 'block', count: 32, minBlock: 0, blocks: 4, blockScale: [0.15, 0.2], blockAspect: [0.75, 1.5] },
  teacher: { momentum: 0, momentumEnd: 1, schedule: 'constant' },
  loss: { alignWeight: 2, target: 'pixels', normPix: true, alignTarget: 'raw', alignTopK: 0, alignLoss: 'mse', alignBeta: 1 },
  tokenizer: { path: '', inputSize: 0, vocab: 512, steps: 600 },
  train: {
    steps: 600, batchSize: 64, microBatch: 0, seed: 0, lr: 5e-4, minLr: 1e-5, warmupSteps: 40,
    weightDecay: 0.05, beta1: 0.9, beta2: 0.999, clipGrad: 3, logEvery: 1, checkpointEvery: 50, keepCheckpoints: 2, precision: 'fp32',
  },
  sample: { every: 100, count: 8 },
  monitor: { collapseStd: 0.05, rankEvery: 100, rankImages: 256, rankDrop: 0.5 },
};

export interface Preset {
  description: string;
  overrides: DeepPartial<Config>;
}

/**
 * The recipe of the minutes-long presets on the built-in dataset (see cae-demo's description for why each value).
 * Shared so that the demo and the token-target preset train the same encoder, and their probes compare.
 */
const QUICK_RECIPE: DeepPartial<Config> = {
  data: { cropScale: [0.35, 1] }, // the texture period must stay within what the 8 px patches resolve
  model: { patchSize: 8, dim: 64, depth: 4, regressorDepth: 1, decoderDepth: 1, decoderDim: 64 },
  mask: { count: 8 },
  // An EMA teacher instead of the paper's copy (m = 0): with a copy, the latents of some seeds shrank and their
  // encoders probed no better than random init (DESIGN.md §3; numbers in cae-demo's description).
  teacher: { momentum: 0.996 },
  train: { steps: 6000, lr: 3e-3, warmupSteps: 100, checkpointEvery: 500 },
  sample: { every: 500 }, // reconstructions and attention to watch improve in the report
};

export const PRESETS: Record<string, Preset> = {
  'cae-small': {
    description: 'CAE, 32 px built-in dataset, patch 4, width 128, depth 6; lr 5e-4 and layer scale 0.1 so it does not collapse at small scale (DESIGN.md §3).',
    overrides: {},
  },
  'cae-tiny': {
    description: 'CAE, 16 px, width 32, depth 2, batch 8: seconds per run, for smoke tests and the editor walkthrough.',
    overrides: {
      preset: 'cae-tiny',
      data: { imageSize: 16, syntheticTrain: 512, syntheticTest: 256 },
      model: { dim: 32, depth: 2, heads: 2, regressorDepth: 1, decoderDepth: 1, decoderDim: 32, decoderHeads: 2 },
      mask: { count: 8 },
      train: { steps: 30, batchSize: 8, warmupSteps: 3, checkpointEvery: 10 },
      sample: { every: 10, count: 4 },
    },
  },
  'cae-demo': {
    description: 'CAE for `npm run demo`: 32 px with 8 px patches (a 4×4 grid, 8 masked block-wise), width 64, depth 4, regressor 1, decoder 1; '
      + '6000 steps at lr 3e-3, crop 0.35–1 (~10 min of pretraining on 2 cores). 16 tokens make a step ~4× cheaper than cae-small, so the '
      + 'encoder sees ~48 epochs of the built-in dataset: enough for its pooled features to separate the classes, which a few '
      + 'hundred steps are not. lr 1.5e-3 learned slower, 5e-3 stayed at the random-init level. Teacher EMA 0.996 (BYOL/DINO\'s '
      + 'default) instead of the paper\'s m = 0: with a copy, seed 1\'s latents shrank (latent_std 0.95 → 0.19) and its attentive '
      + 'probe fell to the random-init level (84.5 vs 83.5 %); with EMA that seed reached 91.1 % (linear 53.7 → 80.8 %).',
    overrides: { preset: 'cae-demo', ...QUICK_RECIPE },
  },
  'cae-tokens-small': {
    description: 'CAE with the paper\'s objective: cross-entropy over discrete visual tokens of the masked patches, logging mlm_acc, '
      + 'on the cae-demo recipe (8 px patches, 6000 steps; ~11 min on 2 cores). tokenizer.path=auto trains a 512-code patch-wise VQ-VAE (600 steps) '
      + 'into <run>/tokenizer first; to share one tokenizer across runs: mim-lab tokenizer train --out DIR, then --set tokenizer.path=DIR.',
    overrides: {
      preset: 'cae-tokens-small',
      ...QUICK_RECIPE,
      loss: { target: 'tokens' },
      tokenizer: { path: 'auto', vocab: 512, steps: 600 },
    },
  },
  'mae-small': {
    description: 'MAE on the same data and budget as cae-small (decoder over all positions, norm-pix, crop 0.2–1), for comparison.',
    overrides: { algorithm: 'mae', preset: 'mae-small', data: { cropScale: [0.2, 1] }, mask: { kind: 'random', count: 48 } },
  },
  'cae-mnist-small': {
    description: 'CAE on MNIST-format IDX files (set data.path), 28 px grayscale, patch 4 (7×7 grid), random masking of half the patches.',
    overrides: {
      preset: 'cae-mnist-small',
      data: { dataset: 'idx', imageSize: 28, channels: 1, cropScale: [0.5, 1], hflip: false },
      mask: { kind: 'random', count: 24 },
    },
  },
  'cae-vit-b16-224': {
    description: 'Paper CAE ViT-B/16 at 224 px: 98/196 block-wise, regressor 4, decoder 4, λ 2, AdamW lr 1.5e-3 wd 0.05, clip 3, drop path 0.1, layer scale 0.1.',
    overrides: {
      preset: 'cae-vit-b16-224',
      data: { dataset: 'folder', imageSize: 224, cropScale: [0.08, 1] },
      model: { patchSize: 16, dim: 768, depth: 12, heads: 12, dropPath: 0.1, layerScale: 0.1, regressorDepth: 4, decoderDepth: 4, decoderDim: 768, decoderHeads: 12 },
      mask: { kind: 'block', count: 98, minBlock: 16 },
      loss: { alignWeight: 2 }, // the paper's λ, stated here rather than inherited from the small base
      train: { steps: 500_000, batchSize: 2048, lr: 1.5e-3, minLr: 1e-5, warmupSteps: 12_500, weightDecay: 0.05, clipGrad: 3, checkpointEvery: 1000, logEvery: 10 },
      sample: { every: 1000 },
    },
  },
  'mae-vit-b16-224': {
    description: 'Paper MAE ViT-B/16 at 224 px: 75% random masking, decoder 8×512, norm-pix, AdamW lr 1.5e-4·bs/256, wd 0.05, β2 0.95.',
    overrides: {
      algorithm: 'mae',
      preset: 'mae-vit-b16-224',
      data: { dataset: 'folder', imageSize: 224, cropScale: [0.2, 1] },
      model: { patchSize: 16, dim: 768, depth: 12, heads: 12, layerScale: 0, decoderDepth: 8, decoderDim: 512, decoderHeads: 16 },
      mask: { kind: 'random', count: 147 },
      train: { steps: 500_000, batchSize: 4096, lr: 2.4e-3, minLr: 0, warmupSteps: 12_500, beta2: 0.95, clipGrad: 0, checkpointEvery: 1000, logEvery: 10 },
      sample: { every: 1000 },
    },
  },
};

export const DEFAULT_PRESET = 'cae-small';
