// `npm run demo` / `mim-lab demo`: the README's main job in one command. Pretrain CAE on the built-in dataset
// with the `cae-demo` preset, probe its encoder and a random-init encoder of the same architecture (attentive,
// linear, k-NN), print the comparison table and whether pretraining beat random init on every probe.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config/resolve';
import { openDataset } from '../data/open';
import { clearFeatureCache } from '../probe/cache';
import { buildTable, formatTable, readRunRow } from '../probe/compare';
import { resolveProbeConfig } from '../probe/config';
import { requireProbeClasses, runProbe } from '../probe/job';
import { probeKindLabel } from '../protocol/probe-scores';
import { PROBE_KINDS, type ProbeKind, type ProbeResult } from '../protocol/run-files';
import { EXIT, type JobContext } from './jobs';
import { runEngine } from '../trainer/run-engine';
import { writeReport } from '../report/write-report';
import type { StepHook } from '../trainer/pretrain';
import type { Reporter } from '../trainer/reporter';
import { availableCores } from '../util/env';
import { BaselineProbes, baselineLaunch, type Baseline } from './demo-baselines';
import { StopSignal } from '../trainer/stop';
import { formatDuration } from '../util/progress';
import { formatTiming, startTiming } from '../util/timing';
import { only, type ParsedArgs } from './args';
import { checkOutputDir } from './output-paths';

export const DEMO_USAGE = 'demo [--runs-dir D] [--preset P] [--set key=value …] [--set probe.key=value …] [--backend B] [--engine tfjs|torch] [--python P]   pretrain CAE, probe it and a random-init encoder, compare';
export const DEMO_PRESET = 'cae-demo';

/** Attentive first: it extracts all tokens and caches the pooled features the other two reuse. */
const ORDER: readonly ProbeKind[] = ['attentive', 'linear', 'knn'];
/** The floors: every probe on a random-init encoder, then linear and k-NN on raw pixels (attentive needs tokens). */
const FLOORS: readonly Baseline[] = [
  ...ORDER.map((kind) => ({ kind, floor: 'random' as const })),
  ...(['linear', 'knn'] as const).map((kind) => ({ kind, floor: 'pixels' as const })),
];

/** Keeps the terminal readable: pretraining metrics every `every` steps, probes one line per probe; progress as is. */
function sparse(base: Reporter, every: number): Reporter {
  return {
    emit(e) {
      if (e.type === 'metrics' && e.row.step % every !== 0) return;
      if (e.type === 'probe-progress' || e.type === 'status') return;
      base.emit(e);
    },
    ...(base.progress ? { progress: base.progress.bind(base) } : {}),
  };
}

export interface DemoComparison {
  kind: ProbeKind;
  pretrained: number;
  random: number;
  /** The same probe on standardised raw pixels (linear and k-NN), the second floor. */
  pixels?: number;
}

export function demoVerdict(rows: readonly DemoComparison[]): { ok: boolean; lines: string[] } {
  const lines = rows.map((r) => `${probeKindLabel(r.kind).padEnd(9)} pretrained ${(r.pretrained * 100).toFixed(1).padStart(5)} %   random init ${(r.random * 100).toFixed(1).padStart(5)} %   `
    + `margin ${((r.pretrained - r.random) * 100).toFixed(1)} points`
    + (r.pixels === undefined ? '' : `   pixels ${(r.pixels * 100).toFixed(1).padStart(5)} %   margin ${((r.pretrained - r.pixels) * 100).toFixed(1)} points`));
  return { ok: rows.length === PROBE_KINDS.length && rows.every((r) => r.pretrained > r.random), lines };
}

