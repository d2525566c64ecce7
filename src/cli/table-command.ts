// `mim-lab table <runsDir|runDir|sweepDir>… [--group-by key,…|none] [--format markdown|csv|json] [-o file]`:
// completed runs grouped by config (default: the swept keys of a sweep, else every key that differs but the
// seed), with mean ± sd and n of each probe, its random-init baseline, the paired margin and the final losses.
import { writeFileSync } from 'node:fs';
import { differingConfigKeys, readRunRow, type RunRow } from '../probe/compare';
import { findRunDir, isSweepDir, readPlan } from '../sweep/folder';
import { formatGroupTable, GROUP_TABLE_FORMATS, type GroupTableFormat } from '../sweep/format-group-table';
import { groupRuns } from '../sweep/group-table';
import { EXIT, type JobContext } from './jobs';
import { only, UsageError, type ParsedArgs } from './args';
import { expandRunDirs } from './compare-command';

export const TABLE_USAGE = 'table <runsDir|runDir|sweepDir>… [--group-by key,…|none] [--format markdown|csv|json] [-o file]   mean ± sd over seeds per config group';

interface Source {
  rows: RunRow[];
  /** Keys a sweep varied (its grid), when every source is a sweep. */
  swept: string[] | null;
}

function readSources(paths: readonly string[]): Source {
  const rows: RunRow[] = [];
  let swept: string[] | null = [];
  for (const p of paths) {
    if (isSweepDir(p)) {
      const plan = readPlan(p);
      for (const r of plan.runs) {
        const dir = findRunDir(plan.spec.runsDir, r.name);
        if (dir) rows.push(readRunRow(dir));
      }
      swept = swept && [...new Set([...swept, ...plan.spec.grid.map((a) => a.key)])];
    } else {
      for (const d of expandRunDirs([p])) rows.push(readRunRow(d));
      swept = null;
    }
  }
  return { rows, swept };
}

/** The default grouping: what the sweep varied, else every differing experiment key but the seed. */
export function defaultGroupBy(rows: readonly RunRow[], swept: readonly string[] | null): string[] {
  return swept ? [...swept] : differingConfigKeys(rows).filter((k) => k !== 'train.seed');
}

function parseGroupBy(text: string, rows: readonly RunRow[]): string[] {
  if (text.trim() === 'none') return [];
  const keys = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of keys) {
    if (!rows.some((r) => k in r.config)) throw new UsageError(`--group-by: "${k}" is not a config key of these runs (e.g. loss.alignWeight, mask.count)`);
  }
  return keys;
}

export async function tableCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['group-by', 'format', 'out'], 'table');
  if (args.positionals.length === 0) throw new UsageError(`usage: mim-lab ${TABLE_USAGE}`);
  const format = args.options.get('format') ?? 'markdown';
  if (!(GROUP_TABLE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${GROUP_TABLE_FORMATS.join(', ')}, got "${format}"`);
  const { rows: all, swept } = readSources(args.positionals);
  const rows = all.filter((r) => r.state === 'completed');
  if (rows.length === 0) throw new UsageError(`table: no completed runs in ${args.positionals.join(', ')}`);
  const left = all.filter((r) => r.state !== 'completed');
  if (left.length) process.stderr.write(`table: left out ${left.length} run(s) that did not complete: ${left.map((r) => `${r.run} (${r.state})`).join(', ')}\n`);
  const groupByText = args.options.get('group-by');
  const groupBy = groupByText !== undefined ? parseGroupBy(groupByText, rows) : defaultGroupBy(rows, swept);
  const text = formatGroupTable(groupRuns(rows, groupBy, all), format as GroupTableFormat);
  const out = args.options.get('out');
  if (out) {
    writeFileSync(out, text);
    ctx.print(`wrote ${out}`);
  } else ctx.print(text.trimEnd());
  return EXIT.ok;
}
