// Crash-safe file writes: a reader (or a resumed run) never sees half a file under its final name.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes a file and fsyncs it before returning (the data is on disk before any rename publishes it). */
export function writeFileSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes to a temporary file in the same folder, fsyncs it, then renames it over `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tmpName(path);
  writeFileSynced(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
