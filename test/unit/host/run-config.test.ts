// A new run from the editor runs the config the host resolved and validated, not a second resolution of its inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { configFromArgs } from '../../../src/cli/jobs';
import { resolveConfig } from '../../../src/config/resolve';
import { trainerArgs } from '../../../src/jobs/job-spec';
import { configToRun } from '../../../src/host/run-config';

test('the editor\'s settings apply on top of the choice; auto keeps the config\'s own backend', () => {
  const choice = resolveConfig({ preset: 'cae-tiny', sets: ['backend=cpu', 'train.steps=7'] });
  const run = configToRun(choice, { backend: 'auto', sampleEvery: 3 });
  assert.equal(run.backend, 'cpu');
  assert.equal(run.sample.every, 3);
  assert.equal(run.train.steps, 7);
  assert.equal(configToRun(choice, { backend: 'wasm', sampleEvery: null }).backend, 'wasm');
  assert.throws(() => configToRun(choice, { backend: 'cuda', sampleEvery: null }), /backend must be one of/);
});

test('the trainer runs exactly the config the host resolved', () => {
  // The job carries the whole config (no preset name or --set strings to resolve again).
  const resolved = configToRun(resolveConfig({ preset: 'mae-small', sets: ['train.steps=5', 'mask.count=40'] }), { backend: 'wasm', sampleEvery: 0 });
  const args = trainerArgs({ kind: 'pretrain', runsDir: '/r', config: resolved, name: 'n' });
  assert.deepEqual(args.slice(0, 3), ['pretrain', '--runs-dir', '/r']);
  assert.deepEqual(configFromArgs(parseArgs(args.slice(1))), resolved);
});

test('--config-json is refused with a resolution input beside it, and when it is not a valid config', () => {
  const json = JSON.stringify(resolveConfig({ preset: 'cae-tiny' }));
  assert.throws(() => configFromArgs(parseArgs(['--config-json', json, '--set', 'train.steps=3'])), (e: Error) => e instanceof UsageError && /--set/.test(e.message));
  assert.throws(() => configFromArgs(parseArgs(['--config-json', json, '--preset', 'cae-small'])), /cannot be combined with --preset/);
  assert.throws(() => configFromArgs(parseArgs(['--config-json', '{"train": 1'])), /--config-json: not valid JSON/);
  const bad = JSON.parse(json) as { mask: { count: number } };
  bad.mask.count = 99;
  assert.throws(() => configFromArgs(parseArgs(['--config-json', JSON.stringify(bad)])), /mask\.count \(99\) must be smaller/);
});
