import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { tokenizerCommand } from '../../../src/cli/tokenizer-command';
import { syntheticDataset } from '../../../src/data/synthetic';
import { parseJsonLines } from '../../../src/protocol/run-files';
import type { TokenizerMeta } from '../../../src/tokenizer/format';
import { trainTokenizer, type TokenizerMetricsRow } from '../../../src/tokenizer/train';
import { silent, tempDir } from '../../helpers/runs';
import { useWasm } from '../../helpers/engine';

before(useWasm);

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tokenizer training (patch-wise VQ-VAE, EMA codebook)', () => {
  it('lowers its reconstruction loss, uses more than a handful of codes, and writes a TF.js tokenizer folder', async () => {
    const out = tempDir('tok-train');
    const r = await trainTokenizer({
      outDir: out, dataset: syntheticDataset({ train: 512, test: 128, size: 16 }), inputSize: 16, grid: 4, channels: 3,
      cropScale: [0.08, 1], hflip: true, vocab: 64, hidden: 64, codeDim: 16, steps: 120, batchSize: 32, lr: 2e-3, seed: 0, logEvery: 10, log: () => {},
    });
    const first = mean(r.history.slice(0, 10).map((h) => h.recon_mse));
    const last = mean(r.history.slice(-10).map((h) => h.recon_mse));
    assert.ok(last < 0.5 * first, `recon_mse ${first} → ${last}`);
    assert.ok(r.eval.used_codes > 16, `used ${r.eval.used_codes} of 64 codes on the test split`);
    assert.ok(r.eval.perplexity > 8, `perplexity ${r.eval.perplexity}`);
    assert.equal(r.eval.dead_codes, 64 - r.eval.used_codes);
    for (const f of ['tokenizer.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'reconstructions.png']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const model = JSON.parse(readFileSync(join(out, 'encoder', 'model.json'), 'utf8')) as { format: string; modelTopology: unknown; weightsManifest: { paths: string[] }[] };
    assert.equal(model.format, 'layers-model');
    assert.deepEqual(model.weightsManifest[0].paths, ['weights.bin']);
    const meta = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')) as TokenizerMeta;
    assert.deepEqual([meta.grid, meta.vocab, meta.inputSize, meta.channels, meta.inputMapping], [[4, 4], 64, 16, 3, { scale: 0.8, offset: 0.1 }]);
    assert.equal(meta.metrics?.used_codes, r.eval.used_codes);
    const logged = parseJsonLines<TokenizerMetricsRow>(readFileSync(join(out, 'metrics.jsonl'), 'utf8'));
    assert.deepEqual(logged.map((row) => row.step), Array.from({ length: 12 }, (_, i) => 10 * (i + 1)));
    for (const key of ['recon_mse', 'perplexity', 'used_codes', 'dead_codes'] as const) assert.equal(typeof logged[0][key], 'number', key);
  });

  it('`mim-lab tokenizer train` honours --set train.steps and tokenizer.vocab and prints the folder', async () => {
    const out = tempDir('tok-cli');
    const lines: string[] = [];
    const code = await tokenizerCommand(parseArgs(['train', '--out', out, '--preset', 'cae-tiny', '--backend', 'wasm', '--set', 'train.steps=4',
      '--set', 'tokenizer.vocab=16', '--set', 'data.syntheticTrain=64', '--set', 'data.syntheticTest=16']), { reporter: silent, print: (l) => lines.push(l) });
    assert.equal(code, 0);
    assert.equal(lines[lines.length - 1], out);
    const meta = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')) as TokenizerMeta;
    assert.equal(meta.vocab, 16);
    assert.equal(meta.training?.steps, 4);
    assert.deepEqual(meta.grid, [4, 4]); // cae-tiny: 16 px / patch 4
  });
});
