// `mim-lab probe <runDir> --kind linear|attentive|knn [--random-init | --pixels] [--grid] [--checkpoint latest|<step>] [--set probe.key=value …] [--backend B]`
// Also the entry the extension forks (`dist/trainer.js probe …`): events go to the reporter, the probe folder to stdout.
import { runProbe } from '../probe/job';
import { EXIT, type JobContext } from './jobs';
import { StopSignal } from '../trainer/stop';
import { backendOption, only, UsageError, type ParsedArgs } from './args';

export const PROBE_USAGE = 'probe <runDir> --kind linear|attentive|knn [--random-init | --pixels] [--grid] [--checkpoint latest|<step>] [--set probe.key=value …] [--backend B]';

export function parseCheckpoint(text: string | undefined): 'latest' | number {
  if (text === undefined || text === 'latest') return 'latest';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--checkpoint must be "latest" or a step number, got "${text}"`);
  return n;
}

export async function probeCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['kind', 'checkpoint', 'backend'], 'probe', 1);
  const runDir = args.positionals[0];
  if (!runDir) throw new UsageError(`probe: expected a run folder (usage: mim-lab ${PROBE_USAGE})`);
  const kind = args.options.get('kind');
  if (!kind) throw new UsageError('probe: --kind is required (linear, attentive or knn)');
  const backend = backendOption(args);
  const stop = new StopSignal();
  const unlisten = stop.listen();
  try {
    const r = await runProbe({
      runDir, kind, randomInit: args.flags.has('random-init'), checkpoint: parseCheckpoint(args.options.get('checkpoint')),
      sets: args.sets, backend, reporter: ctx.reporter, stop, grid: args.flags.has('grid'), pixels: args.flags.has('pixels'),
    });
    if (r.probeDir && r.state === 'completed') ctx.print(r.probeDir);
    return r.state === 'completed' ? EXIT.ok : r.state === 'stopped' ? EXIT.stopped : EXIT.failed;
  } finally {
    unlisten();
  }
}
