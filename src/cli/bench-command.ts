// `mim-lab bench`: training-step speed and memory of the small presets and a ViT-S-sized step, against the
// PyTorch twin (bench/torch_twin.py) where python3 with torch is available. See src/bench/bench.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Config } from '../config/schema';
import { resolveConfig } from '../config/resolve';
import { runBench, type BenchResult } from '../bench/bench';
import { describeConfig } from '../bench/describe-config';
import { benchTorchEngine, type EngineBench } from '../bench/torch-engine';
import { findTorch, installTorch } from '../bench/twin';
import { initBackend, wasmInfo } from '../ml/backend';
import { fusedActive } from '../ml/kernels/fused';
import { EXIT, type JobContext } from './jobs';
import { backendOption, integerOption, only, UsageError, type ParsedArgs } from './args';
import { checkOutputFile } from './output-paths';
import { soakCommand } from './soak-command';
import { benchTorchCommand, TORCH_BENCH_USAGE } from './bench-torch-command';

export const BENCH_USAGE = `bench [--preset P[,P…]] [--set key=value …] [--steps N] [--warmup N] [--rounds N] [--backend B] [--json out.json] [--no-torch] [--install-torch] | ${TORCH_BENCH_USAGE} | bench --soak [--kills N] [--seed S]`;
export const BENCH_BOOLEANS = ['no-torch', 'install-torch', 'soak'];

/** Bench-only configurations (besides the named presets). */
const BENCH_CONFIGS: Record<string, { preset: string; sets: string[]; description: string }> = {
  'vit-s': {
    preset: 'cae-vit-b16-224',
    sets: ['model.dim=384', 'model.heads=6', 'model.decoderDim=384', 'model.decoderHeads=6', 'model.dropPath=0', 'train.batchSize=8', 'data.dataset=synthetic'],
    description: 'CAE with a ViT-S/16 encoder at 224 px (width 384, depth 12, 6 heads; regressor 4, decoder 4; 98 of 196 patches masked), batch 8',
  },
};

const DEFAULT_SUITE = ['cae-small', 'mae-small', 'vit-s'];

/**
 * First-step losses agree to this relative difference: float32 sums over 10⁵–10⁶ terms differ by ~1e-5 between
 * TF.js (sequential) and PyTorch (pairwise); a different model differs by orders of magnitude more.
 */
const LOSS_MATCH = 1e-3;

function configFor(name: string, sets: string[]): Config {
  const b = BENCH_CONFIGS[name];
  return b ? resolveConfig({ preset: b.preset, sets: [...b.sets, 'preset=' + b.preset, ...sets] }) : resolveConfig({ preset: name, sets });
}

const f0 = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const f1 = (x: number): string => x.toFixed(1);

