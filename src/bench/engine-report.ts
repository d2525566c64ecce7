// What `mim-lab bench --engine torch` prints for one config: speed, model FLOPs, MFU (or why there is none), and
// what the engine used (optimizer implementation, pinned batches, precision, compile, device). Pure text, tested.
import type { EngineBench } from './torch-engine';

const f0 = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const f1 = (x: number): string => x.toFixed(1);

/** The FLOP convention, stated once above the results (engines/torch/mimlab_torch/flops.py). */
export const FLOP_CONVENTION_NOTE = 'model FLOPs per step, counted from the config: matmuls of every linear layer and both attention products;'
  + ' the trained stages forward ×3 (forward + backward), the CAE teacher forward once; element-wise ops not counted.'
  + ' MFU = those FLOPs ÷ step time ÷ the device\'s dense datasheet peak (bf16 tensor core for bf16, TF32 tensor core for fp32).';

export function engineBenchLines(r: EngineBench): string[] {
  const lines: string[] = [];
  const timed = r.steps !== undefined ? `, ${r.steps} timed after ${r.warmup ?? 0} warm-up` : '';
  const range = r.minMs !== undefined && r.maxMs !== undefined ? ` (min ${f0(r.minMs)}, max ${f0(r.maxMs)})` : '';
  lines.push(`  step     median ${f0(r.medianMs)} ms${range}  ${f1(r.imgsPerSec)} img/s${r.batch !== undefined ? ` at batch ${r.batch} per process` : ''}${timed}`);
  if (r.gflopPerStep !== undefined && r.achievedTflops !== undefined) {
    const achieved = r.achievedTflops >= 1 ? `${f1(r.achievedTflops)} TFLOP/s` : `${f1(r.achievedTflops * 1000)} GFLOP/s`;
    lines.push(`  FLOPs    ${f1(r.gflopPerStep)} GFLOP per step → ${achieved}`);
  }
  if (typeof r.mfu === 'number' && r.peak) {
    lines.push(`  MFU      ${(100 * r.mfu).toFixed(1)} % of ${f1(r.peak.tflops)} TFLOP/s (${r.peak.device}, ${r.peak.kind}; ${r.peak.source})`);
  } else if (r.mfuUnavailable) {
    lines.push(`  MFU      not available: ${r.mfuUnavailable}`);
  }
  const used = [
    r.device, `torch ${r.torch}`, r.backend, r.precision, r.compile === undefined ? undefined : r.compile ? 'compiled' : 'not compiled',
    r.optimizer, r.pinMemory === undefined ? undefined : r.pinMemory ? 'pinned batches' : 'batches not pinned',
  ].filter((x): x is string => !!x);
  lines.push(`  used     ${used.join(', ')}`);
  if (r.peakMemoryGiB !== undefined) lines.push(`  memory   ${r.peakMemoryGiB.toFixed(1)} GiB peak allocated on the device`);
  if (r.loaderImgsPerSec !== undefined) {
    const workers = r.loaderWorkers !== undefined ? ` with ${r.loaderWorkers} worker${r.loaderWorkers === 1 ? '' : 's'}` : '';
    const bound = r.loaderImgsPerSec < r.imgsPerSec
      ? ` — slower than the step: a run would be bound by the loader (MIMLAB_LOADER_WORKERS)`
      : '';
    lines.push(`  loader   ${f1(r.loaderImgsPerSec)} img/s${workers} (its first batches, start-up included; not in the step time)${bound}`);
  }
  return lines;
}
