// What changed between two configs, leaf by leaf: written to log.txt when a resume rewrites config.json.
import { flatten } from './resolve';
import type { Config } from './schema';

/** `key: old → new` for every dotted leaf whose value differs (a key only one side has shows as undefined). */
export function configChanges(before: Config, after: Config): string[] {
  const a = flatten(before as unknown as Record<string, unknown>);
  const b = flatten(after as unknown as Record<string, unknown>);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
}
