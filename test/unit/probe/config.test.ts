import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config/resolve';
import { defaultProbeConfig, resolveProbeConfig } from '../../../src/probe/config';
import { parseCheckpoint } from '../../../src/cli/probe-command';

test('probe defaults: k-NN k 20 and T 0.07, attentive SGD with momentum, patch-mean features', () => {
  const knn = defaultProbeConfig('knn');
  assert.equal(knn.k, 20);
  assert.equal(knn.temperature, 0.07);
  const att = defaultProbeConfig('attentive');
  assert.ok(att.momentum > 0 && att.lr > 0 && att.epochs > 0);
  assert.equal(defaultProbeConfig('linear').features, 'mean');
});

test('--set probe.key=value overrides one field of the kind\'s defaults', () => {
  const c = resolveProbeConfig('linear', ['probe.epochs=7', 'probe.features=cls', 'probe.lr=0.5', 'probe.warmupEpochs=1']);
  assert.deepEqual([c.epochs, c.features, c.lr, c.warmupEpochs], [7, 'cls', 0.5, 1]);
  assert.equal(c.batchSize, defaultProbeConfig('linear').batchSize);
});

test('probe settings errors name the key and what was expected', () => {
  const cases: [string, string[], RegExp][] = [
    ['knn', ['probe.k=0'], /probe\.k: expected an integer ≥ 1, got "0"/],
    ['knn', ['probe.k=2.5'], /probe\.k: expected an integer/],
    ['knn', ['probe.temperature=0'], /probe\.temperature: expected a number > 0/],
    ['linear', ['probe.features=avg'], /probe\.features: expected cls or mean/],
    ['linear', ['probe.epoch=3'], /unknown probe setting "probe\.epoch".*probe\.epochs/],
    ['linear', ['train.lr=0.1'], /train\.lr is not a probe setting/],
    ['linear', ['probe.epochs'], /key=value/],
    ['linear', ['probe.epochs=2', 'probe.warmupEpochs=2'], /probe\.warmupEpochs \(2\) must be smaller than probe\.epochs \(2\)/],
    ['svm', [], /--kind must be one of linear, attentive, knn/],
  ];
  for (const [kind, sets, re] of cases) {
    assert.throws(() => resolveProbeConfig(kind, sets), (e: unknown) => e instanceof ConfigError && re.test(e.message), `${kind} ${sets.join(' ')}`);
  }
});

test('--checkpoint accepts latest or a step number', () => {
  assert.equal(parseCheckpoint(undefined), 'latest');
  assert.equal(parseCheckpoint('latest'), 'latest');
  assert.equal(parseCheckpoint('200'), 200);
  assert.throws(() => parseCheckpoint('last'), /--checkpoint must be "latest" or a step number/);
  assert.throws(() => parseCheckpoint('-3'), /--checkpoint/);
});
