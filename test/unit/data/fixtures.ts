// Writers for small dataset files in a temp dir: IDX, CIFAR binaries, image folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { BASE_CONFIG } from '../../../src/config/presets';
import type { Config } from '../../../src/config/schema';
import { encodePng } from '../../../src/data/png';

export function tempDir(prefix = 'mimlab-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function configWith(data: Partial<Config['data']>): Config {
  const c = JSON.parse(JSON.stringify(BASE_CONFIG)) as Config;
  c.data = { ...c.data, ...data };
  return c;
}

/** Pixel value of image `i` at byte `p`: distinct per image and position, so misplaced bytes show. */
export const pixel = (i: number, p: number): number => (i * 37 + p * 11) % 256;

export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, data]);
}

/** Writes an MNIST-style set of n train / m test images of h×w; returns the labels used. */
export function writeIdx(dir: string, opts: { n: number; m: number; h: number; w: number; gz?: boolean; dotted?: boolean }): { train: number[]; test: number[] } {
  const sep = opts.dotted ? '.' : '-';
  const ext = opts.gz ? '.gz' : '';
  const out = { train: [] as number[], test: [] as number[] };
  for (const [stem, count, labels] of [['train', opts.n, out.train], ['t10k', opts.m, out.test]] as const) {
    const px = new Uint8Array(count * opts.h * opts.w).map((_, q) => pixel(Math.floor(q / (opts.h * opts.w)), q % (opts.h * opts.w)));
    for (let i = 0; i < count; i++) labels.push((i * 3) % 10);
    const img = idxBytes([count, opts.h, opts.w], px);
    const lab = idxBytes([count], Uint8Array.from(labels));
    writeFileSync(join(dir, `${stem}-images${sep}idx3-ubyte${ext}`), opts.gz ? gzipSync(img) : img);
    writeFileSync(join(dir, `${stem}-labels${sep}idx1-ubyte${ext}`), opts.gz ? gzipSync(lab) : lab);
  }
  return out;
}

/** CIFAR records: label bytes then planar R, G, B; image i channel k at p has value pixel(i, k*1024+p). */
export function cifarBytes(labels: number[][]): Buffer {
  const rec = labels[0].length + 3072;
  const buf = Buffer.alloc(labels.length * rec);
  labels.forEach((lab, i) => {
    lab.forEach((v, k) => (buf[i * rec + k] = v));
    for (let q = 0; q < 3072; q++) buf[i * rec + lab.length + q] = pixel(i, q);
  });
  return buf;
}

export function writeCifar10(dir: string, batches: number, perBatch: number, testCount: number): void {
  mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= batches; b++) {
    writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBytes(Array.from({ length: perBatch }, (_, i) => [(b + i) % 10])));
  }
  writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(Array.from({ length: testCount }, (_, i) => [i % 10])));
  writeFileSync(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
}

export function solid(w: number, h: number, c: number, f: (x: number, y: number, k: number) => number): Uint8Array {
  const d = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) d[(y * w + x) * c + k] = f(x, y, k);
  return d;
}

export function png16Gray(w: number, h: number, f: (x: number, y: number) => number): Buffer {
  const v = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[y * w + x] = f(x, y) * 257;
  const png = new PNG({ width: w, height: h });
  png.data = Buffer.from(v.buffer);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 16 });
}

export function jpegRgb(w: number, h: number, f: (x: number, y: number, k: number) => number): Buffer {
  const rgba = solid(w, h, 4, (x, y, k) => (k === 3 ? 255 : f(x, y, k)));
  return jpeg.encode({ width: w, height: h, data: Buffer.from(rgba) }, 95).data;
}

export function writePng(file: string, data: Uint8Array, w: number, h: number, c: 1 | 3 | 4): void {
  writeFileSync(file, encodePng(data, w, h, c));
}
