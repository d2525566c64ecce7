import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeStats, recordedNormalisation, resolveNormalisation, STATS_FILE, subsampleIndices } from '../../../src/data/stats';
import type { Dataset, RawImage, Split } from '../../../src/data/types';
import { configWith, tempDir } from './fixtures';

/** Image i: R = 0 or 255 alternating by image, G = 51 everywhere, B = 255. */
function split(n: number, reads: number[] = []): Split {
  return {
    length: n,
    label: () => 0,
    async read(i): Promise<RawImage> {
      reads.push(i);
      const data = new Uint8Array(4 * 4 * 3);
      for (let p = 0; p < 16; p++) data.set([i % 2 ? 255 : 0, 51, 255], p * 3);
      return { width: 4, height: 4, channels: 3, data };
    },
  };
}

const dataset = (n: number, reads?: number[]): Dataset => ({ name: 'toy', train: split(n, reads), test: split(2), classNames: ['a'], channels: 3, nativeSize: { width: 4, height: 4 } });

test('per-channel mean/std in [0, 1] units; constant channels get std 1', async () => {
  const s = await computeStats(split(10), 4, 3);
  assert.equal(s.count, 10);
  assert.deepEqual(s.mean.map((v) => +v.toFixed(6)), [0.5, 0.2, 1]);
  assert.deepEqual(s.std.map((v) => +v.toFixed(6)), [0.5, 1, 1]);
  const gray = await computeStats(split(10), 4, 1);
  assert.equal(gray.mean.length, 1);
});

test('the subsample is deterministic, strided over the whole split and capped', () => {
  const idx = subsampleIndices(10_000, 2000);
  assert.equal(idx.length, 2000);
  assert.deepEqual(idx.slice(0, 3), [0, 5, 10]);
  assert.equal(idx[1999], 9995);
  assert.deepEqual(subsampleIndices(3, 2000), [0, 1, 2]);
});

test('resolveNormalisation: config wins, else computed once and cached in the run folder', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const given = await resolveNormalisation(configWith({ mean: [0.1, 0.2, 0.3], std: [1, 2, 3] }), dataset(4), dir);
    assert.deepEqual(given, { mean: [0.1, 0.2, 0.3], std: [1, 2, 3], source: 'config' });
    assert.ok(!existsSync(join(dir, STATS_FILE)));

    const reads: number[] = [];
    const computed = await resolveNormalisation(configWith({ imageSize: 4 }), dataset(6, reads), dir);
    assert.equal(computed.source, 'computed');
    assert.equal(reads.length, 6);
    const file = JSON.parse(readFileSync(join(dir, STATS_FILE), 'utf8')) as { mean: number[]; dataset: string };
    assert.deepEqual(file.mean, computed.mean);
    assert.equal(file.dataset, 'toy');
    assert.deepEqual(readdirSync(dir), [STATS_FILE]); // no tmp file left behind

    const cached = await resolveNormalisation(configWith({ imageSize: 4 }), dataset(6, reads), dir);
    assert.equal(cached.source, 'cache');
    assert.equal(reads.length, 6);
    assert.deepEqual(cached.mean, computed.mean);

    // A different dataset size (or a torn file) does not match: recomputed.
    assert.equal((await resolveNormalisation(configWith({ imageSize: 4 }), dataset(7), dir)).source, 'computed');
    writeFileSync(join(dir, STATS_FILE), '{"mean": [0.5');
    assert.equal((await resolveNormalisation(configWith({ imageSize: 4 }), dataset(7), dir)).source, 'computed');
  } finally {
    cleanup();
  }
});

test('config mean/std of the wrong length are rejected with the key named', async () => {
  await assert.rejects(resolveNormalisation(configWith({ mean: [0.5], std: [0.2] }), dataset(2)), /data\.mean/);
});

test('recordedNormalisation (export): the config\'s, else the run\'s data-stats.json; none for a missing, torn or foreign file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.deepEqual(recordedNormalisation(configWith({ mean: [0.1, 0.2, 0.3], std: [1, 2, 3] }), dir), { mean: [0.1, 0.2, 0.3], std: [1, 2, 3] });
    assert.equal(recordedNormalisation(configWith({ imageSize: 4 }), dir), null);
    const computed = await resolveNormalisation(configWith({ imageSize: 4 }), dataset(6), dir);
    assert.deepEqual(recordedNormalisation(configWith({ imageSize: 4 }), dir), { mean: computed.mean, std: computed.std });
    writeFileSync(join(dir, STATS_FILE), JSON.stringify({ mean: [0.5], std: [1] })); // one channel for a 3-channel run
    assert.equal(recordedNormalisation(configWith({ imageSize: 4 }), dir), null);
    writeFileSync(join(dir, STATS_FILE), '{"mean": [0.5');
    assert.equal(recordedNormalisation(configWith({ imageSize: 4 }), dir), null);
  } finally {
    cleanup();
  }
});
