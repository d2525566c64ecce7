import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { applyBlock, createBlock } from '../../../src/ml/blocks';
import { CaeModel } from '../../../src/ml/cae';
import { disposeInputs } from '../../../src/ml/inputs';
import { linear } from '../../../src/ml/layers';
import { AdamW } from '../../../src/ml/optimizer';
import { ParamStore } from '../../../src/ml/params';
import { tf, type Tensor, type Tensor2D, type Variable } from '../../../src/ml/tf';
import { trainStep } from '../../../src/ml/train-step';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';

before(useWasm);

async function values(vs: Tensor[]): Promise<number[][]> {
  return Promise.all(vs.map(async (v) => Array.from(await v.data())));
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((x, j) => { m = Math.max(m, Math.abs(x - b[i][j])); }));
  return m;
}

describe('CAE gradients', () => {
  it('the teacher receives no gradient and equals the encoder after a momentum-0 update', async () => {
    const config = tinyConfig();
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const teacherVars = model.teacher.variables();
    assert.ok(teacherVars.every((v) => !v.trainable));
    assert.ok(!opt.params().some((p) => teacherVars.includes(p)));
    // Even asked explicitly, the loss is not a function of the teacher's parameters (its output is a constant).
    teacherVars.forEach((v) => { v.trainable = true; });
    const prep = model.prepare(inputs);
    const { grads } = tf.variableGrads(() => model.losses(inputs, prep.targets).loss, [...teacherVars, model.encoder.get('cls')]);
    for (const v of teacherVars) assert.ok(!grads[v.name] || (await grads[v.name].abs().max().data())[0] === 0, `${v.name} got a gradient`);
    tf.dispose([...prep.targets, ...Object.values(grads)]);
    prep.latentStd?.dispose();
    teacherVars.forEach((v) => { v.trainable = false; });

    const before = await values(teacherVars);
    await trainStep(model, opt, [inputs], 1e-2, 0);
    const encoderAfter = await values(model.teacher.names().map((n) => model.encoder.get(n)));
    const teacherAfter = await values(teacherVars);
    assert.deepEqual(teacherAfter, encoderAfter);
    assert.ok(maxAbsDiff(before, teacherAfter) > 0, 'the encoder moved, so the copied teacher moved too');
    disposeInputs(inputs);
    model.dispose();
    opt.dispose();
  });

  it('momentum 1 keeps the teacher fixed', async () => {
    const config = tinyConfig(['teacher.momentum=1']);
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const before = await values(model.teacher.variables());
    await trainStep(model, opt, [inputs], 1e-2, 0);
    assert.deepEqual(await values(model.teacher.variables()), before);
    disposeInputs(inputs);
    model.dispose();
    opt.dispose();
  });

  it('momentum m moves the teacher to m·teacher + (1 − m)·encoder after each step', async () => {
    const m = 0.75;
    const config = tinyConfig([`teacher.momentum=${m}`]);
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const teacherBefore = await values(model.teacher.variables());
    await trainStep(model, opt, [inputs], 1e-2, 0);
    const encoderAfter = await values(model.teacher.names().map((n) => model.encoder.get(n)));
    const expected = teacherBefore.map((row, i) => row.map((t, j) => m * t + (1 - m) * encoderAfter[i][j]));
    const teacherAfter = await values(model.teacher.variables());
    assert.ok(maxAbsDiff(teacherAfter, expected) < 1e-6, `teacher off the EMA by ${maxAbsDiff(teacherAfter, expected)}`);
    assert.ok(maxAbsDiff(teacherAfter, encoderAfter) > 1e-4, 'the teacher lags the encoder');
    disposeInputs(inputs);
    model.dispose();
    opt.dispose();
  });

  async function encoderGrads(alignWeight: number, onlyMain: boolean): Promise<number[][]> {
    const config = tinyConfig([`loss.alignWeight=${alignWeight}`]);
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const prep = model.prepare(inputs);
    const vars = model.encoder.variables();
    const { grads } = tf.variableGrads(() => {
      const parts = model.losses(inputs, prep.targets);
      return onlyMain ? parts.main : parts.loss;
    }, vars);
    const out = await values(vars.map((v) => grads[v.name]));
    tf.dispose([...prep.targets, ...Object.values(grads)]);
    prep.latentStd?.dispose();
    disposeInputs(inputs);
    model.dispose();
    return out;
  }

  it('with loss.alignWeight=0 the alignment term contributes no gradient', async () => {
    const mainOnly = await encoderGrads(2, true);
    assert.equal(maxAbsDiff(await encoderGrads(0, false), mainOnly), 0);
    assert.ok(maxAbsDiff(await encoderGrads(2, false), mainOnly) > 1e-6, 'with λ = 2 the alignment term does reach the encoder');
  });
});

describe('numeric gradient check', () => {
  it('custom linear gradient equals the stock matMul gradient', async () => {
    const x = tf.randomNormal([5, 4]) as Tensor2D;
    const w = tf.randomNormal([4, 3]);
    const b = tf.randomNormal([3]);
    const f1 = (xx: Tensor, ww: Tensor, bb: Tensor): Tensor => tf.sum(tf.square(linear(xx as Tensor2D, ww, bb)));
    const f2 = (xx: Tensor, ww: Tensor, bb: Tensor): Tensor => tf.sum(tf.square(tf.add(tf.matMul(xx as Tensor2D, ww as Tensor2D), bb)));
    const g1 = await values(tf.grads(f1)([x, w, b]));
    const g2 = await values(tf.grads(f2)([x, w, b]));
    assert.ok(maxAbsDiff(g1, g2) < 1e-4);
  });

  it('an attention block matches central finite differences', async () => {
    const spec = { dim: 8, heads: 2, mlpRatio: 2, layerScale: 0.5 };
    const store = new ParamStore(3, 'gradcheck');
    createBlock(store, 'b', spec, 1);
    const batch = 2;
    const x = tf.randomNormal([batch * 3, spec.dim], 0, 1, 'float32', 7) as Tensor2D;
    const probe = tf.randomNormal([batch * 3, spec.dim], 0, 1, 'float32', 8);
    const f = (): tf.Scalar => tf.sum(tf.mul(applyBlock(store, 'b', spec, x, { batch }), probe)) as tf.Scalar;
    const checked: Variable[] = ['b.attn.qkv.w', 'b.attn.proj.w', 'b.norm1.g', 'b.mlp.fc1.w', 'b.gamma1'].map((n) => store.get(n));
    const { grads } = tf.variableGrads(f, checked);
    const eps = 1e-2;
    let worst = 0;
    for (const v of checked) {
      const analytic = await grads[v.name].data();
      const data = Float32Array.from(await v.data());
      for (const i of [0, Math.floor(data.length / 2), data.length - 1]) {
        const orig = data[i];
        const at = async (val: number): Promise<number> => {
          data[i] = val;
          v.assign(tf.tensor(data, v.shape));
          return (await tf.tidy(f).data())[0];
        };
        const numeric = ((await at(orig + eps)) - (await at(orig - eps))) / (2 * eps);
        await at(orig);
        const rel = Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]));
        worst = Math.max(worst, rel);
      }
    }
    assert.ok(worst < 2e-2, `worst relative error ${worst}`);
    tf.dispose([x, probe, ...Object.values(grads)]);
    store.dispose();
  });
});
