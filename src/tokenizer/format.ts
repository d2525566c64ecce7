// The tokenizer folder on disk: `tokenizer.json` (what the models expect and produce) next to TF.js model
// folders (`encoder/model.json` + weights, optionally `decoder/`). Any TF.js encoder works without a
// tokenizer.json too: its input size, grid and vocabulary are then read off the model itself.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const TOKENIZER_FILE = 'tokenizer.json';

/** DALL-E's `map_pixels`: [0, 1] pixels → 0.8·x + 0.1, keeping the logit-Laplace likelihood away from 0 and 1. */
export const DALLE_MAPPING = { scale: 0.8, offset: 0.1 } as const;

export interface TokenizerMeta {
  format: 'mimlab-tokenizer';
  version: 1;
  /** e.g. `vq-vae-ema` (ours) or `dall-e-dvae` (converted). */
  kind: string;
  /** Model folders or model.json files, relative to this file. */
  encoder: string;
  decoder: string | null;
  /** Side of the square input the encoder was trained at; null: any size. */
  inputSize: number | null;
  channels: number;
  /** Code grid [h, w] at `inputSize` (informational; the real grid is measured at load time). */
  grid: [number, number] | null;
  vocab: number;
  /** x_in = scale·x + offset for x in [0, 1]; the decoder's output is unmapped with the inverse. */
  inputMapping: { scale: number; offset: number };
  /**
   * `patch`: after the mapping, every grid cell is normalised by its own mean and std (over pixels and
   * channels, as norm-pix), so codes describe structure rather than colour; the decoder then outputs
   * normalised cells, rescaled with the stats of the image they came from. Absent: `none`.
   */
  inputNorm?: 'none' | 'patch';
  /** Tensor layout of encoder input/output and decoder input/output. */
  layout: 'nhwc' | 'nchw';
  /** `logits` [B, h, w, V] (argmax over V) or `codes` [B, h, w]. */
  output: 'logits' | 'codes';
  /** Decoder output: mapped pixels, or DALL-E's logit-Laplace statistics (2·C channels; pixels = sigmoid of the first C). */
  decoderOutput?: 'pixels' | 'logit-laplace';
  /** Free-form: how it was trained, and its measured quality. */
  training?: Record<string, unknown>;
  metrics?: Record<string, number>;
}

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** Where the files of a tokenizer are, from a folder with tokenizer.json, a model folder, or a model.json. */
export interface TokenizerLocation {
  root: string;
  /** Parsed tokenizer.json, or null for a bare TF.js model. */
  meta: Partial<TokenizerMeta> | null;
  encoderJson: string;
  decoderJson: string | null;
}

function modelJsonOf(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : path;
}

export function locateTokenizer(path: string): TokenizerLocation {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new TokenizerError(`tokenizer.path does not exist: ${abs} (train one with \`mim-lab tokenizer train --out ${path}\`)`);
  const isDir = statSync(abs).isDirectory();
  const metaFile = isDir ? join(abs, TOKENIZER_FILE) : abs.endsWith(TOKENIZER_FILE) ? abs : '';
  if (metaFile && existsSync(metaFile)) {
    const root = dirname(metaFile);
    let meta: Partial<TokenizerMeta>;
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Partial<TokenizerMeta>;
    } catch (err) {
      throw new TokenizerError(`${metaFile} is not valid JSON (${(err as Error).message})`);
    }
    const encoderJson = modelJsonOf(join(root, meta.encoder ?? 'encoder'));
    if (!existsSync(encoderJson)) throw new TokenizerError(`${metaFile}: encoder model not found at ${encoderJson}`);
    const decoderJson = meta.decoder ? modelJsonOf(join(root, meta.decoder)) : null;
    if (decoderJson && !existsSync(decoderJson)) throw new TokenizerError(`${metaFile}: decoder model not found at ${decoderJson}`);
    return { root, meta, encoderJson, decoderJson };
  }
  const encoderJson = modelJsonOf(abs);
  if (!existsSync(encoderJson)) {
    throw new TokenizerError(`tokenizer.path ${abs} holds neither ${TOKENIZER_FILE} nor a TF.js model.json`);
  }
  return { root: dirname(encoderJson), meta: null, encoderJson, decoderJson: null };
}

/** Checks the fields a loader relies on; unknown or missing optional fields fall back to DALL-E's conventions. */
export function checkMeta(meta: Partial<TokenizerMeta>, file: string): void {
  const bad = (what: string): never => {
    throw new TokenizerError(`${file}: ${what}`);
  };
  if (meta.vocab !== undefined && !(Number.isInteger(meta.vocab) && meta.vocab >= 1)) bad(`vocab must be an integer ≥ 1, got ${meta.vocab}`);
  if (meta.channels !== undefined && meta.channels !== 1 && meta.channels !== 3) bad(`channels must be 1 or 3, got ${meta.channels}`);
  if (meta.layout !== undefined && meta.layout !== 'nhwc' && meta.layout !== 'nchw') bad(`layout must be nhwc or nchw, got ${meta.layout}`);
  if (meta.output !== undefined && meta.output !== 'logits' && meta.output !== 'codes') bad(`output must be logits or codes, got ${meta.output}`);
  if (meta.inputSize !== undefined && meta.inputSize !== null && !(Number.isInteger(meta.inputSize) && meta.inputSize >= 1)) {
    bad(`inputSize must be a positive integer or null, got ${meta.inputSize}`);
  }
  if (meta.decoderOutput !== undefined && meta.decoderOutput !== 'pixels' && meta.decoderOutput !== 'logit-laplace') {
    bad(`decoderOutput must be pixels or logit-laplace, got ${meta.decoderOutput}`);
  }
  if (meta.inputNorm !== undefined && meta.inputNorm !== 'none' && meta.inputNorm !== 'patch') bad(`inputNorm must be none or patch, got ${meta.inputNorm}`);
  if (meta.inputNorm === 'patch' && meta.layout === 'nchw') bad('inputNorm patch needs layout nhwc');
  const m = meta.inputMapping;
  if (m !== undefined && !(typeof m.scale === 'number' && typeof m.offset === 'number')) bad('inputMapping must be {scale, offset}');
}
