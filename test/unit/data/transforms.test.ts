import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/ml/rng';
import { augmentedView, centreView, crop, hflip, randomResizedCropBox, resize, toChannels } from '../../../src/data/transforms';
import type { RawImage } from '../../../src/data/types';

const gray = (w: number, h: number, f: (x: number, y: number) => number): RawImage => {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { width: w, height: h, channels: 1, data };
};

test('bilinear upscaling interpolates between pixel centres (align_corners = false)', () => {
  const img = resize(gray(2, 1, (x) => [0, 200][x]), 4, 1);
  assert.deepEqual(Array.from(img.data), [0, 50, 150, 200]);
});

test('downscaling averages (antialiased) instead of sampling', () => {
  const stripes = gray(8, 8, (x) => (x % 2 ? 255 : 0));
  const small = resize(stripes, 2, 2);
  for (const v of small.data) assert.ok(Math.abs(v - 127.5) < 20, `got ${v}`);
});

test('crop, hflip and channel conversion', () => {
  const img = gray(3, 2, (x, y) => x + 10 * y);
  assert.deepEqual(Array.from(crop(img, 1, 0, 2, 2).data), [1, 2, 11, 12]);
  assert.deepEqual(Array.from(hflip(img).data), [2, 1, 0, 12, 11, 10]);
  const rgb = toChannels(img, 3);
  assert.deepEqual(Array.from(rgb.data.subarray(3, 6)), [1, 1, 1]);
  const red = { width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 0]) };
  assert.equal(toChannels(red, 1).data[0], 76); // ITU-R 601 luma
  assert.throws(() => crop(img, 2, 0, 2, 2), RangeError);
});

test('random resized crop boxes follow torchvision: area in scale, ratio in [3/4, 4/3], inside the image', () => {
  const rng = new Rng(3);
  for (let t = 0; t < 500; t++) {
    const b = randomResizedCropBox(64, 48, [0.2, 1], rng);
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= 64 && b.y + b.h <= 48);
    const area = (b.w * b.h) / (64 * 48);
    const fallback = b.w === 64 && b.h === 48;
    assert.ok(fallback || (area >= 0.17 && area <= 1.05), `area ${area}`);
    assert.ok(fallback || (b.w / b.h >= 0.7 && b.w / b.h <= 1.4), `ratio ${b.w / b.h}`);
  }
  // An impossible scale falls back to the centre crop of the largest allowed ratio.
  assert.deepEqual(randomResizedCropBox(100, 20, [5, 6], new Rng(1)), { x: 36, y: 0, w: 27, h: 20 });
});

test('centre view crops the centre square of the shorter side', () => {
  const img = gray(6, 2, (x) => (x >= 2 && x < 4 ? 200 : 0));
  assert.deepEqual(Array.from(centreView(img, 2, 1).data), [200, 200, 200, 200]);
  assert.equal(centreView(img, 4, 3).channels, 3);
});

test('augmented view is a pure function of the rng', () => {
  const img = gray(32, 32, (x, y) => (x * 7 + y * 3) % 256);
  const a = augmentedView(img, 16, 1, [0.08, 1], true, Rng.derive(1, 'aug', 5));
  const b = augmentedView(img, 16, 1, [0.08, 1], true, Rng.derive(1, 'aug', 5));
  const c = augmentedView(img, 16, 1, [0.08, 1], true, Rng.derive(1, 'aug', 6));
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
});
