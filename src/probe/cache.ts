// Feature cache: `probes/.cache/<encoder>-<what>/{meta.json, features.bin}`. Extracting features is the
// expensive part of a probe, so it happens once per (checkpoint step | random init) and feature kind; the key
// also records everything that changes the numbers (data, normalisation, limits), and a mismatch recomputes.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../protocol/run-files';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs-atomic';
import type { FeatureSplit } from '../diagnostics/features';

export const CACHE_FORMAT = 1;
export const CACHE_DIR = '.cache';
/**
 * Token caches hold every token of every image (hundreds of MB at 32 px), so a run keeps only the most recently
 * written ones: enough for a pretrained encoder and its random-init baseline, not one per checkpoint ever probed.
 */
export const TOKEN_CACHES_KEPT = 2;

export interface FeatureCacheKey {
  checkpointStep: number;
  randomInit: boolean;
  /** Model init seed (what a random-init encoder is a function of). */
  seed: number;
  /** createdAt of the checkpoint: a checkpoint rewritten at the same step invalidates the cache. */
  checkpointCreatedAt: string | null;
  dataset: string;
  trainLength: number;
  testLength: number;
  imageSize: number;
  channels: number;
  mean: number[];
  std: number[];
}

/** `pooled`: labels, cls and patch-mean per image. `tokens`: all encoder tokens (attentive probe). */
export type CacheWhat = 'pooled' | 'tokens';

interface CacheMeta {
  format: number;
  key: FeatureCacheKey;
  what: CacheWhat;
  /** Write order among this run's caches of the same kind (pruning keeps the highest). */
  seq: number;
  dim: number;
  tokensPerImage: number;
  arrays: { name: string; kind: 'f32' | 'i32'; offset: number; length: number }[];
}

export function cacheDir(runDir: string, key: FeatureCacheKey, what: CacheWhat): string {
  const encoder = key.randomInit ? `random-seed${key.seed}` : `step-${String(key.checkpointStep).padStart(6, '0')}`;
  return join(runDir, RUN_FILES.probes, CACHE_DIR, `${encoder}-${what}`);
}

type Arrays = Record<string, Float32Array | Int32Array>;

function splitArrays(s: FeatureSplit, prefix: string, what: CacheWhat): Arrays {
  if (what === 'tokens') {
    if (!s.tokens) throw new Error('feature cache: tokens requested but not extracted');
    return { [`${prefix}.tokens`]: s.tokens };
  }
  return { [`${prefix}.labels`]: s.labels, [`${prefix}.cls`]: s.cls, [`${prefix}.mean`]: s.mean };
}

export function writeFeatureCache(
  runDir: string, key: FeatureCacheKey, what: CacheWhat, dims: { dim: number; tokensPerImage: number }, train: FeatureSplit, test: FeatureSplit,
): void {
  const dir = cacheDir(runDir, key, what);
  mkdirSync(dir, { recursive: true });
  const arrays = { ...splitArrays(train, 'train', what), ...splitArrays(test, 'test', what) };
  const total = Object.values(arrays).reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(total * 4);
  const index: CacheMeta['arrays'] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset * 4);
    index.push({ name, kind: a instanceof Int32Array ? 'i32' : 'f32', offset, length: a.length });
    offset += a.length;
  }
  // Weights first, meta last: a reader only trusts a folder whose meta exists and whose size matches.
  writeFileAtomic(join(dir, 'features.bin'), bytes);
  // File times are too coarse (one kernel tick) to order writes a few ms apart; a counter is not.
  const seq = 1 + Math.max(0, ...completeCaches(runDir, what).map((c) => c.seq));
  const meta: CacheMeta = { format: CACHE_FORMAT, key, what, seq, ...dims, arrays: index };
  writeJsonAtomic(join(dir, 'meta.json'), meta);
  if (what === 'tokens') pruneCaches(runDir, 'tokens', TOKEN_CACHES_KEPT);
}

function cacheFolders(runDir: string, what: CacheWhat): string[] {
  const root = join(runDir, RUN_FILES.probes, CACHE_DIR);
  return (existsSync(root) ? readdirSync(root) : []).filter((name) => name.endsWith(`-${what}`)).map((name) => join(root, name));
}

/**
 * The complete caches of one kind with their write order. A folder without a readable meta may be another
 * probe's cache being written, so it is not listed (a torn one is overwritten by the next write of its key).
 */
function completeCaches(runDir: string, what: CacheWhat): { dir: string; seq: number }[] {
  return cacheFolders(runDir, what).flatMap((dir) => {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Partial<CacheMeta>;
      return [{ dir, seq: meta.seq ?? 0 }];
    } catch {
      return [];
    }
  });
}

/** Keeps the `keep` complete caches of one kind written last. */
function pruneCaches(runDir: string, what: CacheWhat, keep: number): void {
  const newestFirst = completeCaches(runDir, what).sort((a, b) => b.seq - a.seq);
  for (const { dir } of newestFirst.slice(keep)) rmSync(dir, { recursive: true, force: true });
}

export interface CachedArrays {
  dim: number;
  tokensPerImage: number;
  arrays: Map<string, Float32Array | Int32Array>;
}

/** The cached arrays when the folder holds exactly this key, else null (absent, stale or torn). */
export function readFeatureCache(runDir: string, key: FeatureCacheKey, what: CacheWhat): CachedArrays | null {
  const dir = cacheDir(runDir, key, what);
  const metaPath = join(dir, 'meta.json');
  const binPath = join(dir, 'features.bin');
  if (!existsSync(metaPath) || !existsSync(binPath)) return null;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta;
    if (meta.format !== CACHE_FORMAT || meta.what !== what || JSON.stringify(meta.key) !== JSON.stringify(key)) return null;
    const buf = readFileSync(binPath);
    const floats = meta.arrays.reduce((n, a) => n + a.length, 0);
    if (buf.byteLength !== floats * 4) return null;
    const copy = new Uint8Array(buf.byteLength);
    copy.set(buf); // an aligned, owned buffer (Node's may be a pooled slice at an odd offset)
    const arrays = new Map<string, Float32Array | Int32Array>();
    for (const a of meta.arrays) {
      arrays.set(a.name, a.kind === 'i32' ? new Int32Array(copy.buffer, a.offset * 4, a.length) : new Float32Array(copy.buffer, a.offset * 4, a.length));
    }
    return { dim: meta.dim, tokensPerImage: meta.tokensPerImage, arrays };
  } catch {
    return null;
  }
}

/** Removes cached features: all of them, or only one kind (token caches are large: N+1 vectors per image). */
export function clearFeatureCache(runDir: string, what?: CacheWhat): void {
  if (!what) {
    rmSync(join(runDir, RUN_FILES.probes, CACHE_DIR), { recursive: true, force: true });
    return;
  }
  for (const dir of cacheFolders(runDir, what)) rmSync(dir, { recursive: true, force: true });
}
