// What a run folder must look like after any crash (the soak checks it after every kill -9, for any engine):
// config.json and status.json parse, every checkpoints/step-N folder is complete, metrics.jsonl parses up to
// a torn last line. At the end of a run also: every step logged exactly once, no leftover temp folders.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLines, RUN_FILES, type MetricsRow } from '../protocol/run-files';
import { isComplete } from '../trainer/checkpoint';

function parses(file: string): string | null {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return null;
  } catch (err) {
    return `${file}: ${(err as Error).message}`;
  }
}

export function readMetricsRows(runDir: string): MetricsRow[] {
  const file = join(runDir, RUN_FILES.metrics);
  return existsSync(file) ? parseJsonLines<MetricsRow>(readFileSync(file, 'utf8')) : [];
}

/** Problems a crash may never leave (an empty list when the folder is sound). */
export function crashProblems(runDir: string): string[] {
  const problems: string[] = [];
  for (const f of [RUN_FILES.config, RUN_FILES.status]) {
    const p = join(runDir, f);
    const bad = existsSync(p) ? parses(p) : null;
    if (bad) problems.push(`torn ${f}: ${bad}`);
  }
  const root = join(runDir, RUN_FILES.checkpoints);
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    if (/^step-\d+$/.test(name) && !isComplete(join(root, name))) problems.push(`torn checkpoint ${name}`);
  }
  try {
    readMetricsRows(runDir);
  } catch (err) {
    problems.push(`metrics.jsonl does not parse: ${(err as Error).message}`);
  }
  return problems;
}

/** Problems of a run that should have finished `steps` steps, logging each once. */
export function finishedRunProblems(runDir: string, steps: number): string[] {
  const problems = crashProblems(runDir);
  const logged = readMetricsRows(runDir).map((r) => r.step);
  const expected = Array.from({ length: steps }, (_, i) => i + 1);
  if (logged.join(',') !== expected.join(',')) {
    const dup = [...new Set(logged.filter((s, i) => logged.indexOf(s) !== i))];
    const missing = expected.filter((s) => !logged.includes(s));
    problems.push(`metrics.jsonl logs ${logged.length} rows for ${steps} steps (duplicated: ${dup.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'})`);
  }
  const root = join(runDir, RUN_FILES.checkpoints);
  const leftovers = existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('.')) : [];
  if (leftovers.length) problems.push(`leftover temporary checkpoint folders: ${leftovers.join(', ')}`);
  return problems;
}
