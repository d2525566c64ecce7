// Up-front checks of the paths a command will write (-o, --out, --runs-dir, --json): a file where a folder is
// expected, or a place that cannot be written, is the user's to fix (exit 2), found before any work starts.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args';

/** The nearest ancestor of `path` (itself included) that exists. */
function existingAncestor(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

function requireWritableDir(dir: string, what: string): void {
  if (!statSync(dir).isDirectory()) throw new UsageError(`${what}: ${dir} is a file, expected a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${what}: ${dir} is not writable`);
  }
}

/** `path` is, or can be created as, a folder. */
export function checkOutputDir(path: string, what: string): void {
  requireWritableDir(existingAncestor(path), what);
}

/** `path` can be written as a file (its folder exists or can be created). */
export function checkOutputFile(path: string, what: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${what}: ${path} is a folder, expected a file name`);
  requireWritableDir(existingAncestor(dirname(resolve(path))), what);
}
