// One evaluation pass of a model on the fixed sample batch: no drop path, no gradient tape, no variable writes,
// no random draws — so sampling cannot change the training trajectory. Everything runs inside tf.tidy; only
// typed arrays leave this file.
import type { MimInputs } from '../ml/inputs';
import type { MimModel } from '../ml/model';
import { tf, type Tensor } from '../ml/tf';

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
  const encCap: Tensor[] = [];
  const regCap: Tensor[] = [];
  let outs: Tensor[] = [];
  let hasEncoderDecode = false;
  try {
    outs = tf.tidy(() => {
      const all = model.encodeAll(inp, encCap);
      const cls = encCap.map((p) => rowsOf(p, new Array<number>(inp.batch).fill(0)));
      const pred = model.predictMasked(inp, regCap);
      const encDec = model.decodeEncoderLatents(all, inp);
      hasEncoderDecode = encDec !== null;
      // Regressor query tokens sit after [cls, visible…] in its keys; its queries are the masked tokens themselves.
      return [pred, ...(encDec ? [encDec] : []), ...cls, ...regCap.map((p) => rowsOf(p, queries))];
    });
    const arrays = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
    const depth = model.spec.encoder.depth;
    const first = hasEncoderDecode ? 2 : 1;
    return {
      prediction: arrays[0], encoderDecode: hasEncoderDecode ? arrays[1] : null,
      encoderCls: arrays.slice(first, first + depth), regressor: arrays.slice(first + depth),
    };
  } finally {
    tf.dispose([...encCap, ...regCap, ...outs]);
  }
}
