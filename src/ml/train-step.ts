// One optimizer step: forward/backward on each micro-batch (gradients accumulated), clip, check the loss is
// finite, then update and run the model's post-step hook. Numbers are read once per step, outside the tape.
import type { MimInputs } from './inputs';
import type { MimModel } from './model';
import { clipScale, globalGradNorm, type AdamW } from './optimizer';
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

/** Per-micro-batch values summed over micro-batches (kept scalars; 0 where an algorithm has none). */
export interface StepSums {
  loss: Scalar;
  main: Scalar;
  align: Scalar;
  latentStd: Scalar;
  mlmAcc: Scalar;
  targetVar: Scalar;
  predVar: Scalar;
}

const SUM_KEYS = ['loss', 'main', 'align', 'latentStd', 'mlmAcc', 'targetVar', 'predVar'] as const;

interface Accumulated {
  grads: Tensor[];
  sums: StepSums;
}

function microStep(model: MimModel, opt: AdamW, inp: MimInputs): Accumulated {
  const prep = model.prepare(inp);
  const kept = {} as Pick<StepSums, 'main' | 'align' | 'mlmAcc' | 'predVar'>; // filled inside the tape, kept past it
  const { value, grads } = tf.variableGrads(() => {
    const parts = model.losses(inp, prep.targets);
    kept.main = tf.keep(parts.main);
    kept.align = tf.keep(parts.align ?? tf.scalar(0));
    kept.mlmAcc = tf.keep(parts.acc ?? tf.scalar(0));
    kept.predVar = tf.keep(parts.predVar ?? tf.scalar(0));
    return parts.loss;
  }, opt.params());
  tf.dispose(prep.targets);
  const ordered = opt.params().map((p) => {
    const g = grads[p.name];
    if (!g) throw new Error(`no gradient reached parameter ${p.name}`);
    return g;
  });
  return { grads: ordered, sums: { loss: value, main: kept.main, align: kept.align, latentStd: prep.latentStd ?? tf.scalar(0), mlmAcc: kept.mlmAcc,
    targetVar: prep.targetVar ?? tf.scalar(0), predVar: kept.predVar,
  } };
}

function sumInto(a: Tensor, b: Tensor): Tensor {
  const s = tf.add(a, b);
  tf.dispose([a, b]);
  return s;
}

function accumulate(into: Accumulated | null, add: Accumulated): Accumulated {
  if (!into) return add;
  const sums = {} as StepSums;
  for (const k of SUM_KEYS) sums[k] = sumInto(into.sums[k], add.sums[k]) as Scalar;
  return { grads: into.grads.map((g, i) => sumInto(g, add.grads[i])), sums };
}

/**
 * The step's gradients (in `opt.params()` order) averaged over its micro-batches — for equal micro-batches, the
 * gradients of the whole batch — and the summed loss parts. The caller disposes both.
 */
export function stepGradients(model: MimModel, opt: AdamW, micro: MimInputs[]): { grads: Tensor[]; sums: StepSums } {
  let acc: Accumulated | null = null;
  for (const inp of micro) acc = accumulate(acc, microStep(model, opt, inp));
  if (!acc) throw new Error('trainStep needs at least one micro-batch');
  const k = micro.length;
  const mean = k === 1 ? acc.grads : acc.grads.map((g) => tf.tidy(() => tf.div(g, k)));
  if (k > 1) tf.dispose(acc.grads);
  return { grads: mean, sums: acc.sums };
}

/** `teacherMomentum`: this step's value of the teacher schedule (default: the model spec's constant momentum). */
export async function trainStep(model: MimModel, opt: AdamW, micro: MimInputs[], lr: number, clipGrad: number, teacherMomentum?: number): Promise<StepResult> {
  const k = micro.length;
  const acc = stepGradients(model, opt, micro);
  const norm = globalGradNorm(acc.grads);
  const sums = SUM_KEYS.map((key) => acc.sums[key]);
  // Means over micro-batches, and the global norm (before clipping), read back in one transfer.
  const summary = tf.tidy(() => tf.div(tf.stack([...sums, norm]), tf.tensor1d([...sums.map(() => k), 1])));
  const values = Array.from(await summary.data());
  tf.dispose([summary, norm, ...sums]);
  const m = Object.fromEntries(SUM_KEYS.map((key, i) => [key, values[i]])) as Record<(typeof SUM_KEYS)[number], number>;
  const gradNorm = values[SUM_KEYS.length];
  const finite = [m.loss, m.main, m.align, gradNorm].every(Number.isFinite);
  if (finite) {
    opt.apply(acc.grads, lr, clipScale(gradNorm, clipGrad)); // the clip's scale is folded into the update
    model.afterStep(teacherMomentum);
  }
  tf.dispose(acc.grads);
  const isCae = model.spec.algorithm === 'cae';
  return {
    loss: m.loss, lossMain: m.main, lossAlign: isCae ? m.align : null, gradNorm, latentStd: isCae ? m.latentStd : null,
    mlmAcc: model.spec.vocabSize > 0 ? m.mlmAcc : null, targetVar: isCae ? m.targetVar : null, predVar: isCae ? m.predVar : null, finite,
  };
}
