import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/resolve';
import { syntheticDataset } from '../../../src/data/synthetic';
import { normalisePatches, patchify, patchStats, unpatchify } from '../../../src/ml/patches';
import { tf } from '../../../src/ml/tf';
import { saveLayersModel } from '../../../src/tokenizer/model-io';
import { resolveTokenizer } from '../../../src/tokenizer/targets';
import { Tokenizer } from '../../../src/tokenizer/tokenizer';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { train, tempDir } from '../../helpers/runs';
import { smallTokenizer, unitImages } from './fixtures';

before(useWasm);

describe('tokenizer folders load from disk', () => {
  it('a saved tokenizer reloads to identical codes, equal to the in-memory model\'s, and decodes as the model does', async () => {
    const { dir, vq, geom } = await smallTokenizer({ inputSize: 16, grid: 4, vocab: 32 });
    const n = 8;
    const images = unitImages(n, 16, 3, 7);
    const a = await Tokenizer.load(dir, { inputSize: 0, fallbackSize: 16 });
    const b = await Tokenizer.load(dir, { inputSize: 0, fallbackSize: 16 });
    const codesA = await a.encodeUnit(images, n, 16, 3);
    assert.deepEqual(Array.from(await b.encodeUnit(images, n, 16, 3)), Array.from(codesA));
    assert.deepEqual([a.grid, a.vocab, a.inputSize, a.output, a.resizable], [[4, 4], 32, 16, 'logits', false]);
    // The in-memory VQ-VAE on (mapped, per-patch normalised) patch rows gives the same codes as the exported
    // image model (conv + dense) behind the loader's cell normalisation.
    assert.equal(a.inputNorm, 'patch');
    const rows = patchify(images, n, { imageSize: 16, patchSize: geom.patchSize, channels: 3 });
    const P = geom.patchSize ** 2 * 3;
    const normRows = normalisePatches(rows.map((v) => 0.8 * v + 0.1), P);
    const mem = tf.tidy(() => vq.codesOf(vq.encode(tf.tensor2d(normRows, [rows.length / P, P]))));
    assert.deepEqual(Array.from(await mem.data()), Array.from(codesA));
    // Decoder: normalised cells, rescaled with the reference image's own cell stats, put back in place.
    await assert.rejects(a.decode(codesA, n), /needs the reference images/);
    const dec = await a.decode(codesA, n, { images, size: 16, channels: 3 });
    assert.ok(dec);
    const memDec = tf.tidy(() => vq.decode(vq.lookup(mem as tf.Tensor1D)));
    const cells = (await memDec.data()) as Float32Array;
    for (let r = 0; r < cells.length; r += P) {
      const { mean, std } = patchStats(rows, r, P);
      for (let i = r; i < r + P; i++) cells[i] = Math.min(1, Math.max(0, cells[i] * std + mean));
    }
    const expected = unpatchify(cells, n, { imageSize: 16, patchSize: geom.patchSize, channels: 3 });
    assert.equal(dec.size, 16);
    assert.ok(expected.every((v, i) => Math.abs(v - dec.images[i]) < 1e-4));
    tf.dispose([mem, memDec]);
    a.dispose();
    b.dispose();
    vq.dispose();
  });

  it('any TF.js encoder loads without tokenizer.json; a free input size is resized to tokenizer.inputSize', async () => {
    const dir = tempDir('bare');
    // Downsamples by 8 and outputs logits over 10 codes: at 16 px a 2×2 grid, at 32 px a 4×4 grid.
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 10, kernelSize: 8, strides: 8 }));
    await saveLayersModel(m, dir);
    m.dispose();
    const config = tinyConfig(['loss.target=tokens', `tokenizer.path=${dir}`]); // ViT grid 16/4 = 4
    const ds = syntheticDataset({ train: 8, test: 8, size: 16 });
    await assert.rejects(resolveTokenizer(config, ds, null, () => {}), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /tokenizer grid mismatch/);
      assert.match(err.message, /2×2 code grid at 16 px/);
      assert.match(err.message, /ViT patch grid is 4×4 \(data\.imageSize=16 \/ model\.patchSize=4\)/);
      assert.match(err.message, /set tokenizer\.inputSize=32/);
      return true;
    });
    const ok = await resolveTokenizer({ ...config, tokenizer: { ...config.tokenizer, inputSize: 32 } }, ds, null, () => {});
    assert.deepEqual([ok.tokenizer.grid, ok.tokenizer.vocab, ok.config.tokenizer.vocab, ok.config.tokenizer.inputSize], [[4, 4], 10, 10, 32]);
    const codes = await ok.tokenizer.encodeUnit(unitImages(3, 16, 3), 3, 16, 3);
    assert.equal(codes.length, 3 * 16);
    assert.ok(codes.every((c) => c >= 0 && c < 10));
    ok.tokenizer.dispose();
  });

  it('reads channels-first (nchw) encoders declared in tokenizer.json, e.g. a converted DALL-E', async () => {
    const dir = tempDir('nchw');
    const m = tf.sequential();
    m.add(tf.layers.permute({ inputShape: [3, 16, 16], dims: [2, 3, 1] })); // NCHW in …
    m.add(tf.layers.conv2d({ filters: 12, kernelSize: 4, strides: 4 }));
    m.add(tf.layers.permute({ dims: [3, 1, 2] })); // … logits [B, V, h, w] out
    await saveLayersModel(m, join(dir, 'enc'));
    m.dispose();
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ encoder: 'enc', decoder: null, layout: 'nchw', output: 'logits', inputSize: 16, channels: 3, vocab: 12 }));
    const tok = await Tokenizer.load(dir, { inputSize: 0, fallbackSize: 16 });
    assert.deepEqual([tok.grid, tok.vocab, tok.layout, tok.hasDecoder], [[4, 4], 12, 'nchw', false]);
    assert.equal((await tok.encodeUnit(unitImages(2, 16, 3), 2, 16, 3)).length, 32);
    assert.equal(await tok.decode(new Int32Array(32), 2), null);
    tok.dispose();
  });

  it('loads graph models (tfjs-converter output, e.g. a converted DALL-E: NCHW in, logits [B, V, h, w] out)', async () => {
    const dir = tempDir('graph');
    const dims = (a: number[]): { dim: { size: string }[] } => ({ dim: a.map((d) => ({ size: String(d) })) });
    const s = (text: string): { s: string } => ({ s: Buffer.from(text).toString('base64') });
    const int32 = { type: 'DT_INT32' };
    const float = { type: 'DT_FLOAT' };
    const node = (name: string, op: string, input: string[], attr: Record<string, unknown>): Record<string, unknown> => ({ name, op, input, attr });
    const json = {
      format: 'graph-model', generatedBy: 'test', convertedBy: 'test',
      modelTopology: { versions: { producer: 1 }, node: [
        node('x', 'Placeholder', [], { dtype: float, shape: { shape: dims([-1, 3, -1, -1]) } }),
        node('to_nhwc', 'Const', [], { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([4]) } }, dtype: int32 }),
        node('to_nchw', 'Const', [], { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([4]) } }, dtype: int32 }),
        node('w', 'Const', [], { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims([4, 4, 3, 10]) } }, dtype: float }),
        node('xt', 'Transpose', ['x', 'to_nhwc'], { T: float, Tperm: int32 }),
        node('conv', 'Conv2D', ['xt', 'w'], { T: float, strides: { list: { i: ['1', '4', '4', '1'] } }, padding: s('VALID'), data_format: s('NHWC'), dilations: { list: { i: ['1', '1', '1', '1'] } } }),
        node('logits', 'Transpose', ['conv', 'to_nchw'], { T: float, Tperm: int32 }),
      ] },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
        { name: 'to_nhwc', shape: [4], dtype: 'int32' }, { name: 'to_nchw', shape: [4], dtype: 'int32' }, { name: 'w', shape: [4, 4, 3, 10], dtype: 'float32' },
      ] }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const w = Float32Array.from({ length: 480 }, (_, i) => Math.sin(i));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat([Buffer.from(Int32Array.from([0, 2, 3, 1, 0, 3, 1, 2]).buffer), Buffer.from(w.buffer)]));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ kind: 'hand-made graph', encoder: 'model.json', decoder: null, layout: 'nchw' }));
    const tok = await Tokenizer.load(dir, { inputSize: 0, fallbackSize: 16 }); // free input size: data.imageSize
    assert.deepEqual([tok.grid, tok.vocab, tok.inputSize, tok.resizable, tok.mapping], [[4, 4], 10, 16, true, { scale: 0.8, offset: 0.1 }]);
    const codes = await tok.encodeUnit(unitImages(2, 16, 3), 2, 16, 3);
    assert.equal(codes.length, 32);
    tok.dispose();
  });

  it('a grid mismatch refuses to start pretraining, naming the keys and both grids, before any run folder exists', async () => {
    const { dir, vq } = await smallTokenizer({ inputSize: 32, grid: 8, vocab: 16 });
    vq.dispose();
    const runs = tempDir('mismatch');
    const config = tinyConfig(['loss.target=tokens', `tokenizer.path=${dir}`, 'train.steps=2']);
    await assert.rejects(train(config, { runsDir: runs }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /tokenizer grid mismatch: tokenizer\.path=.* yields a 8×8 code grid at 32 px input/);
      assert.match(err.message, /ViT patch grid is 4×4 \(data\.imageSize=16 \/ model\.patchSize=4\)/);
      assert.match(err.message, /only takes 32 px images/);
      return true;
    });
    assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], []);
    await assert.rejects(train(tinyConfig(['loss.target=tokens', 'tokenizer.path=/nonexistent/tok'])), /tokenizer\.path does not exist/);
  });
});
