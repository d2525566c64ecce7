// `mim-lab report <runDir> [-o report.html]`: one self-contained HTML page for a run (curves, samples, probes).
import { only, UsageError, type ParsedArgs } from './args';
import { EXIT, type JobContext } from './jobs';
import { writeReport } from '../report/write-report';

export const REPORT_USAGE = 'report <runDir> [-o report.html]   write a self-contained HTML report of a run (default <runDir>/report.html)';

export async function reportCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['out'], 'report');
  const runDir = args.positionals[0];
  if (!runDir || args.positionals.length > 1) throw new UsageError('usage: mim-lab report <runDir> [-o report.html]');
  let file: string;
  try {
    file = await writeReport(runDir, args.options.get('out'));
  } catch (err) {
    // A wrong folder is the user's input, not a crash: say so plainly.
    if (err instanceof Error && err.message.startsWith('not a run folder')) throw new UsageError(`report: ${err.message}`);
    throw err;
  }
  ctx.print(file);
  return EXIT.ok;
}
