// Integer settings read from environment variables (thread counts and the like).

/** The variable as an integer ≥ min (capped at max), or null when unset, blank or not such an integer. */
export function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min ? Math.min(n, max) : null;
}
