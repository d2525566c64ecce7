import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTimm } from '../../../src/ml/timm-names';
import { patchify } from '../../../src/ml/patches';
import { get2dSincosPosEmbed } from '../../../src/ml/posembed';
import { Rng } from '../../../src/ml/rng';
import { tf } from '../../../src/ml/tf';
import { encode } from '../../../src/ml/vit';
import { loadRunModel } from '../../../src/trainer/load-run';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { storeArrays } from '../../../src/trainer/model-state';
import { decodeSafetensors, type Tensor32 } from '../../../src/util/safetensors';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { tempDir, train } from '../../helpers/runs';

let runDir = '';
const config = tinyConfig(['train.steps=4', 'train.checkpointEvery=2', 'train.keepCheckpoints=3', 'sample.every=0']);
const { patchSize: p, dim: D } = config.model;
const { channels: C, imageSize: S } = config.data;
const N = (S / p) ** 2;

before(async () => {
  ensureBuilt();
  await useWasm();
  runDir = (await train(config)).runDir;
});

function exported(args: string[]): { file: string; tensors: Map<string, Tensor32>; list: Tensor32[]; metadata: Record<string, string> } {
  const file = join(tempDir('export'), 'encoder.safetensors');
  const r = cli(['export', runDir, '-o', file, ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), file);
  const st = decodeSafetensors(readFileSync(file));
  return { file, tensors: new Map(st.tensors.map((t) => [t.name, t])), list: st.tensors, metadata: st.metadata };
}

const asRows = (ts: readonly Tensor32[]): [string, number[], number[]][] =>
  [...ts].sort((a, b) => a.name.localeCompare(b.name)).map((t) => [t.name, t.shape, [...t.data]]);

describe('mim-lab export', () => {
  it('writes exactly the checkpoint\'s encoder arrays (mimlab names), with how inputs were normalised', () => {
    const e = exported(['--checkpoint', '2']);
    const encoder = storeArrays(loadCheckpoint(join(runDir, 'checkpoints'), 2).arrays, 'encoder');
    assert.deepEqual(asRows(e.list), asRows(encoder));
    assert.equal(e.metadata['mimlab.step'], '2');
    assert.equal(e.metadata['mimlab.engine'], 'tfjs');
    assert.match(e.metadata['mimlab.input'], /mean \[[-0-9.e,]+\], std \[/);
    assert.deepEqual(JSON.parse(e.metadata['mimlab.config']), config);
  });

  it('--names timm: timm\'s ViT keys and layouts, and undoing the mapping gives the checkpoint back exactly', () => {
    const e = exported(['--names', 'timm']);
    const shape = (n: string): number[] | undefined => e.tensors.get(n)?.shape;
    assert.deepEqual(shape('patch_embed.proj.weight'), [D, C, p, p]);
    assert.deepEqual(shape('patch_embed.proj.bias'), [D]);
    assert.deepEqual(shape('cls_token'), [1, 1, D]);
    assert.deepEqual(shape('pos_embed'), [1, 1 + N, D]);
    assert.deepEqual(shape('blocks.0.norm1.weight'), [D]);
    assert.deepEqual(shape('blocks.0.attn.qkv.weight'), [3 * D, D]);
    assert.deepEqual(shape('blocks.0.attn.proj.weight'), [D, D]);
    assert.deepEqual(shape('blocks.1.ls1.gamma'), [D]);
    assert.deepEqual(shape('blocks.1.ls2.gamma'), [D]);
    assert.deepEqual(shape('blocks.1.mlp.fc1.weight'), [4 * D, D]);
    assert.deepEqual(shape('blocks.1.mlp.fc2.bias'), [D]);
    assert.deepEqual(shape('norm.weight'), [D]);
    assert.deepEqual([...(e.tensors.get('pos_embed')?.data ?? [])], [...get2dSincosPosEmbed(D, S / p, S / p, true)]);
    const latest = loadCheckpoint(join(runDir, 'checkpoints'), 4);
    assert.equal(e.metadata['mimlab.step'], '4');
    const geometry = { patchSize: p, channels: C, grid: S / p, dim: D };
    assert.deepEqual(asRows(fromTimm(e.list, geometry)), asRows(storeArrays(latest.arrays, 'encoder')));
  });

  it('the timm patch embedding, applied as timm\'s Conv2d to an NCHW image, equals ours on the patches', () => {
    const e = exported(['--names', 'timm']);
    const ours = storeArrays(loadCheckpoint(join(runDir, 'checkpoints'), 4).arrays, 'encoder');
    const w = ours.find((a) => a.name === 'patchEmbed.w')!.data;
    const wt = e.tensors.get('patch_embed.proj.weight')!.data;
    const rng = new Rng(3);
    const image = Float32Array.from({ length: S * S * C }, () => rng.normal()); // NHWC, one image
    const patches = patchify(image, 1, { imageSize: S, patchSize: p, channels: C });
    const side = S / p;
    for (const [gy, gx, d] of [[0, 0, 0], [1, 2, 5], [side - 1, side - 1, D - 1]]) {
      let conv = 0;
      for (let c = 0; c < C; c++) for (let y = 0; y < p; y++) for (let x = 0; x < p; x++) {
        conv += wt[((d * C + c) * p + y) * p + x] * image[((gy * p + y) * S + gx * p + x) * C + c];
      }
      const n = gy * side + gx;
      let linear = 0;
      for (let k = 0; k < p * p * C; k++) linear += patches[n * p * p * C + k] * w[k * D + d];
      assert.ok(Math.abs(conv - linear) < 1e-4, `patch (${gy}, ${gx}) channel ${d}: conv ${conv} vs linear ${linear}`);
    }
  });

  it('loaded by its timm keys into timm\'s ViT forward (in torch), it computes the same tokens as the TF.js encoder', async () => {
    const e = exported(['--names', 'timm']);
    const rng = new Rng(5);
    const image = Float32Array.from({ length: S * S * C }, () => rng.normal());
    const loaded = loadRunModel(runDir, 4);
    const pos = get2dSincosPosEmbed(D, S / p, S / p);
    const x = tf.tidy(() => encode(loaded.model.encoder, loaded.model.spec.encoder, {
      patches: tf.tensor2d(patchify(image, 1, { imageSize: S, patchSize: p, channels: C }), [N, p * p * C]), pos: tf.tensor2d(pos, [N, D]), batch: 1,
    }));
    const ours = (await x.data()) as Float32Array; // [1 + N, D]
    x.dispose();
    loaded.model.dispose();
    const dir = tempDir('timm-forward');
    writeFileSync(join(dir, 'image.f32'), Buffer.from(image.buffer));
    const script = join(__dirname, '..', '..', 'fixtures', 'torch-contract', 'timm_vit_forward.py');
    const r = spawnSync('/usr/bin/python3', [script, e.file, join(dir, 'image.f32'), String(config.model.heads), join(dir, 'out.f32')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const buf = readFileSync(join(dir, 'out.f32'));
    const theirs = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    assert.equal(theirs.length, ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    assert.ok(worst < 1e-4, `largest difference ${worst}`);
  });

  it('refuses bad input with exit 2 and a message naming the option', () => {
    const names = cli(['export', runDir, '--names', 'hf']);
    assert.equal(names.code, 2);
    assert.match(names.stderr, /--names must be one of mimlab, timm, got "hf"/);
    const step = cli(['export', runDir, '--checkpoint', '3']);
    assert.equal(step.code, 2);
    assert.match(step.stderr, /no checkpoint for step 3 .*available: 2, 4/);
    const folder = cli(['export', tempDir('not-a-run')]);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /is not a run folder with checkpoints/);
  });
});
