import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_DIR, TOKEN_CACHES_KEPT, clearFeatureCache, readFeatureCache, writeFeatureCache, type FeatureCacheKey } from '../../../src/probe/cache';
import type { FeatureSplit } from '../../../src/diagnostics/features';

const D = 2;
const T = 3;

function split(n: number, fill: number): FeatureSplit {
  return {
    n, labels: new Int32Array(n).fill(1), cls: new Float32Array(n * D).fill(fill), mean: new Float32Array(n * D).fill(fill),
    tokens: new Float32Array(n * T * D).fill(fill),
  };
}

function key(step: number, randomInit = false): FeatureCacheKey {
  return {
    checkpointStep: step, randomInit, seed: 0, checkpointCreatedAt: null, dataset: 'synthetic', trainLength: 4, testLength: 2,
    imageSize: 8, channels: 3, mean: [0], std: [1],
  };
}

function write(runDir: string, k: FeatureCacheKey): void {
  for (const what of ['pooled', 'tokens'] as const) {
    writeFeatureCache(runDir, k, what, { dim: D, tokensPerImage: T }, split(4, k.checkpointStep), split(2, k.checkpointStep));
  }
}

test(`a run keeps only the ${TOKEN_CACHES_KEPT} complete token caches written last, and every pooled cache`, () => {
  const runDir = mkdtempSync(join(tmpdir(), 'mimlab-cache-'));
  try {
    // Another probe's token cache, still being written (features.bin, no meta yet): never pruned.
    const inProgress = join(runDir, 'probes', CACHE_DIR, 'step-000050-tokens');
    mkdirSync(inProgress, { recursive: true });
    writeFileSync(join(inProgress, 'features.bin'), new Uint8Array(8));
    const keys = [key(0, true), key(100), key(200), key(300)];
    for (const k of keys) write(runDir, k);
    const folders = readdirSync(join(runDir, 'probes', CACHE_DIR)).sort();
    assert.deepEqual(folders.filter((f) => f.endsWith('-tokens')), ['step-000050-tokens', 'step-000200-tokens', 'step-000300-tokens']);
    assert.ok(existsSync(join(inProgress, 'features.bin')));
    assert.equal(folders.filter((f) => f.endsWith('-pooled')).length, keys.length);
    assert.equal(readFeatureCache(runDir, key(100), 'tokens'), null);
    const kept = readFeatureCache(runDir, key(300), 'tokens');
    assert.deepEqual([...(kept?.arrays.get('test.tokens') ?? [])], new Array(2 * T * D).fill(300));
    assert.ok(readFeatureCache(runDir, key(0, true), 'pooled'));

    clearFeatureCache(runDir, 'tokens');
    assert.deepEqual(readdirSync(join(runDir, 'probes', CACHE_DIR)).filter((f) => f.endsWith('-tokens')), []);
    clearFeatureCache(runDir);
    assert.deepEqual(readdirSync(join(runDir, 'probes')), []);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});
