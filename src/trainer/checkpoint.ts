// Checkpoints: `checkpoints/step-NNNNNN/{meta.json, weights.safetensors}` (format 2, written by both engines with
// the same array names; format 1 with `weights.bin` + an index in meta.json is still read). Written into a temporary
// folder and renamed into place, so a kill at any moment never leaves half a checkpoint under a final name.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import type { NamedArray } from '../ml/params';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs-atomic';
import { decodeSafetensors, encodeSafetensors, isCompleteSafetensors } from '../util/safetensors';

export const CHECKPOINT_FORMAT = 2;
const WEIGHTS = 'weights.safetensors';
/** Format 1: one flat float32 file indexed by `meta.arrays`. */
const WEIGHTS_V1 = 'weights.bin';

export interface CheckpointMeta {
  format: 1 | 2;
  /** Which engine wrote it (format 2); format 1 checkpoints are all TF.js's. */
  engine?: 'tfjs' | 'torch';
  step: number;
  epoch: number;
  /** AdamW update count. */
  optimizerT: number;
  config: Config;
  /** Randomness is a pure function of (seed, step), so this is the whole RNG state. */
  rng: { seed: number; step: number };
  createdAt: string;
  /** Format 1 only: where each array lies in weights.bin (format 2 keeps this in the safetensors header). */
  arrays?: { name: string; shape: number[]; offset: number; length: number }[];
}

export interface CheckpointData {
  meta: CheckpointMeta;
  arrays: NamedArray[];
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** Writes a checkpoint atomically and keeps only the newest `keep`. */
export function saveCheckpoint(root: string, meta: Omit<CheckpointMeta, 'arrays' | 'format' | 'engine'>, arrays: NamedArray[], keep: number): string {
  mkdirSync(root, { recursive: true });
  const final = join(root, checkpointName(meta.step));
  const tmp = join(root, `.tmp-${checkpointName(meta.step)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileAtomic(join(tmp, WEIGHTS), encodeSafetensors(arrays));
  writeJsonAtomic(join(tmp, 'meta.json'), { ...meta, format: CHECKPOINT_FORMAT, engine: 'tfjs' });
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

/** Complete = meta.json parses and the weights file is whole (format 2: its header parses and the size matches it). */
export function isComplete(dir: string): boolean {
  const meta = join(dir, 'meta.json');
  if (!existsSync(meta)) return false;
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as CheckpointMeta;
    if (m.format === 1) {
      const floats = (m.arrays ?? []).reduce((n, a) => n + a.length, 0);
      return existsSync(join(dir, WEIGHTS_V1)) && statSync(join(dir, WEIGHTS_V1)).size === floats * 4;
    }
    return m.format === 2 && isCompleteSafetensors(join(dir, WEIGHTS));
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
  if (meta.format === 2) return { meta, arrays: decodeSafetensors(readFileSync(join(dir, WEIGHTS)), join(dir, WEIGHTS)).tensors };
  const buf = readFileSync(join(dir, WEIGHTS_V1));
  const flat = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arrays = (meta.arrays ?? []).map((a) => ({ name: a.name, shape: a.shape, data: flat.slice(a.offset, a.offset + a.length) }));
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
