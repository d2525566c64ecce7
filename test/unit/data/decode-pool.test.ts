import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { DecodePool, decodeThreads, decodeWorkerScript } from '../../../src/data/decode-pool';
import { decodeImage, encodePng } from '../../../src/data/png';
import { CorruptImageError } from '../../../src/data/types';
import { jpegRgb, png16Gray, solid } from './fixtures';

const ROOT = resolve(__dirname, '../../..');

function script(): string {
  const s = decodeWorkerScript();
  assert.ok(s, 'dist/decode-worker.js is missing: run `npm run build` first');
  return s;
}

test('the pool decodes PNG and JPEG exactly as the main thread does, many at once across its workers', async () => {
  const pool = new DecodePool(script(), 2);
  try {
    const images = Array.from({ length: 24 }, (_, i) => {
      if (i % 3 === 0) return encodePng(solid(9, 7, 3, (x, y, k) => (x * 29 + y * 7 + k * 50 + i) % 256), 9, 7, 3);
      if (i % 3 === 1) return jpegRgb(16, 12, (x, y, k) => (x * 13 + y * 5 + k * 80 + i) % 256);
      return png16Gray(5, 6, (x, y) => (x * 40 + y * 3 + i) % 256);
    });
    const decoded = await Promise.all(images.map((b, i) => pool.decode(b, `img${i}`)));
    decoded.forEach((img, i) => assert.deepEqual(img, decodeImage(images[i], `img${i}`), `image ${i}`));
    assert.equal(pool.threads, 2);
  } finally {
    await pool.close();
  }
});

test('a corrupt image rejects with a CorruptImageError naming its file, and the pool keeps working', async () => {
  const pool = new DecodePool(script(), 1);
  try {
    await assert.rejects(pool.decode(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), 'broken.png'),
      (e: unknown) => e instanceof CorruptImageError && e.file === 'broken.png' && /broken\.png: /.test(e.message));
    await assert.rejects(pool.decode(new Uint8Array([1, 2, 3]), 'notes.txt'), (e: unknown) => e instanceof CorruptImageError && /not a PNG or JPEG/.test(e.message));
    const ok = encodePng(solid(2, 2, 1, () => 7), 2, 2, 1);
    assert.deepEqual(await pool.decode(ok, 'ok.png'), decodeImage(ok, 'ok.png'));
  } finally {
    await pool.close();
  }
});

test('MIMLAB_DECODE_THREADS sets the worker count (0: this thread); a bad value falls back to one per core but one', () => {
  assert.equal(decodeThreads({ MIMLAB_DECODE_THREADS: '3' }), 3);
  assert.equal(decodeThreads({ MIMLAB_DECODE_THREADS: '0' }), 0);
  const auto = decodeThreads({});
  assert.ok(auto >= 1 && auto <= 16);
  assert.equal(decodeThreads({ MIMLAB_DECODE_THREADS: 'many' }), auto);
});

test('a process that decoded on the shared pool exits by itself, and waits for a decode in flight', () => {
  const code = [
    "const { decodeOffThread } = require('./src/data/decode-pool');",
    "const { encodePng } = require('./src/data/png');",
    'const png = encodePng(new Uint8Array(12).fill(200), 2, 2, 3);',
    // No await at top level and nothing else holds the event loop: only the request in flight keeps it alive.
    "decodeOffThread(png, 'a.png').then((img) => console.log('decoded', img.width, img.height, img.data[0]));",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, `killed after 30 s: the pool kept the process alive\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /decoded 2 2 200/);
});
