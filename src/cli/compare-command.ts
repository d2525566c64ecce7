// `mim-lab compare <runDir|runsDir>… [--format text|markdown|csv] [-o file]`: the comparison table of DESIGN.md §4.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { buildTable, formatTable, readRunRow, type TableFormat } from '../probe/compare';
import { RUN_FILES } from '../protocol/run-files';
import { EXIT, type JobContext } from './jobs';
import { only, UsageError, type ParsedArgs } from './args';
import { checkOutputFile } from './output-paths';

export const COMPARE_USAGE = 'compare <runDir|runsDir>… [--format text|markdown|csv] [-o file]   table of runs and probe results';

const FORMATS: readonly TableFormat[] = ['text', 'markdown', 'csv'];

/** A folder holding run folders stands for all of them (oldest first: names start with the date). */
export function expandRunDirs(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (!existsSync(p)) throw new UsageError(`compare: no such folder: ${p}`);
    if (!statSync(p).isDirectory()) throw new UsageError(`compare: ${p} is a file, expected a run folder or a folder of runs`);
    if (existsSync(join(p, RUN_FILES.config))) return [p];
    const runs = readdirSync(p).map((n) => join(p, n)).filter((d) => statSync(d).isDirectory() && existsSync(join(d, RUN_FILES.config))).sort();
    if (runs.length === 0) throw new UsageError(`compare: ${p} is neither a run folder nor a folder of runs (no ${RUN_FILES.config})`);
    return runs;
  });
}

function formatFor(args: ParsedArgs, out: string | undefined): TableFormat {
  const f = args.options.get('format');
  if (f !== undefined) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${f}"`);
    return f as TableFormat;
  }
  const ext = out ? extname(out).toLowerCase() : '';
  return ext === '.md' ? 'markdown' : ext === '.csv' ? 'csv' : 'text';
}

export async function compareCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['format', 'out'], 'compare');
  if (args.positionals.length === 0) throw new UsageError(`compare: expected one or more run folders (usage: mim-lab ${COMPARE_USAGE})`);
  const out = args.options.get('out');
  const format = formatFor(args, out);
  if (out !== undefined) checkOutputFile(out, 'compare: -o');
  const rows = expandRunDirs(args.positionals).map((d) => {
    try {
      return readRunRow(d);
    } catch (err) {
      throw new UsageError(`compare: ${(err as Error).message}`);
    }
  });
  const text = formatTable(buildTable(rows), format);
  if (out) {
    writeFileSync(out, text);
    ctx.print(`wrote ${out}`);
  } else {
    ctx.print(text.trimEnd());
  }
  return EXIT.ok;
}
