// One line saying what a bench config trains: algorithm, image, ViT shape, decoder, batch, masked patches.
import type { Config } from '../config/schema';

export function describeConfig(c: Config): string {
  const m = c.model;
  return `${c.algorithm.toUpperCase()}, ${c.data.imageSize} px, patch ${m.patchSize}, width ${m.dim}, depth ${m.depth}, ${m.heads} heads`
    + `${c.algorithm === 'cae' ? `, regressor ${m.regressorDepth}, decoder ${m.decoderDepth}` : `, decoder ${m.decoderDepth}×${m.decoderDim}`}`
    + `, batch ${c.train.batchSize}, ${c.mask.count} masked`;
}
