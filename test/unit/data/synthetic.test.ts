import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticDataset, SYNTHETIC_CLASSES } from '../../../src/data/synthetic';

test('synthetic images are a pure function of (split, index)', async () => {
  const a = syntheticDataset({ train: 40, test: 20 });
  const b = syntheticDataset({ train: 100, test: 5 });
  assert.deepEqual(await a.train.read(17), await b.train.read(17));
  assert.deepEqual(await a.test.read(3), await b.test.read(3));
  assert.notDeepEqual((await a.train.read(3)).data, (await a.test.read(3)).data);
  assert.notDeepEqual((await a.train.read(3)).data, (await a.train.read(13)).data); // same class, different period/phase/colours
  const img = await a.train.read(0);
  assert.deepEqual([img.width, img.height, img.channels, img.data.length], [32, 32, 3, 3072]);
  assert.equal((await syntheticDataset({ train: 2, test: 2, size: 48 }).train.read(1)).width, 48);
  await assert.rejects(a.train.read(40), RangeError);
});

test('all 10 classes are present and balanced in every split', () => {
  const ds = syntheticDataset({ train: 200, test: 50 });
  assert.equal(ds.classNames.length, 10);
  assert.deepEqual(ds.classNames, [...SYNTHETIC_CLASSES]);
  for (const split of [ds.train, ds.test]) {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < split.length; i++) counts[split.label(i)]++;
    assert.ok(counts.every((c) => c === split.length / 10), counts.join(','));
  }
});

/** Per-image mean colour and contrast: what a shortcut by colour/brightness would use. */
async function colourFeatures(split: { length: number; read(i: number): Promise<{ data: Uint8Array }> }, n: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const d = (await split.read(i)).data;
    const f = [0, 0, 0, 0];
    for (let p = 0; p < d.length; p++) {
      f[p % 3] += d[p] / 1024;
      f[3] += (d[p] * d[p]) / 3072;
    }
    f[3] = Math.sqrt(f[3] - ((f[0] + f[1] + f[2]) / 3) ** 2);
    out.push(f);
  }
  return out;
}

test('colour and brightness do not give the class away (nearest class mean is near chance)', async () => {
  const ds = syntheticDataset({ train: 1000, test: 500 });
  const tr = await colourFeatures(ds.train, 1000);
  const te = await colourFeatures(ds.test, 500);
  const dims = tr[0].length;
  const centroids = Array.from({ length: 10 }, (_, c) => {
    const rows = tr.filter((_, i) => ds.train.label(i) === c);
    return Array.from({ length: dims }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
  });
  let correct = 0;
  te.forEach((f, i) => {
    const dist = centroids.map((c) => c.reduce((s, v, k) => s + (v - f[k]) ** 2, 0));
    if (dist.indexOf(Math.min(...dist)) === ds.test.label(i)) correct++;
  });
  assert.ok(correct / te.length < 0.22, `colour-only accuracy ${correct / te.length}`);
});

test('the texture has real contrast in every image', async () => {
  const ds = syntheticDataset({ train: 50, test: 1 });
  for (let i = 0; i < 50; i++) {
    const d = (await ds.train.read(i)).data;
    let lo = 255;
    let hi = 0;
    for (let p = 0; p < d.length; p += 3) {
      const l = 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    }
    assert.ok(hi - lo > 40, `image ${i}: luma range ${hi - lo}`);
  }
});

test('the texture fills the image: nearly every 8×8 patch shows it, so class evidence is in every patch', async () => {
  const ds = syntheticDataset({ train: 200, test: 1 });
  let textured = 0;
  let patches = 0;
  for (let i = 0; i < 200; i++) {
    const d = (await ds.train.read(i)).data;
    for (let py = 0; py < 4; py++) {
      for (let px = 0; px < 4; px++) {
        let lo = 255;
        let hi = 0;
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            const o = ((py * 8 + y) * 32 + px * 8 + x) * 3;
            const l = 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];
            lo = Math.min(lo, l);
            hi = Math.max(hi, l);
          }
        }
        patches++;
        if (hi - lo > 30) textured++;
      }
    }
  }
  assert.ok(textured / patches > 0.99, `${textured} of ${patches} patches textured`);
});
