// What the process's environment offers: integer settings from environment variables, and the CPU cores.
import * as os from 'node:os';

/** Cores this process may use (the default for thread counts). */
export function availableCores(): number {
  return Math.max(1, os.availableParallelism());
}

/** The variable as an integer ≥ min (capped at max), or null when unset, blank or not such an integer. */
export function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min ? Math.min(n, max) : null;
}
