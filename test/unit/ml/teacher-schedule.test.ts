import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createModel } from '../../../src/ml/create-model';
import { disposeInputs } from '../../../src/ml/inputs';
import { AdamW } from '../../../src/ml/optimizer';
import { teacherMomentumAt, validateTeacherSchedule, type TeacherSchedule } from '../../../src/ml/teacher-schedule';
import { trainStep } from '../../../src/ml/train-step';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';

before(useWasm);

const ramp = (kind: TeacherSchedule['kind']): TeacherSchedule => ({ kind, start: 0.996, end: 1, steps: 101 });

describe('teacher momentum schedule', () => {
  it('constant returns teacher.momentum itself at every step', () => {
    for (const start of [0, 0.5, 0.996, 1]) {
      for (const step of [0, 1, 50, 99, 500]) assert.equal(teacherMomentumAt(step, { kind: 'constant', start, end: 0.2, steps: 100 }), start);
    }
  });

  it('linear and cosine start at momentum, end exactly at momentumEnd, and rise monotonically', () => {
    for (const kind of ['linear', 'cosine'] as const) {
      const s = ramp(kind);
      assert.equal(teacherMomentumAt(0, s), 0.996, kind);
      assert.equal(teacherMomentumAt(100, s), 1, kind);
      assert.equal(teacherMomentumAt(300, s), 1, `${kind} past the end`);
      for (let i = 1; i <= 100; i++) assert.ok(teacherMomentumAt(i, s) >= teacherMomentumAt(i - 1, s), `${kind} step ${i}`);
    }
    // Halfway: linear is the mean; cosine's (1 + cos π/2)/2 = ½ is the mean too, and cosine lags linear before it.
    assert.ok(Math.abs(teacherMomentumAt(50, ramp('linear')) - 0.998) < 1e-12);
    assert.ok(Math.abs(teacherMomentumAt(50, ramp('cosine')) - 0.998) < 1e-12);
    assert.ok(teacherMomentumAt(20, ramp('cosine')) < teacherMomentumAt(20, ramp('linear')));
  });

  it('refuses a bad schedule naming the key', () => {
    assert.throws(() => validateTeacherSchedule({ kind: 'constant', start: 1.5, end: 1, steps: 10 }), /teacher\.momentum /);
    assert.throws(() => validateTeacherSchedule({ kind: 'linear', start: 0.9, end: -1, steps: 10 }), /teacher\.momentumEnd/);
    assert.throws(() => validateTeacherSchedule({ kind: 'step' as never, start: 0.9, end: 1, steps: 10 }), /teacher\.schedule/);
  });

  it('a constant schedule passed to the step updates the teacher exactly as the spec momentum does', async () => {
    const config = tinyConfig(['teacher.momentum=0.9']);
    const teachers: Float32Array[][] = [];
    for (const passMomentum of [false, true]) {
      const { spec } = tinyInputs(config);
      const model = createModel(spec);
      const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
      for (let s = 0; s < 3; s++) {
        const { inputs } = tinyInputs(config, s, true);
        const m = passMomentum ? teacherMomentumAt(s, { kind: 'constant', start: 0.9, end: 1, steps: 3 }) : undefined;
        await trainStep(model, opt, [inputs], 1e-3, 3, m);
        disposeInputs(inputs);
      }
      teachers.push(await Promise.all(model.frozen.teacher.entries().map(async ([, v]) => (await v.data()) as Float32Array)));
      opt.dispose();
      model.dispose();
    }
    teachers[0].forEach((a, i) => assert.deepEqual(Array.from(a), Array.from(teachers[1][i])));
  });

  it('momentum 1 from the schedule freezes the teacher; 0 makes it the encoder', async () => {
    const config = tinyConfig(['teacher.momentum=0.9']);
    const { spec, inputs } = tinyInputs(config, 0, true);
    const model = createModel(spec);
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const before = await model.frozen.teacher.get('patchEmbed.w').data();
    await trainStep(model, opt, [inputs], 1e-2, 3, 1);
    assert.deepEqual(Array.from(await model.frozen.teacher.get('patchEmbed.w').data()), Array.from(before));
    model.afterStep(0);
    assert.deepEqual(Array.from(await model.frozen.teacher.get('patchEmbed.w').data()), Array.from(await model.encoder.get('patchEmbed.w').data()));
    disposeInputs(inputs);
    opt.dispose();
    model.dispose();
  });
});
