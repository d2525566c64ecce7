import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openFolder } from '../../../src/data/folder';
import { BatchLoader } from '../../../src/data/pipeline';
import { encodePng } from '../../../src/data/png';
import { Rng } from '../../../src/ml/rng';
import { tempDir } from './fixtures';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live JS heap plus typed-array backing stores, after the look-ahead has settled and a full collection. */
async function liveBytes(): Promise<number> {
  await new Promise((r) => setTimeout(r, 150)); // the prefetch queue is full again (same state at both points)
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test('streaming an epoch of 3000 PNGs keeps memory flat (nothing decoded is retained)', async () => {
  const { dir, cleanup } = tempDir();
  const N = 3000;
  const SIDE = 32;
  try {
    const rng = new Rng(1);
    for (let c = 0; c < 10; c++) {
      mkdirSync(join(dir, 'train', `c${c}`), { recursive: true });
      mkdirSync(join(dir, 'val', `c${c}`), { recursive: true });
    }
    writeFileSync(join(dir, 'val/c0/v.png'), encodePng(new Uint8Array(SIDE * SIDE * 3), SIDE, SIDE, 3));
    const px = new Uint8Array(SIDE * SIDE * 3);
    for (let i = 0; i < N; i++) {
      for (let p = 0; p < px.length; p++) px[p] = rng.int(256); // noise: files do not compress away
      writeFileSync(join(dir, 'train', `c${i % 10}`, `${i}.png`), encodePng(px, SIDE, SIDE, 3));
    }
    const ds = openFolder(dir);
    const B = 100;
    const loader = new BatchLoader(ds.train, {
      batchSize: B, seed: 0, imageSize: SIDE, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25],
      augment: { cropScale: [0.2, 1], hflip: true }, prefetch: 4, purpose: 'memory-test',
    });
    const WARMUP = 3; // JIT code and first-use allocations are not growth
    let last = await loader.batch(0); // one served batch is held at both measurements
    for (let s = 1; s < WARMUP; s++) last = await loader.batch(s);
    const before = await liveBytes();
    let checksum = 0;
    const seen = new Set<number>();
    for (let s = WARMUP; s < N / B; s++) {
      last = await loader.batch(s);
      checksum += last.images[0];
      for (const i of last.indices) seen.add(i);
    }
    const growth = (await liveBytes()) - before;
    // Retaining only the decoded uint8 images streamed after the warm-up would cost 2700·32·32·3 ≈ 8.3 MB
    // (their float views 4× that, their file bytes about as much again); a bounded pipeline stays flat.
    const leakFloor = (N - WARMUP * B) * SIDE * SIDE * 3;
    assert.ok(growth < leakFloor / 3, `live memory grew by ${(growth / 1e6).toFixed(2)} MB over the epoch`);
    assert.ok(seen.size > N - 5 * B, `epoch covered ${seen.size} images`);
    assert.ok(Number.isFinite(checksum) && last.n === B);
  } finally {
    cleanup();
  }
});
