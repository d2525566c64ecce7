import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CaeModel } from '../../../src/ml/cae';
import { disposeInputs } from '../../../src/ml/inputs';
import { MaeModel } from '../../../src/ml/mae';
import { tf } from '../../../src/ml/tf';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';

before(useWasm);

describe('CAE stages', () => {
  it('produce the documented shapes', () => {
    const config = tinyConfig();
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const B = inputs.batch;
    const D = spec.encoder.dim;
    const N = spec.numPatches;
    assert.equal(inputs.nVis + inputs.nMask, N);
    tf.tidy(() => {
      const zv = model.encodeVisible(inputs);
      assert.deepEqual(zv.shape, [B * (1 + inputs.nVis), D]);
      const target = model.teacherTargets(inputs);
      assert.deepEqual(target.shape, [B * inputs.nMask, D]);
      const latent = model.regress(zv, inputs);
      assert.deepEqual(latent.shape, [B * inputs.nMask, D]);
      const pred = model.decode(latent, inputs);
      assert.deepEqual(pred.shape, [B * inputs.nMask, spec.encoder.patchDim]);
      const parts = model.losses(inputs, [target]);
      assert.deepEqual(parts.loss.shape, []);
      assert.ok(parts.align !== null);
    });
    disposeInputs(inputs);
    model.dispose();
  });

  it('regressor output is LayerNorm-ed per token', async () => {
    const config = tinyConfig();
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const stats = tf.tidy(() => tf.moments(model.regress(model.encodeVisible(inputs), inputs), -1));
    const mean = await stats.mean.data();
    const variance = await stats.variance.data();
    for (const m of mean) assert.ok(Math.abs(m) < 1e-4);
    for (const v of variance) assert.ok(Math.abs(v - 1) < 1e-2);
    tf.dispose([stats.mean, stats.variance]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('the teacher sees only the masked patches: changing visible pixels leaves latent_target unchanged', async () => {
    const config = tinyConfig();
    const { spec, inputs } = tinyInputs(config);
    const model = new CaeModel(spec);
    const a = await tf.tidy(() => model.teacherTargets(inputs)).data();
    const changed = { ...inputs, visPatches: tf.randomNormal(inputs.visPatches.shape) as typeof inputs.visPatches };
    const b = await tf.tidy(() => model.teacherTargets(changed)).data();
    assert.deepEqual(Array.from(a), Array.from(b));
    tf.dispose(changed.visPatches);
    disposeInputs(inputs);
    model.dispose();
  });
});

describe('MAE', () => {
  it('predicts every masked patch and has no alignment term', () => {
    const config = tinyConfig(['algorithm=mae']);
    const { spec, inputs } = tinyInputs(config);
    const model = new MaeModel(spec);
    tf.tidy(() => {
      const pred = model.decode(model.encodeVisible(inputs), inputs);
      assert.deepEqual(pred.shape, [inputs.batch * inputs.nMask, spec.encoder.patchDim]);
      assert.equal(model.losses(inputs).align, null);
    });
    assert.deepEqual(Object.keys(model.frozen), []);
    disposeInputs(inputs);
    model.dispose();
  });
});
