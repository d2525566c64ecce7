import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader, centreBatches, epochOf, loadCentre, type LoaderOptions } from '../../../src/data/pipeline';
import { CorruptImageError, type RawImage, type Split } from '../../../src/data/types';

/** In-memory split: image i is 8×8 gray with every pixel = i (so indices are visible in the pixels). */
function memSplit(n: number, corrupt: number[] = []): Split & { reads: number } {
  return {
    length: n,
    reads: 0,
    label: (i) => i % 3,
    async read(i): Promise<RawImage> {
      this.reads++;
      if (corrupt.includes(i)) throw new CorruptImageError(`item${i}.png`, 'bad');
      return { width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(i) };
    },
  };
}

const opts = (o: Partial<LoaderOptions> = {}): LoaderOptions => ({
  batchSize: 4, seed: 11, imageSize: 8, channels: 1, mean: [0.5], std: [0.25],
  augment: { cropScale: [0.2, 1], hflip: true }, prefetch: 2, purpose: 'pretrain', ...o,
});

test('batch(step) is a pure function of (seed, step): same across fresh loaders and call orders', async () => {
  const a = new BatchLoader(memSplit(50), opts());
  const b = new BatchLoader(memSplit(50), opts());
  for (let s = 0; s < 9; s++) await a.batch(s);
  const fromSequential = await a.batch(9);
  const fromCold = await b.batch(9); // e.g. a resumed run
  assert.deepEqual(fromSequential, fromCold);
  assert.deepEqual(await b.batch(3), await new BatchLoader(memSplit(50), opts()).batch(3));
  const other = await b.batch(4);
  assert.notDeepEqual(other.indices, (await b.batch(3)).indices);
  const otherSeed = await new BatchLoader(memSplit(50), opts({ seed: 12 })).batch(9);
  assert.notDeepEqual(otherSeed.images, fromCold.images);
  // Same image, different step: augmentation differs.
  const noShuffle = await new BatchLoader(memSplit(1), opts({ batchSize: 1 })).batch(0);
  const next = await new BatchLoader(memSplit(1), opts({ batchSize: 1 })).batch(1);
  assert.equal(noShuffle.indices[0], next.indices[0]);
});

test('each epoch is a permutation of the split; batches run across epoch boundaries', async () => {
  const loader = new BatchLoader(memSplit(10), opts({ augment: null }));
  const seen: number[] = [];
  for (let s = 0; s < 5; s++) seen.push(...(await loader.batch(s)).indices);
  const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);
  assert.deepEqual(sorted(seen.slice(0, 10)), [...Array(10).keys()]);
  assert.deepEqual(sorted(seen.slice(10, 20)), [...Array(10).keys()]);
  assert.notDeepEqual(seen.slice(0, 10), seen.slice(10, 20));
  assert.deepEqual([epochOf(0, 4, 10), epochOf(2, 4, 10), epochOf(3, 4, 10), epochOf(5, 4, 10)], [0, 0, 1, 2]);
});

test('centre view batches carry normalised pixels and labels of their indices', async () => {
  const batch = await new BatchLoader(memSplit(20), opts({ augment: null })).batch(2);
  for (let j = 0; j < batch.n; j++) {
    const i = batch.indices[j];
    assert.equal(batch.labels[j], i % 3);
    assert.ok(Math.abs(batch.images[j * 64 + 10] - (i / 255 - 0.5) / 0.25) < 1e-5);
  }
  assert.deepEqual([batch.size, batch.channels, batch.images.length], [8, 1, 4 * 64]);
});

test('a corrupt item is replaced by the next index, counted once and its file kept', async () => {
  const loader = new BatchLoader(memSplit(12, [3, 7]), opts({ augment: null }));
  const all: number[] = [];
  for (let s = 0; s < 6; s++) all.push(...(await loader.batch(s)).indices); // two epochs
  assert.ok(!all.includes(3) && !all.includes(7));
  assert.equal(all.filter((i) => i === 4).length, 4); // itself and the stand-in for 3, each epoch
  assert.equal(loader.skipped, 2);
  assert.deepEqual([...loader.skippedFiles].sort(), ['item3.png', 'item7.png']);
});

test('prefetch prepares a bounded number of batches ahead, and serves them', async () => {
  const split = memSplit(1000);
  const loader = new BatchLoader(split, opts({ prefetch: 3 }));
  const first = await loader.batch(0);
  for (let t = 0; t < 20; t++) await new Promise((r) => setImmediate(r));
  assert.equal(split.reads, 4 * 4); // batch 0 + 3 ahead
  await loader.batch(1);
  for (let t = 0; t < 20; t++) await new Promise((r) => setImmediate(r));
  assert.equal(split.reads, 5 * 4); // only step 4 was new
  await loader.batch(500); // out of order: computed directly, look-ahead moves along
  for (let t = 0; t < 20; t++) await new Promise((r) => setImmediate(r));
  assert.equal(split.reads, 9 * 4);
  assert.deepEqual(first, await new BatchLoader(memSplit(1000), opts({ prefetch: 3 })).batch(0));
});

test('centreBatches walks the whole split in index order; loadCentre takes a fixed list', async () => {
  const split = memSplit(10);
  const got: number[] = [];
  const sizes: number[] = [];
  for await (const b of centreBatches(split, { batchSize: 4, imageSize: 4, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] })) {
    got.push(...b.indices);
    sizes.push(b.n);
    assert.equal(b.images.length, b.n * 4 * 4 * 3);
  }
  assert.deepEqual(got, [...Array(10).keys()]);
  assert.deepEqual(sizes, [4, 4, 2]);
  const fixed = await loadCentre(split, [9, 2], { imageSize: 8, channels: 1, mean: [0], std: [1] });
  assert.deepEqual(Array.from(fixed.indices), [9, 2]);
  assert.ok(Math.abs(fixed.images[64] - 2 / 255) < 1e-6);
});

test('normalisation arrays must match the channel count', () => {
  assert.throws(() => new BatchLoader(memSplit(4), opts({ channels: 3 })), /data.mean/);
});
