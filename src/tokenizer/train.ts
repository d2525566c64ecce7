// `mim-lab tokenizer train`: trains the patch-wise VQ-VAE on random resized crops of the train split, then writes
// the tokenizer folder (tokenizer.json, encoder/ and decoder/ TF.js models, metrics.jsonl, reconstructions.png)
// and measures the saved artifact — reloaded from disk — on centre views of the test split.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLoader, loadCentre } from '../data/pipeline';
import { encodePng, imageGrid } from '../data/png';
import type { Dataset, RawImage } from '../data/types';
import { upscale } from '../data/pixels';
import { AdamW } from '../ml/optimizer';
import { normalisePatches, patchify } from '../ml/patches';
import { lrAt } from '../ml/schedule';
import { tf, type Tensor } from '../ml/tf';
import { writeJsonAtomic } from '../util/fs-atomic';
import type { ProgressUpdate } from '../util/progress';
import { buildDecoderModel, buildEncoderModel, type ImageGeometry } from './export';
import { DALLE_MAPPING, TOKENIZER_FILE, type TokenizerMeta } from './format';
import { saveLayersModel } from './model-io';
import { Tokenizer } from './tokenizer';
import { codeUsage, VqVae, type VqSpec } from './vq';

export interface TokenizerTrainOptions {
  outDir: string;
  dataset: Dataset;
  /** Side of the images the tokenizer is trained at, and its code grid side (patch = inputSize / grid). */
  inputSize: number;
  grid: number;
  channels: number;
  cropScale: [number, number];
  hflip: boolean;
  vocab: number;
  hidden: number;
  codeDim: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  logEvery: number;
  /** Progress lines (the CLI prints them; pretrain's auto-training logs them). */
  log: (line: string) => void;
  /** A live progress line per step; while it is shown, the per-`logEvery` progress lines are not logged. */
  progress?: (u: ProgressUpdate) => void;
}

/** One line of the tokenizer's `metrics.jsonl`. */
export interface TokenizerMetricsRow {
  step: number;
  lr: number;
  /** Reconstruction MSE of the per-patch normalised patches (the training objective; 1 = predicting the mean). */
  recon_mse: number;
  commit: number;
  /** exp(entropy) of the batch's code histogram, and codes used in the batch. */
  perplexity: number;
  used_codes: number;
  /** Codes not assigned for `deadAfter` steps (before restarts). */
  dead_codes: number;
  restarted: number;
}

export interface TokenizerEval {
  recon_mse: number;
  perplexity: number;
  used_codes: number;
  dead_codes: number;
  images: number;
}

export interface TokenizerTrainResult {
  dir: string;
  history: TokenizerMetricsRow[];
  eval: TokenizerEval;
}

export const TOKENIZER_DEFAULTS = { hidden: 128, codeDim: 32, batchSize: 64, lr: 2e-3, commitment: 0.25, decay: 0.95, deadAfter: 20 } as const;

/** Test images the saved tokenizer is measured on (centre views). */
const EVAL_IMAGES = 512;

