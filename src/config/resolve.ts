// Builds a validated Config: preset → config file → `--set key=value` overrides.
// Every error names the key and what was expected, and is raised before any work starts.
import { torchOnlyFieldsSet } from './engine';
import { BASE_CONFIG, DEFAULT_PRESET, PRESETS } from './presets';
import { FIELDS, type Config, type FieldType } from './schema';
import { InputError } from '../util/input-error';

export class ConfigError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Flattens a nested object to dotted leaf keys (arrays are leaves). */
export function flatten(obj: Json, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) Object.assign(out, flatten(v, key));
    else out[key] = v;
  }
  return out;
}

function describe(t: FieldType): string {
  switch (t.kind) {
    case 'int': return `an integer${t.min !== undefined ? ` ≥ ${t.min}` : ''}${t.max !== undefined ? ` and ≤ ${t.max}` : ''}`;
    case 'number': return `a number${t.min !== undefined ? (t.exclusiveMin ? ` > ${t.min}` : ` ≥ ${t.min}`) : ''}${t.max !== undefined ? ` and ≤ ${t.max}` : ''}`;
    case 'bool': return 'true or false';
    case 'string': return 'a string';
    case 'enum': return `one of ${t.values.join(', ')}`;
    case 'numbers': return `a list of ${t.length ?? 'any number of'} numbers${t.min !== undefined ? ` ≥ ${t.min}` : ''}`;
  }
}

function checkNumber(v: unknown, t: { min?: number; max?: number; exclusiveMin?: boolean }, int: boolean): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (int && !Number.isInteger(v)) return false;
  if (t.min !== undefined && (t.exclusiveMin ? v <= t.min : v < t.min)) return false;
  return !(t.max !== undefined && v > t.max);
}

function valueMatches(v: unknown, t: FieldType): boolean {
  switch (t.kind) {
    case 'int': return checkNumber(v, t, true);
    case 'number': return checkNumber(v, t, false);
    case 'bool': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'enum': return typeof v === 'string' && t.values.includes(v);
    case 'numbers':
      return Array.isArray(v) && (t.length === undefined || v.length === t.length)
        && v.every((x) => checkNumber(x, { min: t.min }, false));
  }
}

/** What is wrong with one dotted key's value (unknown key, wrong type, out of range), or null. The CLI and the editor share it. */
export function fieldProblem(key: string, value: unknown): string | null {
  const spec = FIELDS[key];
  if (!spec) return `unknown config key "${key}"`;
  return valueMatches(value, spec.type) ? null : `${key} must be ${describe(spec.type)}, got ${JSON.stringify(value)}`;
}

/** Parses the text of a `--set key=value` according to the field's type. */
export function parseSetValue(key: string, text: string): unknown {
  const spec = FIELDS[key];
  if (!spec) throw new ConfigError(`unknown config key "${key}" (known keys: ${Object.keys(FIELDS).join(', ')})`);
  const t = spec.type;
  switch (t.kind) {
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new ConfigError(`${key}: expected ${describe(t)}, got "${text}"`);
      return n;
    }
    case 'bool':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new ConfigError(`${key}: expected ${describe(t)}, got "${text}"`);
    case 'numbers': {
      const parts = text.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      return parts.map((p) => {
        const n = Number(p);
        if (Number.isNaN(n)) throw new ConfigError(`${key}: expected ${describe(t)}, got "${text}"`);
        return n;
      });
    }
    default:
      return text;
  }
}

/** Parses `key=value` strings into dotted overrides. */
export function parseSets(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${s}"`);
    const key = s.slice(0, eq).trim();
    out[key] = parseSetValue(key, s.slice(eq + 1));
  }
  return out;
}

function setDotted(obj: Json, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Json;
  }
  cur[parts[parts.length - 1]] = value;
}

/** Applies dotted leaf overrides onto a config, refusing unknown keys and wrong types. */
export function applyOverrides(base: Config, overrides: Record<string, unknown>, source: string): Config {
  const out = clone(base) as unknown as Json;
  for (const [key, value] of Object.entries(overrides)) {
    const spec = FIELDS[key];
    if (!spec) throw new ConfigError(`${source}: unknown config key "${key}"`);
    if (!valueMatches(value, spec.type)) {
      throw new ConfigError(`${source}: ${key} must be ${describe(spec.type)}, got ${JSON.stringify(value)}`);
    }
    setDotted(out, key, value);
  }
  return out as unknown as Config;
}

/** Fills keys a config lacks with BASE_CONFIG's (a run folder written before a key existed keeps its old behaviour). */
function withDefaults(c: Config): Config {
  const merge = (base: Json, over: Json): Json => {
    const out: Json = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(base[k]) ? merge(base[k] as Json, v) : v;
    return out;
  };
  return merge(clone(BASE_CONFIG) as unknown as Json, c as unknown as Json) as unknown as Config;
}

