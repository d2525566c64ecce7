import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosticHooks } from '../../../src/trainer/sampler';
import type { SampleManifest } from '../../../src/protocol/samples';
import { argmaxRows, decodedMaskedPatches, pasteCodes, tokenAccuracyMap, tokenViews } from '../../../src/diagnostics/token-samples';
import { Tokenizer } from '../../../src/tokenizer/tokenizer';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { tempDir, train } from '../../helpers/runs';
import { smallTokenizer, unitImages } from './fixtures';

before(useWasm);

describe('token diagnostics', () => {
  it('argmax, pasting predicted codes and the per-image accuracy map', () => {
    assert.deepEqual(Array.from(argmaxRows(Float32Array.from([0, 3, 1, 5, 0, 0]), 3)), [1, 0]);
    const codes = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]); // 2 images × 4 patches
    const maskIdx = Int32Array.from([1, 3, 0, 2]); // 2 masked per image
    const predicted = Int32Array.from([1, 9, 9, 6]);
    assert.deepEqual(Array.from(pasteCodes(codes, maskIdx, predicted, 4)), [0, 1, 2, 9, 9, 5, 6, 7]);
    const acc = tokenAccuracyMap(codes, maskIdx, predicted, 4);
    assert.deepEqual(acc.perImage, [0.5, 0.5]);
    assert.deepEqual(acc.maps.map((m) => Array.from(m)), [[0, 2, 0, 1], [1, 0, 2, 0]]);
  });

  it('perfect logits decode to the tokenizer\'s own reconstruction of the masked patches, accuracy 1', async () => {
    const { dir, vq } = await smallTokenizer({ inputSize: 16, grid: 4, vocab: 16 });
    vq.dispose();
    const tok = await Tokenizer.load(dir, { inputSize: 0, fallbackSize: 16 });
    const g = { imageSize: 16, patchSize: 4, channels: 3 };
    const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const unit = unitImages(2, 16, 3);
    const codes = await tok.encodeUnit(unit, 2, 16, 3);
    const source = { images: Float32Array.from(unit, (v) => (v - 0.5) / 0.25), norm };
    const maskIdx = Int32Array.from([0, 5, 10, 3, 4, 15]);
    const logits = new Float32Array(6 * 16);
    maskIdx.forEach((p, j) => { logits[j * 16 + codes[Math.floor(j / 3) * 16 + p]] = 1; });
    const v = await tokenViews(tok, codes, maskIdx, logits, null, g, source);
    assert.deepEqual(v.accuracy.perImage, [1, 1]);
    const expected = await decodedMaskedPatches(tok, codes, maskIdx, g, source);
    assert.ok(v.prediction && expected && v.prediction.length === 6 * 48);
    assert.deepEqual(Array.from(v.prediction), Array.from(expected));
    tok.dispose();
  });

  it('a token-target run writes decoded strips, token-accuracy.png and tokens.json in its samples', async () => {
    const config = tinyConfig(['loss.target=tokens', 'tokenizer.path=auto', 'tokenizer.vocab=16', 'tokenizer.steps=10', 'train.steps=2',
      'sample.every=2', 'sample.count=3', 'data.syntheticTrain=64', 'data.syntheticTest=16']);
    const { runDir, state } = await train(config, { runsDir: tempDir('tok-sample'), hooks: diagnosticHooks(config) });
    assert.equal(state, 'completed');
    const dir = join(runDir, 'samples', '000002');
    const manifest = JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')) as SampleManifest;
    assert.deepEqual(manifest.views, ['original', 'masked', 'prediction', 'pasted', 'encoder-decode']);
    assert.ok(manifest.tokens);
    assert.equal(manifest.tokens.vocab, 16);
    assert.equal(manifest.tokens.decoded, true);
    assert.equal(manifest.tokens.accuracy.length, 3);
    for (const f of [manifest.tokens.map, manifest.tokens.data, ...manifest.strips]) assert.ok(existsSync(join(dir, f)), f);
    const data = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { codes: number[][]; predicted: number[][] };
    assert.deepEqual([data.codes.length, data.codes[0].length, data.predicted[0].length], [3, 16, config.mask.count]);
  });
});
