// The bench's torch-engine column: the engine itself (engines/torch) timed on the same config, beside TF.js and the
// twin, when its package offers `python -m mimlab_torch bench --job JOB.json`. JOB.json: {"version": 1, "config":
// <resolved Config>, "steps": N, "warmup": W}; it prints one JSON line {"type": "bench", "medianMs", "imgsPerSec",
// "backend", "device"?, "torch", and the FLOP/MFU fields of EngineBench} on stdout and exits 0. Without the package or
// the command, the bench says why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import type { PythonTorch } from '../trainer/python-torch';
import { defaultEnginePath, engineEnv } from '../trainer/torch-launch';

/** A device's datasheet peak (engines/torch/mimlab_torch/peaks.py). */
export interface EnginePeak {
  tflops: number;
  device: string;
  kind: string;
  source: string;
}

export interface EngineBench {
  medianMs: number;
  imgsPerSec: number;
  backend: string;
  device?: string;
  torch: string;
  /** The rest is printed by engines with model FLOP utilisation (mimlab_torch/bench.py); absent from older ones. */
  minMs?: number;
  maxMs?: number;
  steps?: number;
  warmup?: number;
  batch?: number;
  precision?: string;
  compile?: boolean;
  /** adamw-fused | adamw-foreach | adamw-single-tensor */
  optimizer?: string;
  pinMemory?: boolean;
  loaderWorkers?: number;
  loaderImgsPerSec?: number;
  gflopPerStep?: number;
  flopConvention?: string;
  achievedTflops?: number;
  peak?: EnginePeak | null;
  /** Achieved FLOP/s ÷ peak; null with `mfuUnavailable` saying why (a CPU, a device not in the table). */
  mfu?: number | null;
  mfuUnavailable?: string;
  peakMemoryGiB?: number;
}

const BENCH_TIMEOUT_MS = 30 * 60_000;

/** Times the torch engine, or returns why it could not. */
export function benchTorchEngine(py: PythonTorch, config: Config, steps: number, warmup: number, enginePath?: string): EngineBench | string {
  let path: string;
  try {
    path = enginePath ?? defaultEnginePath();
  } catch (err) {
    return (err as Error).message;
  }
  const env = engineEnv(path);
  const help = spawnSync(py.python, ['-m', 'mimlab_torch', 'bench', '--help'], { env, encoding: 'utf8', timeout: 60_000 });
  if (help.status !== 0) return 'the torch engine has no `bench` command (python -m mimlab_torch bench)';
  const dir = mkdtempSync(join(tmpdir(), 'mimlab-engine-bench-'));
  try {
    const job = join(dir, 'job.json');
    writeFileSync(job, JSON.stringify({ version: 1, config, steps, warmup }));
    const r = spawnSync(py.python, ['-m', 'mimlab_torch', 'bench', '--job', job], { env, encoding: 'utf8', timeout: BENCH_TIMEOUT_MS });
    if (r.status !== 0) return `the torch engine's bench exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
    for (const line of r.stdout.trim().split('\n').reverse()) {
      try {
        const out = JSON.parse(line) as Partial<EngineBench> & { type?: string };
        if (out.type === 'bench' && typeof out.medianMs === 'number' && typeof out.imgsPerSec === 'number') {
          const { type: _type, ...fields } = out;
          return { ...fields, medianMs: out.medianMs, imgsPerSec: out.imgsPerSec, backend: String(out.backend ?? '?'), torch: String(out.torch ?? py.torch) };
        }
      } catch {
        // not the result line
      }
    }
    return 'the torch engine\'s bench printed no {"type": "bench", …} line';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
