import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFolder } from '../../../src/data/folder';
import { CorruptImageError, DatasetError } from '../../../src/data/types';
import { jpegRgb, png16Gray, solid, tempDir, writePng } from './fixtures';

/** train/{cat,dog,zebra}, val/{dog,cat}: mixed formats, one corrupt file, one non-image file. */
function makeTree(root: string): void {
  for (const d of ['train/dog', 'train/cat', 'train/zebra', 'val/cat', 'val/dog']) mkdirSync(join(root, d), { recursive: true });
  writePng(join(root, 'train/cat/a.png'), solid(4, 3, 1, (x, y) => x * 10 + y), 4, 3, 1);
  writePng(join(root, 'train/cat/b.png'), solid(5, 5, 3, (_x, _y, k) => 50 * (k + 1)), 5, 5, 3);
  writePng(join(root, 'train/dog/c.png'), solid(2, 2, 4, (_x, _y, k) => (k === 3 ? 128 : 200)), 2, 2, 4);
  writeFileSync(join(root, 'train/dog/d.PNG'), png16Gray(3, 3, () => 77));
  writeFileSync(join(root, 'train/dog/e.jpg'), jpegRgb(8, 8, (_x, _y, k) => [10, 120, 240][k]));
  writeFileSync(join(root, 'train/dog/notes.txt'), 'not an image');
  writeFileSync(join(root, 'train/zebra/broken.jpeg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  writePng(join(root, 'val/dog/v1.png'), solid(3, 3, 3, () => 9), 3, 3, 3);
  writePng(join(root, 'val/cat/v2.png'), solid(3, 3, 3, () => 8), 3, 3, 3);
}

test('folder reader: sorted classes, val mapped by name, lazy decoding of png/jpeg variants', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeTree(dir);
    const ds = openFolder(dir);
    assert.deepEqual(ds.classNames, ['cat', 'dog', 'zebra']);
    assert.equal(ds.train.length, 6);
    assert.deepEqual(Array.from({ length: 6 }, (_, i) => ds.train.label(i)), [0, 0, 1, 1, 1, 2]);
    assert.deepEqual([ds.test.label(0), ds.test.label(1)], [0, 1]); // val/cat/v2, val/dog/v1
    assert.equal(ds.channels, 1); // header of the first train image (gray PNG)
    assert.equal(ds.nativeSize, null);

    const a = await ds.train.read(0);
    assert.deepEqual([a.width, a.height, a.channels, a.data[5]], [4, 3, 1, 11]);
    const rgba = await ds.train.read(2);
    assert.deepEqual([rgba.channels, rgba.data[0]], [3, 100]); // 200 · 128/255 composited on black
    const deep = await ds.train.read(3);
    assert.deepEqual([deep.channels, deep.data[4]], [1, 77]);
    const jpg = await ds.train.read(4);
    assert.equal(jpg.channels, 3);
    assert.ok(Math.abs(jpg.data[2] - 240) < 6);
    assert.equal((await ds.test.read(0)).data[0], 8);
    await assert.rejects(ds.train.read(5), (e: unknown) => e instanceof CorruptImageError && e.file.endsWith('broken.jpeg'));
  } finally {
    cleanup();
  }
});

test('a file deleted after indexing reads as a corrupt item, not a crash', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeTree(dir);
    const ds = openFolder(dir);
    rmSync(join(dir, 'train/cat/a.png'));
    await assert.rejects(ds.train.read(0), CorruptImageError);
  } finally {
    cleanup();
  }
});

function expectError(root: string, ...parts: string[]): void {
  assert.throws(() => openFolder(root), (e: unknown) => {
    assert.ok(e instanceof DatasetError, String(e));
    for (const p of parts) assert.ok(e.message.includes(p), `'${e.message}' should mention '${p}'`);
    return true;
  });
}

test('missing train, empty folders, no val and unknown val classes are DatasetErrors naming the path', () => {
  const { dir, cleanup } = tempDir();
  try {
    expectError(dir, join(dir, 'train'));
    mkdirSync(join(dir, 'train'));
    mkdirSync(join(dir, 'val'));
    expectError(dir, join(dir, 'train'), 'no class');
    mkdirSync(join(dir, 'train/cat'));
    writeFileSync(join(dir, 'train/cat/readme.md'), 'x');
    expectError(dir, join(dir, 'train'), 'no .png');
    writePng(join(dir, 'train/cat/a.png'), solid(2, 2, 3, () => 1), 2, 2, 3);
    expectError(dir, join(dir, 'val'), 'no class');
    mkdirSync(join(dir, 'val/bird'));
    expectError(dir, 'bird', join(dir, 'val'));
    rmSync(join(dir, 'val'), { recursive: true });
    expectError(dir, join(dir, 'val'), join(dir, 'test'));
    mkdirSync(join(dir, 'test/cat'), { recursive: true });
    writePng(join(dir, 'test/cat/t.png'), solid(2, 2, 3, () => 1), 2, 2, 3);
    assert.equal(openFolder(dir).test.length, 1); // `test` accepted as the second split
  } finally {
    cleanup();
  }
});
