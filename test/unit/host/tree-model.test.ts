// The Runs tree's presentation of fixture runs (labels, icons, context values, children).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readRunSummaries } from '../../../src/host/run-reader';
import { childrenOf, fmtNum, groupRuns, present, runNode } from '../../../src/host/tree-model';

const runs = readRunSummaries(join(__dirname, '../../fixtures/runs'));
const byId = (id: string) => runs.find((r) => r.runId === id)!;

test('runs are grouped by day, newest first', () => {
  const groups = groupRuns(runs, new Date('2026-11-22T12:00:00Z'));
  assert.deepEqual(groups.map((g) => g.kind === 'group' && [g.label, g.runs.length]), [['Yesterday', 4], ['2026-11-20', 2]]);
});

test('a completed CAE run shows state, step, losses and its best probe; has checkpoint and probe children', () => {
  const node = runNode(byId('20261120-100000-cae-tiny'));
  const p = present(node);
  assert.match(p.description ?? '', /^completed · step 30\/30 · loss [\d.]+ · align [\d.]+ · attentive 43\.8%$/);
  assert.equal(p.icon, 'pass');
  assert.match(p.contextValue, /\bprobeable\b/);
  assert.doesNotMatch(p.contextValue, /\bresumable\b/);
  const kids = childrenOf(node);
  assert.deepEqual(kids.map((k) => k.kind === 'section' && k.label), ['Checkpoints', 'Probes']);
  assert.deepEqual(childrenOf(kids[0]).map((k) => present(k).label), ['step 30', 'step 20']);
  assert.deepEqual(childrenOf(kids[1]).map((k) => `${present(k).label} ${present(k).description}`), ['attentive top-1 43.8% · top-5 81.3%', 'linear top-1 31.3% · top-5 75.0%']);
});

test('stopped and interrupted runs with a checkpoint are resumable; a failed run without one is not', () => {
  assert.match(present(runNode(byId('20261121-090000-cae-tiny'))).contextValue, /\bresumable\b/);
  assert.match(present(runNode(byId('20261121-100000-cae-tiny'))).contextValue, /state-interrupted resumable/);
  const failed = present(runNode(byId('20261121-110000-cae-tiny')));
  assert.doesNotMatch(failed.contextValue, /\bresumable\b/);
  assert.match(failed.tooltip ?? '', /error: Error: out of memory/);
  assert.equal(failed.collapsible, 'none');
});

test('diverged runs show their warnings in the tooltip', () => {
  assert.match(present(runNode(byId('20261121-120000-cae-tiny'))).tooltip ?? '', /warning: representation collapse/);
});

test('number formatting', () => {
  assert.equal(fmtNum(0.123456), '0.1235');
  assert.equal(fmtNum(5e-5), '5.00e-5');
  assert.equal(fmtNum(null), '–');
  assert.equal(fmtNum(Number.NaN), '–');
});
