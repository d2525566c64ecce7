// The jobs a trainer process runs (pretrain, resume, probe), shared by the CLI and the forked child.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseSets, applyOverrides, resolveConfig, validateConfig } from '../config/resolve';
import type { BackendName, Config, EngineName } from '../config/schema';
import { only, UsageError, type ParsedArgs } from './args';
import { checkOutputDir } from './output-paths';
import { RUN_FILES } from '../protocol/run-files';
import type { StepHook } from '../trainer/pretrain';
import type { Reporter } from '../trainer/reporter';
import { readRunConfig, requireNotRunning } from '../trainer/load-run';
import { runEngine, type EngineResult } from '../trainer/run-engine';
import { readJson, RunFolder } from '../trainer/run-folder';
import { StopSignal } from '../trainer/stop';
import { PROCESS_OPTIONS, processesFromOptions } from '../jobs/torchrun-args';

export const EXIT = { ok: 0, failed: 1, usage: 2, diverged: 3, stopped: 130 } as const;

export function exitCodeFor(state: string): number {
  return state === 'completed' ? EXIT.ok : state === 'stopped' ? EXIT.stopped : state === 'diverged' ? EXIT.diverged : EXIT.failed;
}

/** A config resolved elsewhere (the editor), as JSON text: validated and run as it is, never resolved again. */
function resolvedConfigFrom(text: string, args: ParsedArgs): Config {
  const mixed = ['preset', 'config', 'backend'].filter((o) => args.options.has(o)).map((o) => `--${o}`);
  if (args.sets.length) mixed.push('--set');
  if (mixed.length) throw new UsageError(`--config-json is a resolved config; it cannot be combined with ${mixed.join(', ')}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--config-json: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('--config-json: expected a JSON object (a resolved config)');
  return validateConfig(parsed as Config);
}

/** The exit code of a finished job: the torch engine's own, else from the state. */
function exitCodeOf(r: EngineResult): number {
  return r.exitCode ?? (r.state ? exitCodeFor(r.state) : EXIT.failed);
}

/** Resolves the config of `pretrain` from --preset, --config, --set, --backend and --engine, or takes --config-json as it is. */
export function configFromArgs(args: ParsedArgs): Config {
  const resolved = args.options.get('config-json');
  if (resolved !== undefined) return resolvedConfigFrom(resolved, args);
  const file = args.options.get('config');
  let parsed: unknown;
  if (file !== undefined) {
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`--config ${file}: ${(err as Error).message}`);
    }
  }
  const sets = [...args.sets];
  const backend = args.options.get('backend');
  if (backend !== undefined) sets.push(`backend=${backend}`);
  const engine = args.options.get('engine');
  if (engine !== undefined) sets.push(`engine=${engine}`);
  return resolveConfig({ preset: args.options.get('preset'), file: parsed, fileName: file, sets });
}

export interface JobContext {
  reporter: Reporter;
  hooks?: (config: Config) => StepHook[];
  /** Prints the final result line (the run folder) to stdout. */
  print: (line: string) => void;
}

export async function pretrainCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['preset', 'config', 'config-json', 'runs-dir', 'name', 'backend', 'engine', 'python', ...PROCESS_OPTIONS], 'pretrain', 0);
  const config = configFromArgs(args);
  const runsDir = args.options.get('runs-dir') ?? join('.mimlab', 'runs');
  checkOutputDir(runsDir, 'pretrain: --runs-dir');
  const processes = processesFromOptions((o) => args.options.get(o));
  const stop = new StopSignal();
  const unlisten = stop.listen();
  try {
    const r = await runEngine({
      config, runsDir, name: args.options.get('name'),
      reporter: ctx.reporter, stop, hooks: ctx.hooks?.(config), python: args.options.get('python'), processes,
    });
    if (r.runDir) ctx.print(r.runDir);
    return exitCodeOf(r);
  } finally {
    unlisten();
  }
}

export async function resumeCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['backend', 'engine', 'python', ...PROCESS_OPTIONS], 'resume', 1);
  const runDir = args.positionals[0];
  if (!runDir) throw new UsageError('resume: expected a run folder, e.g. mim-lab resume .mimlab/runs/<id>');
  let config = readRunConfig(runDir, 'resume');
  requireNotRunning(runDir, 'resume');
  const overrides = parseSets(args.sets);
  const backend = args.options.get('backend');
  if (backend !== undefined) overrides.backend = backend as BackendName;
  const engine = args.options.get('engine');
  if (engine !== undefined) overrides.engine = engine as EngineName;
  config = validateConfig(applyOverrides(config, overrides, 'resume'));
  const processes = processesFromOptions((o) => args.options.get(o));
  const stop = new StopSignal();
  const unlisten = stop.listen();
  try {
    const r = await runEngine({ config, resumeDir: runDir, reporter: ctx.reporter, stop, hooks: ctx.hooks?.(config), python: args.options.get('python'), processes });
    if (r.runDir) ctx.print(r.runDir);
    return exitCodeOf(r);
  } finally {
    unlisten();
  }
}
