// MAE (He et al. 2022) on the same engine: encoder on visible patches; a lighter decoder over all positions
// (encoder outputs + mask tokens) predicts the masked patches; MSE on masked patches only.
// Tokens stay in [cls, visible…, masked…] order with their own positions (see cae.ts for why that is exact).
import { applyBlock, applyLayerNorm, applyLinear, createBlock, createLayerNorm, createLinear } from './blocks';
import { positions, type MimInputs } from './inputs';
import { encodeAll, encodeVisible, type EncoderParts } from './masked-encoder';
import type { LossParts, MimModel } from './model';
import type { ModelSpec } from './model-spec';
import { ParamStore } from './params';
import { get2dSincosPosEmbed } from './posembed';
import { headWidth, maskedObjective } from './objective';
import { tf, type Scalar, type Tensor, type Tensor2D } from './tf';
import { gridSide } from './patches';
import { concatTokens, createEncoder } from './vit';

export class MaeModel implements MimModel {
  readonly encoder: ParamStore;
  readonly decoder: ParamStore;
  readonly pos: Float32Array;
  readonly decoderPos: Float32Array;
  private readonly parts: EncoderParts;

  constructor(readonly spec: ModelSpec) {
    const e = spec.encoder;
    const dd = spec.decoder.dim;
    const side = gridSide(spec.geometry);
    this.pos = get2dSincosPosEmbed(e.dim, side, side);
    this.decoderPos = get2dSincosPosEmbed(dd, side, side);
    this.encoder = createEncoder(spec.seed, 'encoder', e);
    this.parts = { store: this.encoder, spec: e, pos: this.pos };
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
    return encodeVisible(this.parts, inp, capture);
  }

  encodeAll(inp: MimInputs, capture?: Tensor[]): Tensor2D {
    return encodeAll(this.parts, inp, capture);
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

  predictMasked(inp: MimInputs): Tensor2D {
    return this.decode(this.encodeVisible(inp), inp);
  }

  decodeEncoderLatents(): null {
    return null; // MAE's decoder reads encoder outputs already: there is no regressor to remove
  }

  prepare(): { targets: Tensor[]; latentStd: Scalar | null } {
    return { targets: [], latentStd: null };
  }

  losses(inp: MimInputs): LossParts {
    const { main, acc } = maskedObjective(this.predictMasked(inp), inp); // MSE on pixels or CE on tokens
    return { loss: main, main, align: null, acc };
  }

  afterStep(): void {}

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
