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

test('a completed CAE run shows state, step and loss (the rest in the tooltip); has checkpoint and probe children', () => {
  const node = runNode(byId('20261120-100000-cae-tiny'));
  const p = present(node);
  // Short, so the run id keeps the width of the sidebar.
  assert.match(p.description ?? '', /^completed · step 30\/30 · loss [\d.]+$/);
  assert.match(p.tooltip ?? '', /align [\d.]+/);
  assert.match(p.tooltip ?? '', /attentive probe: top-1 43\.8% \(chance 10\.0%\)/);
  assert.equal(p.icon, 'pass');
  assert.match(p.contextValue, /\bprobeable\b/);
  assert.doesNotMatch(p.contextValue, /\bresumable\b/);
  const kids = childrenOf(node);
  assert.deepEqual(kids.map((k) => k.kind === 'section' && k.label), ['Checkpoints', 'Probes']);
  assert.deepEqual(childrenOf(kids[0]).map((k) => present(k).label), ['step 30', 'step 20']);
  assert.deepEqual(childrenOf(kids[1]).map((k) => `${present(k).label} ${present(k).description}`), ['attentive top-1 43.8% (chance 10.0%)', 'linear top-1 31.3% (chance 10.0%)']);
});

test('probe rows: k-NN is spelled k-NN, has no epochs, and a pretrained score shows the random-init floor in the tooltip', () => {
  const run = byId('20261120-100000-cae-tiny');
  const base = { state: 'done' as const, epoch: 0, epochs: 0, top5: null, checkpointStep: 30, numClasses: 10 };
  const probes = [
    { ...base, id: 'knn-a', kind: 'knn' as const, top1: 0.082, randomInit: false },
    { ...base, id: 'knn-r', kind: 'knn' as const, top1: 0.21, randomInit: true, checkpointStep: null },
  ];
  const r = { ...run, probes };
  const rows = childrenOf({ kind: 'section', id: 's', label: 'Probes', run: r }).map((k) => present(k));
  assert.deepEqual(rows.map((x) => `${x.label}: ${x.description}`), ['k-NN: top-1 8.2% (chance 10.0%)', 'k-NN (random init): top-1 21.0% (chance 10.0%)']);
  assert.match(present(runNode(r)).tooltip ?? '', /k-NN probe: top-1 8\.2% \(chance 10\.0%, random init 21\.0%\)/);
  const running = present({ kind: 'probe', id: 'p', run: r, probe: { ...probes[0], state: 'running' } });
  assert.equal(running.description, 'running', 'k-NN trains no epochs: no "running 0/0"');
});

test('an attentive probe row names the head its result records (depth, queries, MLP); older results name none', () => {
  const run = byId('20261120-100000-cae-tiny');
  const base = { state: 'done' as const, epoch: 3, epochs: 3, top5: null, checkpointStep: 30, numClasses: 10, kind: 'attentive' as const, top1: 0.5, randomInit: false };
  const deep = present({ kind: 'probe', id: 'p', run, probe: { ...base, id: 'attentive-a', head: { depth: 4, queries: 16, mlp: true } } });
  assert.match(deep.tooltip ?? '', /^attentive-a\nattentive probe \(4 blocks, 16 queries, MLP\) of checkpoint 30: top-1 50\.0%/);
  const cae = present({ kind: 'probe', id: 'p', run, probe: { ...base, id: 'attentive-b', head: { depth: 1, queries: 1, mlp: false } } });
  assert.match(cae.tooltip ?? '', /attentive probe \(1 block, 1 query\) of checkpoint/);
  const old = present({ kind: 'probe', id: 'p', run, probe: { ...base, id: 'attentive-c' } });
  assert.match(old.tooltip ?? '', /attentive probe of checkpoint/);
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
