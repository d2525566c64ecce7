// Token targets for a pretraining run: resolve the run's tokenizer (load it, or with `tokenizer.path=auto` train
// one into the run folder), check its code grid against the ViT patch grid before training, and record what was
// resolved (absolute path, input size, vocabulary) in the config, so config.json alone rebuilds the model.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/resolve';
import type { Config } from '../config/schema';
import type { Dataset } from '../data/types';
import { patchGeometryOf } from '../ml/model-spec';
import { gridSide } from '../ml/patches';
import { TOKENIZER_FILE, TokenizerError } from './format';
import { Tokenizer } from './tokenizer';
import type { ProgressUpdate } from '../util/progress';
import { TOKENIZER_DEFAULTS, trainTokenizer, type TokenizerTrainOptions } from './train';

export const AUTO_TOKENIZER = 'auto';
/** Where `tokenizer.path=auto` puts the tokenizer, inside the run folder. */
export const RUN_TOKENIZER_DIR = 'tokenizer';

export function usesTokens(c: Config): boolean {
  return c.loss.target === 'tokens';
}

export function isAutoTokenizer(c: Config): boolean {
  return c.tokenizer.path.trim() === AUTO_TOKENIZER;
}

/** ViT patch grid side: data.imageSize / model.patchSize. */
export function vitGrid(c: Config): number {
  return gridSide(patchGeometryOf(c));
}

/** The clear error the issue asks for: both grids, and the keys that set them. */
export function checkTokenizerGrid(c: Config, tok: Pick<Tokenizer, 'grid' | 'inputSize' | 'path' | 'resizable'>): void {
  const g = vitGrid(c);
  const [h, w] = tok.grid;
  if (h === g && w === g) return;
  const factor = tok.inputSize / h;
  const hint = !tok.resizable
    ? ` — this tokenizer only takes ${tok.inputSize} px images: train one for this ViT (mim-lab tokenizer train with the same data.imageSize and model.patchSize, or tokenizer.path=auto), or change data.imageSize/model.patchSize to give a ${h}×${w} grid`
    : Number.isInteger(factor) && h === w ? ` — set tokenizer.inputSize=${factor * g} (this tokenizer downsamples by ${factor}), or change data.imageSize/model.patchSize` : '';
  throw new ConfigError(
    `tokenizer grid mismatch: tokenizer.path=${tok.path} yields a ${h}×${w} code grid at ${tok.inputSize} px input ` +
    `(tokenizer.inputSize=${c.tokenizer.inputSize}${c.tokenizer.inputSize === 0 ? ', its own size' : ''}), but the ViT patch grid is ${g}×${g} ` +
    `(data.imageSize=${c.data.imageSize} / model.patchSize=${c.model.patchSize})${hint}`,
  );
}

/** Options for training a tokenizer that fits run config `c` (its grid is the ViT grid by construction). */
export function tokenizerTrainOptions(
  c: Config, dataset: Dataset, outDir: string, log: (line: string) => void, progress?: (u: ProgressUpdate) => void,
): TokenizerTrainOptions {
  const grid = vitGrid(c);
  const inputSize = c.tokenizer.inputSize > 0 ? c.tokenizer.inputSize : c.data.imageSize;
  if (inputSize % grid !== 0) {
    throw new ConfigError(`tokenizer.inputSize (${inputSize}) must be a multiple of the ViT grid ${grid} (data.imageSize / model.patchSize) to train a patch-wise tokenizer`);
  }
  return {
    outDir, dataset, inputSize, grid, channels: c.data.channels, cropScale: c.data.cropScale, hflip: c.data.hflip,
    vocab: c.tokenizer.vocab, hidden: TOKENIZER_DEFAULTS.hidden, codeDim: TOKENIZER_DEFAULTS.codeDim, steps: c.tokenizer.steps,
    batchSize: TOKENIZER_DEFAULTS.batchSize, lr: TOKENIZER_DEFAULTS.lr, seed: c.train.seed, logEvery: 50, log,
    ...(progress ? { progress } : {}),
  };
}

export interface ResolvedTokenizer {
  tokenizer: Tokenizer;
  /** `c` with tokenizer.path (absolute), inputSize and vocab as loaded. */
  config: Config;
}

/**
 * Loads the run's tokenizer and checks it against the ViT; with `tokenizer.path=auto`, first trains one into
 * `<runDir>/tokenizer` (or reuses the one there, e.g. on resume). Input errors are ConfigErrors naming the keys.
 */
export async function resolveTokenizer(
  c: Config, dataset: Dataset, runDir: string | null, log: (line: string) => void, progress?: (u: ProgressUpdate) => void,
): Promise<ResolvedTokenizer> {
  let path = c.tokenizer.path.trim();
  if (path === AUTO_TOKENIZER) {
    if (!runDir) throw new Error('tokenizer.path=auto needs the run folder');
    path = join(runDir, RUN_TOKENIZER_DIR);
    if (existsSync(join(path, TOKENIZER_FILE))) {
      log(`tokenizer.path=auto: reusing ${path}`);
    } else {
      log(`tokenizer.path=auto: training a ${c.tokenizer.vocab}-code VQ-VAE tokenizer for ${c.tokenizer.steps} steps into ${path} (reuse one across runs: mim-lab tokenizer train --out DIR, then tokenizer.path=DIR)`);
      await trainTokenizer(tokenizerTrainOptions(c, dataset, path, log, progress));
    }
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = await Tokenizer.load(path, { inputSize: c.tokenizer.inputSize, fallbackSize: c.data.imageSize });
  } catch (err) {
    if (err instanceof TokenizerError) throw new ConfigError(`tokenizer.path=${path}: ${err.message}`);
    throw err;
  }
  try {
    checkTokenizerGrid(c, tokenizer);
    if (tokenizer.channels !== c.data.channels && !(c.data.channels === 1 && tokenizer.channels === 3)) {
      throw new ConfigError(`tokenizer.path=${path} takes ${tokenizer.channels}-channel images but data.channels is ${c.data.channels}`);
    }
  } catch (err) {
    tokenizer.dispose();
    throw err;
  }
  if (tokenizer.vocab !== c.tokenizer.vocab) log(`tokenizer vocabulary: ${tokenizer.vocab} codes (tokenizer.vocab ${c.tokenizer.vocab} replaced)`);
  const config: Config = { ...c, tokenizer: { ...c.tokenizer, path: resolve(path), inputSize: tokenizer.inputSize, vocab: tokenizer.vocab } };
  return { tokenizer, config };
}
