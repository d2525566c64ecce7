// The torch engine reads the same datasets as the TF.js engine: the same items, labels and class names from IDX,
// CIFAR-10/100 and image folders, the same substitution of unreadable files, and the same training batches
// (order, crops, flips, normalisation) — pixels within one rounding step of the resampler.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema';
import { openDataset } from '../../../src/data/open';
import { BatchLoader } from '../../../src/data/pipeline';
import { cifarBytes, configWith, jpegRgb, solid, writeCifar10, writeIdx, writePng } from '../data/fixtures';
import { tempDir } from '../../helpers/runs';
import { pythonJson } from './python';

interface PyDataset { name: string; classes: string[]; train: { labels: number[]; items: number[][] }; test: { labels: number[]; items: number[][] } }

/** Python's view of a dataset: class names, every label, and the raw pixels (HWC) of every item. */
function pyDataset(config: Config): PyDataset {
  return pythonJson<PyDataset>(`
import json
from mimlab_torch.data.datasets import open_dataset
from mimlab_torch.data.types import CorruptImage
ds = open_dataset(json.loads(${JSON.stringify(JSON.stringify(config))}))
def read(s, i):
    try:
        return s.read(i).reshape(-1).tolist()
    except CorruptImage:
        return None
split = lambda s: {'labels': [s.label(i) for i in range(len(s))], 'items': [read(s, i) for i in range(len(s))]}
print(json.dumps({'name': ds.name, 'classes': ds.class_names, 'train': split(ds.train), 'test': split(ds.test)}))`);
}

async function tsItems(config: Config): Promise<PyDataset> {
  const ds = await openDataset(config);
  const split = async (s: typeof ds.train): Promise<PyDataset['train']> => ({
    labels: Array.from({ length: s.length }, (_, i) => s.label(i)),
    items: await Promise.all(Array.from({ length: s.length }, async (_, i) => s.read(i).then((im) => Array.from(im.data), () => null as unknown as number[]))),
  });
  return { name: ds.name, classes: ds.classNames, train: await split(ds.train), test: await split(ds.test) };
}

