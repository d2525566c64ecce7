import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../../src/data/open';
import { DatasetError } from '../../../src/data/types';
import { configWith, tempDir, writeCifar10, writeIdx } from './fixtures';

test('openDataset dispatches on data.dataset', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdx(dir, { n: 3, m: 2, h: 4, w: 4 });
    writeCifar10(join(dir, 'c10'), 1, 2, 2);
    const idx = await openDataset(configWith({ dataset: 'idx', path: dir }));
    assert.equal(idx.name, `idx:${dir}`);
    assert.equal(idx.train.length, 3);
    const c10 = await openDataset(configWith({ dataset: 'cifar10', path: join(dir, 'c10') }));
    assert.equal(c10.train.length, 2);
    const syn = await openDataset(configWith({ dataset: 'synthetic', syntheticTrain: 20, syntheticTest: 10, imageSize: 24 }));
    assert.equal(syn.train.length, 20);
    assert.deepEqual(syn.nativeSize, { width: 24, height: 24 });
    assert.equal((await syn.test.read(0)).width, 24);
  } finally {
    cleanup();
  }
});

test('missing or empty data.path is a DatasetError naming data.path and the path', async () => {
  const missing = join('/tmp', 'definitely-not-here-mimlab');
  await assert.rejects(openDataset(configWith({ dataset: 'folder', path: missing })), (e: unknown) => e instanceof DatasetError && e.message.includes('data.path') && e.message.includes(missing));
  await assert.rejects(openDataset(configWith({ dataset: 'idx', path: '' })), (e: unknown) => e instanceof DatasetError && e.message.includes('data.path'));
  await assert.rejects(openDataset(configWith({ dataset: 'synthetic', channels: 2 })), (e: unknown) => e instanceof DatasetError && e.message.includes('data.channels'));
});
