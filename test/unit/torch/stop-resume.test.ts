// Stop and crash safety of the torch engine: SIGTERM → `stopped` with a checkpoint at the stop step (exit 130);
// kill -9 at a random step → resume → every step logged once, with the losses of an uninterrupted run; a TF.js
// run's checkpoint is continued by the torch engine; bad input exits 2 before anything is written.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunStatus } from '../../../src/protocol/run-files';
import { readCheckpoints } from '../../../src/host/run-reader';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { lossesOf, metricsOf, tempDir, train } from '../../helpers/runs';
import { startEngine, writeJob } from './python';

before(useWasm);

const status = (runDir: string): RunStatus => JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;

describe('torch engine: stop, crash, resume', () => {
  it('SIGTERM finishes the step, checkpoints it and exits 130 as stopped', async () => {
    const config = tinyConfig(['train.steps=500', 'train.checkpointEvery=100', 'sample.every=0']);
    const runDir = join(tempDir('torch-stop'), 'run');
    let sent = false;
    const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config), (e, proc) => {
      if (e.type === 'metrics' && e.row.step === 3 && !sent) {
        sent = true;
        proc.kill('SIGTERM');
      }
    });
    assert.equal(r.code, 130, r.stderr);
    const s = status(runDir);
    assert.equal(s.state, 'stopped');
    assert.ok(s.step >= 3 && s.step < 500, `stopped at step ${s.step}`);
    assert.equal(s.checkpointStep, s.step);
    assert.deepEqual(readCheckpoints(runDir), [s.step]);
    assert.deepEqual(metricsOf(runDir).map((m) => m.step), Array.from({ length: s.step }, (_, i) => i + 1));
    assert.equal(r.events.at(-1)?.type, 'done');
    assert.match(readFileSync(join(runDir, 'log.txt'), 'utf8'), /stopped \(SIGTERM\) at step \d+/);
  });

  it('stdin reaching EOF (the parent went away) stops it the same way', async () => {
    const config = tinyConfig(['train.steps=500', 'train.checkpointEvery=100', 'sample.every=0']);
    const runDir = join(tempDir('torch-eof'), 'run');
    const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config), (e, proc) => {
      if (e.type === 'metrics' && e.row.step === 2) proc.stdin.end();
    });
    assert.equal(r.code, 130, r.stderr);
    assert.equal(status(runDir).state, 'stopped');
    assert.equal(status(runDir).checkpointStep, status(runDir).step);
    assert.match(readFileSync(join(runDir, 'log.txt'), 'utf8'), /stopped \(parent process disconnected\)/);
  });

  it('kill -9 at a random step, then resume: every step logged once, losses as an uninterrupted run', async () => {
    const config = tinyConfig(['train.steps=14', 'train.checkpointEvery=4', 'sample.every=5', 'model.dropPath=0.1']);
    const jobs = tempDir('jobs');
    const whole = join(tempDir('torch-whole'), 'run');
    assert.equal((await startEngine(writeJob(jobs, 'pretrain', whole, config))).code, 0);
    const killAt = 3 + Math.floor(Math.random() * 9); // 3 … 11
    const runDir = join(tempDir('torch-kill'), 'run');
    const killed = await startEngine(writeJob(jobs, 'pretrain', runDir, config), (e, proc) => {
      if (e.type === 'metrics' && e.row.step === killAt) proc.kill('SIGKILL');
    });
    assert.equal(killed.signal, 'SIGKILL', `killed at step ${killAt}`);
    assert.equal(status(runDir).state, 'running', 'a killed run is left marked running (the readers show it interrupted)');
    const resumed = await startEngine(writeJob(jobs, 'resume', runDir, config));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(status(runDir).state, 'completed');
    const rows = metricsOf(runDir);
    assert.deepEqual(rows.map((m) => m.step), Array.from({ length: 14 }, (_, i) => i + 1), `killed at ${killAt}: each step once`);
    assert.deepEqual(lossesOf(rows), lossesOf(metricsOf(whole)), `killed at ${killAt}: the same losses as without the crash`);
    // The metrics line of step k goes out before step k's checkpoint, so the last one on disk is the one before —
    // or, when k is a checkpoint step, k's own if it was written before the SIGKILL landed (a race, both correct).
    const before = Math.floor((killAt - 1) / 4) * 4;
    const allowed = killAt % 4 === 0 ? [before, killAt] : [before];
    const log = readFileSync(join(runDir, 'log.txt'), 'utf8');
    const from = /resumed from checkpoint at step (\d+) \(written by the torch engine\)/.exec(log);
    const resumedAt = from ? Number(from[1]) : 0;
    assert.ok(allowed.includes(resumedAt), `killed at ${killAt}: resumed from step ${resumedAt}, expected one of ${allowed.join(', ')}`);
    if (resumedAt === 0) assert.doesNotMatch(log, /resumed from checkpoint/, 'killed before the first checkpoint: trained again from step 0');
  });

  it('a non-finite loss ends the run as diverged (exit 3) without the update; the last good checkpoint stays', async () => {
    const config = tinyConfig(['train.steps=20', 'train.lr=1e6', 'train.warmupSteps=0', 'train.clipGrad=0', 'train.checkpointEvery=1', 'sample.every=0']);
    const runDir = join(tempDir('torch-diverge'), 'run');
    const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config));
    assert.equal(r.code, 3, r.stderr);
    const s = status(runDir);
    assert.equal(s.state, 'diverged');
    assert.match(s.error ?? '', /non-finite loss at step \d+/);
    assert.ok(s.step < 20);
    assert.deepEqual(readCheckpoints(runDir).at(-1), s.checkpointStep);
    for (const m of metricsOf(runDir)) assert.ok(Number.isFinite(m.loss));
  });

  it('continues a TF.js run from its checkpoint, and records a changed config', async () => {
    const config = tinyConfig(['train.steps=12', 'train.checkpointEvery=3', 'sample.every=0']);
    const full = await train(config);
    const stopped = await train(config, { stopAt: 6 });
    assert.equal(stopped.state, 'stopped');
    const changed = { ...config, train: { ...config.train, logEvery: 2 } };
    const r = await startEngine(writeJob(tempDir('jobs'), 'resume', stopped.runDir, changed));
    assert.equal(r.code, 0, r.stderr);
    const log = readFileSync(join(stopped.runDir, 'log.txt'), 'utf8');
    assert.match(log, /resumed from checkpoint at step 6 \(written by the tfjs engine\)/);
    assert.match(log, /config changed on resume: train\.logEvery/);
    assert.equal(JSON.parse(readFileSync(join(stopped.runDir, 'config.json'), 'utf8')).train.logEvery, 2);
    const rows = metricsOf(stopped.runDir);
    assert.deepEqual(rows.map((m) => m.step), [1, 2, 3, 4, 5, 6, 8, 10, 12]);
    const reference = new Map(metricsOf(full.runDir).map((m) => [m.step, m]));
    for (const row of rows.filter((m) => m.step > 6)) {
      const t = reference.get(row.step);
      assert.ok(t && Math.abs(row.loss - t.loss) <= 1e-3 * t.loss, `step ${row.step}: torch ${row.loss} vs TF.js ${t?.loss}`);
    }
  });
});

