// Per-channel normalisation. Config values win; otherwise the statistics of the train split are
// computed once (deterministic subsample, centre view) and cached as <runDir>/data-stats.json, so a
// resumed run normalises exactly as before even if the dataset folder has grown.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import { centreView } from './transforms';
import { CorruptImageError, DatasetError, type Dataset, type Split } from './types';

export interface ChannelStats {
  /** In [0, 1] pixel units, one value per channel. */
  mean: number[];
  std: number[];
  /** Images the statistics were computed from. */
  count: number;
}

export interface Normalisation {
  mean: number[];
  std: number[];
  source: 'config' | 'cache' | 'computed';
}

export const STATS_FILE = 'data-stats.json';

/** Evenly strided indices (covers every class of a class-sorted folder), at most `max`. */
export function subsampleIndices(length: number, max: number): number[] {
  const n = Math.min(length, max);
  return Array.from({ length: n }, (_, k) => Math.floor((k * length) / n));
}

/** Mean/std per channel over the centre views of up to `maxImages` train images; corrupt ones are skipped. */
export async function computeStats(split: Split, imageSize: number, channels: number, maxImages = 2000): Promise<ChannelStats> {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  let pixels = 0;
  let count = 0;
  const indices = subsampleIndices(split.length, maxImages);
  for (let start = 0; start < indices.length; start += 64) {
    const imgs = await Promise.all(indices.slice(start, start + 64).map((i) => split.read(i).catch((e: unknown) => {
      if (e instanceof CorruptImageError) return null;
      throw e;
    })));
    for (const raw of imgs) {
      if (!raw) continue;
      const img = centreView(raw, imageSize, channels);
      const d = img.data;
      for (let i = 0; i < d.length; i++) {
        const v = d[i] / 255;
        sum[i % channels] += v;
        sq[i % channels] += v * v;
      }
      pixels += d.length / channels;
      count++;
    }
  }
  if (count === 0) throw new DatasetError('cannot compute normalisation statistics: no readable train image');
  const mean = Array.from(sum, (s) => s / pixels);
  // A constant channel (std below a quarter grey level, i.e. rounding noise) would blow inputs up; 1 leaves it merely centred.
  const std = Array.from(sq, (s, k) => {
    const sd = Math.sqrt(Math.max(0, s / pixels - mean[k] ** 2));
    return sd < 1e-3 ? 1 : sd;
  });
  return { mean, std, count };
}

interface StatsFile extends ChannelStats {
  dataset: string;
  trainLength: number;
  imageSize: number;
  channels: number;
}

/** The stats file's fields, when it parses and its mean/std have `channels` values each; null when missing, torn or foreign. */
function readStatsFile(file: string, channels: number): (Partial<StatsFile> & ChannelStats) | null {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<StatsFile>;
    if (!Array.isArray(s.mean) || !Array.isArray(s.std) || s.mean.length !== channels || s.std.length !== channels) return null;
    return { ...s, mean: s.mean, std: s.std, count: s.count ?? 0 };
  } catch {
    return null; // a torn or foreign file is recomputed, not fatal
  }
}

function readCache(file: string, key: Omit<StatsFile, keyof ChannelStats>): ChannelStats | null {
  const s = readStatsFile(file, key.channels);
  const ok = s && s.dataset === key.dataset && s.trainLength === key.trainLength && s.imageSize === key.imageSize && s.channels === key.channels;
  return ok ? { mean: s.mean, std: s.std, count: s.count } : null;
}

/**
 * The normalisation a run's encoder was trained with, without opening its dataset: the config's mean/std, else the
 * run's data-stats.json (null when neither, or the file is torn or foreign). For readers of finished runs (export).
 */
export function recordedNormalisation(config: Config, runDir: string): { mean: number[]; std: number[] } | null {
  if (config.data.mean.length) return { mean: config.data.mean, std: config.data.std };
  const s = readStatsFile(join(runDir, STATS_FILE), config.data.channels);
  return s ? { mean: s.mean, std: s.std } : null;
}

/** Config mean/std if given, else `<runDir>/data-stats.json` if it matches this dataset, else computed (and cached). */
export async function resolveNormalisation(config: Config, dataset: Dataset, runDir?: string): Promise<Normalisation> {
  const { mean, std, channels, imageSize } = config.data;
  if (mean.length > 0 || std.length > 0) {
    if (mean.length !== channels || std.length !== channels) {
      throw new DatasetError(`data.mean and data.std need ${channels} values each (data.channels), got ${mean.length} and ${std.length}`);
    }
    if (std.some((s) => !(s > 0))) throw new DatasetError(`data.std must be positive, got [${std.join(', ')}]`);
    return { mean: [...mean], std: [...std], source: 'config' };
  }
  const key = { dataset: dataset.name, trainLength: dataset.train.length, imageSize, channels };
  const file = runDir ? join(runDir, STATS_FILE) : null;
  const cached = file ? readCache(file, key) : null;
  if (cached) return { mean: cached.mean, std: cached.std, source: 'cache' };
  const stats = await computeStats(dataset.train, imageSize, channels);
  if (file && runDir) {
    mkdirSync(runDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...key, ...stats }, null, 2) + '\n');
    renameSync(tmp, file); // atomic: readers never see a half-written file
  }
  return { mean: stats.mean, std: stats.std, source: 'computed' };
}
