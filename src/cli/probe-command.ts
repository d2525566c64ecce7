// `mim-lab probe <runDir> --kind linear|attentive|knn [--random-init] [--checkpoint latest|<step>] [--set probe.key=value …] [--backend B]`
// Also the entry the extension forks (`dist/trainer.js probe …`): events go to the reporter, the probe folder to stdout.
import { FIELDS, type BackendName } from '../config/schema';
import { ProbeInputError, runProbe } from '../probe/job';
import { EXIT, type JobContext } from './jobs';
import { StopSignal } from '../trainer/stop';
import { only, UsageError, type ParsedArgs } from './args';

export const PROBE_USAGE = 'probe <runDir> --kind linear|attentive|knn [--random-init] [--checkpoint latest|<step>] [--set probe.key=value …] [--backend B]';

export function parseCheckpoint(text: string | undefined): 'latest' | number {
  if (text === undefined || text === 'latest') return 'latest';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--checkpoint must be "latest" or a step number, got "${text}"`);
  return n;
}

export async function probeCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['kind', 'checkpoint', 'backend'], 'probe');
  const runDir = args.positionals[0];
  if (!runDir || args.positionals.length > 1) throw new UsageError(`usage: mim-lab ${PROBE_USAGE}`);
  const kind = args.options.get('kind');
  if (!kind) throw new UsageError('probe: --kind is required (linear, attentive or knn)');
  const backend = args.options.get('backend');
  const backends = FIELDS.backend.type.kind === 'enum' ? FIELDS.backend.type.values : [];
  if (backend !== undefined && !backends.includes(backend)) throw new UsageError(`--backend must be one of ${backends.join(', ')}, got "${backend}"`);
  const stop = new StopSignal();
  const unlisten = stop.listen();
  try {
    const r = await runProbe({
      runDir, kind, randomInit: args.flags.has('random-init'), checkpoint: parseCheckpoint(args.options.get('checkpoint')),
      sets: args.sets, backend: backend as BackendName | undefined, reporter: ctx.reporter, stop,
    });
    if (r.probeDir && r.state === 'completed') ctx.print(r.probeDir);
    return r.state === 'completed' ? EXIT.ok : r.state === 'stopped' ? EXIT.stopped : EXIT.failed;
  } catch (err) {
    if (!(err instanceof ProbeInputError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.failed;
  } finally {
    unlisten();
  }
}
