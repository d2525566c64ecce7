// The Experiments view's host side without VS Code: its snapshot of a runs folder, and the sweep queue running
// the real CLI (queue two, cancel the first mid-way, the second starts; a cancelled sweep resumes from its folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExperimentsSnapshot } from '../../../src/host/experiments-data';
import { SweepQueue, sweepArgs } from '../../../src/host/experiments-sweeps';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { writeExperimentRuns } from '../../helpers/experiment-runs';
import { tempDir } from '../../helpers/runs';

const until = async (fn: () => boolean, what: string, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('experiments snapshot: differing keys as columns, metrics paired by seed, groups only when asked', () => {
  const root = tempDir('experiments');
  writeExperimentRuns(join(root, 'runs'));
  const base = { runsDir: join(root, 'runs'), sweepsDir: join(root, 'sweeps'), isLiveRun: () => false, ownSweeps: new Map(), canRun: true };
  const s = buildExperimentsSnapshot({ ...base, groupBy: [] });
  assert.deepEqual(s.configKeys, ['loss.alignWeight', 'model.dim', 'train.seed']);
  assert.equal(s.rows.length, 7);
  const b0 = s.rows.find((r) => r.runId === '20261130-100400-sweep-005-s0');
  assert.deepEqual([b0?.metrics['knn.top1'], b0?.metrics['knn.random'], b0?.metrics['knn.margin']].map((v) => Math.round((v ?? NaN) * 1e9) / 1e9), [55, 20, 35]);
  assert.equal(s.rows.find((r) => r.runId.endsWith('004-s3'))?.state, 'failed');
  assert.deepEqual(s.groups, []);
  const g = buildExperimentsSnapshot({ ...base, groupBy: ['loss.alignWeight'] });
  assert.deepEqual(g.groups.map((x) => [x.group['loss.alignWeight'], x.runs.length]), [['0', 3], ['2', 3]]); // the failed seed is left out
});

test('sweep queue: one sweep at a time, cancel stops it mid-way (trainers checkpoint), resume finishes it', { timeout: 180_000 }, async () => {
  ensureBuilt();
  const root = tempDir('sweep-queue');
  const runsDir = join(root, 'runs');
  const sweepsDir = join(root, 'sweeps');
  const lines: string[] = [];
  const queue = new SweepQueue(() => ({ execPath: process.execPath, trainerPath: CLI, env: { ...process.env, MIMLAB_LOG_EVERY: '1000' }, cwd: root }), (l) => lines.push(l));
  const ended: { id: string; code: number | null; error: string | null }[] = [];
  queue.onEnded((e) => ended.push(e));
  const req = { preset: 'cae-tiny', grid: ['loss.alignWeight=0,2'], seeds: '0', jobs: 2, probes: 'none', sets: ['train.steps=2000', 'train.checkpointEvery=20', 'sample.every=0'] };
  queue.enqueue('long', sweepArgs(req, 'long', runsDir, sweepsDir, 'auto'));
  queue.enqueue('bad', sweepArgs({ ...req, grid: ['loss.alignWeight=x'] }, 'bad', runsDir, sweepsDir, 'auto'));
  assert.deepEqual([...queue.states()], [['bad', 'queued'], ['long', 'running']]);
  const status = (): { state: string; checkpointStep: number }[] => (existsSync(runsDir) ? readdirSync(runsDir) : [])
    .map((d) => { try { return JSON.parse(readFileSync(join(runsDir, d, 'status.json'), 'utf8')); } catch { return null; } }).filter(Boolean);
  await until(() => status().filter((s) => s.checkpointStep >= 20).length === 2, 'both runs past a checkpoint');
  assert.equal(await queue.cancel('long'), true);
  assert.deepEqual(status().map((s) => s.state), ['stopped', 'stopped']);
  assert.equal(JSON.parse(readFileSync(join(sweepsDir, 'long', 'state.json'), 'utf8')).state, 'stopped');
  // The queued one starts next; the CLI refuses its grid, and the queue reports the reason.
  await until(() => ended.length === 2, 'the second sweep to end');
  assert.deepEqual(ended[0], { id: 'long', code: 130, error: null });
  assert.equal(ended[1].code, 2);
  assert.match(ended[1].error ?? '', /--grid loss\.alignWeight=x: loss\.alignWeight: expected a number/);
  // Resume from the folder, shortened so the test does not train 2000 steps: the runs continue where they stopped.
  queue.enqueue('long', [join(sweepsDir, 'long'), '--jobs', '2']);
  await until(() => status().some((s) => s.state === 'running'), 'a resumed run');
  await queue.dispose();
  assert.ok(lines.some((l) => /\[sweep long\] \[sweep\] resuming long: 2 runs/.test(l)), lines.join('\n'));
  assert.deepEqual(status().map((s) => s.state), ['stopped', 'stopped']);
});
