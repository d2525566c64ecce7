// Training batches made on a worker thread (src/data/loader-thread.ts) are the batches the in-process loader makes,
// bit for bit, in order and out of order (a resume); corrupt items are counted the same; a worker that cannot run
// hands over to this thread, with a warning and the same batches.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDataset } from '../../../src/data/open';
import { loaderWorkerScript, ThreadBatchLoader, trainingBatches } from '../../../src/data/loader-thread';
import { BatchLoader, type LoaderOptions } from '../../../src/data/pipeline';
import type { Batch, Dataset } from '../../../src/data/types';
import { ensureBuilt } from '../../helpers/cli';
import { configWith, solid, tempDir, writePng } from './fixtures';

const OPTIONS: LoaderOptions = {
  batchSize: 16, imageSize: 32, channels: 3, mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3], seed: 3,
  augment: { cropScale: [0.35, 1], hflip: true }, prefetch: 2, purpose: 'pretrain',
};

function sameBatch(a: Batch, b: Batch, what: string): void {
  assert.equal(a.n, b.n, what);
  assert.deepEqual(Buffer.from(a.images.buffer, a.images.byteOffset, a.images.byteLength), Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength), `${what}: images`);
  assert.deepEqual([...a.labels], [...b.labels], `${what}: labels`);
  assert.deepEqual([...a.indices], [...b.indices], `${what}: indices`);
}

describe('training batches on a worker thread', () => {
  const config = configWith({ dataset: 'synthetic', syntheticTrain: 500, syntheticTest: 50, imageSize: 32 });
  let dataset: Dataset;
  before(async () => {
    ensureBuilt();
    dataset = await openDataset(config);
  });

  it('are the in-process batches bit for bit, in order and resumed out of order', async () => {
    const script = loaderWorkerScript();
    assert.ok(script, 'dist/loader-worker.js is built');
    const warnings: string[] = [];
    const there = new ThreadBatchLoader(script, { config, options: OPTIONS }, dataset.train, (m) => warnings.push(m));
    const here = new BatchLoader(dataset.train, OPTIONS);
    try {
      for (const step of [0, 1, 2, 3, 40, 41, 7]) sameBatch(await there.batch(step), await here.batch(step), `step ${step}`);
      assert.equal(there.thread, 'worker');
      assert.deepEqual(warnings, []);
    } finally {
      await there.close();
    }
  });

  it('hands over to this thread when the worker fails, with a warning and the same batches', async () => {
    const dir = tempDir();
    after(dir.cleanup);
    const broken = join(dir.dir, 'broken-worker.js');
    writeFileSync(broken, "throw new Error('no loader here');\n");
    const warnings: string[] = [];
    const there = new ThreadBatchLoader(broken, { config, options: OPTIONS }, dataset.train, (m) => warnings.push(m));
    const here = new BatchLoader(dataset.train, OPTIONS);
    try {
      sameBatch(await there.batch(5), await here.batch(5), 'step 5');
      sameBatch(await there.batch(6), await here.batch(6), 'step 6');
      assert.equal(there.thread, 'main');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /loader thread stopped \(no loader here\); batches are made on the main thread/);
    } finally {
      await there.close();
    }
  });

  it('counts and names the corrupt items it skipped, as the in-process loader does', async () => {
    const dir = tempDir();
    after(dir.cleanup);
    for (const split of ['train', 'val']) {
      for (const cls of ['a', 'b']) {
        mkdirSync(join(dir.dir, split, cls), { recursive: true });
        for (let i = 0; i < 6; i++) writePng(join(dir.dir, split, cls, `${i}.png`), solid(8, 8, 3, (x, y, k) => (x * 30 + y * 7 + k * 50 + i * 13) % 256), 8, 8, 3);
      }
    }
    writeFileSync(join(dir.dir, 'train', 'b', '3.png'), 'not a png');
    const folder = configWith({ dataset: 'folder', path: dir.dir, imageSize: 8 });
    const ds = await openDataset(folder);
    const options: LoaderOptions = { ...OPTIONS, imageSize: 8, batchSize: 12 };
    const there = trainingBatches(folder, ds.train, options, () => {});
    const here = new BatchLoader(ds.train, options);
    try {
      assert.equal(there.thread, 'worker');
      for (const step of [0, 1]) sameBatch(await there.batch(step), await here.batch(step), `step ${step}`);
      assert.equal(there.skipped, 1);
      assert.equal(there.skipped, here.skipped);
      assert.deepEqual([...there.skippedFiles], [...here.skippedFiles]);
      assert.match(there.skippedFiles[0], /3\.png$/);
    } finally {
      await there.close();
    }
  });
});
