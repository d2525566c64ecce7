// The Experiments view's pure logic and the guard on what it sends to the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExperimentsMessage, type ExperimentRow } from '../../../src/protocol/experiments';
import { filterRows, rowsToCsv, scatterData, sharedSteps, sortRows, stepFor } from '../../../webview/experiments-model';

const row = (runId: string, config: Record<string, string>, metrics: Record<string, number>, samples: number[] = []): ExperimentRow => ({
  runId, state: 'completed', algorithm: 'cae', step: 30, totalSteps: 30, config, metrics, sweep: null, samples,
});

const rows = [
  row('a', { 'loss.alignWeight': '0', 'train.seed': '0', 'mask.kind': 'block' }, { 'knn.top1': 50 }, [10, 20]),
  row('b', { 'loss.alignWeight': '2', 'train.seed': '0', 'mask.kind': 'random' }, { 'knn.top1': 70 }, [10, 30]),
  row('c', { 'loss.alignWeight': '10', 'train.seed': '1', 'mask.kind': 'block' }, {}),
  row('d', { 'loss.alignWeight': '2', 'train.seed': '1', 'mask.kind': 'block' }, { 'knn.top1': 60 }),
];

test('sortRows: numbers as numbers (10 after 2), missing values last in both directions', () => {
  assert.deepEqual(sortRows(rows, { column: 'config:loss.alignWeight', descending: false }).map((r) => r.runId), ['a', 'b', 'd', 'c']);
  assert.deepEqual(sortRows(rows, { column: 'metric:knn.top1', descending: true }).map((r) => r.runId), ['b', 'd', 'a', 'c']);
  assert.deepEqual(sortRows(rows, { column: 'metric:knn.top1', descending: false }).map((r) => r.runId), ['a', 'd', 'b', 'c']);
});

test('filterRows: key=value on a config key (or its last part), other terms as substrings, all terms must match', () => {
  assert.deepEqual(filterRows(rows, 'alignWeight=2').map((r) => r.runId), ['b', 'd']);
  assert.deepEqual(filterRows(rows, 'loss.alignWeight=2 block').map((r) => r.runId), ['d']);
  assert.deepEqual(filterRows(rows, 'RANDOM').map((r) => r.runId), ['b']);
  assert.equal(filterRows(rows, '  ').length, 4);
});

test('rowsToCsv: raw numbers, empty cells for missing values, quoted text', () => {
  const csv = rowsToCsv([rows[0], row('x,y', { 'loss.alignWeight': '0' }, {})], ['loss.alignWeight'], [{ id: 'knn.top1', label: 'knn top-1 %', unit: 'percent', signed: false }]);
  assert.equal(csv, 'run,state,sweep,loss.alignWeight,knn.top1\na,completed,,0,50\n"x,y",completed,,0,\n');
});

test('scatterData: numeric keys on a numeric axis with the mean per value; text keys as categories', () => {
  const d = scatterData(rows, 'loss.alignWeight', 'knn.top1');
  assert.equal(d.categories, null);
  assert.deepEqual(d.means, [{ x: 0, y: 50, n: 1 }, { x: 2, y: 65, n: 2 }]);
  const k = scatterData(rows, 'mask.kind', 'knn.top1');
  assert.deepEqual(k.categories, ['block', 'random']);
  assert.deepEqual(k.points.map((p) => [p.runId, p.x]), [['a', 0], ['b', 1], ['d', 0]]);
});

test('shared slider: the union of steps; each run shows that step, else its latest before, else its first', () => {
  assert.deepEqual(sharedSteps(rows), [10, 20, 30]);
  assert.equal(stepFor([10, 20], 30), 20);
  assert.equal(stepFor([10, 30], 20), 10);
  assert.equal(stepFor([20, 30], 10), 20);
  assert.equal(stepFor([], 10), null);
});

test('parseExperimentsMessage: intents with valid fields only', () => {
  assert.deepEqual(parseExperimentsMessage({ type: 'group-by', keys: ['loss.alignWeight'] }), { type: 'group-by', keys: ['loss.alignWeight'] });
  assert.equal(parseExperimentsMessage({ type: 'group-by', keys: ['../x'] }), null);
  assert.equal(parseExperimentsMessage({ type: 'open-run', runId: '../../etc' }), null);
  assert.equal(parseExperimentsMessage({ type: 'request-strip', runId: 'a', step: -1 }), null);
  assert.equal(parseExperimentsMessage({ type: 'queue-sweep', request: { preset: 'cae-tiny', grid: 'x', seeds: '0', jobs: 1, probes: 'knn', sets: [] } }), null);
  const ok = { type: 'queue-sweep', request: { preset: 'cae-tiny', grid: ['loss.alignWeight=0,2'], seeds: '0-1', jobs: 2, probes: 'knn', sets: [] } };
  assert.deepEqual(parseExperimentsMessage(ok), ok);
  assert.equal(parseExperimentsMessage({ type: 'nope' }), null);
});
