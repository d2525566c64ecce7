// The architecture and objective part of a Config, in the form the model code needs it.
import type { Algorithm, Config } from '../config/schema';
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
  teacherMomentum: number;
  normPix: boolean;
  seed: number;
}

export function modelSpecFromConfig(c: Config): ModelSpec {
  const geometry: PatchGeometry = { imageSize: c.data.imageSize, patchSize: c.model.patchSize, channels: c.data.channels };
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
    teacherMomentum: c.teacher.momentum,
    normPix: c.loss.normPix,
    seed: c.train.seed,
  };
}
