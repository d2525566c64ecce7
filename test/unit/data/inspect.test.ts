import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataInspect } from '../../../src/cli/data-inspect';
import { decodeImage } from '../../../src/data/png';
import { configWith, solid, tempDir, writePng } from './fixtures';

test('data inspect summarises the synthetic dataset and writes a grid PNG', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'sub', 'grid.png');
    const text = await dataInspect(configWith({ syntheticTrain: 100, syntheticTest: 30 }), out);
    assert.match(text, /train\s+100 images, 10 classes/);
    assert.match(text, /test\s+30 images, 10 classes/);
    assert.match(text, /h-stripes, v-stripes, diag-stripes/);
    assert.match(text, /32×32, 3 channels/);
    const grid = decodeImage(readFileSync(out), out);
    // 16 images → 2 blocks of (centre row + augmented row), 8 columns of 32 px zoomed 3×, 2 px padding.
    assert.deepEqual([grid.width, grid.height], [8 * 98 + 2, 4 * 98 + 2]);
  } finally {
    cleanup();
  }
});

test('data inspect reports corrupt images in a folder dataset', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const d of ['train/a', 'val/a']) mkdirSync(join(dir, d), { recursive: true });
    writePng(join(dir, 'train/a/1.png'), solid(6, 6, 1, (x) => x * 40), 6, 6, 1);
    writeFileSync(join(dir, 'train/a/2.png'), 'garbage');
    writePng(join(dir, 'val/a/1.png'), solid(6, 6, 1, () => 1), 6, 6, 1);
    const text = await dataInspect(configWith({ dataset: 'folder', path: dir, imageSize: 8, channels: 1 }), join(dir, 'g.png'));
    assert.match(text, /1 of the first 2 train images unreadable/);
    assert.match(text, /2\.png/);
    assert.match(text, /varies per image, 1 channel/);
  } finally {
    cleanup();
  }
});
