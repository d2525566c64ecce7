import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openIdx } from '../../../src/data/idx';
import { DatasetError } from '../../../src/data/types';
import { idxBytes, pixel, tempDir, writeIdx } from './fixtures';

for (const variant of [{ gz: false, dotted: false }, { gz: true, dotted: false }, { gz: false, dotted: true }, { gz: true, dotted: true }]) {
  test(`idx reader gives pixels and labels (${JSON.stringify(variant)})`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const labels = writeIdx(dir, { n: 7, m: 4, h: 5, w: 6, ...variant });
      const ds = openIdx(dir);
      assert.equal(ds.train.length, 7);
      assert.equal(ds.test.length, 4);
      assert.deepEqual(ds.nativeSize, { width: 6, height: 5 });
      assert.equal(ds.channels, 1);
      assert.deepEqual(Array.from({ length: 7 }, (_, i) => ds.train.label(i)), labels.train);
      assert.deepEqual(Array.from({ length: 4 }, (_, i) => ds.test.label(i)), labels.test);
      const img = await ds.train.read(3);
      assert.deepEqual([img.width, img.height, img.channels], [6, 5, 1]);
      assert.deepEqual(Array.from(img.data), Array.from({ length: 30 }, (_, p) => pixel(3, p)));
      assert.equal((await ds.test.read(2)).data[4], pixel(2, 4));
    } finally {
      cleanup();
    }
  });
}

function expectDatasetError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `'${e.message}' should mention '${p}'`);
    return true;
  });
}

test('a truncated IDX file names the file and expected vs actual bytes', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdx(dir, { n: 4, m: 2, h: 3, w: 3 });
    const file = join(dir, 'train-images-idx3-ubyte');
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 5));
    expectDatasetError(() => openIdx(dir), file, 'truncated', String(full.length), String(full.length - 5));
  } finally {
    cleanup();
  }
});

test('a truncated .gz IDX file is a DatasetError naming it', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdx(dir, { n: 4, m: 2, h: 3, w: 3, gz: true });
    const file = join(dir, 't10k-images-idx3-ubyte.gz');
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 12));
    expectDatasetError(() => openIdx(dir), file);
  } finally {
    cleanup();
  }
});

test('bad magic, wrong rank, count mismatch and missing files are DatasetErrors', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdx(dir, { n: 4, m: 2, h: 3, w: 3 });
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, idxBytes([5], new Uint8Array(5)));
    expectDatasetError(() => openIdx(dir), 'has 4 images', '5 labels');
    const bad = Buffer.from(idxBytes([4], new Uint8Array(4)));
    bad[2] = 0x0d; // float
    writeFileSync(labels, bad);
    expectDatasetError(() => openIdx(dir), labels, 'unsigned byte');
    writeFileSync(labels, idxBytes([2, 2], new Uint8Array(4)));
    expectDatasetError(() => openIdx(dir), labels, 'rank 2');
    writeFileSync(labels, Buffer.from('PK\x03\x04 zip file'));
    expectDatasetError(() => openIdx(dir), labels, 'magic');
    rmSync(labels);
    expectDatasetError(() => openIdx(dir), 'train-labels-idx1-ubyte', dir);
  } finally {
    cleanup();
  }
});

test('idx files in a raw/ subfolder (torchvision layout) are found', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'raw'));
    writeIdx(join(dir, 'raw'), { n: 3, m: 2, h: 2, w: 2 });
    writeFileSync(join(dir, 'unrelated.txt'), gzipSync('x'));
    assert.equal(openIdx(dir).train.length, 3);
  } finally {
    cleanup();
  }
});