export async function benchCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  if (args.flags.has('soak')) return soakCommand(args, ctx);
  const engineOption = args.options.get('engine');
  if (engineOption === 'torch') return benchTorchCommand(args, ctx);
  if (engineOption !== undefined && engineOption !== 'tfjs') throw new UsageError(`bench: --engine must be tfjs or torch, got "${engineOption}"`);
  only(args, ['preset', 'steps', 'warmup', 'rounds', 'backend', 'json', 'engine'], 'bench', 0);
  const print = ctx.print;
  const steps = integerOption(args, 'steps', 10, 1);
  const warmup = integerOption(args, 'warmup', 3, 1);
  const rounds = integerOption(args, 'rounds', 5, 1);
  const names = (args.options.get('preset') ?? DEFAULT_SUITE.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const configs = names.map((n) => ({ name: n, config: configFor(n, args.sets) })); // validate all before any work
  const json = args.options.get('json');
  if (json !== undefined) checkOutputFile(json, 'bench: --json');

  const backend = await initBackend(backendOption(args) ?? 'auto');
  print(`backend: ${backend.name}${backend.detail ? ` (${backend.detail})` : ''}; ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);

  let torch = args.flags.has('no-torch') ? null : findTorch();
  if (!torch && !args.flags.has('no-torch') && args.flags.has('install-torch')) {
    const why = installTorch(print);
    if (why) print(`PyTorch: ${why}`);
    torch = findTorch();
  }
  if (!args.flags.has('no-torch')) {
    print(torch ? `PyTorch: ${torch.torch} (${torch.python})` : 'PyTorch: not found (apt-get install -y python3-torch libopenblas0-pthread, or --install-torch); MIM Lab only');
  }

  const results: (BenchResult & { torchEngine?: EngineBench; torchEngineSkipped?: string })[] = [];
  for (const { name, config } of configs) {
    print('');
    print(`${name}: ${BENCH_CONFIGS[name]?.description ?? describeConfig(config)}`);
    const r = await runBench({
      name, config, steps, warmup, rounds, torch, torchSteps: Math.min(steps, 30), print,
      noTorch: args.flags.has('no-torch') ? 'not requested (--no-torch)' : undefined,
    });
    // The torch engine itself on the same config (the twin above is the model alone, in lockstep with TF.js).
    const engine = torch ? benchTorchEngine(torch, config, steps, warmup) : null;
    results.push({ ...r, ...(typeof engine === 'string' ? { torchEngineSkipped: engine } : engine ? { torchEngine: engine } : {}) });
    print(`  ${r.gflopPerStep.toFixed(1)} GFLOP per step; warm-up ${warmup} step${warmup > 1 ? 's' : ''}, then ${r.mimlab.steps} timed`);
    print(`  MIM Lab  median ${f0(r.mimlab.medianMs)} ms/step (min ${f0(r.mimlab.minMs)}, max ${f0(r.mimlab.maxMs)})  ${f1(r.mimlab.imgsPerSec)} img/s  ${f1(r.mimlab.gflops)} GFLOP/s`);
    if (r.torch && r.ratio !== undefined) {
      print(`  PyTorch  median ${f0(r.torch.medianMs)} ms/step (min ${f0(r.torch.minMs)}, max ${f0(r.torch.maxMs)})  ${f1(r.torch.imgsPerSec)} img/s  [torch ${r.torch.version}, ${r.torch.setting}]`);
      print(`  pytorch_ms / mimlab_ms = ${r.ratio.toFixed(3)}`);
      const ok = (r.firstLoss.relDiff ?? 1) < LOSS_MATCH;
      print(`  first-step loss: MIM Lab ${r.firstLoss.mimlab.toPrecision(7)}, PyTorch ${r.firstLoss.torch?.toPrecision(7)}, float64 ${r.firstLoss.exact?.toPrecision(7)}`
        + ` (relative difference ${r.firstLoss.relDiff?.toExponential(1)}: ${ok ? 'the same model' : 'MISMATCH'})`);
    } else if (r.torchSkipped) {
      print(`  PyTorch  skipped: ${r.torchSkipped}`);
    }
    if (engine && typeof engine !== 'string') {
      print(`  torch engine  median ${f0(engine.medianMs)} ms/step  ${f1(engine.imgsPerSec)} img/s  [${engine.backend}${engine.device ? `, ${engine.device}` : ''}, torch ${engine.torch}]`);
    } else if (engine) {
      print(`  torch engine  skipped: ${engine}`);
    }
    const m = r.memory;
    print(`  memory: tensors ${m.tensorsAfterWarmup} after warm-up → ${m.tensorsAtEnd} after ${r.mimlab.steps} more steps; RSS ${f0(m.rssAfterWarmupMB)} → ${f0(m.rssAtEndMB)} MB (process peak ${f0(m.peakRssMB)} MB)`);
    if (m.samples.length > 2 && steps >= 100) print(`  RSS by step: ${m.samples.map((s) => `${s.step}: ${f0(s.rssMB)} MB/${s.tensors} tensors`).join(', ')}`);
  }

  print('');
  print('summary (median ms/step; ratio = pytorch_ms / mimlab_ms)');
  for (const r of results) {
    print(`  ${r.name.padEnd(12)} MIM Lab ${f0(r.mimlab.medianMs).padStart(6)}  PyTorch ${r.torch ? f0(r.torch.medianMs).padStart(6) : '     -'}  ratio ${r.ratio !== undefined ? r.ratio.toFixed(3) : '  -  '}  ${f1(r.mimlab.gflops).padStart(5)} GFLOP/s  tensors ${r.memory.tensorsAtEnd - r.memory.tensorsAfterWarmup >= 0 ? '+' : ''}${r.memory.tensorsAtEnd - r.memory.tensorsAfterWarmup}`);
  }
  if (json) {
    fs.writeFileSync(json, JSON.stringify({ backend: backend.name, wasm: wasmInfo, fused: fusedActive(), cores: os.availableParallelism(), results }, null, 2));
    print(`results: ${json}`);
  }
  const mismatch = results.some((r) => r.firstLoss.relDiff !== undefined && r.firstLoss.relDiff >= LOSS_MATCH);
  return mismatch ? EXIT.failed : EXIT.ok;
}
