// What a sweep asks for (`mim-lab sweep …` or a `*.mimlab-sweep.json` file): a base config, grid axes, seeds,
// parallelism and probes. Parsing only; every error names the option or field and what was expected.
import { BASE_CONFIG } from '../config/presets';
import { applyOverrides, ConfigError, parseSetValue } from '../config/resolve';
import { FIELDS } from '../config/schema';
import { PROBE_KINDS, type ProbeKind } from '../protocol/run-files';

/** One swept key and its values, as `--set` texts (what the child processes receive). */
export interface GridAxis {
  key: string;
  values: string[];
}

export interface SweepSpec {
  preset?: string;
  /** Absolute path of a base `*.mimlab.json` config file. */
  configFile?: string;
  /** Fixed `key=value` overrides applied to every run. */
  sets: string[];
  grid: GridAxis[];
  seeds: number[];
  probes: ProbeKind[];
  name?: string;
  /** Absolute path of the folder the runs are written to. */
  runsDir: string;
}

const fail = (message: string): never => {
  throw new ConfigError(message);
};

/** Splits on commas outside brackets, so list values stay whole: `[0.2,1],[0.35,1]` → two values. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Checks one axis: a known key that is not the seed, at least one value, each of the key's type, no repeats. */
export function checkAxis(axis: GridAxis, where: string): GridAxis {
  const { key, values } = axis;
  if (key === 'train.seed') fail(`${where}: sweep seeds with --seeds (or "seeds" in a sweep file), not a grid on train.seed`);
  if (!FIELDS[key]) fail(`${where}: unknown config key "${key}" (\`mim-lab config\` lists them)`);
  if (values.length === 0 || values.some((v) => v === '')) fail(`${where}: expected one or more comma-separated values for ${key}, got an empty value`);
  const seen = new Set<string>();
  for (const v of values) {
    let parsed: unknown;
    try {
      parsed = parseSetValue(key, v);
    } catch (err) {
      fail(`${where}: ${(err as Error).message}`);
    }
    applyOverrides(BASE_CONFIG, { [key]: parsed }, where); // the field's type and range (enums, minimums)
    seen.add(JSON.stringify(parsed));
  }
  if (seen.size !== values.length) fail(`${where}: ${key} lists the same value twice`);
  return axis;
}

/** `--grid key=v1,v2`. */
export function parseGridOption(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) fail(`--grid ${text}: expected key=value1,value2,… (e.g. --grid loss.alignWeight=0,2)`);
  const key = text.slice(0, eq).trim();
  return checkAxis({ key, values: splitValues(text.slice(eq + 1)) }, `--grid ${text}`);
}

/** `0-4`, `0,2,5`, `3`, or a mix (`0-2,7`): distinct integers ≥ 0. */
export function parseSeeds(text: string, where = '--seeds'): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) fail(`${where}: expected seeds like 0-4 or 0,2,5 (integers ≥ 0), got "${text}"`);
    const lo = Number(m![1]);
    const hi = m![2] === undefined ? lo : Number(m![2]);
    if (hi < lo) fail(`${where}: range ${part} ends before it starts`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  if (new Set(seeds).size !== seeds.length) fail(`${where}: a seed is listed twice in "${text}"`);
  if (seeds.length > 1000) fail(`${where}: ${seeds.length} seeds is more than a sweep should hold (at most 1000)`);
  return seeds;
}

/** `attentive,linear,knn` or `none`. */
export function parseProbes(text: string, where = '--probe'): ProbeKind[] {
  if (text.trim() === 'none') return [];
  const kinds = text.split(',').map((s) => s.trim());
  for (const k of kinds) {
    if (!(PROBE_KINDS as readonly string[]).includes(k)) fail(`${where}: expected probe kinds from ${PROBE_KINDS.join(', ')} (or none), got "${k}"`);
  }
  if (new Set(kinds).size !== kinds.length) fail(`${where}: a probe kind is listed twice in "${text}"`);
  return kinds as ProbeKind[];
}

export function parseJobs(text: string, where = '--jobs'): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) fail(`${where}: expected an integer from 1 to 64, got "${text}"`);
  return n;
}

/** The `--set` text of a JSON value from a sweep file (lists as `[a,b]`, as `--set` parses them). */
export function valueText(v: unknown, where: string): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return `[${v.join(',')}]`;
  return fail(`${where}: expected a number, true/false, a string or a list of numbers, got ${JSON.stringify(v)}`);
}
