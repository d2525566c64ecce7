import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../../../src/config/presets';
import { resolveConfig } from '../../../src/config/resolve';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

before(ensureBuilt);

describe('bad input is refused before training, naming the key', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown key', ['--set', 'train.stepz=3'], /unknown config key "train\.stepz"/],
    ['wrong type', ['--set', 'train.batchSize=abc'], /train\.batchSize: expected an integer/],
    ['non-integer', ['--set', 'train.steps=2.5'], /train\.steps must be an integer/],
    ['image size not divisible by patch', ['--set', 'data.imageSize=18'], /data\.imageSize \(18\) must be divisible by model\.patchSize \(4\)/],
    ['mask count ≥ patches', ['--set', 'mask.count=16'], /mask\.count \(16\) must be smaller than the number of patches \(16/],
    ['bad enum', ['--set', 'algorithm=beit'], /algorithm must be one of cae, mae/],
    ['missing dataset path', ['--set', 'data.dataset=idx', '--set', 'data.path=/nonexistent/mnist'], /data\.path.*\/nonexistent\/mnist/],
    ['dataset without path', ['--set', 'data.dataset=cifar10'], /data\.path is required for data\.dataset=cifar10/],
    ['unknown preset', ['--preset', 'vit-huge'], /unknown preset "vit-huge"/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, () => {
      const runs = tempDir('bad');
      const r = cli(['pretrain', '--preset', 'cae-tiny', '--runs-dir', runs, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], [], 'no run folder is created');
    });
  }

  it('a config file with an unknown or mistyped key names the file and the key', () => {
    const dir = tempDir('cfg');
    const file = join(dir, 'bad.mimlab.json');
    writeFileSync(file, JSON.stringify({ train: { steps: 'ten' } }));
    const r = cli(['pretrain', '--config', file, '--runs-dir', join(dir, 'runs')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.mimlab\.json: train\.steps must be an integer/);
  });

  it('resolveConfig layers preset, file and --set in that order', () => {
    const c = resolveConfig({ preset: 'cae-tiny', file: { train: { steps: 7, lr: 1e-3 } }, sets: ['train.steps=9'] });
    assert.equal(c.train.steps, 9);
    assert.equal(c.train.lr, 1e-3);
    assert.equal(c.model.dim, 32);
  });

  it('presets lists every preset with one line each', () => {
    const r = cli(['presets']);
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, Object.keys(PRESETS).length);
    for (const name of Object.keys(PRESETS)) assert.ok(lines.some((l) => l.startsWith(`${name} `)), name);
  });
});
