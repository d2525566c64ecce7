// The configs the torch engine's bench trains: the ViT-B/16 presets on the built-in data at batch 64 per process,
// and the resolved configs that scripts/gpu-check.sh passes to `python -m mimlab_torch` on a machine without Node
// (written to scripts/gpu-check/configs/ by scripts/gpu-check-configs.ts; a test keeps them equal to these).
import type { Config } from '../config/schema';
import { resolveConfig } from '../config/resolve';

export const TORCH_SUITE = ['cae-vit-b16-224', 'mae-vit-b16-224'];
/** Per process, as the MFU goal states it; the presets' own batches (2048, 4096) are the global ones of many GPUs. */
export const TORCH_BENCH_BATCH = 64;

/** The preset as the bench trains it: torch engine, the built-in data at the preset's size, `batch` images. */
export function torchBenchConfig(preset: string, batch: number, sets: readonly string[]): Config {
  return resolveConfig({ preset, sets: ['engine=torch', 'data.dataset=synthetic', `train.batchSize=${batch}`, 'train.microBatch=0', ...sets] });
}

/** Shrinks a ViT-B/16 preset to seconds per step on a CPU, keeping 224 px, patch 16 and the mask (the GPU check's --tiny). */
export const TINY_SETS = ['model.dim=64', 'model.heads=2', 'model.depth=1', 'model.regressorDepth=1', 'model.decoderDepth=1',
  'model.decoderDim=64', 'model.decoderHeads=2'];
const TINY_BATCH = 2;

/** The GPU check's run: 200 steps in bf16, warm-up 20 (not the paper's 12,500, so the lr moves), checkpoint at 100 and 200. */
export const GPU_CHECK_RUN_SETS = ['train.precision=bf16', 'train.steps=200', 'train.warmupSteps=20', 'train.checkpointEvery=100',
  'train.logEvery=10', 'sample.every=100'];

/** --tiny's run: 20 steps, checkpoints at 10 and 20 (the resume still crosses one); 64 images (quick statistics). */
const TINY_RUN_SETS = ['train.steps=20', 'train.checkpointEvery=10', 'train.logEvery=2', 'sample.every=10', 'data.syntheticTrain=64'];

/** file name (without .json) → resolved config, for the presets at full size and tiny. */
export function gpuCheckConfigs(): Record<string, Config> {
  const out: Record<string, Config> = {};
  for (const preset of TORCH_SUITE) {
    out[preset] = torchBenchConfig(preset, TORCH_BENCH_BATCH, GPU_CHECK_RUN_SETS);
    out[`${preset}-tiny`] = torchBenchConfig(preset, TINY_BATCH, [...GPU_CHECK_RUN_SETS, ...TINY_SETS, ...TINY_RUN_SETS]);
  }
  return out;
}
