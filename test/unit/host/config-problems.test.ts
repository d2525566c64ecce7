// The editor's config checks: the overrides box and *.mimlab.json files get every problem, key and rule first,
// with a "did you mean" for mistyped keys, by the CLI's own field rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFileProblems, locateKey, overrideProblems } from '../../../src/host/config-problems';
import { editDistance, nearestKey } from '../../../src/config/suggest';

const messages = (ps: { message: string }[]): string[] => ps.map((p) => p.message);

test('edit distance and the nearest config key', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(nearestKey('train.stepz'), 'train.steps');
  assert.equal(nearestKey('loss.alignWeigth'), 'loss.alignWeight');
  assert.equal(nearestKey('batchSize'), 'train.batchSize');
  assert.equal(nearestKey('completely.different'), null);
});

test('overrides: a value out of range names the key and its rule, without CLI words', () => {
  const [p, ...rest] = overrideProblems('train.steps=-5', { preset: 'cae-tiny' });
  assert.equal(rest.length, 0);
  assert.equal(p.key, 'train.steps');
  assert.match(p.message, /^train\.steps must be an integer ≥ 1, got -5$/);
  assert.doesNotMatch(p.message, /--set/);
});

test('overrides: an unknown key suggests the nearest, and every bad token is named', () => {
  const ps = overrideProblems('train.stepz=5 train.lr=abc mask.kind=blocky nonsense', { preset: 'cae-tiny' });
  assert.deepEqual(messages(ps), [
    'train.stepz: unknown key; did you mean train.steps?',
    'train.lr: expected a number > 0, got "abc"',
    'mask.kind must be one of block, random, multiblock, got "blocky"',
    '"nonsense" is not key=value',
  ]);
});

test('overrides: valid text has no problems; a cross-field rule is checked on the resolved config', () => {
  assert.deepEqual(overrideProblems('', { preset: 'cae-tiny' }), []);
  assert.deepEqual(overrideProblems('  train.steps=200   loss.alignWeight=0 ', { preset: 'cae-tiny' }), []);
  const [p] = overrideProblems('mask.count=1000', { preset: 'cae-tiny' });
  assert.equal(p.key, 'mask.count');
  assert.match(p.message, /^mask\.count \(1000\) must be smaller than the number of patches/);
});

test('config file: every wrong type and unknown key is a problem, not just the first', () => {
  const text = '{\n  "preset": "cae-tiny",\n  "train": { "steps": "many" },\n  "loss": { "alignWeigth": 1 },\n  "mask": 3\n}\n';
  const ps = configFileProblems(text, 'bad.mimlab.json');
  assert.deepEqual(messages(ps), [
    'train.steps must be an integer ≥ 1, got "many"',
    'loss.alignWeigth: unknown key; did you mean loss.alignWeight?',
    'mask must be an object of mask.* keys',
  ]);
  const at = locateKey(text, 'loss.alignWeigth');
  assert.ok(at);
  assert.equal(text.slice(at.start, at.end), '"alignWeigth"');
  assert.equal(text.slice(locateKey(text, 'train.steps')?.start, locateKey(text, 'train.steps')?.end), '"steps"');
});

test('config file: syntax errors, unknown presets and cross-field rules', () => {
  assert.match(messages(configFileProblems('{ "train": ', 'x.mimlab.json'))[0], /^x\.mimlab\.json is not valid JSON/);
  assert.match(messages(configFileProblems('{ "preset": "cae-huge" }', 'x.mimlab.json'))[0], /^preset must be one of cae-small, .*got "cae-huge"$/);
  const [p] = configFileProblems('{ "preset": "cae-tiny", "data": { "imageSize": 18 } }', 'x.mimlab.json');
  assert.equal(p.key, 'data.imageSize');
  assert.match(p.message, /must be divisible by model\.patchSize/);
  assert.deepEqual(configFileProblems('{ "$schema": "./s.json", "preset": "cae-tiny", "train": { "steps": 10 } }', 'ok.mimlab.json'), []);
});