describe('torch engine: bad input', () => {
  it('resume with a model that does not fit the checkpoint: exit 2 naming the array', async () => {
    const config = tinyConfig(['train.steps=3', 'train.checkpointEvery=3', 'sample.every=0']);
    const runDir = join(tempDir('torch-misfit'), 'run');
    assert.equal((await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config))).code, 0);
    const wider = { ...config, model: { ...config.model, dim: 64 }, train: { ...config.train, steps: 6 } };
    const r = await startEngine(writeJob(tempDir('jobs'), 'resume', runDir, wider));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /parameter encoder\.\S+ has shape \[\d+(, \d+)*\] but the model expects/);
    assert.doesNotMatch(r.stderr, /Traceback/);
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')), config, 'config.json still describes the checkpoints');
  });

  for (const [what, sets, pattern] of [
    ['mask.count too large', ['mask.count=64'], /mask\.count \(64\)/],
    ['an idx dataset without data.path', ['data.dataset=idx', 'data.path=/nonexistent/mnist'], /data\.path does not exist/],
    ['token targets', ['loss.target=tokens', 'tokenizer.path=/tmp/x'], /loss\.target=tokens is not supported by the torch engine/],
  ] as const) {
    it(`${what}: exit 2, one clear line naming the key, no run folder`, async () => {
      const runDir = join(tempDir('torch-bad'), 'run');
      const config = { ...tinyConfig() };
      // Applied after resolution on purpose: the engine must refuse what a hand-written JOB.json could carry.
      for (const s of sets) {
        const [k, v] = s.split('=');
        const [a, b] = k.split('.');
        (config as unknown as Record<string, Record<string, unknown>>)[a][b] = /^\d+$/.test(v) ? Number(v) : v;
      }
      const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /Traceback/);
      assert.equal(existsSync(runDir), false, 'no run folder');
      assert.equal(r.events.at(-1)?.type, 'log');
    });
  }
});
