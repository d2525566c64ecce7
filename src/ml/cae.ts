// CAE (Chen et al. 2022): encoder on visible patches → latent contextual regressor predicts the masked
// patches' latents → aligned with the teacher's latents of the masked patches, and decoded to pixels.
// Tokens are kept in [visible…, masked…] order per sample; attention is permutation-equivariant and every
// token carries its own position, so this equals the paper's spatial order without any gather.
import { alignLoss, alignTarget, needsBlockOutputs } from './align-target';
import { applyBlock, applyCrossBlock, applyLayerNorm, applyLinear, createBlock, createCrossBlock, createLayerNorm, createLinear } from './blocks';
import { dropPathMasks, positions, type MimInputs } from './inputs';
import { fusedActive } from './kernels/fused';
import { fusedEmaAll } from './kernels/fused-ops';
import { encodeAll, encodeVisible, type EncoderParts } from './masked-encoder';
import type { LossParts, MimModel } from './model';
import type { ModelSpec } from './model-spec';
import { ParamStore } from './params';
import { get2dSincosPosEmbed } from './posembed';
import { dataVar, meanColumnStd } from './signals';
import { headWidth, maskedObjective } from './objective';
import { tf, type Scalar, type Tensor, type Tensor2D } from './tf';
import { gridSide } from './patches';
import { concatTokens, createEncoder, dropPathRates, encode, splitCls } from './vit';

export class CaeModel implements MimModel {
  readonly encoder: ParamStore;
  readonly teacher: ParamStore;
  readonly regressor: ParamStore;
  readonly decoder: ParamStore;
  /** Fixed 2-D sin-cos position embedding [N, D] (the cls position is zero). */
  readonly pos: Float32Array;
  private readonly parts: EncoderParts;

  constructor(readonly spec: ModelSpec) {
    const e = spec.encoder;
    const side = gridSide(spec.geometry);
    this.pos = get2dSincosPosEmbed(e.dim, side, side);
    this.encoder = createEncoder(spec.seed, 'encoder', e);
    this.parts = { store: this.encoder, spec: e, pos: this.pos };
    this.teacher = createEncoder(spec.seed, 'teacher', e, false);
    for (const [name, v] of this.teacher.entries()) tf.tidy(() => v.assign(this.encoder.get(name)));
    this.regressor = new ParamStore(spec.seed, 'regressor');
    this.regressor.create('maskToken', [e.dim], { kind: 'truncNormal', std: 0.02 });
    for (let i = 0; i < spec.regressorDepth; i++) createCrossBlock(this.regressor, `blocks.${i}`, e, i + 1);
    createLayerNorm(this.regressor, 'norm', e.dim);
    this.decoder = new ParamStore(spec.seed, 'decoder');
    for (let i = 0; i < spec.decoderDepth; i++) createBlock(this.decoder, `blocks.${i}`, spec.decoder, i + 1);
    createLayerNorm(this.decoder, 'norm', e.dim);
    createLinear(this.decoder, 'head', e.dim, headWidth(spec.vocabSize, e.patchDim)); // pixels, or logits over the tokenizer's vocabulary
  }

  get trainable(): Record<string, ParamStore> {
    return { encoder: this.encoder, regressor: this.regressor, decoder: this.decoder };
  }

  get frozen(): Record<string, ParamStore> {
    return { teacher: this.teacher };
  }

  // ---- encoder: visible patches (+cls) → z_v [B·(1+Nv), D] ------------------------------------------
  encodeVisible(inp: MimInputs, capture?: Tensor[]): Tensor2D {
    return encodeVisible(this.parts, inp, capture);
  }

  encodeAll(inp: MimInputs, capture?: Tensor[]): Tensor2D {
    return encodeAll(this.parts, inp, capture);
  }

  // ---- teacher: masked patches only (+cls), no gradient → latent_target [B·Nm, D] (see align-target.ts) --
  teacherTargets(inp: MimInputs): Tensor2D {
    return tf.tidy(() => this.teacherForward(inp).target);
  }

  /** The teacher's raw latents of the masked patches and the alignment target made from them (the same values for raw). */
  teacherForward(inp: MimInputs): { latent: Tensor2D; target: Tensor2D } {
    return tf.tidy(() => {
      const blocks: Tensor2D[] | undefined = needsBlockOutputs(this.spec.align) ? [] : undefined;
      const z = encode(this.teacher, this.spec.encoder, {
        patches: inp.maskPatches, pos: positions(this.pos, this.spec.encoder.dim, inp.maskIdx, inp.nMask), batch: inp.batch, blocks,
      });
      const latent = splitCls(z, inp.batch).patches;
      const target = alignTarget(this.spec.align, latent, (blocks ?? []).map((b) => splitCls(b, inp.batch).patches), inp.batch);
      return { latent, target: target === latent ? tf.clone(latent) : target };
    });
  }

