import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readRunRow } from '../../../src/probe/compare';
import { formatGroupTable } from '../../../src/sweep/format-group-table';
import { groupRuns } from '../../../src/sweep/group-table';
import { summarize } from '../../../src/sweep/stats';
import { cli, ensureBuilt } from '../../helpers/cli';
import { writeExperimentRuns } from '../../helpers/experiment-runs';
import { tempDir } from '../../helpers/runs';

const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};

test('summarize: mean and the sample sd (n − 1); no sd for one value, nothing for none', () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  close(s?.mean, 5, 'mean');
  close(s?.sd, Math.sqrt(32 / 7), 'sd'); // Σ(x − 5)² = 32 over n − 1 = 7
  assert.deepEqual(summarize([3]), { mean: 3, sd: null, n: 1 });
  assert.equal(summarize([]), null);
});

test('groupRuns: mean ± sd and n per config group, margins paired with the random init of the same shape and seed', () => {
  const root = tempDir('table');
  const rows = writeExperimentRuns(root).map(readRunRow).filter((r) => r.state === 'completed');
  const t = groupRuns(rows, ['loss.alignWeight', 'model.dim']);
  assert.deepEqual(t.rows.map((r) => [r.group, r.runs.length]), [
    [{ 'loss.alignWeight': '0', 'model.dim': '32' }, 3],
    [{ 'loss.alignWeight': '2', 'model.dim': '32' }, 2],
    [{ 'loss.alignWeight': '2', 'model.dim': '64' }, 1],
  ]);
  const [a, b, c] = t.rows.map((r) => r.metrics);
  // Group A, k-NN 50 / 60 / 70 %: mean 60, sd √((10² + 0 + 10²) / 2) = 10.
  close(a['knn.top1']?.mean, 60, 'A knn mean');
  close(a['knn.top1']?.sd, 10, 'A knn sd');
  // Its random-init baselines 20 / 30 / 25 %: mean 25, sd 5; margins 30 / 30 / 45: mean 35, sd √((25 + 25 + 100) / 2) = √75.
  close(a['knn.random']?.mean, 25, 'A random mean');
  close(a['knn.random']?.sd, 5, 'A random sd');
  close(a['knn.margin']?.mean, 35, 'A margin mean');
  close(a['knn.margin']?.sd, Math.sqrt(75), 'A margin sd');
  assert.equal(a['knn.margin']?.n, 3);
  // Linear: probed on seeds 0 and 1 (40, 50 %), a baseline only for seed 0 (10 %): one margin, 30.
  close(a['linear.top1']?.sd, Math.sqrt(50), 'A linear sd');
  close(a['linear.margin']?.mean, 30, 'A linear margin');
  assert.deepEqual([a['linear.margin']?.sd, a['linear.margin']?.n], [null, 1]);
  // Final losses 1, 2, 4: mean 7/3, sd √((16/9 + 1/9 + 25/9) / 2) = √(7/3).
  close(a.loss?.mean, 7 / 3, 'A loss mean');
  close(a.loss?.sd, Math.sqrt(7 / 3), 'A loss sd');
  close(a.loss_align?.sd, 0.25, 'A align sd');
  // Group B has no baseline of its own: seed 0 pairs with A's seed-0 baseline (20 %), seed 1 with A's seed 1 (30 %).
  close(b['knn.margin']?.mean, 35, 'B margin mean'); // 55 − 20, 65 − 30
  close(b['knn.margin']?.sd, 0, 'B margin sd');
  close(b.loss?.sd, Math.sqrt(0.125), 'B loss sd'); // 3, 3.5
  // Group C is another encoder width: its own baseline (10 %), not A's seed-0 one.
  close(c['knn.margin']?.mean, 30, 'C margin');
  assert.deepEqual([c['knn.margin']?.sd, c['knn.margin']?.n], [null, 1]);
  assert.equal(c['linear.top1'], null);
});

test('formatGroupTable: markdown cells "mean ± sd", n shown where it differs from the group\'s; csv columns of numbers', () => {
  const root = tempDir('table-format');
  const rows = writeExperimentRuns(root).map(readRunRow).filter((r) => r.state === 'completed');
  const t = groupRuns(rows, ['loss.alignWeight', 'model.dim']);
  const md = formatGroupTable(t, 'markdown').split('\n');
  assert.equal(md[0], '| loss.alignWeight | model.dim | n | linear top-1 % | linear random init % | linear margin | knn top-1 % | knn random init % | knn margin | loss | loss_main | loss_align |');
  assert.equal(md[2], '| 0 | 32 | 3 | 45.0 ± 7.1 (n=2) | 10.0 (n=1) | +30.0 (n=1) | 60.0 ± 10.0 | 25.0 ± 5.0 | +35.0 ± 8.7 | 2.333 ± 1.5 | 2.333 ± 1.5 | 0.5000 ± 0.25 |');
  const csv = formatGroupTable(t, 'csv').trim().split('\n').map((l) => l.split(','));
  const col = (name: string): number => csv[0].indexOf(name);
  assert.equal(csv[2][col('knn.margin mean')], '35');
  assert.equal(csv[2][col('knn.margin sd')], '0');
  assert.equal(csv[3][col('knn.margin sd')], ''); // n = 1
  const json = JSON.parse(formatGroupTable(t, 'json')) as typeof t;
  close(json.rows[0].metrics['knn.margin']?.sd ?? null, Math.sqrt(75), 'json margin sd');
});

test('mim-lab table: groups by the differing keys but the seed, leaves out runs that did not complete, refuses unknown keys', () => {
  ensureBuilt();
  const root = tempDir('table-cli');
  writeExperimentRuns(root);
  const r = cli(['table', root]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^\| loss\.alignWeight \| model\.dim \| n \|/);
  assert.equal(lines.length, 5); // header, rule, three groups
  assert.match(r.stderr, /left out 1 run\(s\) that did not complete: 20261130-100300-sweep-004-s3 \(failed\)/);
  const one = cli(['table', root, '--group-by', 'loss.alignWeight', '--format', 'json']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual((JSON.parse(one.stdout) as { rows: { runs: string[] }[] }).rows.map((g) => g.runs.length), [3, 3]);
  const bad = cli(['table', root, '--group-by', 'loss.alignWeigh']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--group-by: "loss\.alignWeigh" is not a config key/);
  assert.equal(cli(['table', join(root, 'nope')]).code, 2);
});
