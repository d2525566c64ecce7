// `*.mimlab-sweep.json`: the same sweep as the command line, as a file that can be versioned next to the code.
// {
//   "preset": "cae-tiny", "config": "base.mimlab.json", "set": {"train.steps": 200},
//   "grid": {"loss.alignWeight": [0, 2], "mask.count": [4, 8]}, "seeds": "0-4",
//   "probe": ["knn"], "jobs": 2, "name": "align", "runsDir": ".mimlab/runs", "engine": "tfjs"
// }
// Relative paths are relative to the file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/resolve';
import { checkAxis, parseJobs, parseProbes, parseSeeds, valueText, type GridAxis } from './spec';

export const SWEEP_FILE_SUFFIX = '.mimlab-sweep.json';

const KEYS = ['$schema', 'preset', 'config', 'set', 'grid', 'seeds', 'probe', 'jobs', 'name', 'runsDir', 'engine'] as const;

export interface SweepFile {
  preset?: string;
  configFile?: string;
  sets: string[];
  grid: GridAxis[];
  seeds?: number[];
  probes?: ReturnType<typeof parseProbes>;
  jobs?: number;
  name?: string;
  runsDir?: string;
  engine?: string;
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function str(obj: Json, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${where}: "${key}" must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function listOrText(obj: Json, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  throw new ConfigError(`${where}: "${key}" must be a list or a comma-separated string, got ${JSON.stringify(v)}`);
}

function parseSetsField(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${valueText(x, `${where}: set.${k}`)}`);
  throw new ConfigError(`${where}: "set" must be an object {"key": value} or a list of "key=value", got ${JSON.stringify(v)}`);
}

function parseGridField(v: unknown, where: string): GridAxis[] {
  if (v === undefined) return [];
  if (!isObject(v)) throw new ConfigError(`${where}: "grid" must be an object {"key": [value, …]}, got ${JSON.stringify(v)}`);
  return Object.entries(v).map(([key, values]) => {
    if (!Array.isArray(values)) throw new ConfigError(`${where}: grid.${key} must be a list of values, got ${JSON.stringify(values)}`);
    return checkAxis({ key, values: values.map((x, i) => valueText(x, `${where}: grid.${key}[${i}]`)) }, `${where}: grid.${key}`);
  });
}

export function readSweepFile(file: string): SweepFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new ConfigError(`${file}: expected a JSON object`);
  for (const k of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(k)) throw new ConfigError(`${file}: unknown field "${k}" (known: ${KEYS.slice(1).join(', ')})`);
  }
  const base = dirname(resolve(file));
  const config = str(raw, 'config', file);
  const runsDir = str(raw, 'runsDir', file);
  const seeds = listOrText(raw, 'seeds', file);
  const probes = listOrText(raw, 'probe', file);
  const jobs = raw.jobs;
  return {
    preset: str(raw, 'preset', file),
    configFile: config === undefined ? undefined : resolve(base, config),
    sets: parseSetsField(raw.set, file),
    grid: parseGridField(raw.grid, file),
    seeds: seeds === undefined ? undefined : parseSeeds(seeds, `${file}: seeds`),
    probes: probes === undefined ? undefined : parseProbes(probes, `${file}: probe`),
    jobs: jobs === undefined ? undefined : parseJobs(String(jobs), `${file}: jobs`),
    name: str(raw, 'name', file),
    runsDir: runsDir === undefined ? undefined : resolve(base, runsDir),
    engine: str(raw, 'engine', file),
  };
}
