import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { teacherMomentumAt } from '../../../src/ml/teacher-schedule';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { metricsOf, train } from '../../helpers/runs';

before(useWasm);

describe('issue 18 options in a run', () => {
  it('a cosine teacher, multiblock masks and instance-norm targets train and log rank_me, target_var, pred_var', async () => {
    const config = tinyConfig([
      'train.steps=12', 'teacher.momentum=0.9', 'teacher.schedule=cosine', 'teacher.momentumEnd=1', 'mask.kind=multiblock',
      'loss.alignTarget=instancenorm-topk', 'loss.alignLoss=smooth-l1', 'monitor.rankEvery=5', 'monitor.rankImages=40', 'sample.every=0',
    ]);
    const { runDir, state } = await train(config);
    assert.equal(state, 'completed');
    const rows = metricsOf(runDir);
    assert.equal(rows.length, 12);
    const schedule = { kind: 'cosine' as const, start: 0.9, end: 1, steps: 12 };
    for (const r of rows) {
      assert.ok(Number.isFinite(r.loss) && Number.isFinite(r.loss_align ?? NaN));
      assert.ok((r.target_var ?? 0) > 0 && (r.pred_var ?? 0) > 0, `step ${r.step}: target_var ${r.target_var}, pred_var ${r.pred_var}`);
      assert.equal(r.teacher_momentum, teacherMomentumAt(r.step - 1, schedule));
      // Every 5th step and the last; bounded by min(images, width).
      assert.equal(r.rank_me !== undefined, r.step % 5 === 0 || r.step === 12, `rank_me at step ${r.step}`);
      if (r.rank_me !== undefined) assert.ok(r.rank_me > 1 && r.rank_me <= Math.min(40, config.model.dim), `rank_me ${r.rank_me}`);
    }
    assert.equal(rows[rows.length - 1].teacher_momentum, 1);
  });

  it('defaults log no teacher_momentum, and target_var equals latent_std up to data2vec\'s unbiased variance', async () => {
    const { runDir } = await train(tinyConfig(['train.steps=3', 'sample.every=0']));
    const rows = metricsOf(runDir);
    const rowsOfTargets = 4 * 8; // batch 4 × 8 masked patches
    for (const r of rows) {
      assert.equal(r.teacher_momentum, undefined);
      const expected = (r.latent_std ?? NaN) * Math.sqrt(rowsOfTargets / (rowsOfTargets - 1));
      assert.ok(Math.abs((r.target_var ?? NaN) - expected) < 2e-3, `${r.target_var} vs ${expected}`);
    }
  });
});
