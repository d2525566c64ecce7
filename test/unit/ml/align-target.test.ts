import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { alignLoss, CAE_ALIGN, layerNormRows } from '../../../src/ml/align-target';
import { CaeModel } from '../../../src/ml/cae';
import { disposeInputs, positions } from '../../../src/ml/inputs';
import { tf, type Tensor2D } from '../../../src/ml/tf';
import { encode, splitCls } from '../../../src/ml/vit';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';

before(useWasm);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, label: string): void {
  assert.equal(a.length, b.length, label);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${label}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** Instance norm by hand: per sample and channel, over the sample's n tokens (biased variance, eps 1e-5). */
function instanceNormByHand(x: Float32Array, batch: number, n: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < d; c++) {
      let mean = 0;
      for (let t = 0; t < n; t++) mean += x[(b * n + t) * d + c];
      mean /= n;
      let v = 0;
      for (let t = 0; t < n; t++) v += (x[(b * n + t) * d + c] - mean) ** 2;
      const inv = 1 / Math.sqrt(v / n + 1e-5);
      for (let t = 0; t < n; t++) out[(b * n + t) * d + c] = (x[(b * n + t) * d + c] - mean) * inv;
    }
  }
  return out;
}

/** The teacher's block outputs of the masked patches (cls dropped), first block first. */
function teacherBlocks(model: CaeModel, inp: ReturnType<typeof tinyInputs>['inputs']): Tensor2D[] {
  const blocks: Tensor2D[] = [];
  encode(model.teacher, model.spec.encoder, {
    patches: inp.maskPatches, pos: positions(model.pos, model.spec.encoder.dim, inp.maskIdx, inp.nMask), batch: inp.batch, blocks,
  });
  return blocks.map((b) => splitCls(b, inp.batch).patches);
}

