// One evaluation pass of a model on the fixed sample batch: no drop path, no gradient tape, no variable writes,
// no random draws — so sampling cannot change the training trajectory. Everything runs inside tf.tidy; only
// typed arrays leave this file.
import { CaeModel, concatTokens } from '../ml/cae';
import { positions, type MimInputs } from '../ml/inputs';
import { MaeModel } from '../ml/mae';
import type { MimModel } from '../ml/model';
import { tf, type Tensor, type Tensor2D } from '../ml/tf';
import { encode } from '../ml/vit';

export interface EvalOutputs {
  /** Prediction for the masked patches through the regressor (CAE) or the decoder (MAE) [B·Nm, P], target space. */
  prediction: Float32Array;
  /**
   * CAE only: the encoder sees ALL patches; its outputs at the masked positions go straight into the decoder,
   * regressor removed [B·Nm, P]. Null for MAE.
   */
  encoderDecode: Float32Array | null;
  /** Per encoder layer (encoder on all patches): the cls query's row [B, H, 1+N], keys [cls, visible…, masked…]. */
  encoderCls: Float32Array[];
  /** Per regressor layer: the chosen masked query's row [B, H, 1+Nv+Nm], keys [cls, visible…, masked queries…]. */
  regressor: Float32Array[];
}

function asMim(model: MimModel): CaeModel | MaeModel {
  if (model instanceof CaeModel || model instanceof MaeModel) return model;
  throw new Error(`diagnostics: unsupported model ${model.spec.algorithm}`);
}

/** Encoder over all N patches in [visible…, masked…] order (+cls) → [B·(1+N), D]; attention pushed to `capture`. */
function encodeAll(model: CaeModel | MaeModel, inp: MimInputs, capture: Tensor[]): Tensor2D {
  const d = model.spec.encoder.dim;
  const B = inp.batch;
  const patches = concatTokens(inp.visPatches, inp.maskPatches, B);
  const pos = concatTokens(positions(model.pos, d, inp.visIdx, inp.nVis), positions(model.pos, d, inp.maskIdx, inp.nMask), B);
  return encode(model.encoder, model.spec.encoder, { patches, pos, batch: B, capture });
}

/** Row `q[b]` of each sample from attention probs [B, H, Nq, Nk] → [B, H, Nk]. */
function rowsOf(probs: Tensor, q: number[]): Tensor {
  const [B, H, , Nk] = probs.shape;
  return tf.concat(Array.from({ length: B }, (_, b) => tf.slice(probs, [b, 0, q[b], 0], [1, H, 1, Nk])), 0).reshape([B, H, Nk]);
}

/**
 * `inp` must be evaluation inputs (no drop-path draw). `queries[b]` is the position, in sample b's masked list,
 * of the masked patch whose regressor cross-attention is kept.
 */
export async function evalForward(model: MimModel, inp: MimInputs, queries: number[]): Promise<EvalOutputs> {
  if (inp.dropPath) throw new Error('evalForward: inputs carry a drop-path draw; build them without one (evaluation)');
  const m = asMim(model);
  const encCap: Tensor[] = [];
  const regCap: Tensor[] = [];
  let outs: Tensor[] = [];
  try {
    outs = tf.tidy(() => {
      const all = encodeAll(m, inp, encCap);
      const cls = encCap.map((p) => rowsOf(p, new Array<number>(inp.batch).fill(0)));
      if (m instanceof MaeModel) return [m.decode(m.encodeVisible(inp), inp), ...cls];
      const pred = m.decode(m.regress(m.encodeVisible(inp), inp, regCap), inp);
      // Encoder outputs at the masked positions: the last Nm tokens of each sample (no gather needed).
      const d = m.spec.encoder.dim;
      const masked = tf.slice(tf.reshape(all, [inp.batch, 1 + inp.nVis + inp.nMask, d]), [0, 1 + inp.nVis, 0], [inp.batch, inp.nMask, d]);
      const encDec = m.decode(tf.reshape(masked, [inp.batch * inp.nMask, d]) as Tensor2D, inp);
      // Regressor query tokens sit after [cls, visible…] in its keys; its queries are the masked tokens themselves.
      return [pred, encDec, ...cls, ...regCap.map((p) => rowsOf(p, queries))];
    });
    const arrays = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
    const depth = m.spec.encoder.depth;
    if (m instanceof MaeModel) return { prediction: arrays[0], encoderDecode: null, encoderCls: arrays.slice(1, 1 + depth), regressor: [] };
    return { prediction: arrays[0], encoderDecode: arrays[1], encoderCls: arrays.slice(2, 2 + depth), regressor: arrays.slice(2 + depth) };
  } finally {
    tf.dispose([...encCap, ...regCap, ...outs]);
  }
}
