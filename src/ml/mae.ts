// MAE (He et al. 2022) on the same engine: encoder on visible patches; a lighter decoder over all positions
// (encoder outputs + mask tokens) predicts the masked patches; MSE on masked patches only.
// Tokens stay in [cls, visible…, masked…] order with their own positions (see cae.ts for why that is exact).
import { applyBlock, applyLayerNorm, applyLinear, createBlock, createLayerNorm, createLinear } from './blocks';
import { concatTokens } from './cae';
import { dropPathMasks, positions, type MimInputs } from './inputs';
import type { LossParts, MimModel } from './model';
import type { ModelSpec } from './model-spec';
import { ParamStore } from './params';
import { get2dSincosPosEmbed } from './posembed';
import { headWidth, maskedObjective } from './objective';
import { tf, type Scalar, type Tensor, type Tensor2D } from './tf';
import { createEncoder, dropPathRates, encode } from './vit';

export class MaeModel implements MimModel {
  readonly encoder: ParamStore;
  readonly decoder: ParamStore;
  readonly pos: Float32Array;
  readonly decoderPos: Float32Array;

  constructor(readonly spec: ModelSpec) {
    const e = spec.encoder;
    const dd = spec.decoder.dim;
    const grid = Math.sqrt(spec.numPatches);
    this.pos = get2dSincosPosEmbed(e.dim, grid, grid);
    this.decoderPos = get2dSincosPosEmbed(dd, grid, grid);
    this.encoder = createEncoder(spec.seed, 'encoder', e);
    this.decoder = new ParamStore(spec.seed, 'decoder');
    createLinear(this.decoder, 'embed', e.dim, dd);
    this.decoder.create('maskToken', [dd], { kind: 'truncNormal', std: 0.02 });
    for (let i = 0; i < spec.decoderDepth; i++) createBlock(this.decoder, `blocks.${i}`, spec.decoder, i + 1);
    createLayerNorm(this.decoder, 'norm', dd);
    createLinear(this.decoder, 'pred', dd, headWidth(spec.vocabSize, e.patchDim)); // pixels, or logits over the tokenizer's vocabulary
  }

  get trainable(): Record<string, ParamStore> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  get frozen(): Record<string, ParamStore> {
    return {};
  }

  encodeVisible(inp: MimInputs, capture?: Tensor[]): Tensor2D {
    const keep = dropPathMasks(dropPathRates(this.spec.encoder.depth, this.spec.encoder.dropPath), inp.batch, inp.nVis + 1, inp.dropPath, 'encoder');
    return encode(this.encoder, this.spec.encoder, {
      patches: inp.visPatches, pos: positions(this.pos, this.spec.encoder.dim, inp.visIdx, inp.nVis), batch: inp.batch, keep, capture,
    });
  }

  /** Encoder output [B·(1+Nv), D] → prediction for the masked patches [B·Nm, P]. */
  decode(zv: Tensor2D, inp: MimInputs): Tensor2D {
    const { batch, nVis, nMask } = inp;
    const dd = this.spec.decoder.dim;
    const vis = applyLinear(this.decoder, 'embed', zv); // [B·(1+Nv), Dd]
    const posVis = concatTokens(tf.zeros([batch, dd]) as Tensor2D, positions(this.decoderPos, dd, inp.visIdx, nVis), batch);
    const masked = tf.add(tf.zeros([batch * nMask, dd]), this.decoder.get('maskToken')) as Tensor2D;
    let x = concatTokens(tf.add(vis, posVis) as Tensor2D, tf.add(masked, positions(this.decoderPos, dd, inp.maskIdx, nMask)) as Tensor2D, batch);
    for (let i = 0; i < this.spec.decoderDepth; i++) x = applyBlock(this.decoder, `blocks.${i}`, this.spec.decoder, x, { batch });
    const out = applyLinear(this.decoder, 'pred', applyLayerNorm(this.decoder, 'norm', x)); // [B·(1+N), P]
    const p = out.shape[1];
    const maskedOut = tf.slice(tf.reshape(out, [batch, 1 + nVis + nMask, p]), [0, 1 + nVis, 0], [batch, nMask, p]);
    return tf.reshape(maskedOut, [batch * nMask, p]) as Tensor2D;
  }

  prepare(): { targets: Tensor[]; latentStd: Scalar | null } {
    return { targets: [], latentStd: null };
  }

  losses(inp: MimInputs): LossParts {
    const { main, acc } = maskedObjective(this.decode(this.encodeVisible(inp), inp), inp); // MSE on pixels or CE on tokens
    return { loss: main, main, align: null, acc };
  }

  afterStep(): void {}

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
