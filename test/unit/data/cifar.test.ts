import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCifar } from '../../../src/data/cifar';
import { DatasetError } from '../../../src/data/types';
import { cifarBytes, pixel, tempDir, writeCifar10 } from './fixtures';

test('CIFAR-10: batches in order, planar records become HWC pixels, names from batches.meta.txt', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeCifar10(join(dir, 'cifar-10-batches-bin'), 3, 4, 5);
    const ds = openCifar(dir, 'cifar10');
    assert.equal(ds.train.length, 12);
    assert.equal(ds.test.length, 5);
    assert.equal(ds.classNames[9], 'truck');
    // Train image 6 is record 2 of data_batch_2: label (2 + 2) % 10.
    assert.equal(ds.train.label(6), 4);
    const img = await ds.train.read(6);
    assert.deepEqual([img.width, img.height, img.channels], [32, 32, 3]);
    const p = 5 * 32 + 7;
    assert.deepEqual(Array.from(img.data.subarray(p * 3, p * 3 + 3)), [pixel(2, p), pixel(2, 1024 + p), pixel(2, 2048 + p)]);
    assert.equal(ds.test.label(3), 3);
  } finally {
    cleanup();
  }
});

test('CIFAR-100: fine labels, fine_label_names.txt', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'train.bin'), cifarBytes([[1, 42], [3, 99], [0, 7]]));
    writeFileSync(join(dir, 'test.bin'), cifarBytes([[2, 5]]));
    writeFileSync(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n'));
    const ds = openCifar(dir, 'cifar100');
    assert.deepEqual([ds.train.label(0), ds.train.label(1), ds.train.label(2), ds.test.label(0)], [42, 99, 7, 5]);
    assert.equal(ds.classNames[42], 'class42');
    assert.equal((await ds.train.read(1)).data[0], pixel(1, 0));
  } finally {
    cleanup();
  }
});

test('truncated or wrong-format CIFAR files are DatasetErrors naming the file', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeCifar10(dir, 2, 3, 2);
    const file = join(dir, 'data_batch_2.bin');
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 100));
    assert.throws(() => openCifar(dir, 'cifar10'), (e: unknown) => e instanceof DatasetError && e.message.includes(file) && e.message.includes('3073'));
    writeFileSync(file, full);
    // CIFAR-100 files opened as CIFAR-10: 6148 bytes is not whole 3073-byte records.
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes([[1, 55], [2, 66]]));
    assert.throws(() => openCifar(dir, 'cifar10'), DatasetError);
    rmSync(join(dir, 'test_batch.bin'));
    assert.throws(() => openCifar(dir, 'cifar10'), (e: unknown) => e instanceof DatasetError && e.message.includes('test_batch.bin'));
    mkdirSync(join(dir, 'empty'));
    assert.throws(() => openCifar(join(dir, 'empty'), 'cifar100'), (e: unknown) => e instanceof DatasetError && e.message.includes('test.bin'));
  } finally {
    cleanup();
  }
});
