import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../../../src/config/presets';
import { resolveConfig } from '../../../src/config/resolve';
import { cli, ensureBuilt } from '../../helpers/cli';

before(ensureBuilt);

// The refusals themselves (exit 2, the key named, no run folder) are rows of bad-input.test.ts.
describe('config resolution and presets', () => {
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
