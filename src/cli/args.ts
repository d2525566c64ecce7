// Minimal argv parsing: positionals, `--flag value`, `--flag=value`, repeatable `--set key=value`, booleans.
import { FIELDS, type BackendName } from '../config/schema';
import { InputError } from '../util/input-error';

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  sets: string[];
  flags: Set<string>;
  /** Every value of every option in order, for options that may repeat (e.g. `--grid`); `options` keeps the last. */
  lists: Map<string, string[]>;
}

export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `booleans` are flags that take no value (e.g. `--random-init`). */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), sets: [], flags: new Set(), lists: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('-o needs a file name');
      out.options.set('out', v);
      continue;
    }
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.includes(name)) {
      out.flags.add(name);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (name === 'set') out.sets.push(value);
    else {
      out.options.set(name, value);
      out.lists.set(name, [...(out.lists.get(name) ?? []), value]);
    }
  }
  return out;
}

/** Refuses options outside `allowed` and, when `maxPositionals` is given, arguments past that many. */
export function only(args: ParsedArgs, allowed: readonly string[], command: string, maxPositionals?: number): void {
  for (const k of args.options.keys()) {
    if (!allowed.includes(k)) throw new UsageError(`${command}: unknown option --${k} (allowed: ${allowed.map((a) => `--${a}`).join(', ') || 'none'})`);
  }
  const extra = maxPositionals === undefined ? undefined : args.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(`${command}: unexpected argument "${extra}"`);
}

/** `--backend B`, checked against the config's backend values (undefined when not given). */
export function backendOption(args: ParsedArgs): BackendName | undefined {
  const backend = args.options.get('backend');
  const backends = FIELDS.backend.type.kind === 'enum' ? FIELDS.backend.type.values : [];
  if (backend !== undefined && !backends.includes(backend)) throw new UsageError(`--backend must be one of ${backends.join(', ')}, got "${backend}"`);
  return backend as BackendName | undefined;
}

/** `--name N`: an integer ≥ min, or `fallback` when absent. */
export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const raw = args.options.get(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}
