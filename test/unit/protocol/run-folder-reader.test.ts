// The one run-folder reader: torn lines, missing files, unknown fields and runs written by the torch engine,
// read the same way by the editor's tree, `compare` and `report`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunSummary } from '../../../src/host/run-reader';
import { readRunRow } from '../../../src/probe/compare';
import {
  listCheckpointSteps, listProbeIds, listSampleSteps, readLastMetrics, readMetrics, readProbeRecords, readRunConfig, readRunStatus,
} from '../../../src/protocol/read/run-folder';
import { collectReport } from '../../../src/report/collect';
import { tempDir } from '../../helpers/runs';

const row = (step: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ step, epoch: 0, lr: 1e-3, loss: 1 / step, loss_main: 1 / step, loss_align: null, imgs_per_s: 10, time: 't', ...extra });

/** A run folder as the torch engine writes it: its own status fields, format-2 checkpoints, a crash mid-line. */
function torchRun(): string {
  const dir = join(tempDir('reader'), '20261207-100000-mae-torch');
  mkdirSync(join(dir, 'checkpoints', 'step-000002'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', 'step-000002', 'meta.json'), JSON.stringify({ format: 2, engine: 'torch', step: 2 }));
  writeFileSync(join(dir, 'checkpoints', 'step-000002', 'weights.safetensors'), '');
  mkdirSync(join(dir, 'checkpoints', '.tmp-step-000004'), { recursive: true }); // being written when it crashed
  mkdirSync(join(dir, 'probes', '.cache'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ algorithm: 'mae', preset: 'mae-small', engine: 'torch', futureKey: { a: 1 } }));
  writeFileSync(join(dir, 'status.json'), JSON.stringify({
    state: 'stopped', kind: 'pretrain', algorithm: 'mae', step: 3, totalSteps: 10, epoch: 0, pid: 1, backend: 'torch-cuda',
    startedAt: '2026-12-07T10:00:00Z', updatedAt: '2026-12-07T10:01:00Z', checkpointStep: 2,
    engine: 'torch', device: 'cuda:0', torchVersion: '2.5.1', precision: 'bf16', compile: true, worldSize: 4,
  }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${row(1)}\n${row(2, { tokens_per_s: 5 })}\n${row(3)}\n{"step": 4, "lo`);
  return dir;
}

describe('the run-folder reader', () => {
  it('skips a torn last metrics line, in full reads and tail reads', () => {
    const dir = torchRun();
    assert.deepEqual(readMetrics(dir).map((r) => r.step), [1, 2, 3]);
    assert.equal(readLastMetrics(dir)?.step, 3);
  });

  it('notes (does not throw) a metrics file damaged before its last line', () => {
    const dir = tempDir('reader');
    writeFileSync(join(dir, 'metrics.jsonl'), `${row(1)}\n{broken\n${row(3)}\n`);
    const notes: string[] = [];
    assert.deepEqual(readMetrics(dir, notes), []);
    assert.match(notes[0], /damaged before its last line/);
  });

  it('reads a folder with nothing in it as empty, not as an error', () => {
    const dir = tempDir('reader');
    assert.equal(readRunConfig(dir), null);
    assert.equal(readRunStatus(dir), null);
    assert.deepEqual(readMetrics(dir), []);
    assert.equal(readLastMetrics(dir), null);
    assert.deepEqual(listCheckpointSteps(dir), []);
    assert.deepEqual(listSampleSteps(dir), []);
    assert.deepEqual(readProbeRecords(dir), []);
  });

  it('keeps fields it does not know: another engine\'s status, config and metrics', () => {
    const dir = torchRun();
    const status = readRunStatus(dir);
    assert.equal(status?.engine, 'torch');
    assert.equal(status?.worldSize, 4);
    assert.equal(status?.device, 'cuda:0');
    assert.deepEqual(readRunConfig(dir)?.futureKey, { a: 1 });
    assert.equal((readMetrics(dir)[1] as unknown as Record<string, unknown>).tokens_per_s, 5);
  });

  it('lists format-2 checkpoints and skips temporaries and the probe cache', () => {
    const dir = torchRun();
    assert.deepEqual(listCheckpointSteps(dir), [2]);
    assert.deepEqual(listProbeIds(dir), []);
  });

  it('gives the tree, compare and report the same torch run', async () => {
    const dir = torchRun();
    const summary = readRunSummary(dir);
    assert.deepEqual([summary.algorithm, summary.preset, summary.displayState, summary.lastMetrics?.step, summary.checkpoints], ['mae', 'mae-small', 'stopped', 3, [2]]);
    const compared = readRunRow(dir);
    assert.deepEqual([compared.algorithm, compared.state, compared.step, compared.last?.step], ['mae', 'stopped', 3, 3]);
    const report = await collectReport(dir);
    assert.equal(report.status?.state, 'stopped');
    assert.equal((report.status as unknown as Record<string, unknown>).engine, 'torch');
    assert.deepEqual(report.metrics.step, [1, 2, 3]);
    assert.deepEqual(report.notes, []);
  });
});
