import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel } from '../../../src/ml/create-model';
import { allStores } from '../../../src/ml/model';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { AdamW } from '../../../src/ml/optimizer';
import { listCheckpoints, loadCheckpoint, saveCheckpoint, type CheckpointMeta } from '../../../src/trainer/checkpoint';
import { loadRunModel } from '../../../src/trainer/load-run';
import { exportState } from '../../../src/trainer/model-state';
import { readSafetensorsHeader } from '../../../src/util/safetensors';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { tempDir } from '../../helpers/runs';

before(useWasm);

const meta = (step: number): Omit<CheckpointMeta, 'arrays' | 'format' | 'engine'> => ({
  step, epoch: 0, optimizerT: step, config: tinyConfig(), rng: { seed: 0, step }, createdAt: '2026-12-07T00:00:00Z',
});

describe('checkpoint format 2', () => {
  it('is weights.safetensors with every array under its store name, and meta.json without an index', async () => {
    const config = tinyConfig();
    const model = createModel(modelSpecFromConfig(config));
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const { arrays } = await exportState(model, opt);
    const root = join(tempDir('ckpt2'), 'checkpoints');
    const dir = saveCheckpoint(root, meta(5), arrays, 2);
    const m = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
    assert.equal(m.format, 2);
    assert.equal(m.engine, 'tfjs');
    assert.equal(m.arrays, undefined);
    assert.ok(!existsSync(join(dir, 'weights.bin')));
    const header = readSafetensorsHeader(join(dir, 'weights.safetensors'));
    assert.deepEqual([...header.entries.keys()], arrays.map((a) => a.name));
    for (const a of arrays) assert.deepEqual(header.entries.get(a.name)?.shape, a.shape, a.name);
    const prefixes = new Set([...header.entries.keys()].map((n) => n.split('.')[0]));
    assert.deepEqual([...prefixes].sort(), ['decoder', 'encoder', 'optimizer', 'regressor', 'teacher']);
    assert.ok(header.entries.has('optimizer.encoder.patchEmbed.w.m') && header.entries.has('optimizer.encoder.patchEmbed.w.v'));
    assert.deepEqual(header.entries.get('encoder.blocks.0.attn.qkv.w')?.shape, [32, 96], 'dense weights are [in, out]');
    model.dispose();
    opt.dispose();
  });

  it('a cut-short weights file is not a checkpoint', () => {
    const root = join(tempDir('ckpt2'), 'checkpoints');
    saveCheckpoint(root, meta(2), [{ name: 'encoder.a', shape: [4], data: new Float32Array([1, 2, 3, 4]) }], 5);
    const dir = saveCheckpoint(root, meta(4), [{ name: 'encoder.a', shape: [4], data: new Float32Array([1, 2, 3, 4]) }], 5);
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, -3));
    assert.deepEqual(listCheckpoints(root), [2]);
    assert.throws(() => loadCheckpoint(root, 4), /missing or incomplete/);
  });

  it('format 1 (weights.bin + index) still loads', () => {
    const root = join(tempDir('ckpt1'), 'checkpoints');
    const dir = join(root, 'step-000007');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(new Float32Array([1, 2, 3, 4, 5]).buffer));
    const arrays = [{ name: 'encoder.a', shape: [2], offset: 0, length: 2 }, { name: 'encoder.b', shape: [3], offset: 2, length: 3 }];
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta(7), format: 1, arrays }));
    assert.deepEqual(listCheckpoints(root), [7]);
    const ck = loadCheckpoint(root, 7);
    assert.deepEqual(ck.arrays.map((a) => [a.name, a.shape, [...a.data]]), [['encoder.a', [2], [1, 2]], ['encoder.b', [3], [3, 4, 5]]]);
  });

  it('a checkpoint written by torch loads into the TF.js model that probes, diagnostics and reports use', async () => {
    const config = tinyConfig();
    const model = createModel(modelSpecFromConfig(config));
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const { arrays } = await exportState(model, opt);
    model.dispose();
    opt.dispose();
    const runDir = tempDir('torch-run');
    writeFileSync(join(runDir, 'config.json'), JSON.stringify(config));
    const spec = join(runDir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ step: 30, config, arrays: arrays.map((a) => ({ name: a.name, shape: a.shape })) }));
    const script = join(__dirname, '..', '..', 'fixtures', 'torch-contract', 'write_checkpoint.py');
    const r = spawnSync('/usr/bin/python3', [script, spec, join(runDir, 'checkpoints', 'step-000030')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const loaded = loadRunModel(runDir, 'latest');
    assert.equal(loaded.step, 30);
    const expected = (k: number, n: number): number[] => Array.from({ length: n }, (_, i) => (i % 97) * 0.25 - k);
    let checked = 0;
    for (const [store, params] of Object.entries(allStores(loaded.model))) {
      for (const a of await params.export()) {
        const k = arrays.findIndex((x) => x.name === `${store}.${a.name}`);
        assert.deepEqual([...a.data], expected(k, a.data.length), `${store}.${a.name}`);
        checked++;
      }
    }
    assert.equal(checked, arrays.filter((a) => !a.name.startsWith('optimizer.')).length);
    loaded.model.dispose();
  });
});
