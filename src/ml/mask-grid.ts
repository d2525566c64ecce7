// Grid helpers shared by the mask generators (masking.ts, multiblock.ts). Mask value 1 = masked, 0 = visible.
import type { Rng } from './rng';

/** One rectangle placed by a block generator (it may overlap earlier ones). */
export interface MaskBlock {
  top: number;
  left: number;
  h: number;
  w: number;
}

/** One visible cell next to the masked region (any visible cell if none is), so a top-up stays clumped. */
export function topUpCell(mask: Uint8Array, gridH: number, gridW: number, rng: Rng): void {
  const adjacent: number[] = [];
  const any: number[] = [];
  for (let i = 0; i < gridH; i++) {
    for (let j = 0; j < gridW; j++) {
      const p = i * gridW + j;
      if (mask[p]) continue;
      any.push(p);
      if ((i > 0 && mask[p - gridW]) || (i < gridH - 1 && mask[p + gridW]) || (j > 0 && mask[p - 1]) || (j < gridW - 1 && mask[p + 1])) {
        adjacent.push(p);
      }
    }
  }
  const pool = adjacent.length > 0 ? adjacent : any;
  mask[pool[rng.int(pool.length)]] = 1;
}
