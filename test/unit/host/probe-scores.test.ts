// Probe scores in context: chance level, random-init floors, and which score may be called best.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aboveChance, bestScoreIndex, chanceLevel, probeKindLabel, randomInitFloors } from '../../../src/protocol/probe-scores';

test('chance level is 1 / classes; unknown class counts give no chance level', () => {
  assert.equal(chanceLevel(10), 0.1);
  assert.equal(chanceLevel(null), null);
  assert.equal(chanceLevel(0), null);
  assert.equal(aboveChance(0.082, 10), false);
  assert.equal(aboveChance(0.1, 10), false, 'matching chance is no result');
  assert.equal(aboveChance(0.11, 10), true);
  assert.equal(aboveChance(0.05, undefined), true);
});

test('a score at or below chance is never the best; one score alone is not marked', () => {
  assert.equal(bestScoreIndex([{ top1: 0.082, numClasses: 10 }, { top1: 0.07, numClasses: 10 }]), -1);
  assert.equal(bestScoreIndex([{ top1: 0.082, numClasses: 10 }, { top1: 0.3, numClasses: 10 }, { top1: null }]), 1);
  assert.equal(bestScoreIndex([{ top1: 0.4, numClasses: 10 }, { top1: null }]), -1);
  assert.equal(bestScoreIndex([{ top1: 0.2, numClasses: 2 }, { top1: 0.15, numClasses: 10 }]), 1, 'chance is per task');
});

test('random-init floors: the best finished random-init probe per kind', () => {
  const floors = randomInitFloors([
    { kind: 'knn', top1: 0.21, randomInit: true, state: 'done' },
    { kind: 'knn', top1: 0.25, randomInit: true, state: 'done' },
    { kind: 'knn', top1: 0.9, randomInit: false, state: 'done' },
    { kind: 'linear', top1: 0.5, randomInit: true, state: 'running' },
  ]);
  assert.deepEqual(floors, { knn: 0.25 });
  assert.equal(probeKindLabel('knn'), 'k-NN');
});
