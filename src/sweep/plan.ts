// Expands a sweep into its runs (grid × seeds) and validates every one with the config resolver before anything
// runs: a bad combination (a mask count too large for one patch size, say) is refused with the run it belongs to.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, flatten, resolveConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { baselineKey } from './baseline';
import type { SweepSpec } from './spec';

export const PLAN_VERSION = 1;

export interface PlannedRun {
  /** Position in the plan (0-based); runs are started in this order. */
  index: number;
  /** `--name` of the run: its folder is `<runsDir>/<date-time>-<name>`. */
  name: string;
  /** The grid point, key → value text. */
  point: Record<string, string>;
  seed: number;
  /** Every `--set` the run is started with: the sweep's fixed sets, the grid point, the seed. */
  sets: string[];
  /** Runs with the same key share one random-init baseline (src/sweep/baseline.ts). */
  baseline: string;
}

export interface SweepPlan {
  version: number;
  id: string;
  createdAt: string;
  spec: SweepSpec;
  runs: PlannedRun[];
  /** Per baseline key, the run whose folder holds the random-init probes: the first in plan order. */
  baselineRuns: number[];
}

function cartesian(axes: readonly { key: string; values: readonly string[] }[]): Record<string, string>[] {
  return axes.reduce<Record<string, string>[]>((acc, axis) => acc.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.key]: v }))), [{}]);
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');

/** What decides the runs (not how many run at once); equal specs give the same id, so a restart finds its folder. */
export function planIdentity(spec: SweepSpec): string {
  const configText = spec.configFile ? readFileSync(spec.configFile, 'utf8') : '';
  return JSON.stringify({ ...spec, configText });
}

export function sweepId(spec: SweepSpec): string {
  if (spec.name) return slug(spec.name) || 'sweep';
  const hash = createHash('sha1').update(planIdentity(spec)).digest('hex').slice(0, 6);
  const axes = spec.grid.map((a) => a.key.split('.').pop() ?? a.key).join('-');
  return slug([spec.preset ?? 'sweep', axes, hash].filter(Boolean).join('-'));
}

function resolveRun(spec: SweepSpec, sets: string[], label: string): Config {
  let file: unknown;
  if (spec.configFile) {
    try {
      file = JSON.parse(readFileSync(spec.configFile, 'utf8'));
    } catch (err) {
      throw new ConfigError(`--config ${spec.configFile}: ${(err as Error).message}`);
    }
  }
  try {
    return resolveConfig({ preset: spec.preset, file, fileName: spec.configFile, sets });
  } catch (err) {
    throw new ConfigError(`run ${label}: ${(err as Error).message}`);
  }
}

export function buildPlan(spec: SweepSpec, now = new Date()): SweepPlan {
  const id = sweepId(spec);
  const points = cartesian(spec.grid);
  const runs: PlannedRun[] = [];
  const seen = new Map<string, string>();
  for (const point of points) {
    for (const seed of spec.seeds) {
      const gridSets = Object.entries(point).map(([k, v]) => `${k}=${v}`);
      const sets = [...spec.sets, ...gridSets, `train.seed=${seed}`];
      const label = [...gridSets, `seed ${seed}`].join(' ');
      const config = resolveRun(spec, sets, label);
      const flat = flatten(config as unknown as Record<string, unknown>);
      const same = seen.get(JSON.stringify(flat));
      if (same) throw new ConfigError(`runs ${same} and ${label} have the same config: a grid value repeats another (or a fixed --set overrides the grid key)`);
      seen.set(JSON.stringify(flat), label);
      const index = runs.length;
      runs.push({ index, name: `${id.slice(0, 40)}-${String(index + 1).padStart(3, '0')}-s${seed}`, point, seed, sets, baseline: baselineKey(flat) });
    }
  }
  const baselineRuns: number[] = [];
  const keys = new Set<string>();
  for (const r of runs) {
    if (keys.has(r.baseline)) continue;
    keys.add(r.baseline);
    baselineRuns.push(r.index);
  }
  return { version: PLAN_VERSION, id, createdAt: now.toISOString(), spec, runs, baselineRuns };
}

/** True when two plans start the same runs (the creation time and parallelism aside). */
export function samePlan(a: SweepPlan, b: SweepPlan): boolean {
  const runs = (p: SweepPlan): string => JSON.stringify(p.runs.map((r) => [r.name, r.sets]));
  return runs(a) === runs(b) && JSON.stringify(a.spec) === JSON.stringify(b.spec);
}
