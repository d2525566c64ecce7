// Small file helpers shared by the readers: locating a file among accepted names, reading it
// (gunzipping `.gz`), and reading many image files without exhausting file descriptors.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './types';

/** The first of `names` (also tried with `.gz`) that exists in one of `dirs`, or null. */
export function findFile(dirs: string[], names: string[]): string | null {
  for (const dir of dirs) {
    for (const name of names) {
      for (const candidate of [name, `${name}.gz`]) {
        const p = join(dir, candidate);
        if (existsSync(p) && statSync(p).isFile()) return p;
      }
    }
  }
  return null;
}

/** The whole file, decompressed when it ends in `.gz`; errors become DatasetErrors that name the file. */
export function readWhole(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new DatasetError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!file.endsWith('.gz')) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new DatasetError(`${file}: not a valid gzip file, truncated? (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** `root` itself, then those of its sub-folders `names` that exist. */
export function candidateDirs(root: string, names: string[]): string[] {
  return [root, ...names.map((n) => join(root, n)).filter((d) => existsSync(d) && statSync(d).isDirectory())];
}

/**
 * Caps concurrent async file reads. Each pending readFile holds a file descriptor, and a prefetch of a
 * few large batches can queue thousands of reads; unbounded, that ends in EMFILE.
 */
export class ReadLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async read(file: string): Promise<Buffer> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over on release
    try {
      return await readFile(file);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
