// The architecture and objective part of a Config, in the form the model code needs it.
import type { Algorithm, Config } from '../config/schema';
import type { AlignSpec } from './align-target';
import { gridSide, patchDim, type PatchGeometry } from './patches';
import type { BlockSpec } from './blocks';
import type { VitSpec } from './vit';

export interface ModelSpec {
  algorithm: Algorithm;
  geometry: PatchGeometry;
  /** Patches per image N = (S/p)². */
  numPatches: number;
  encoder: VitSpec;
  regressorDepth: number;
  decoderDepth: number;
  /** Decoder block shape: CAE keeps the encoder width; MAE uses decoderDim/decoderHeads. */
  decoder: BlockSpec;
  alignWeight: number;
  /** Alignment target normalisation and loss (CAE: raw, MSE). */
  align: AlignSpec;
  teacherMomentum: number;
  normPix: boolean;
  /** Token targets: the tokenizer's vocabulary, the width of the prediction head; 0 for pixel targets. */
  vocabSize: number;
  seed: number;
}

/** The image and patch sizes of a run (its grid side is `gridSide` of this). */
export function patchGeometryOf(c: Config): PatchGeometry {
  return { imageSize: c.data.imageSize, patchSize: c.model.patchSize, channels: c.data.channels };
}

export function modelSpecFromConfig(c: Config): ModelSpec {
  const geometry = patchGeometryOf(c);
  const m = c.model;
  const encoder: VitSpec = {
    dim: m.dim, heads: m.heads, mlpRatio: m.mlpRatio, layerScale: m.layerScale, depth: m.depth,
    patchDim: patchDim(geometry), dropPath: m.dropPath,
  };
  const decoder: BlockSpec = c.algorithm === 'cae'
    ? { dim: m.dim, heads: m.heads, mlpRatio: m.mlpRatio, layerScale: m.layerScale }
    : { dim: m.decoderDim, heads: m.decoderHeads, mlpRatio: m.mlpRatio, layerScale: 0 };
  return {
    algorithm: c.algorithm,
    geometry,
    numPatches: gridSide(geometry) ** 2,
    encoder,
    regressorDepth: m.regressorDepth,
    decoderDepth: m.decoderDepth,
    decoder,
    alignWeight: c.loss.alignWeight,
    align: { target: c.loss.alignTarget, topK: c.loss.alignTopK, loss: c.loss.alignLoss, beta: c.loss.alignBeta },
    teacherMomentum: c.teacher.momentum,
    normPix: c.loss.normPix,
    vocabSize: vocabOf(c),
    seed: c.train.seed,
  };
}

/** Head width for token targets; the vocabulary is recorded in the config once a tokenizer has been resolved. */
function vocabOf(c: Config): number {
  if (c.loss.target !== 'tokens') return 0;
  if (!(c.tokenizer.vocab > 0)) throw new Error('loss.target=tokens needs tokenizer.vocab (filled in from the tokenizer when the run starts)');
  return c.tokenizer.vocab;
}