/** Checks relations between fields that no single field's type can express. */
export function validateConfig(input: Config): Config {
  const c = withDefaults(input);
  for (const [key, value] of Object.entries(flatten(c as unknown as Json))) {
    const spec = FIELDS[key];
    if (!spec) throw new ConfigError(`unknown config key "${key}"`);
    if (!valueMatches(value, spec.type)) throw new ConfigError(`${key} must be ${describe(spec.type)}, got ${JSON.stringify(value)}`);
  }
  const { imageSize } = c.data;
  const { patchSize, dim, heads, decoderDim, decoderHeads } = c.model;
  if (imageSize % patchSize !== 0) {
    throw new ConfigError(`data.imageSize (${imageSize}) must be divisible by model.patchSize (${patchSize})`);
  }
  const numPatches = (imageSize / patchSize) ** 2;
  if (c.mask.count >= numPatches) {
    throw new ConfigError(`mask.count (${c.mask.count}) must be smaller than the number of patches (${numPatches} = (${imageSize}/${patchSize})²)`);
  }
  if (dim % heads !== 0) throw new ConfigError(`model.heads (${heads}) must divide model.dim (${dim})`);
  if (c.algorithm === 'mae' && decoderDim % decoderHeads !== 0) {
    throw new ConfigError(`model.decoderHeads (${decoderHeads}) must divide model.decoderDim (${decoderDim})`);
  }
  if (c.train.microBatch > 0 && c.train.batchSize % c.train.microBatch !== 0) {
    throw new ConfigError(`train.microBatch (${c.train.microBatch}) must divide train.batchSize (${c.train.batchSize})`);
  }
  const [lo, hi] = c.data.cropScale;
  if (!(lo > 0 && lo <= hi && hi <= 1)) throw new ConfigError(`data.cropScale must be [min, max] with 0 < min ≤ max ≤ 1, got [${lo}, ${hi}]`);
  if (c.data.mean.length !== c.data.std.length || (c.data.mean.length !== 0 && c.data.mean.length !== c.data.channels)) {
    throw new ConfigError(`data.mean and data.std must both be empty or both have data.channels (${c.data.channels}) values`);
  }
  if (c.data.std.some((s) => s <= 0)) throw new ConfigError('data.std values must be > 0');
  if (c.data.dataset !== 'synthetic' && c.data.path.trim() === '') {
    throw new ConfigError(`data.path is required for data.dataset=${c.data.dataset} (a folder holding the dataset files)`);
  }
  if (c.loss.target === 'tokens' && c.tokenizer.path.trim() === '') {
    throw new ConfigError('tokenizer.path is required when loss.target=tokens: a TF.js tokenizer folder (see `mim-lab tokenizer train`), or `auto` to train one into the run folder first');
  }
  const range = (key: string, [lo, hi]: number[], max: number): void => {
    if (!(lo > 0 && lo <= hi && hi <= max)) throw new ConfigError(`${key} must be [min, max] with 0 < min ≤ max ≤ ${max}, got [${lo}, ${hi}]`);
  };
  range('mask.blockScale', c.mask.blockScale, 1);
  range('mask.blockAspect', c.mask.blockAspect, Infinity);
  if (c.loss.alignTopK > c.model.depth) throw new ConfigError(`loss.alignTopK (${c.loss.alignTopK}) must be at most model.depth (${c.model.depth}) (0: all blocks)`);
  if (c.train.minLr > c.train.lr) throw new ConfigError(`train.minLr (${c.train.minLr}) must not exceed train.lr (${c.train.lr})`);
  const torchOnly = torchOnlyFieldsSet(c);
  if (torchOnly.length) throw new ConfigError(`${torchOnly.join(', ')} need engine=torch (the TF.js engine trains in fp32 on its backend; set engine=torch or drop them)`);
  return c;
}

export interface ResolveOptions {
  preset?: string;
  /** Parsed contents of a `--config` file (nested object). */
  file?: unknown;
  fileName?: string;
  sets?: readonly string[];
}

export function presetConfig(name: string): Config {
  const preset = PRESETS[name];
  if (!preset) throw new ConfigError(`unknown preset "${name}" (available: ${Object.keys(PRESETS).join(', ')})`);
  return applyOverrides({ ...clone(BASE_CONFIG), preset: name }, flatten(preset.overrides as Json), `preset ${name}`);
}

export function resolveConfig(opts: ResolveOptions): Config {
  let config = presetConfig(opts.preset ?? DEFAULT_PRESET);
  if (opts.file !== undefined) {
    const name = opts.fileName ?? 'config file';
    if (!isObject(opts.file)) throw new ConfigError(`${name}: expected a JSON object`);
    const file = { ...opts.file };
    if (typeof file.preset === 'string' && opts.preset === undefined) config = presetConfig(file.preset);
    delete file.$schema;
    config = applyOverrides(config, flatten(file), name);
  }
  if (opts.sets?.length) config = applyOverrides(config, parseSets(opts.sets), '--set');
  return validateConfig(config);
}
