import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataInspect } from '../../../src/cli/data-inspect';
import { maskPreview } from '../../../src/cli/mask-preview';
import { resolveConfig } from '../../../src/config/resolve';
import { decodeImage } from '../../../src/data/png';
import { sampleMasks } from '../../../src/diagnostics/sample-batch';
import { tempDir } from './fixtures';

test('the mask preview greys exactly the sample masks\' patches of each view', () => {
  const config = resolveConfig({ preset: 'cae-demo', sets: ['mask.kind=multiblock'] }); // 4×4 grid of 8 px patches, 8 masked
  const white = { width: 32, height: 32, channels: 3, data: new Uint8Array(32 * 32 * 3).fill(255) };
  const views = Array.from({ length: 6 }, () => white);
  const p = maskPreview(config, views, 3, 1);
  assert.match(p.summary, /multiblock \(4 blocks, scale 0\.15–0\.2, aspect 0\.75–1\.5\), 8 of 16 patches masked on a 4×4 grid/);
  assert.deepEqual([p.image.width, p.image.height], [3 * 34 + 2, 2 * 34 + 2]);
  const masks = sampleMasks(config, 6);
  for (let b = 0; b < 6; b++) {
    const x0 = 2 + (b % 3) * 34;
    const y0 = 2 + Math.floor(b / 3) * 34;
    for (let cell = 0; cell < 16; cell++) {
      const x = x0 + (cell % 4) * 8 + 4;
      const y = y0 + Math.floor(cell / 4) * 8 + 4;
      const v = p.image.data[(y * p.image.width + x) * 3];
      assert.equal(v, masks.masks[b * 16 + cell] ? Math.round(0.25 * 255 + 0.75 * 128) : 255, `view ${b} cell ${cell}`);
    }
  }
});

test('data inspect writes the mask grid next to the image grid', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'grid.png');
    const text = await dataInspect(resolveConfig({ sets: ['data.syntheticTrain=20', 'data.syntheticTest=10', 'mask.kind=multiblock'] }), out);
    const masksPng = join(dir, 'grid-masks.png');
    assert.ok(existsSync(masksPng));
    assert.match(text, /masks\s+.*grid-masks\.png: multiblock .*32 of 64 patches masked on a 8×8 grid/);
    const img = decodeImage(readFileSync(masksPng), masksPng);
    assert.deepEqual([img.width, img.height], [8 * 98 + 2, 2 * 98 + 2]); // 16 views, 8 per row, 32 px zoomed 3×
  } finally {
    cleanup();
  }
});
