// One optimizer step: forward/backward on each micro-batch (gradients accumulated), clip, check the loss is
// finite, then update and run the model's post-step hook. Numbers are read once per step, outside the tape.
import type { MimInputs } from './inputs';
import type { MimModel } from './model';
import { clipByGlobalNorm, type AdamW } from './optimizer';
import { tf, type Scalar, type Tensor } from './tf';

export interface StepResult {
  loss: number;
  lossMain: number;
  lossAlign: number | null;
  gradNorm: number;
  latentStd: number | null;
  /** Token accuracy on the masked patches (token targets); null for pixel targets. */
  mlmAcc: number | null;
  /** data2vec's target_var / pred_var of the alignment targets and predictions (CAE); null for MAE. */
  targetVar: number | null;
  predVar: number | null;
  /** False when the loss or gradient was not finite; nothing was updated then. */
  finite: boolean;
}

interface Accumulated {
  grads: Tensor[];
  parts: Scalar[]; // loss, main, align (or 0), latentStd (or 0), token accuracy (or 0), targetVar (or 0), predVar (or 0)
}

function microStep(model: MimModel, opt: AdamW, inp: MimInputs): Accumulated {
  const prep = model.prepare(inp);
  const kept: Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const parts = model.losses(inp, prep.targets);
    kept.push(tf.keep(parts.main), tf.keep(parts.align ?? tf.scalar(0)), tf.keep(parts.acc ?? tf.scalar(0)), tf.keep(parts.predVar ?? tf.scalar(0)));
    return parts.loss;
  }, opt.params());
  tf.dispose(prep.targets);
  const ordered = opt.params().map((p) => {
    const g = grads[p.name];
    if (!g) throw new Error(`no gradient reached parameter ${p.name}`);
    return g;
  });
  return {
    grads: ordered,
    parts: [value, kept[0] as Scalar, kept[1] as Scalar, prep.latentStd ?? tf.scalar(0), kept[2] as Scalar, prep.targetVar ?? tf.scalar(0), kept[3] as Scalar],
  };
}

function accumulate(into: Accumulated | null, add: Accumulated): Accumulated {
  if (!into) return add;
  const sum = (a: Tensor[], b: Tensor[]): Tensor[] => a.map((x, i) => {
    const s = tf.add(x, b[i]);
    tf.dispose([x, b[i]]);
    return s;
  });
  return { grads: sum(into.grads, add.grads), parts: sum(into.parts, add.parts) as Scalar[] };
}

/** `teacherMomentum`: this step's value of the teacher schedule (default: the model spec's constant momentum). */
export async function trainStep(model: MimModel, opt: AdamW, micro: MimInputs[], lr: number, clipGrad: number, teacherMomentum?: number): Promise<StepResult> {
  let acc: Accumulated | null = null;
  for (const inp of micro) acc = accumulate(acc, microStep(model, opt, inp));
  if (!acc) throw new Error('trainStep needs at least one micro-batch');
  const k = micro.length;
  const mean = k === 1 ? acc.grads : acc.grads.map((g) => tf.tidy(() => tf.div(g, k)));
  if (k > 1) tf.dispose(acc.grads);
  const clipped = clipByGlobalNorm(mean, clipGrad);
  tf.dispose(mean);
  const summary = tf.tidy(() => tf.div(tf.stack([...acc.parts, clipped.norm]), tf.tensor1d([k, k, k, k, k, k, k, 1])));
  const [loss, main, align, latentStd, mlmAcc, targetVar, predVar, gradNorm] = Array.from(await summary.data());
  tf.dispose([summary, clipped.norm, ...acc.parts]);
  const finite = [loss, main, align, gradNorm].every(Number.isFinite);
  if (finite) {
    opt.apply(clipped.grads, lr);
    model.afterStep(teacherMomentum);
  }
  tf.dispose(clipped.grads);
  const isCae = model.spec.algorithm === 'cae';
  const mlm = model.spec.vocabSize > 0 ? mlmAcc : null;
  return {
    loss, lossMain: main, lossAlign: isCae ? align : null, gradNorm, latentStd: isCae ? latentStd : null, mlmAcc: mlm,
    targetVar: isCae ? targetVar : null, predVar: isCae ? predVar : null, finite,
  };
}
