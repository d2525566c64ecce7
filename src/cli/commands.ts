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

type Command = (args: ParsedArgs, ctx: JobContext) => Promise<number>;

interface CommandSpec {
  summary: string;
  run: Command;
  booleans?: string[];
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export const COMMANDS: Record<string, CommandSpec> = {
  pretrain: {
    summary: 'pretrain [--preset P] [--config f.json] [--set key=value …] [--runs-dir D] [--name N] [--backend B] [--engine tfjs|torch] [--python P] [--nproc N [--nnodes M --node-rank R --rdzv-endpoint HOST:PORT]]',
    run: pretrainCommand,
  },
  resume: { summary: 'resume <runDir> [--backend B] [--engine tfjs|torch] [--python P] [--nproc N …]   continue a run from its latest checkpoint', run: resumeCommand },
  probe: { summary: `${PROBE_USAGE}   probe the frozen encoder`, run: probeCommand, booleans: ['random-init', 'grid', 'pixels'] },
  compare: { summary: COMPARE_USAGE, run: compareCommand },
  sweep: { summary: `${SWEEP_USAGE}   grid × seeds of runs, J at a time, probed; resumes when started again`, run: sweepCommand },
  table: { summary: TABLE_USAGE, run: tableCommand },
  demo: { summary: DEMO_USAGE, run: demoCommand },
  report: { summary: REPORT_USAGE, run: reportCommand },
  export: { summary: `${EXPORT_USAGE}   the encoder alone as safetensors (timm: timm's ViT names)`, run: exportCommand },
  bench: { summary: `${BENCH_USAGE}   training-step speed and memory, against PyTorch when available`, run: benchCommand, booleans: BENCH_BOOLEANS },
  tokenizer: { summary: `${TOKENIZER_USAGE}   train / inspect the discrete tokenizer of loss.target=tokens`, run: tokenizerCommand },
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
    summary: 'config [--preset P] [--config f.json] [--set key=value …]   print the resolved config',
    run: async (args) => {
      only(args, ['preset', 'config', 'backend'], 'config', 0);
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
  return ['usage: mim-lab <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

/** Runs one CLI command; returns the process exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    print(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const spec = COMMANDS[name];
  try {
    if (!spec) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; \`mim-lab help\` shows their options)`);
    const args = parseArgs(rest, spec.booleans);
    const every = Number(process.env.MIMLAB_LOG_EVERY ?? 10);
    // diagnosticHooks: reconstructions and attention maps every sample.every steps (src/diagnostics).
    return await spec.run(args, { reporter: combine(ipcReporter(), consoleReporter(every)), print, hooks: diagnosticHooks });
  } catch (err) {
    return reportFailure(err);
  }
}
