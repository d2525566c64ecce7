// A GroupTable as text: markdown (mean ± sd per cell, n where it differs from the group's), CSV (mean, sd and n
// in columns of their own, for spreadsheets and plots) or JSON (the numbers unrounded).
import { formatTable, type Table } from '../probe/compare';
import type { GroupTable } from './group-table';
import { summaryText } from '../protocol/summary-text';

export type GroupTableFormat = 'markdown' | 'csv' | 'json';
export const GROUP_TABLE_FORMATS: readonly GroupTableFormat[] = ['markdown', 'csv', 'json'];

function groupCells(t: GroupTable, group: Record<string, string>): string[] {
  return t.groupBy.length ? t.groupBy.map((k) => group[k]) : ['all'];
}

export function formatGroupTable(t: GroupTable, format: GroupTableFormat): string {
  if (format === 'json') return `${JSON.stringify(t, null, 2)}\n`;
  const keys = t.groupBy.length ? t.groupBy : ['group'];
  if (format === 'csv') {
    const header = [...keys, 'n', ...t.columns.flatMap((c) => [`${c.id} mean`, `${c.id} sd`, `${c.id} n`])];
    const rows = t.rows.map((r) => [
      ...groupCells(t, r.group), String(r.runs.length),
      ...t.columns.flatMap((c) => {
        const s = r.metrics[c.id];
        return s ? [String(s.mean), s.sd === null ? '' : String(s.sd), String(s.n)] : ['', '', '0'];
      }),
    ]);
    return formatTable({ header, rows }, 'csv');
  }
  const table: Table = {
    header: [...keys, 'n', ...t.columns.map((c) => c.label)],
    rows: t.rows.map((r) => [...groupCells(t, r.group), String(r.runs.length), ...t.columns.map((c) => summaryText(r.metrics[c.id], c, r.runs.length))]),
  };
  return formatTable(table, 'markdown');
}
