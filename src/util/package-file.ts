// A file shipped beside the code, found from the bundle (dist/x.js → <root>/…) or from the sources (src/<dir>/x.ts →
// <root>/…), since both run: the CLI and extension from dist/, the tests through tsx from src/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function packageFile(relative: string, from = __dirname): string | null {
  for (const p of [join(from, '..', relative), join(from, '..', '..', relative)]) {
    if (existsSync(p)) return p;
  }
  return null;
}
