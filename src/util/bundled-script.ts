// Worker scripts are separate bundles in dist/ (scripts/build.mjs). Where one is depends on how the code runs.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** dist/<file>: next to the running bundle, or (sources run through tsx) in the package's dist; null when not built. */
export function bundledScript(file: string): string | null {
  const candidates = [join(__dirname, file), resolve(__dirname, '../../dist', file)];
  return candidates.find((f) => existsSync(f)) ?? null;
}
