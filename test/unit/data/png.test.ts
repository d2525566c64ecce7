import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage, encodePng, imageGrid, peekImageInfo } from '../../../src/data/png';
import { CorruptImageError } from '../../../src/data/types';
import { jpegRgb, png16Gray, solid } from './fixtures';

test('PNG round trip keeps gray and RGB pixels exactly', () => {
  for (const c of [1, 3] as const) {
    const data = solid(5, 3, c, (x, y, k) => x * 40 + y * 7 + k * 3);
    const img = decodeImage(encodePng(data, 5, 3, c), 'a.png');
    assert.deepEqual([img.width, img.height, img.channels], [5, 3, c]);
    assert.deepEqual(Array.from(img.data), Array.from(data));
  }
});

test('RGBA PNG is composited on black to RGB', () => {
  const data = solid(2, 1, 4, (x, _y, k) => (k === 3 ? [255, 51][x] : 200));
  const img = decodeImage(encodePng(data, 2, 1, 4), 'a.png');
  assert.equal(img.channels, 3);
  assert.deepEqual(Array.from(img.data), [200, 200, 200, 40, 40, 40]);
});

test('16-bit gray PNG decodes to 8-bit gray', () => {
  const img = decodeImage(png16Gray(4, 2, (x, y) => x * 60 + y), 'deep.png');
  assert.equal(img.channels, 1);
  assert.deepEqual(Array.from(img.data), [0, 60, 120, 180, 1, 61, 121, 181]);
});

test('JPEG decodes to RGB close to the source', () => {
  const f = (x: number, y: number, k: number): number => [200, 60, 120][k] + ((x + y) % 2);
  const img = decodeImage(jpegRgb(16, 16, f), 'a.jpg');
  assert.deepEqual([img.width, img.height, img.channels], [16, 16, 3]);
  for (let i = 0; i < img.data.length; i++) assert.ok(Math.abs(img.data[i] - f(0, 0, i % 3)) < 8);
  assert.deepEqual(peekImageInfo(jpegRgb(16, 8, f)), { width: 16, height: 8, channels: 3 });
});

test('garbage and truncated files raise CorruptImageError naming the file', () => {
  assert.throws(() => decodeImage(Buffer.from('hello world'), 'x/bad.png'), (e: unknown) => e instanceof CorruptImageError && e.message.includes('x/bad.png'));
  const png = encodePng(solid(8, 8, 3, (x) => x * 30), 8, 8, 3);
  assert.throws(() => decodeImage(png.subarray(0, 40), 'cut.png'), CorruptImageError);
});

test('imageGrid tiles row-major with padding and promotes gray to RGB', () => {
  const a = { width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(10) };
  const b = { width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(99) };
  const g = imageGrid([a, b, a], 2, 1, 0);
  assert.deepEqual([g.width, g.height, g.channels], [7, 7, 3]);
  const at = (x: number, y: number): number => g.data[(y * g.width + x) * 3];
  assert.equal(at(1, 1), 10);
  assert.equal(at(4, 1), 99);
  assert.equal(at(1, 4), 10);
  assert.equal(at(4, 4), 0); // empty cell
  assert.equal(at(0, 0), 0); // padding
});
