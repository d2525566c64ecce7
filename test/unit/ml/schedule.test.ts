import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrAt, validateLrSchedule, type LrSchedule } from '../../../src/ml/schedule';

const base: LrSchedule = { lr: 1e-3, minLr: 1e-5, warmupSteps: 10, steps: 100 };

function close(a: number, b: number, label: string): void {
  assert.ok(Math.abs(a - b) <= 1e-15 + 1e-12 * Math.abs(b), `${label}: ${a} vs ${b}`);
}

test('warmup is linear from lr/W at step 0 to lr at step W−1', () => {
  close(lrAt(0, base), 1e-4, 'step 0');
  close(lrAt(4, base), 5e-4, 'step 4');
  close(lrAt(9, base), 1e-3, 'step W−1');
});

test('cosine ends exactly at minLr on the last step and stays there', () => {
  close(lrAt(99, base), 1e-5, 'last step');
  close(lrAt(150, base), 1e-5, 'past the end');
  // Midpoint of the half-cosine (progress ½) is the mean of lr and minLr.
  const s: LrSchedule = { lr: 2, minLr: 0, warmupSteps: 1, steps: 11 }; // anchor step 0, end step 10
  close(lrAt(5, s), 1, 'midpoint');
});

test('monotone: non-decreasing in warmup, non-increasing after, peak = lr', () => {
  const lrs = Array.from({ length: 100 }, (_, i) => lrAt(i, base));
  for (let i = 1; i < 10; i++) assert.ok(lrs[i] > lrs[i - 1], `warmup step ${i}`);
  for (let i = 10; i < 100; i++) assert.ok(lrs[i] <= lrs[i - 1], `decay step ${i}`);
  assert.equal(Math.max(...lrs), lrs[9]);
  for (const v of lrs) assert.ok(v >= base.minLr && v <= base.lr);
});

test('no warmup: step 0 is just below lr, last step is minLr', () => {
  const s: LrSchedule = { lr: 1, minLr: 0.1, warmupSteps: 0, steps: 50 };
  assert.ok(lrAt(0, s) < 1 && lrAt(0, s) > 0.99);
  close(lrAt(49, s), 0.1, 'last');
});

test('edge cases: constant when minLr = lr, single-step run, warmup longer than the run', () => {
  for (let i = 0; i < 20; i++) close(lrAt(i, { lr: 3e-4, minLr: 3e-4, warmupSteps: 0, steps: 20 }), 3e-4, `const ${i}`);
  close(lrAt(0, { lr: 1, minLr: 0.5, warmupSteps: 0, steps: 1 }), 0.5, 'one step');
  const long: LrSchedule = { lr: 1, minLr: 0, warmupSteps: 40, steps: 10 };
  close(lrAt(9, long), 10 / 40, 'still warming up');
});

test('invalid schedules and steps throw errors naming the key', () => {
  assert.throws(() => validateLrSchedule({ ...base, minLr: 2e-3 }), /train\.minLr/);
  assert.throws(() => validateLrSchedule({ ...base, lr: -1 }), /train\.lr/);
  assert.throws(() => validateLrSchedule({ ...base, steps: 0 }), /train\.steps/);
  assert.throws(() => validateLrSchedule({ ...base, warmupSteps: 1.5 }), /train\.warmupSteps/);
  assert.throws(() => lrAt(-1, base), /step/);
  assert.throws(() => lrAt(Number.NaN, base), /step/);
});
