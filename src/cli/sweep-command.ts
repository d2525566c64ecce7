// `mim-lab sweep`: a grid × seeds of pretraining runs, J at a time, each probed, with random-init baselines;
// started again (same command, the sweep file, or its folder) it resumes. Every combination is validated first.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIELDS } from '../config/schema';
import { PROBE_KINDS } from '../protocol/run-files';
import { DEFAULT_SWEEPS_DIR, acquireLock, isSweepDir, openSweepDir, readPlan } from '../sweep/folder';
import { buildPlan, type SweepPlan } from '../sweep/plan';
import { runSweep } from '../sweep/run-sweep';
import { parseGridOption, parseJobs, parseProbes, parseSeeds, type SweepSpec } from '../sweep/spec';
import { readSweepFile, SWEEP_FILE_SUFFIX, type SweepFile } from '../sweep/sweep-file';
import { thisCliLaunch } from '../jobs/trainer-job';
import { EXIT, type JobContext } from './jobs';
import { StopSignal } from '../trainer/stop';
import { only, UsageError, type ParsedArgs } from './args';

export const SWEEP_USAGE = 'sweep --preset P --grid key=v1,v2 [--grid …] [--seeds 0-4] [--jobs J] [--probe attentive,linear,knn|none] '
  + '[--set key=value …] [--config f.json] [--engine E] [--name N] [--runs-dir D] [--sweeps-dir S] | sweep <file.mimlab-sweep.json | sweepDir> [--jobs J]';

const SPEC_OPTIONS = ['preset', 'config', 'grid', 'seeds', 'probe', 'name', 'runs-dir', 'engine', 'backend'];

/**
 * `--engine E` becomes the override `engine=E` once the config has an engine key (the torch engine adds it);
 * until then only the TF.js engine exists, and asking for another is refused.
 */
export function engineSets(engine: string | undefined): string[] {
  if (engine === undefined) return [];
  if (FIELDS.engine) return [`engine=${engine}`];
  if (engine === 'tfjs') return [];
  throw new UsageError(`--engine ${engine}: this build has only the TF.js engine (expected tfjs)`);
}

function specFromArgs(args: ParsedArgs): SweepSpec {
  const config = args.options.get('config');
  const backend = args.options.get('backend');
  return {
    preset: args.options.get('preset'),
    configFile: config === undefined ? undefined : resolve(config),
    sets: [...args.sets, ...(backend === undefined ? [] : [`backend=${backend}`]), ...engineSets(args.options.get('engine'))],
    grid: (args.lists.get('grid') ?? []).map(parseGridOption),
    seeds: parseSeeds(args.options.get('seeds') ?? '0'),
    probes: parseProbes(args.options.get('probe') ?? PROBE_KINDS.join(',')),
    name: args.options.get('name'),
    runsDir: resolve(args.options.get('runs-dir') ?? '.mimlab/runs'),
  };
}

function specFromFile(f: SweepFile, args: ParsedArgs): SweepSpec {
  const runsDir = args.options.get('runs-dir');
  return {
    preset: f.preset, configFile: f.configFile, sets: [...f.sets, ...engineSets(f.engine)], grid: f.grid,
    seeds: f.seeds ?? [0], probes: f.probes ?? [...PROBE_KINDS], name: f.name,
    runsDir: runsDir !== undefined ? resolve(runsDir) : f.runsDir ?? resolve('.mimlab/runs'),
  };
}

/** The plan and its folder: from a sweep folder (resume), a sweep file, or the options. */
function openPlan(args: ParsedArgs): { dir: string; plan: SweepPlan; resumed: boolean; jobs?: number } {
  const target = args.positionals[0];
  if (args.positionals.length > 1) throw new UsageError(`sweep: expected at most one sweep file or folder, got ${args.positionals.join(' ')}`);
  const sweepsDir = resolve(args.options.get('sweeps-dir') ?? DEFAULT_SWEEPS_DIR);
  if (target !== undefined) {
    const extra = SPEC_OPTIONS.filter((o) => o !== 'runs-dir' && args.options.has(o));
    if (extra.length || args.sets.length) throw new UsageError(`sweep ${target}: the file or folder says what to run; drop ${[...extra.map((o) => `--${o}`), ...(args.sets.length ? ['--set'] : [])].join(', ')}`);
    if (!existsSync(target)) throw new UsageError(`sweep: no such file or folder: ${target}`);
    if (statSync(target).isDirectory()) {
      if (!isSweepDir(target)) throw new UsageError(`sweep: ${target} is not a sweep folder (no plan.json)`);
      return { dir: resolve(target), plan: readPlan(target), resumed: true };
    }
    if (!target.endsWith(SWEEP_FILE_SUFFIX)) throw new UsageError(`sweep: ${target}: expected a *${SWEEP_FILE_SUFFIX} file or a sweep folder`);
    const file = readSweepFile(target);
    return { ...openSweepDir(sweepsDir, buildPlan(specFromFile(file, args))), jobs: file.jobs };
  }
  if (!args.options.has('preset') && !args.options.has('config')) throw new UsageError(`sweep: give --preset or --config (usage: mim-lab ${SWEEP_USAGE})`);
  return openSweepDir(sweepsDir, buildPlan(specFromArgs(args)));
}

export async function sweepCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, [...SPEC_OPTIONS, 'jobs', 'sweeps-dir'], 'sweep');
  const jobsText = args.options.get('jobs');
  const jobsOption = jobsText === undefined ? undefined : parseJobs(jobsText); // before the folder is made
  const { dir, plan, resumed, jobs: fileJobs } = openPlan(args);
  const jobs = jobsOption ?? fileJobs ?? 1;
  const release = acquireLock(dir);
  const stop = new StopSignal();
  const unlisten = stop.listen();
  try {
    const probes = plan.spec.probes.length ? plan.spec.probes.join(', ') : 'no';
    ctx.print(`[sweep] ${resumed ? 'resuming' : 'starting'} ${plan.id}: ${plan.runs.length} runs (${plan.baselineRuns.length} random-init baseline group(s)), ${probes} probes, ${jobs} at a time`);
    ctx.print(`[sweep] folder ${dir}`);
    const state = await runSweep({
      dir, plan, jobs, stop, print: ctx.print,
      launch: thisCliLaunch(),
    });
    ctx.print(`[sweep] ${state}; table: mim-lab table ${dir}`);
    return state === 'completed' ? EXIT.ok : state === 'stopped' ? EXIT.stopped : EXIT.failed;
  } finally {
    unlisten();
    release();
  }
}
