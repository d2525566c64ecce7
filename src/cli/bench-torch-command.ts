// `mim-lab bench --engine torch`: the torch engine's own training step on the ViT-B/16 presets at batch 64 per
// process, with img/s and model FLOP utilisation (engines/torch/mimlab_torch/bench.py does the timing and the counting;
// this prints it). Defaults suit a GPU; --batch/--steps/--warmup and --set shrink it for a CPU or a test.
import * as fs from 'node:fs';
import { describeConfig } from '../bench/describe-config';
import { engineBenchLines, FLOP_CONVENTION_NOTE } from '../bench/engine-report';
import { benchTorchEngine, type EngineBench } from '../bench/torch-engine';
import { TORCH_BENCH_BATCH, TORCH_SUITE, torchBenchConfig } from '../bench/torch-bench-config';
import { findPythonTorch } from '../trainer/python-torch';
import { EXIT, type JobContext } from './jobs';
import { integerOption, only, type ParsedArgs } from './args';
import { checkOutputFile } from './output-paths';

export const TORCH_BENCH_USAGE = 'bench --engine torch [--preset P[,P…]] [--batch N] [--steps N] [--warmup N] [--set key=value …] [--python P] [--json out.json]';

const DEFAULT_STEPS = 30;
const DEFAULT_WARMUP = 10;

export async function benchTorchCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['engine', 'preset', 'batch', 'steps', 'warmup', 'python', 'json'], 'bench --engine torch', 0);
  const batch = integerOption(args, 'batch', TORCH_BENCH_BATCH, 1);
  const steps = integerOption(args, 'steps', DEFAULT_STEPS, 1);
  const warmup = integerOption(args, 'warmup', DEFAULT_WARMUP, 0);
  const names = (args.options.get('preset') ?? TORCH_SUITE.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const configs = names.map((name) => ({ name, config: torchBenchConfig(name, batch, args.sets) })); // all refused before any work
  const json = args.options.get('json');
  if (json !== undefined) checkOutputFile(json, 'bench: --json');
  const py = findPythonTorch(args.options.get('python'));
  const print = ctx.print;
  print(`torch engine bench: ${py.python} (torch ${py.torch}${py.cudaDevice ? `, ${py.cudaDevice}` : ', no CUDA device'}); batch ${batch} per process, ${warmup} warm-up + ${steps} timed steps`);
  print(FLOP_CONVENTION_NOTE);

  const results: { name: string; result?: EngineBench; skipped?: string }[] = [];
  for (const { name, config } of configs) {
    print('');
    print(`${name}: ${describeConfig(config)}`);
    const r = benchTorchEngine(py, config, steps, warmup);
    if (typeof r === 'string') {
      print(`  failed: ${r}`);
      results.push({ name, skipped: r });
      continue;
    }
    for (const line of engineBenchLines(r)) print(line);
    results.push({ name, result: r });
  }
  if (json) {
    fs.writeFileSync(json, JSON.stringify({ engine: 'torch', batch, steps, warmup, results }, null, 2));
    print(`results: ${json}`);
  }
  return results.some((r) => r.skipped) ? EXIT.failed : EXIT.ok;
}