describe('alignment targets', () => {
  it('raw is the teacher output, unchanged', async () => {
    const { spec, inputs } = tinyInputs(tinyConfig());
    assert.deepEqual(spec.align, CAE_ALIGN);
    const model = new CaeModel(spec);
    const [target, byHand] = tf.tidy(() => [model.teacherTargets(inputs), splitCls(encode(model.teacher, spec.encoder, {
      patches: inputs.maskPatches, pos: positions(model.pos, spec.encoder.dim, inputs.maskIdx, inputs.nMask), batch: inputs.batch,
    }), inputs.batch).patches]);
    assert.deepEqual(Array.from(await target.data()), Array.from(await byHand.data()));
    tf.dispose([target, byHand]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('instancenorm-topk on one layer equals instance-normalising the last block by hand', async () => {
    const { spec, inputs } = tinyInputs(tinyConfig(['loss.alignTarget=instancenorm-topk', 'loss.alignTopK=1']));
    const model = new CaeModel(spec);
    const [target, last] = tf.tidy(() => [model.teacherTargets(inputs), teacherBlocks(model, inputs).pop() as Tensor2D]);
    const d = spec.encoder.dim;
    close(await target.data(), instanceNormByHand((await last.data()) as Float32Array, inputs.batch, inputs.nMask, d), 1e-4, 'top-1');
    tf.dispose([target, last]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('instancenorm-topk with K = 2 averages the two last blocks, each normalised', async () => {
    const { spec, inputs } = tinyInputs(tinyConfig(['loss.alignTarget=instancenorm-topk', 'loss.alignTopK=0'])); // 0 = all = 2 blocks in cae-tiny
    assert.equal(spec.encoder.depth, 2);
    const model = new CaeModel(spec);
    const [target, ...blocks] = tf.tidy(() => [model.teacherTargets(inputs), ...teacherBlocks(model, inputs)]);
    const d = spec.encoder.dim;
    const a = instanceNormByHand((await blocks[0].data()) as Float32Array, inputs.batch, inputs.nMask, d);
    const b = instanceNormByHand((await blocks[1].data()) as Float32Array, inputs.batch, inputs.nMask, d);
    close(await target.data(), a.map((x, i) => (x + b[i]) / 2), 1e-4, 'top-2');
    tf.dispose([target, ...blocks]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('layernorm standardises each target row over its features', async () => {
    const { spec, inputs } = tinyInputs(tinyConfig(['loss.alignTarget=layernorm']));
    const model = new CaeModel(spec);
    const [target, raw] = tf.tidy(() => {
      const t = model.teacherTargets(inputs);
      const r = model.teacherForward(inputs).latent;
      return [t, layerNormRows(r)];
    });
    const t = await target.data();
    close(t, await raw.data(), 1e-6, 'layernorm of the raw latents');
    const d = spec.encoder.dim;
    for (let r = 0; r < t.length / d; r++) {
      const row = Array.from(t.subarray(r * d, (r + 1) * d));
      const mean = row.reduce((x, y) => x + y, 0) / d;
      const v = row.reduce((x, y) => x + (y - mean) ** 2, 0) / d;
      assert.ok(Math.abs(mean) < 1e-4 && Math.abs(v - 1) < 1e-3, `row ${r}: mean ${mean}, var ${v}`);
    }
    tf.dispose([target, raw]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('a target option changes loss_align and leaves loss_main as it was', async () => {
    const parts: number[][] = [];
    for (const sets of [[], ['loss.alignTarget=layernorm'], ['loss.alignLoss=smooth-l1']]) {
      const { spec, inputs } = tinyInputs(tinyConfig(sets));
      const model = new CaeModel(spec);
      const r = tf.tidy(() => {
        const p = model.losses(inputs, [model.teacherTargets(inputs)]);
        return tf.stack([p.main, p.align ?? tf.scalar(NaN)]);
      });
      parts.push(Array.from(await r.data()));
      r.dispose();
      disposeInputs(inputs);
      model.dispose();
    }
    assert.equal(parts[1][0], parts[0][0]);
    assert.equal(parts[2][0], parts[0][0]);
    assert.notEqual(parts[1][1], parts[0][1]);
    assert.notEqual(parts[2][1], parts[0][1]);
  });
});

describe('alignment losses', () => {
  const d = [0.1, -0.4, 2, -3, 0.5];
  const losses = async (loss: 'mse' | 'smooth-l1', beta: number): Promise<number> => {
    const r = tf.tidy(() => alignLoss({ ...CAE_ALIGN, loss, beta }, tf.tensor2d(d, [1, 5]), tf.zeros([1, 5]) as Tensor2D));
    const v = (await r.data())[0];
    r.dispose();
    return v;
  };
  it('smooth-l1 is 0.5·d²/β below β and |d| − 0.5·β above (PyTorch), L1 at β = 0', async () => {
    const beta = 1;
    const byHand = d.map((x) => (Math.abs(x) < beta ? (0.5 * x * x) / beta : Math.abs(x) - 0.5 * beta)).reduce((a, b) => a + b, 0) / d.length;
    close([await losses('smooth-l1', beta)], [byHand], 1e-6, 'smooth-l1 β=1');
    const beta2 = 0.45;
    const byHand2 = d.map((x) => (Math.abs(x) < beta2 ? (0.5 * x * x) / beta2 : Math.abs(x) - 0.5 * beta2)).reduce((a, b) => a + b, 0) / d.length;
    close([await losses('smooth-l1', beta2)], [byHand2], 1e-6, 'smooth-l1 β=0.45');
    close([await losses('smooth-l1', 0)], [d.reduce((a, b) => a + Math.abs(b), 0) / d.length], 1e-6, 'L1');
    close([await losses('mse', 1)], [d.reduce((a, b) => a + b * b, 0) / d.length], 1e-6, 'mse');
  });

  it('smooth-l1 has a gradient d/β inside β and sign(d) outside', async () => {
    const x = tf.tensor2d(d, [1, 5]);
    const g = tf.grad((p: tf.Tensor) => alignLoss({ ...CAE_ALIGN, loss: 'smooth-l1', beta: 1 }, p as Tensor2D, tf.zeros([1, 5]) as Tensor2D))(x);
    close(await g.data(), d.map((v) => (Math.abs(v) < 1 ? v : Math.sign(v)) / d.length), 1e-6, 'gradient');
    tf.dispose([x, g]);
  });
});