export async function demoCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['runs-dir', 'preset', 'backend', 'engine', 'python'], 'demo', 0);
  const timing = startTiming();
  const elapsed = (): string => formatDuration(timing().wallS);
  const probeSets = args.sets.filter((s) => s.startsWith('probe.'));
  const runSets = args.sets.filter((s) => !s.startsWith('probe.'));
  const backend = args.options.get('backend');
  if (backend !== undefined) runSets.push(`backend=${backend}`);
  const engine = args.options.get('engine');
  if (engine !== undefined) runSets.push(`engine=${engine}`);
  const config = resolveConfig({ preset: args.options.get('preset') ?? DEMO_PRESET, sets: runSets });
  // Refuse what would stop the probes now, not after minutes of pretraining: a bad probe.* setting, one class.
  const dataset = await openDataset(config);
  for (const kind of ORDER) requireProbeClasses(dataset, resolveProbeConfig(kind, probeSets));
  const runsDir = args.options.get('runs-dir') ?? join('.mimlab', 'runs');
  checkOutputDir(runsDir, 'demo: --runs-dir');
  const reporter = sparse(ctx.reporter, Math.max(1, Math.round(config.train.steps / 10)));
  const stop = new StopSignal();
  const unlisten = stop.listen();
  const floors = new BaselineProbes(FLOORS, probeSets, baselineLaunch());
  const cores = availableCores();
  const alongside = cores >= 2;
  try {
    if (alongside) ctx.print(`[demo] the floors (random init, raw pixels) are probed alongside pretraining, in a second process with one thread`);
    ctx.print(`[demo] 1/3 pretraining ${config.algorithm.toUpperCase()} (${config.preset}: ${config.train.steps} steps × ${config.train.batchSize} images, `
      + `width ${config.model.dim}, depth ${config.model.depth}) on the built-in dataset`);
    const results = new Map<string, ProbeResult>();
    const recordFloor = (b: Baseline, r: ProbeResult): void => {
      results.set(`${b.kind}:${b.floor}`, r);
      ctx.print(`[demo]   ${probeKindLabel(b.kind).padEnd(9)} ${b.floor === 'random' ? 'random init' : 'raw pixels '}  top-1 ${(r.top1 * 100).toFixed(1)} %  (${elapsed()})`);
    };
    // The floors start once the run folder has its config and data statistics (the first step's hook).
    const startFloors: StepHook = async (_step, run, moment) => {
      if (moment === 'start' && alongside) floors.start(run.run.dir, recordFloor);
    };
    const ran = await runEngine({
      config, runsDir, name: 'demo', reporter, stop, hooks: [...(ctx.hooks?.(config) ?? []), startFloors], python: args.options.get('python'),
    });
    if (ran.state !== 'completed' || !ran.runDir) {
      process.stderr.write(`error: pretraining ended ${ran.state ?? 'before it started'}${ran.runDir ? `; see ${ran.runDir}/log.txt` : ''}\n`);
      return ran.exitCode === EXIT.usage ? EXIT.usage : EXIT.failed;
    }
    const pre = { runDir: ran.runDir };
    const pretrainS = timing().wallS;
    const imagesPerSecond = (config.train.steps * config.train.batchSize) / pretrainS;
    ctx.print(`[demo] pretraining done after ${formatDuration(pretrainS)} (${imagesPerSecond.toFixed(0)} img/s): ${pre.runDir}`);
    if (!floors.started) floors.start(pre.runDir, recordFloor); // one core, or an engine that ran no start hook
    ctx.print('[demo] 2/3 probing the pretrained encoder');
    for (const kind of ORDER) {
      const r = await runProbe({ runDir: pre.runDir, kind, randomInit: false, checkpoint: 'latest', sets: probeSets, reporter, stop });
      if (r.state !== 'completed' || !r.result) {
        process.stderr.write(`error: ${probeKindLabel(kind)} probe ${r.state}: ${r.error ?? ''}\n`);
        return r.state === 'stopped' ? EXIT.stopped : EXIT.failed;
      }
      results.set(`${kind}:pretrained`, r.result);
      ctx.print(`[demo]   ${probeKindLabel(kind).padEnd(9)} pretrained   top-1 ${(r.result.top1 * 100).toFixed(1)} %  (${elapsed()})`);
    }
    try {
      await floors.done();
    } catch (err) {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      return stop.requested ? EXIT.stopped : EXIT.failed;
    }
    clearFeatureCache(pre.runDir, 'tokens'); // hundreds of MB; the pooled features stay cached for re-probing
    ctx.print('[demo] 3/3 comparison');
    const table = buildTable([readRunRow(pre.runDir)]);
    ctx.print(formatTable(table, 'text').trimEnd());
    const verdict = demoVerdict(ORDER.map((kind) => ({
      kind, pretrained: results.get(`${kind}:pretrained`)?.top1 ?? 0, random: results.get(`${kind}:random`)?.top1 ?? 0,
      ...(results.has(`${kind}:pixels`) ? { pixels: results.get(`${kind}:pixels`)?.top1 } : {}),
    })));
    writeFileSync(join(pre.runDir, 'demo-comparison.md'), formatTable(table, 'markdown') + '\n' + verdict.lines.map((l) => `    ${l}`).join('\n') + '\n');
    for (const l of verdict.lines) ctx.print(`[demo] ${l}`);
    ctx.print(verdict.ok
      ? '[demo] pretrained CAE beats the random-init encoder on every probe.'
      : '[demo] pretraining did NOT beat random init on every probe.');
    // Measured by the tool itself so the README's times can be re-checked (and the load says how busy the machine was).
    const total = timing();
    const times = `${formatTiming(total)}; pretraining ${formatDuration(pretrainS)} at ${imagesPerSecond.toFixed(0)} img/s, probes after it ${formatDuration(total.wallS - pretrainS)}`;
    appendFileSync(join(pre.runDir, 'demo-comparison.md'), `\n    ${times}\n`);
    ctx.print(`[demo] ${times}`);
    ctx.print(`[demo] report (curves, reconstructions, attention, probes): ${await writeReport(pre.runDir)}`);
    ctx.print(`[demo] compare it with other runs: mim-lab compare ${pre.runDir} <other runs>`);
    // The verdict is a result, not an error: the job itself succeeded either way.
    return EXIT.ok;
  } finally {
    await floors.stop(); // nothing left to stop once done; after a failure or a stop, no orphan probe
    unlisten();
  }
}
