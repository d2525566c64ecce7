// `mim-lab bench --engine torch`: the ViT-B/16 presets through the torch engine's bench, printed with img/s, the
// model FLOPs and MFU (or why there is none); bad options refused before any work. Run small here (the CPU).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { engineBenchLines } from '../../../src/bench/engine-report';
import type { EngineBench } from '../../../src/bench/torch-engine';
import { TINY_SETS } from '../../../src/bench/torch-bench-config';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';
import { ENGINE_DIR, PYTHON, pythonEnv } from '../torch/python';

before(ensureBuilt);

function bench(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...pythonEnv(), MIMLAB_PYTHON: PYTHON, MIMLAB_TORCH_ENGINE: ENGINE_DIR, MIMLAB_LOADER_WORKERS: '0' };
  const r = spawnSync(process.execPath, [CLI, 'bench', '--engine', 'torch', ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GPU: EngineBench = {
  medianMs: 25, minMs: 24, maxMs: 27, steps: 30, warmup: 10, imgsPerSec: 2560, batch: 64, backend: 'torch-cuda',
  device: 'NVIDIA H100 80GB HBM3', torch: '2.5.1+cu124', precision: 'bf16', compile: false, optimizer: 'adamw-fused',
  pinMemory: true, loaderWorkers: 12, loaderImgsPerSec: 1100, gflopPerStep: 6827.9, achievedTflops: 273.1,
  peak: { tflops: 989.4, device: 'NVIDIA H100 SXM', kind: 'bf16 dense tensor core', source: 'NVIDIA H100 datasheet (SXM column)' },
  mfu: 0.276, peakMemoryGiB: 21.4,
};

describe('the torch bench report', () => {
  it('prints MFU against the named peak, what the engine used, and a loader slower than the step', () => {
    const text = engineBenchLines(GPU).join('\n');
    assert.match(text, /median 25 ms \(min 24, max 27\) {2}2560\.0 img\/s at batch 64 per process, 30 timed after 10 warm-up/);
    assert.match(text, /6827\.9 GFLOP per step → 273\.1 TFLOP\/s/);
    assert.match(text, /MFU {6}27\.6 % of 989\.4 TFLOP\/s \(NVIDIA H100 SXM, bf16 dense tensor core; NVIDIA H100 datasheet \(SXM column\)\)/);
    assert.match(text, /NVIDIA H100 80GB HBM3, torch 2\.5\.1\+cu124, torch-cuda, bf16, not compiled, adamw-fused, pinned batches/);
    assert.match(text, /21\.4 GiB peak allocated/);
    assert.match(text, /1100\.0 img\/s with 12 workers .* a run would be bound by the loader/);
  });

  it('says why MFU is missing instead of printing one, and no loader warning when the loader keeps up', () => {
    const cpu: EngineBench = { ...GPU, device: 'Intel Xeon (1 threads)', backend: 'torch-cpu', imgsPerSec: 3, achievedTflops: 0.03,
      peak: null, mfu: null, mfuUnavailable: 'no datasheet peak for a CPU (Intel Xeon (1 threads))', optimizer: 'adamw-single-tensor',
      pinMemory: false, peakMemoryGiB: undefined, loaderImgsPerSec: 20 };
    const text = engineBenchLines(cpu).join('\n');
    assert.match(text, /MFU {6}not available: no datasheet peak for a CPU/);
    assert.doesNotMatch(text, /%/);
    assert.match(text, /30\.0 GFLOP\/s/);
    assert.match(text, /batches not pinned/);
    assert.doesNotMatch(text, /bound by the loader/);
    assert.doesNotMatch(text, /GiB/);
  });
});

describe('mim-lab bench --engine torch', () => {
  it('runs both ViT-B/16 presets (shrunk here) at the given batch and prints img/s, FLOPs and why MFU is unavailable on a CPU', () => {
    const json = join(tempDir('bench-torch'), 'out.json');
    // 64 training images: the normalisation statistics (rendered at 224 px) take a moment instead of 10 s per preset.
    const sets = [...TINY_SETS, 'data.syntheticTrain=64'].flatMap((s) => ['--set', s]);
    const r = bench(['--batch', '2', '--steps', '1', '--warmup', '0', ...sets, '--json', json]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /model FLOPs per step, counted from the config/);
    for (const preset of ['cae-vit-b16-224', 'mae-vit-b16-224']) assert.match(r.stdout, new RegExp(`${preset}: [A-Z]+, 224 px, patch 16, width 64`));
    assert.equal(r.stdout.match(/img\/s at batch 2 per process, 1 timed after 0 warm-up/g)?.length, 2);
    assert.equal(r.stdout.match(/MFU {6}not available: no datasheet peak for a CPU/g)?.length, 2);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { results: { name: string; result: EngineBench }[] };
    assert.deepEqual(out.results.map((x) => x.name), ['cae-vit-b16-224', 'mae-vit-b16-224']);
    for (const { result } of out.results) {
      assert.equal(result.batch, 2);
      assert.ok((result.gflopPerStep ?? 0) > 0);
      assert.equal(result.optimizer, 'adamw-single-tensor');
    }
  });

  it('refuses a bad option before any work, naming it', () => {
    for (const [args, pattern] of [
      [['--batch', '0'], /--batch must be an integer ≥ 1, got "0"/],
      [['--steps', 'many'], /--steps must be an integer ≥ 1, got "many"/],
      [['--rounds', '3'], /bench --engine torch: unknown option --rounds/],
      [['--preset', 'no-such'], /unknown preset "no-such"/],
    ] as const) {
      const r = bench([...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stdout, /img\/s/);
    }
    const other = spawnSync(process.execPath, [CLI, 'bench', '--engine', 'jax'], { encoding: 'utf8' });
    assert.equal(other.status, 2);
    assert.match(other.stderr, /--engine must be tfjs or torch, got "jax"/);
  });
});
