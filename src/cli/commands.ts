// `mim-lab <command>`: dispatch, help, and one place that turns input errors into clear messages and exit codes.
import { PRESETS } from '../config/presets';
import { EXIT, configFromArgs, pretrainCommand, resumeCommand, type JobContext } from './jobs';
import { combine, consoleReporter, ipcReporter } from '../trainer/reporter';
import { only, parseArgs, UsageError, type ParsedArgs } from './args';
import { benchCommand, BENCH_BOOLEANS, BENCH_USAGE } from './bench-command';
import { dataInspect } from './data-inspect';
import { compareCommand, COMPARE_USAGE } from './compare-command';
import { demoCommand, DEMO_USAGE } from './demo';
import { exportCommand, EXPORT_USAGE } from './export-command';
import { probeCommand, PROBE_USAGE } from './probe-command';
import { reportCommand, REPORT_USAGE } from './report-command';
import { sweepCommand, SWEEP_USAGE } from './sweep-command';
import { tableCommand, TABLE_USAGE } from './table-command';
import { tokenizerCommand, TOKENIZER_USAGE } from './tokenizer-command';
import { reportFailure } from './failure';
import { checkOutputFile } from './output-paths';
import { diagnosticHooks } from '../trainer/sampler';
import { formatTiming, startTiming } from '../util/timing';
import { progressReporter, stderrProgressLine } from './progress-reporter';

type Command = (args: ParsedArgs, ctx: JobContext) => Promise<number>;

interface CommandSpec {
  summary: string;
  run: Command;
  booleans?: string[];
  /** Long work: prints its wall time, CPU time and the machine's cores at the end. */
  timed?: boolean;
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Every command takes it: the sparse output of before the progress line (a metrics line every MIMLAB_LOG_EVERY steps). */
const QUIET = '--quiet';

export const COMMANDS: Record<string, CommandSpec> = {
  pretrain: {
    summary: 'pretrain [--preset P] [--config f.json] [--set key=value …] [--runs-dir D] [--name N] [--backend B] [--engine tfjs|torch] [--python P] [--nproc N [--nnodes M --node-rank R --rdzv-endpoint HOST:PORT]]',
    run: pretrainCommand,
    timed: true,
  },
  resume: { summary: 'resume <runDir> [--backend B] [--engine tfjs|torch] [--python P] [--nproc N …]   continue a run from its latest checkpoint', run: resumeCommand, timed: true },
  probe: { summary: `${PROBE_USAGE}   probe the frozen encoder`, run: probeCommand, booleans: ['random-init', 'grid', 'pixels'], timed: true },
  compare: { summary: COMPARE_USAGE, run: compareCommand },
  sweep: { summary: `${SWEEP_USAGE}   grid × seeds of runs, J at a time, probed; resumes when started again`, run: sweepCommand },
  table: { summary: TABLE_USAGE, run: tableCommand },
  demo: { summary: DEMO_USAGE, run: demoCommand }, // prints its own times, by phase
  report: { summary: REPORT_USAGE, run: reportCommand },
  export: { summary: `${EXPORT_USAGE}   the encoder alone as safetensors (timm: timm's ViT names)`, run: exportCommand },
  bench: { summary: `${BENCH_USAGE}   training-step speed and memory, against PyTorch when available`, run: benchCommand, booleans: BENCH_BOOLEANS, timed: true },
  tokenizer: { summary: `${TOKENIZER_USAGE}   train / inspect the discrete tokenizer of loss.target=tokens`, run: tokenizerCommand, timed: true },
  presets: {
    summary: 'presets   list the named presets',
    run: async (args) => {
      only(args, [], 'presets', 0);
      const width = Math.max(...Object.keys(PRESETS).map((k) => k.length));
      for (const [name, p] of Object.entries(PRESETS)) print(`${name.padEnd(width)}  ${p.description}`);
      return EXIT.ok;
    },
  },
  config: {
    summary: 'config [--preset P] [--config f.json] [--engine E] [--set key=value …]   print the resolved config',
    run: async (args) => {
      only(args, ['preset', 'config', 'backend', 'engine'], 'config', 0);
      print(JSON.stringify(configFromArgs(args), null, 2));
      return EXIT.ok;
    },
  },
  data: {
    summary: 'data inspect [--preset P] [--set data.dataset=… --set data.path=…] [-o grid.png]   summarise a dataset',
    run: async (args) => {
      if (args.positionals[0] !== 'inspect') throw new UsageError('data: expected the subcommand "inspect" (usage: mim-lab data inspect [--set data.dataset=… --set data.path=…] [-o grid.png])');
      only(args, ['preset', 'config', 'backend', 'out'], 'data inspect', 1);
      const out = args.options.get('out') ?? 'data-inspect.png';
      checkOutputFile(out, 'data inspect: -o');
      args.options.delete('out');
      print(await dataInspect(configFromArgs(args), out));
      print(`sample grid: ${out}`);
      return EXIT.ok;
    },
  },
};

function help(): string {
  return ['usage: mim-lab <command> [options] [--quiet]', '', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

/** Runs one CLI command; returns the process exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const quiet = argv.includes(QUIET);
  const [name, ...rest] = argv.filter((a) => a !== QUIET);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    print(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const spec = COMMANDS[name];
  try {
    if (!spec) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; \`mim-lab help\` shows their options)`);
    const args = parseArgs(rest, spec.booleans);
    const every = Number(process.env.MIMLAB_LOG_EVERY ?? 10);
    const line = quiet ? null : stderrProgressLine();
    const terminal = line ? progressReporter(line) : consoleReporter(every);
    // Results go to stdout; on a terminal the live progress line (stderr) is erased first so they do not mix.
    const out = line ? (l: string): void => line.line(l, (s) => process.stdout.write(s)) : print;
    const timing = startTiming();
    // diagnosticHooks: reconstructions and attention maps every sample.every steps (src/diagnostics).
    const code = await spec.run(args, { reporter: combine(ipcReporter(), terminal), print: out, hooks: diagnosticHooks });
    if (spec.timed) {
      const t = formatTiming(timing());
      if (line) line.line(t);
      else process.stderr.write(`${t}\n`);
    }
    return code;
  } catch (err) {
    return reportFailure(err);
  }
}
