// Checkpoints: `checkpoints/step-NNNNNN/{meta.json, weights.bin}`. Written into a temporary folder and renamed
// into place, so a kill at any moment never leaves half a checkpoint under a final name.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import type { NamedArray } from '../ml/params';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs-atomic';

export const CHECKPOINT_FORMAT = 1;

export interface CheckpointMeta {
  format: number;
  step: number;
  epoch: number;
  /** AdamW update count. */
  optimizerT: number;
  config: Config;
  /** Randomness is a pure function of (seed, step), so this is the whole RNG state. */
  rng: { seed: number; step: number };
  createdAt: string;
  arrays: { name: string; shape: number[]; offset: number; length: number }[];
}

export interface CheckpointData {
  meta: CheckpointMeta;
  arrays: NamedArray[];
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

function packArrays(arrays: NamedArray[]): { index: CheckpointMeta['arrays']; bytes: Uint8Array } {
  const total = arrays.reduce((n, a) => n + a.data.length, 0);
  const flat = new Float32Array(total);
  const index: CheckpointMeta['arrays'] = [];
  let offset = 0;
  for (const a of arrays) {
    flat.set(a.data, offset);
    index.push({ name: a.name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length;
  }
  return { index, bytes: new Uint8Array(flat.buffer) };
}

/** Writes a checkpoint atomically and keeps only the newest `keep`. */
export function saveCheckpoint(root: string, meta: Omit<CheckpointMeta, 'arrays' | 'format'>, arrays: NamedArray[], keep: number): string {
  mkdirSync(root, { recursive: true });
  const { index, bytes } = packArrays(arrays);
  const final = join(root, checkpointName(meta.step));
  const tmp = join(root, `.tmp-${checkpointName(meta.step)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileAtomic(join(tmp, 'weights.bin'), bytes);
  writeJsonAtomic(join(tmp, 'meta.json'), { ...meta, format: CHECKPOINT_FORMAT, arrays: index });
  if (existsSync(final)) {
    const trash = join(root, `.old-${checkpointName(meta.step)}-${process.pid}`);
    renameSync(final, trash);
    renameSync(tmp, final);
    rmSync(trash, { recursive: true, force: true });
  } else {
    renameSync(tmp, final);
  }
  pruneCheckpoints(root, keep);
  return final;
}

/** Both files present and the weights as long as meta.json says: what a torn write can never look like. */
export function isComplete(dir: string): boolean {
  const meta = join(dir, 'meta.json');
  const weights = join(dir, 'weights.bin');
  if (!existsSync(meta) || !existsSync(weights)) return false;
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as CheckpointMeta;
    const floats = m.arrays.reduce((n, a) => n + a.length, 0);
    return statSync(weights).size === floats * 4;
  } catch {
    return false;
  }
}

/** Steps of the complete checkpoints under `root`, ascending; leftovers of interrupted writes are removed. */
export function listCheckpoints(root: string): number[] {
  if (!existsSync(root)) return [];
  const steps: number[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (name.startsWith('.tmp-') || name.startsWith('.old-')) {
      const pid = Number(name.split('-').pop());
      if (pid !== process.pid) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const m = /^step-(\d+)$/.exec(name);
    if (m && isComplete(dir)) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

export function pruneCheckpoints(root: string, keep: number): void {
  const steps = listCheckpoints(root);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) {
    // Renamed out of the way first: a kill during the removal leaves a `.old-` leftover, never a torn step folder.
    const trash = join(root, `.old-${checkpointName(s)}-${process.pid}`);
    renameSync(join(root, checkpointName(s)), trash);
    rmSync(trash, { recursive: true, force: true });
  }
}

export function loadCheckpoint(root: string, step: number): CheckpointData {
  const dir = join(root, checkpointName(step));
  if (!isComplete(dir)) throw new Error(`checkpoint ${dir} is missing or incomplete`);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint ${dir} has format ${meta.format}, expected ${CHECKPOINT_FORMAT}`);
  const buf = readFileSync(join(dir, 'weights.bin'));
  const flat = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arrays = meta.arrays.map((a) => ({ name: a.name, shape: a.shape, data: flat.slice(a.offset, a.offset + a.length) }));
  return { meta, arrays };
}

/** Resolves `latest` or a step number to an existing checkpoint step, with a clear error otherwise. */
export function resolveCheckpointStep(root: string, which: 'latest' | number): number {
  const steps = listCheckpoints(root);
  if (steps.length === 0) throw new Error(`no checkpoint found in ${root}`);
  if (which === 'latest') return steps[steps.length - 1];
  if (!steps.includes(which)) throw new Error(`no checkpoint for step ${which} in ${root} (available: ${steps.join(', ')})`);
  return which;
}