describe('torch engine datasets', () => {
  it('IDX (gzipped), CIFAR-10 and CIFAR-100 give the same items, labels and class names', async () => {
    const root = tempDir('torch-data');
    const idx = join(root, 'mnist');
    mkdirSync(idx);
    writeIdx(idx, { n: 12, m: 5, h: 6, w: 5, gz: true });
    const c10 = join(root, 'c10');
    writeCifar10(c10, 2, 4, 3);
    const c100 = join(root, 'c100', 'cifar-100-binary');
    mkdirSync(c100, { recursive: true });
    writeFileSync(join(c100, 'train.bin'), cifarBytes(Array.from({ length: 6 }, (_, i) => [i % 20, (i * 7) % 100])));
    writeFileSync(join(c100, 'test.bin'), cifarBytes(Array.from({ length: 2 }, (_, i) => [1, 90 + i])));
    for (const config of [configWith({ dataset: 'idx', path: idx, channels: 1 }), configWith({ dataset: 'cifar10', path: c10 }), configWith({ dataset: 'cifar100', path: join(root, 'c100') })]) {
      assert.deepEqual(pyDataset(config), await tsItems(config), config.data.dataset);
    }
  });

  it('image folders: the same files, labels and classes; PNG pixels equal, JPEG within the decoders\' rounding; a broken file is unreadable in both', async () => {
    const root = tempDir('torch-folder');
    for (const [split, cls] of [['train', 'cat'], ['train', 'dog'], ['val', 'cat'], ['val', 'dog']]) mkdirSync(join(root, split, cls), { recursive: true });
    writePng(join(root, 'train', 'cat', 'a.png'), solid(7, 5, 3, (x, y, k) => (x * 30 + y * 7 + k * 50) % 256), 7, 5, 3);
    writePng(join(root, 'train', 'cat', 'b.png'), solid(4, 6, 1, (x, y) => (x * 60 + y * 9) % 256), 4, 6, 1);
    writeFileSync(join(root, 'train', 'cat', 'c.jpg'), jpegRgb(8, 8, (x, y, k) => (x * 20 + y * 10 + k * 40) % 256));
    writeFileSync(join(root, 'train', 'dog', 'broken.png'), Buffer.from('not a png'));
    writeFileSync(join(root, 'train', 'dog', 'notes.txt'), 'ignored');
    writePng(join(root, 'train', 'dog', 'd.png'), solid(5, 5, 3, (x, y, k) => (x + y + k) * 10), 5, 5, 3);
    writePng(join(root, 'val', 'dog', 'e.png'), solid(3, 3, 3, () => 99), 3, 3, 3);
    writePng(join(root, 'val', 'cat', 'f.png'), solid(3, 3, 3, () => 1), 3, 3, 3);
    const config = configWith({ dataset: 'folder', path: root });
    const py = pyDataset(config);
    const ts = await tsItems(config);
    assert.deepEqual(py.classes, ts.classes);
    for (const s of ['train', 'test'] as const) {
      assert.deepEqual(py[s].labels, ts[s].labels);
      py[s].items.forEach((item, i) => {
        if (ts[s].items[i] === null) return assert.equal(item, null, `${s} ${i}: unreadable in both`);
        assert.equal(item.length, ts[s].items[i].length, `${s} ${i}: same size and channels`);
        const worst = Math.max(...item.map((v, k) => Math.abs(v - ts[s].items[i][k])));
        // JPEG: Pillow (libjpeg) and jpeg-js round the IDCT and colour conversion differently (2 levels measured here).
        assert.ok(worst <= (s === 'train' && i === 2 ? 4 : 0), `${s} ${i}: pixels differ by ${worst}`);
      });
    }
  });

  it('training batches: the same order, crops and flips, normalised the same (within one rounding step)', async () => {
    const root = tempDir('torch-batches');
    writeIdx(root, { n: 40, m: 4, h: 12, w: 12 });
    const config = configWith({ dataset: 'idx', path: root, channels: 1, imageSize: 8, cropScale: [0.3, 1], hflip: true, mean: [0.4], std: [0.25] });
    config.train.batchSize = 16;
    config.mask.count = 2; // 8 px, patch 4: a 2×2 grid (the loader draws the step's masks too)
    const ds = await openDataset(config);
    const loader = new BatchLoader(ds.train, {
      batchSize: 16, imageSize: 8, channels: 1, mean: [0.4], std: [0.25], seed: config.train.seed, augment: { cropScale: [0.3, 1], hflip: true }, prefetch: 1, purpose: 'pretrain',
    });
    const ts: { indices: number[]; labels: number[]; images: number[] }[] = [];
    for (const step of [0, 1, 2, 7]) {
      const b = await loader.batch(step);
      ts.push({ indices: Array.from(b.indices), labels: Array.from(b.labels), images: Array.from(b.images) });
    }
    const py = pythonJson<typeof ts>(`
import json
from mimlab_torch.data.datasets import open_dataset
from mimlab_torch.data.loader import BatchStream
c = json.loads(${JSON.stringify(JSON.stringify(config))})
ds = open_dataset(c)
out = []
for step in (0, 1, 2, 7):
    b = BatchStream(ds, c, {'mean': [0.4], 'std': [0.25]}, step, step + 1).next()
    out.append({'indices': b['indices'], 'labels': b['labels'].tolist(), 'images': b['images'].reshape(-1).tolist()})
print(json.dumps(out))`);
    const step = 1 / (255 * 0.25);
    py.forEach((b, s) => {
      assert.deepEqual(b.indices, ts[s].indices, `batch ${s}: order`);
      assert.deepEqual(b.labels, ts[s].labels);
      const worst = Math.max(...b.images.map((v, k) => Math.abs(v - ts[s].images[k])));
      assert.ok(worst <= step * 1.001, `batch ${s}: normalised pixels differ by ${worst} (one grey level is ${step})`);
    });
  });
});
