// Reading fixture run folders: states, liveness, checkpoints, samples, probes, torn metrics lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { displayStateOf, readCheckpoints, readLastJsonLine, readProbes, readRunSummaries, readSampleSteps } from '../../../src/host/run-reader';
import { readSampleData } from '../../../src/protocol/read/run-folder';
import type { RunStatus } from '../../../src/protocol/run-files';

const RUNS = join(__dirname, '../../fixtures/runs');
const CAE = join(RUNS, '20261120-100000-cae-tiny');

test('lists every fixture run newest first with its display state', () => {
  const runs = readRunSummaries(RUNS);
  assert.deepEqual(runs.map((r) => [r.runId, r.displayState]), [
    ['20261121-120000-cae-tiny', 'diverged'],
    ['20261121-110000-cae-tiny', 'failed'],
    ['20261121-100000-cae-tiny', 'interrupted'],
    ['20261121-090000-cae-tiny', 'stopped'],
    ['20261120-110000-mae-tiny', 'completed'],
    ['20261120-100000-cae-tiny', 'completed'],
  ]);
  const mae = runs.find((r) => r.algorithm === 'mae');
  assert.equal(mae?.lastMetrics?.loss_align, null);
});

test('a running status with a dead pid is interrupted; a live job or pid keeps it running', () => {
  const s = { state: 'running', pid: 123 } as RunStatus;
  assert.equal(displayStateOf(s, false, () => false), 'interrupted');
  assert.equal(displayStateOf(s, false, () => true), 'running');
  assert.equal(displayStateOf(s, true, () => false), 'running');
  assert.equal(displayStateOf({ ...s, state: 'stopped' }, false, () => true), 'stopped');
  assert.equal(displayStateOf(null, false), 'unknown');
});

test('the torn last line of metrics.jsonl is skipped', () => {
  const last = readLastJsonLine<{ step: number }>(join(RUNS, '20261121-100000-cae-tiny', 'metrics.jsonl'));
  assert.equal(last?.step, 14);
});

test('checkpoints, sample steps and probes', () => {
  assert.deepEqual(readCheckpoints(CAE), [20, 30]);
  assert.deepEqual(readSampleSteps(CAE), [10, 20, 30]);
  const probes = readProbes(CAE);
  assert.deepEqual(probes.map((p) => [p.kind, p.state, p.top1]), [['attentive', 'done', 0.4375], ['linear', 'done', 0.3125]]);
});

test('sample data: manifest, reconstruction as a data URI, attention arrays', () => {
  const s = readSampleData(CAE, 20);
  assert.ok(s);
  assert.match(s.reconstruction, /^data:image\/png;base64,iVBOR/);
  assert.equal(s.encoderAttention?.length, 4);
  assert.equal(s.encoderAttention?.[0][0].length, 3, 'two heads + the average');
  assert.equal(s.regressorAttention?.[0][0].length, 16);
  assert.equal(readSampleData(CAE, 999), null);
});
