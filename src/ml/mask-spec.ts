// The masking generator's spec for a config: the patch grid and the masked count of a run.
import type { Config } from '../config/schema';
import type { MaskSpec } from './masking';
import { patchGeometryOf } from './model-spec';
import { gridSide } from './patches';

/** The masking generator's spec of a run: its square patch grid, masked count, kind, minimum block and multiblock settings. */
export function maskSpecOf(c: Config): MaskSpec {
  const g = gridSide(patchGeometryOf(c));
  return {
    kind: c.mask.kind, gridH: g, gridW: g, count: c.mask.count, minBlock: c.mask.minBlock,
    blocks: c.mask.blocks, blockScale: c.mask.blockScale, blockAspect: c.mask.blockAspect,
  };
}
