// `mim-lab report <runDir> [-o report.html]`: one self-contained HTML page for a run (curves, samples, probes).
import { only, UsageError, type ParsedArgs } from './args';
import { checkOutputFile } from './output-paths';
import { EXIT, type JobContext } from './jobs';
import { writeReport } from '../report/write-report';
import { requireRunFolder } from '../trainer/load-run';

export const REPORT_USAGE = 'report <runDir> [-o report.html]   write a self-contained HTML report of a run (default <runDir>/report.html)';

export async function reportCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['out'], 'report', 1);
  const runDir = args.positionals[0];
  if (!runDir) throw new UsageError('report: expected a run folder (usage: mim-lab report <runDir> [-o report.html])');
  requireRunFolder(runDir, 'report');
  const out = args.options.get('out');
  if (out !== undefined) checkOutputFile(out, 'report: -o');
  const file = await writeReport(runDir, out);
  ctx.print(file);
  return EXIT.ok;
}
