import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/commands';
import { buildTable, formatTable, readRunRow } from '../../../src/probe/compare';
import type { ProbeResult } from '../../../src/protocol/run-files';

const FIXTURES = 'test/fixtures/runs';
const CAE = '20261120-100000-cae-tiny';
const MAE = '20261120-110000-mae-tiny';

function withRuns(fn: (root: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'mimlab-compare-'));
    try {
      for (const r of [CAE, MAE]) cpSync(join(FIXTURES, r), join(root, r), { recursive: true });
      await fn(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

function addResult(runDir: string, r: Partial<ProbeResult> & Pick<ProbeResult, 'id' | 'kind' | 'top1'>): void {
  mkdirSync(join(runDir, 'probes', r.id), { recursive: true });
  const full: ProbeResult = {
    top5: null, randomInit: false, checkpointStep: 30, epochs: 5, features: 'mean', numTrain: 512, numTest: 256, numClasses: 10,
    finishedAt: '2026-11-20T12:00:00.000Z', ...r,
  };
  writeFileSync(join(runDir, 'probes', r.id, 'result.json'), JSON.stringify(full));
}

test('compare: differing config keys, final losses and each probe\'s top-1, latest checkpoint first, random init apart', withRuns((root) => {
  const cae = join(root, CAE);
  addResult(cae, { id: 'linear-old', kind: 'linear', top1: 0.9, checkpointStep: 10, finishedAt: '2026-11-20T13:00:00.000Z' });
  addResult(cae, { id: 'knn-random', kind: 'knn', top1: 0.11, randomInit: true, checkpointStep: 0 });
  const maeCfg = join(root, MAE, 'config.json');
  writeFileSync(maeCfg, JSON.stringify({ ...JSON.parse(readFileSync(maeCfg, 'utf8')), newField: 3 })); // a key the older run lacks
  const t = buildTable([readRunRow(cae), readRunRow(join(root, MAE))]);
  const col = (name: string): number => t.header.indexOf(name);
  assert.deepEqual(t.rows.map((r) => r[col('algorithm')]), ['cae', 'mae']);
  const cfg = t.rows[0][col('config')];
  for (const k of ['algorithm=cae', 'loss.alignWeight=2', 'mask.kind=block', 'preset=cae-tiny']) assert.ok(cfg.includes(k), cfg);
  assert.ok(!cfg.includes('train.lr'), 'equal values are not differences');
  assert.ok(!t.rows[1][col('config')].includes('newField'), 'a key only one run has is schema growth, not a difference');
  assert.equal(t.rows[0][col('linear top-1 %')], '31.3', 'step-30 result wins over a later-finished step-10 one');
  assert.equal(t.rows[0][col('attentive top-1 %')], '43.8');
  assert.equal(t.rows[1][col('attentive top-1 %')], '-');
  assert.equal(t.rows[0][col('k-NN (random init) %')], '11.0');
  assert.equal(col('linear (random init) %'), -1, 'no random-init column without such results');
  const lastLoss = JSON.parse(readFileSync(join(cae, 'metrics.jsonl'), 'utf8').trim().split('\n').pop() as string) as { loss: number };
  assert.equal(Number(t.rows[0][col('loss')]), Number(lastLoss.loss.toPrecision(4)));
}));

test('compare names an attentive head other than CAE\'s beside its score; CAE\'s head and older results stay plain', withRuns((root) => {
  const cae = join(root, CAE);
  addResult(cae, { id: 'attentive-deep', kind: 'attentive', top1: 0.5, checkpointStep: 30, finishedAt: '2026-11-21T12:00:00.000Z', head: { depth: 4, queries: 1, mlp: true } });
  addResult(cae, { id: 'attentive-random', kind: 'attentive', top1: 0.4, randomInit: true, checkpointStep: 0, head: { depth: 1, queries: 1, mlp: false } });
  const t = buildTable([readRunRow(cae), readRunRow(join(root, MAE))]);
  const col = (name: string): number => t.header.indexOf(name);
  assert.equal(t.rows[0][col('attentive top-1 %')], '50.0 (4 blocks, 1 query, MLP)');
  assert.equal(t.rows[0][col('attentive (random init) %')], '40.0');
}));

test('compare formats: markdown has a header rule and escaped pipes, csv quotes cells with commas', () => {
  const t = { header: ['run', 'config'], rows: [['a', 'x=1 y=[1,2]'], ['b|c', '-']] };
  const md = formatTable(t, 'markdown').trim().split('\n');
  assert.equal(md.length, 4);
  assert.match(md[1], /^\|( --- \|){2}$/);
  assert.ok(md[3].startsWith('| b\\|c |'));
  const csv = formatTable(t, 'csv').trim().split('\n');
  assert.deepEqual(csv, ['run,config', 'a,"x=1 y=[1,2]"', 'b|c,-']);
});

test('mim-lab compare writes the chosen format to -o and refuses folders that are not runs', withRuns(async (root) => {
  const out = join(root, 'table.csv');
  assert.equal(await runCommand(['compare', root, '-o', out]), 0);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3, 'header + the two runs found under the folder');
  assert.ok(lines[0].startsWith('run,algorithm,config,'));
  assert.equal(await runCommand(['compare', join(root, CAE), '--format', 'yaml']), 2);
  mkdirSync(join(root, 'empty'));
  assert.equal(await runCommand(['compare', join(root, 'empty')]), 2);
}));