export async function trainTokenizer(o: TokenizerTrainOptions): Promise<TokenizerTrainResult> {
  if (o.inputSize % o.grid !== 0) throw new Error(`tokenizer input size ${o.inputSize} must be a multiple of its grid ${o.grid}`);
  const geom: ImageGeometry = { inputSize: o.inputSize, patchSize: o.inputSize / o.grid, channels: o.channels };
  const pg = { imageSize: o.inputSize, patchSize: geom.patchSize, channels: o.channels };
  const spec: VqSpec = {
    patchDim: geom.patchSize ** 2 * o.channels, hidden: o.hidden, codeDim: o.codeDim, vocab: o.vocab,
    commitment: TOKENIZER_DEFAULTS.commitment, decay: TOKENIZER_DEFAULTS.decay, deadAfter: TOKENIZER_DEFAULTS.deadAfter, seed: o.seed,
  };
  mkdirSync(o.outDir, { recursive: true });
  const metricsFile = join(o.outDir, 'metrics.jsonl');
  writeFileSync(metricsFile, '');
  const zeros = new Array<number>(o.channels).fill(0);
  const loader = new BatchLoader(o.dataset.train, {
    batchSize: o.batchSize, imageSize: o.inputSize, channels: o.channels, mean: zeros, std: zeros.map(() => 1), seed: o.seed,
    augment: { cropScale: o.cropScale, hflip: o.hflip }, prefetch: 2, purpose: 'tokenizer',
  });
  const vq = new VqVae(spec);
  const opt = new AdamW(vq.trainable, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  const schedule = { lr: o.lr, minLr: o.lr / 20, warmupSteps: Math.min(20, Math.floor(o.steps / 10)), steps: o.steps };
  const history: TokenizerMetricsRow[] = [];
  const t0 = performance.now();
  try {
    for (let step = 0; step < o.steps; step++) {
      const batch = await loader.batch(step);
      // Codes of normalised patches describe structure, not colour (inputNorm: patch, see format.ts).
      const rows = normalisePatches(mapPixels(patchify(batch.images, batch.n, pg)), spec.patchDim);
      const x = tf.tensor2d(rows, [rows.length / spec.patchDim, spec.patchDim]);
      const { codes: codesT, q } = vq.assign(x);
      const kept: Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const r = vq.losses(x, q);
        kept.push(tf.keep(r.recon), tf.keep(r.commit), tf.keep(r.z));
        return r.loss;
      }, opt.params());
      kept.push(codesT);
      const lr = lrAt(step, schedule);
      opt.apply(opt.params().map((p) => grads[p.name]), lr);
      const [recon, commit, z, codes] = await Promise.all(kept.map((t) => t.data()));
      tf.dispose([x, q, value, ...Object.values(grads), ...kept]);
      // Restarts stop for the last fifth so the final codebook settles on codes that are actually used.
      const dead = vq.deadCodes(step);
      const restarted = vq.updateCodebook(z as Float32Array, codes as Int32Array, step, step < 0.8 * o.steps);
      const usage = codeUsage(codes as Int32Array, o.vocab);
      const row: TokenizerMetricsRow = {
        step: step + 1, lr, recon_mse: recon[0], commit: commit[0],
        perplexity: usage.perplexity, used_codes: usage.used, dead_codes: dead, restarted,
      };
      history.push(row);
      if (!Number.isFinite(row.recon_mse)) throw new Error(`tokenizer training diverged at step ${step + 1} (recon ${row.recon_mse})`);
      o.progress?.({
        task: 'tokenizer', done: row.step, total: o.steps, unit: 'step', images: row.step * o.batchSize,
        fields: { recon_mse: row.recon_mse, perplexity: row.perplexity, used: row.used_codes },
      });
      if (row.step % o.logEvery === 0 || row.step === o.steps) {
        appendFileSync(metricsFile, `${JSON.stringify(row)}\n`);
        if (!o.progress) o.log(`tokenizer step ${row.step}/${o.steps}  recon_mse ${row.recon_mse.toFixed(5)}  perplexity ${row.perplexity.toFixed(1)}  used ${row.used_codes}/${o.vocab}  dead ${dead}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
    await saveTokenizer(vq, geom, o.outDir, {
      dataset: o.dataset.name, steps: o.steps, batchSize: o.batchSize, lr: o.lr, seed: o.seed, cropScale: o.cropScale, hflip: o.hflip,
    });
  } finally {
    vq.dispose();
    opt.dispose();
  }
  const evaluation = await evaluateSaved(o);
  const metaFile = join(o.outDir, TOKENIZER_FILE);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as TokenizerMeta;
  writeJsonAtomic(metaFile, { ...meta, metrics: { ...evaluation } });
  o.log(`tokenizer (test split, ${evaluation.images} images): recon_mse ${evaluation.recon_mse.toFixed(5)}  perplexity ${evaluation.perplexity.toFixed(1)}  used ${evaluation.used_codes}/${o.vocab}  dead ${evaluation.dead_codes}`);
  return { dir: o.outDir, history, eval: evaluation };
}

/** DALL-E's input mapping 0.8·x + 0.1, in place. */
function mapPixels(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = DALLE_MAPPING.scale * a[i] + DALLE_MAPPING.offset;
  return a;
}

/** Writes a VqVae as a tokenizer folder: encoder/ and decoder/ TF.js LayersModels and tokenizer.json. */
export async function saveTokenizer(vq: VqVae, geom: ImageGeometry, dir: string, training: Record<string, unknown>): Promise<void> {
  const encoder = await buildEncoderModel(vq, geom);
  const decoder = await buildDecoderModel(vq, geom);
  try {
    await saveLayersModel(encoder, join(dir, 'encoder'));
    await saveLayersModel(decoder, join(dir, 'decoder'));
  } finally {
    encoder.dispose();
    decoder.dispose();
  }
  const grid = geom.inputSize / geom.patchSize;
  const meta: TokenizerMeta = {
    format: 'mimlab-tokenizer', version: 1, kind: 'vq-vae-ema', encoder: 'encoder/model.json', decoder: 'decoder/model.json',
    inputSize: geom.inputSize, channels: geom.channels, grid: [grid, grid], vocab: vq.spec.vocab, inputMapping: { ...DALLE_MAPPING },
    inputNorm: 'patch', layout: 'nhwc', output: 'logits',
    training: {
      ...training, hidden: vq.spec.hidden, codeDim: vq.spec.codeDim, patchSize: geom.patchSize, commitment: vq.spec.commitment,
      emaDecay: vq.spec.decay, deadAfter: vq.spec.deadAfter, lookup: 'cosine',
    },
  };
  writeJsonAtomic(join(dir, TOKENIZER_FILE), meta);
}

/** Reloads the folder just written and measures it: reconstruction MSE and codebook usage on test centre views. */
async function evaluateSaved(o: TokenizerTrainOptions): Promise<TokenizerEval> {
  const tok = await Tokenizer.load(o.outDir, { inputSize: 0, fallbackSize: o.inputSize });
  try {
    const n = Math.min(EVAL_IMAGES, o.dataset.test.length);
    const zeros = new Array<number>(o.channels).fill(0);
    const batch = await loadCentre(o.dataset.test, Array.from({ length: n }, (_, i) => i), { imageSize: o.inputSize, channels: o.channels, mean: zeros, std: zeros.map(() => 1) });
    const codes = await tok.encodeUnit(batch.images, n, o.inputSize, o.channels);
    const dec = await tok.decode(codes, n, { images: batch.images, size: o.inputSize, channels: o.channels });
    if (!dec) throw new Error('the saved tokenizer has no decoder');
    let se = 0;
    for (let i = 0; i < batch.images.length; i++) se += (dec.images[i] - batch.images[i]) ** 2;
    const usage = codeUsage(codes, o.vocab);
    writeReconstructions(o, batch.images, dec.images, Math.min(16, n));
    return { recon_mse: se / batch.images.length, perplexity: usage.perplexity, used_codes: usage.used, dead_codes: o.vocab - usage.used, images: n };
  } finally {
    tok.dispose();
  }
}

/** `reconstructions.png`: originals on the top row, their decoded codes below (4× upscaled). */
function writeReconstructions(o: TokenizerTrainOptions, orig: Float32Array, rec: Float32Array, n: number): void {
  const S = o.inputSize;
  const per = S * S * o.channels;
  const img = (a: Float32Array, i: number): RawImage => ({
    width: S, height: S, channels: o.channels,
    data: Uint8Array.from(a.subarray(i * per, (i + 1) * per), (v) => Math.round(255 * Math.min(1, Math.max(0, v)))),
  });
  const k = Math.max(1, Math.round(128 / S));
  const tiles = [...Array.from({ length: n }, (_, i) => upscale(img(orig, i), k)), ...Array.from({ length: n }, (_, i) => upscale(img(rec, i), k))];
  const grid = imageGrid(tiles, n, 2);
  writeFileSync(join(o.outDir, 'reconstructions.png'), encodePng(grid.data, grid.width, grid.height, grid.channels as 1 | 3));
}