  // ---- latent contextual regressor: z_v → latent_pred [B·Nm, D] (LayerNorm'd) ------------------------
  regress(zv: Tensor2D, inp: MimInputs, capture?: Tensor[]): Tensor2D {
    const { batch, nMask } = inp;
    const d = this.spec.encoder.dim;
    const posQ = positions(this.pos, d, inp.maskIdx, nMask);
    const posVis = positions(this.pos, d, inp.visIdx, inp.nVis);
    const posK = concatTokens(concatTokens(tf.zeros([batch, d]) as Tensor2D, posVis, batch), posQ, batch); // cls, visible, masked
    let xq = tf.add(tf.zeros([batch * nMask, d]), this.regressor.get('maskToken')) as Tensor2D;
    const keep = dropPathMasks(dropPathRates(this.spec.regressorDepth, this.spec.encoder.dropPath), batch, nMask, inp.dropPath, 'regressor');
    for (let i = 0; i < this.spec.regressorDepth; i++) {
      const xkv = concatTokens(zv, xq, batch); // keys/values: visible latents and the current queries
      xq = applyCrossBlock(this.regressor, `blocks.${i}`, this.spec.encoder, { xq, posQ, xkv, posK }, { batch, keep: keep[i], capture });
    }
    return applyLayerNorm(this.regressor, 'norm', xq);
  }

  // ---- decoder: latents of masked patches (+positions) → per-patch prediction [B·Nm, P] --------------
  decode(latent: Tensor2D, inp: MimInputs): Tensor2D {
    let x = tf.add(latent, positions(this.pos, this.spec.encoder.dim, inp.maskIdx, inp.nMask)) as Tensor2D;
    for (let i = 0; i < this.spec.decoderDepth; i++) x = applyBlock(this.decoder, `blocks.${i}`, this.spec.decoder, x, { batch: inp.batch });
    return applyLinear(this.decoder, 'head', applyLayerNorm(this.decoder, 'norm', x));
  }

  predictMasked(inp: MimInputs, capture?: Tensor[]): Tensor2D {
    return this.decode(this.regress(this.encodeVisible(inp), inp, capture), inp);
  }

  /** The encoder's latents of the masked patches (the last Nm tokens of each sample, no gather) → decoder. */
  decodeEncoderLatents(all: Tensor2D, inp: MimInputs): Tensor2D {
    const d = this.spec.encoder.dim;
    const masked = tf.slice(tf.reshape(all, [inp.batch, 1 + inp.nVis + inp.nMask, d]), [0, 1 + inp.nVis, 0], [inp.batch, inp.nMask, d]);
    return this.decode(tf.reshape(masked, [inp.batch * inp.nMask, d]) as Tensor2D, inp);
  }

  prepare(inp: MimInputs): { targets: Tensor[]; latentStd: Scalar | null; targetVar: Scalar } {
    const { latent, target } = this.teacherForward(inp);
    const latentStd = meanColumnStd(latent); // of the raw latents, whatever the target
    latent.dispose();
    return { targets: [target], latentStd, targetVar: dataVar(target) };
  }

  losses(inp: MimInputs, targets: Tensor[]): LossParts {
    const zv = this.encodeVisible(inp);
    const latentPred = this.regress(zv, inp);
    const { main, acc } = maskedObjective(this.decode(latentPred, inp), inp); // MSE on pixels or CE on tokens
    const align = alignLoss(this.spec.align, latentPred, targets[0] as Tensor2D);
    // With λ = 0 the alignment term stays out of the graph entirely (logged, contributes no gradient).
    const loss = this.spec.alignWeight > 0 ? (tf.add(main, tf.mul(align, this.spec.alignWeight)) as Scalar) : main;
    return { loss, main, align, acc, predVar: dataVar(latentPred) };
  }

  /** θ_t ← m·θ_t + (1−m)·θ_e (m = 0: a copy of the encoder); m from the teacher schedule when given. */
  afterStep(teacherMomentum?: number): void {
    const m = teacherMomentum ?? this.spec.teacherMomentum;
    if (m !== 0 && fusedActive()) {
      const pairs = this.teacher.entries();
      tf.tidy(() => {
        const out = fusedEmaAll(pairs.map(([, t]) => t), pairs.map(([n]) => this.encoder.get(n)), m); // one kernel call
        pairs.forEach(([, t], i) => t.assign(out[i]));
      });
      return;
    }
    for (const [name, t] of this.teacher.entries()) {
      tf.tidy(() => t.assign(m === 0 ? this.encoder.get(name) : tf.add(tf.mul(t, m), tf.mul(this.encoder.get(name), 1 - m))));
    }
  }

  dispose(): void {
    for (const s of [this.encoder, this.teacher, this.regressor, this.decoder]) s.dispose();
  }
}
