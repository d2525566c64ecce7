// Publishes a finished folder in one rename, so readers (the run panel, the report) never see half of it.
// Temporary names start with a dot: they never match the `^\d+$` step folders readers list.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileSynced } from '../util/fs-atomic';

/**
 * Writes `files` (in insertion order: put the manifest last) into a temporary sibling folder, then renames it to
 * `dest`. A folder already at `dest` (e.g. a resumed run sampling the same step again) is replaced.
 */
export function publishDir(dest: string, files: Map<string, Uint8Array | string>): void {
  const parent = dirname(dest);
  const name = basename(dest);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [file, data] of files) writeFileSynced(join(tmp, file), data);
    if (existsSync(dest)) {
      // rename() cannot replace a non-empty folder: move the old one aside first, drop it after.
      const old = join(parent, `.old-${name}-${process.pid}`);
      rmSync(old, { recursive: true, force: true });
      renameSync(dest, old);
      renameSync(tmp, dest);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, dest);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Removes temporaries a killed process left in `parent` (only one trainer writes a run folder at a time). */
export function removeStaleTemporaries(parent: string): void {
  if (!existsSync(parent)) return;
  for (const n of readdirSync(parent)) if (/^\.(tmp|old)-/.test(n)) rmSync(join(parent, n), { recursive: true, force: true });
}
