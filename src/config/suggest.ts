// "Did you mean …?" for config keys: the known key nearest to a mistyped one, by edit distance.
import { FIELDS } from './schema';

/** Levenshtein distance (insertions, deletions, substitutions; each costs 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known key closest to `key`, or null when none is close: within a third of the key's length (at least 2
 * edits). A key without its section (`steps`) is compared with each key's last part too.
 */
export function nearestKey(key: string, keys: readonly string[] = Object.keys(FIELDS)): string | null {
  const k = key.toLowerCase();
  let best: string | null = null;
  let bestDist = Infinity;
  for (const candidate of keys) {
    const c = candidate.toLowerCase();
    const leaf = c.slice(c.lastIndexOf('.') + 1);
    const d = Math.min(editDistance(k, c), k.includes('.') ? Infinity : editDistance(k, leaf));
    if (d < bestDist) {
      bestDist = d;
      best = candidate;
    }
  }
  return bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}
