// The masking generator's spec for a config: the patch grid and the masked count of a run.
import type { Config } from '../config/schema';
import type { MaskSpec } from './masking';

/** The masking generator's spec of a run: its square patch grid, masked count, kind and minimum block. */
export function maskSpecOf(c: Config): MaskSpec {
  const g = c.data.imageSize / c.model.patchSize;
  return { kind: c.mask.kind, gridH: g, gridW: g, count: c.mask.count, minBlock: c.mask.minBlock };
}
