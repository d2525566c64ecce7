// The encoder of a masked-image model, run the three ways the project needs (shared by CAE and MAE):
// on the visible patches for training, on all patches of masked inputs for diagnostics, and on whole images
// for probes (timm's forward_features). Tokens come out after the final LayerNorm, cls first in each sample.
import { dropPathMasks, positions, type MimInputs } from './inputs';
import type { ParamStore } from './params';
import { patchify, type PatchGeometry } from './patches';
import { tf, type Tensor, type Tensor2D } from './tf';
import { concatTokens, dropPathRates, encode, type VitSpec } from './vit';

/** An encoder's weights, its shape and its fixed position table [N, D] (the cls position is zero). */
export interface EncoderParts {
  store: ParamStore;
  spec: VitSpec;
  pos: Float32Array;
}

/** Training: visible patches (+cls), with the step's drop path → z_v [B·(1+Nv), D]. */
export function encodeVisible(e: EncoderParts, inp: MimInputs, capture?: Tensor[]): Tensor2D {
  const keep = dropPathMasks(dropPathRates(e.spec.depth, e.spec.dropPath), inp.batch, inp.nVis + 1, inp.dropPath, 'encoder');
  return encode(e.store, e.spec, { patches: inp.visPatches, pos: positions(e.pos, e.spec.dim, inp.visIdx, inp.nVis), batch: inp.batch, keep, capture });
}

/** Evaluation: all N patches in [visible…, masked…] order (+cls), no drop path → [B·(1+N), D]. */
export function encodeAll(e: EncoderParts, inp: MimInputs, capture?: Tensor[]): Tensor2D {
  const B = inp.batch;
  const patches = concatTokens(inp.visPatches, inp.maskPatches, B);
  const pos = concatTokens(positions(e.pos, e.spec.dim, inp.visIdx, inp.nVis), positions(e.pos, e.spec.dim, inp.maskIdx, inp.nMask), B);
  return encode(e.store, e.spec, { patches, pos, batch: B, capture });
}

/** Probes: whole images NHWC [B, S, S, C], every patch in grid order (+cls) → tokens [B·(1+N), D]. */
export function features(e: EncoderParts, geometry: PatchGeometry, images: Float32Array, batch: number): Tensor2D {
  const N = e.pos.length / e.spec.dim;
  return tf.tidy(() => {
    const patches = tf.tensor2d(patchify(images, batch, geometry), [batch * N, e.spec.patchDim]);
    const pos = tf.tile(tf.tensor2d(e.pos, [N, e.spec.dim]), [batch, 1]) as Tensor2D;
    return encode(e.store, e.spec, { patches, pos, batch });
  });
}
