// Every problem of a `*.mimlab.json` file or of the New Run overrides box, in the editor's words: the key and
// its rule first, a "did you mean" for a mistyped key, no CLI flags. The rules are the CLI's (src/config).
// No vscode here: the diagnostics provider, the New Run flow and the unit tests share it.
import { PRESETS } from '../config/presets';
import { ConfigError, fieldProblem, flatten, parseSetValue, resolveConfig, type ResolveOptions } from '../config/resolve';
import { FIELDS } from '../config/schema';
import { nearestKey } from '../config/suggest';

export interface ConfigProblem {
  /** The dotted key the problem is about, when there is one. */
  key?: string;
  message: string;
}

function isSection(key: string): boolean {
  return Object.keys(FIELDS).some((k) => k.startsWith(`${key}.`));
}

/** "train.stepz: unknown key; did you mean train.steps?" */
export function unknownKeyMessage(key: string): string {
  if (isSection(key)) return `${key} must be an object of ${key}.* keys`;
  const near = nearestKey(key);
  return near ? `${key}: unknown key; did you mean ${near}?` : `${key}: unknown key (keys look like train.steps, loss.alignWeight, mask.kind)`;
}

function keyValueProblem(key: string, value: unknown): string | null {
  if (key === 'preset') {
    return typeof value === 'string' && value in PRESETS ? null : `preset must be one of ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(value)}`;
  }
  if (!FIELDS[key]) return unknownKeyMessage(key);
  return fieldProblem(key, value);
}

/** The first dotted config key a cross-field message names ("mask.count (20) must be smaller …"), for its location. */
function keyNamedIn(message: string): string | undefined {
  return message.match(/\b[a-z]+\.[A-Za-z]+\b/g)?.find((k) => FIELDS[k] !== undefined);
}

/** Cross-field rules (image size vs patch size, mask count, …), checked once every key is valid on its own. */
function crossFieldProblems(opts: ResolveOptions): ConfigProblem[] {
  try {
    resolveConfig(opts);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [{ key: keyNamedIn(err.message), message: err.message }];
  }
}

/** Problems of a config file's text: JSON syntax, then every unknown key and wrong value, then cross-field rules. */
export function configFileProblems(text: string, fileName: string): ConfigProblem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return [{ message: `${fileName} is not valid JSON: ${(err as Error).message}` }];
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [{ message: `${fileName} must hold a JSON object` }];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(flatten(json as Record<string, unknown>))) {
    if (key === '$schema') continue;
    const message = keyValueProblem(key, value);
    if (message) problems.push({ key, message });
  }
  return problems.length ? problems : crossFieldProblems({ file: json, fileName });
}

/** Splits the overrides box: whitespace-separated `key=value` (values with spaces are not needed by any field). */
export function splitOverrides(text: string): string[] {
  return text.split(/\s+/).map((s) => s.trim()).filter(Boolean);
}

/** Problems of the overrides box's text on top of a preset or a config file (already parsed and valid). */
export function overrideProblems(text: string, base: { preset?: string; file?: unknown; fileName?: string }): ConfigProblem[] {
  const sets = splitOverrides(text);
  const problems: ConfigProblem[] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      problems.push({ message: `"${s}" is not key=value` });
      continue;
    }
    const key = s.slice(0, eq);
    if (!FIELDS[key]) {
      problems.push({ key, message: unknownKeyMessage(key) });
      continue;
    }
    try {
      const message = fieldProblem(key, parseSetValue(key, s.slice(eq + 1)));
      if (message) problems.push({ key, message });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push({ key, message: err.message });
    }
  }
  return problems.length ? problems : crossFieldProblems({ ...base, sets });
}

/** Where a dotted key's last part is written in a JSON text ([start, end) offsets of its quoted name), if found. */
export function locateKey(text: string, key: string): { start: number; end: number } | null {
  let from = 0;
  let found: { start: number; end: number } | null = null;
  for (const part of key.split('.')) {
    const re = new RegExp(`"${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return found;
    found = { start: m.index, end: m.index + part.length + 2 };
    from = re.lastIndex;
  }
  return found;
}
