// RunManager lifecycle against a fake trainer that replays a recorded event log (no VS Code needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunManager } from '../../../src/host/run-manager';
import type { TrainerEvent } from '../../../src/protocol/events';
import { isPidAlive } from '../../../src/host/run-reader';

const FAKE = join(__dirname, 'fake-trainer.mjs');

function manager(mode: string, logs: string[] = []): RunManager {
  return new RunManager({
    launch: () => ({ execPath: process.execPath, trainerPath: FAKE, cwd: process.cwd(), env: { ...process.env, FAKE_MODE: mode } }),
    log: (l) => logs.push(l),
    // termMs leaves a loaded machine time to run the fake trainer's SIGTERM handler (400 ms was not enough at load 17).
    stopTimings: { askMs: 400, termMs: 3000 },
    shutdownTimings: { askMs: 300, termMs: 300 },
  });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mimlab-rm-'));
}

function status(runDir: string): { state: string; step: number; error?: string } {
  return JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8'));
}

test('a normal run: handshake, events in order, done, completed', async () => {
  const dir = tmp();
  const rm = manager('normal');
  const events: TrainerEvent[] = [];
  rm.onJobEvent(({ event }) => events.push(event));
  const job = rm.start({ kind: 'pretrain', runsDir: dir, preset: 'cae-tiny', name: 'r1' });
  const exit = await job.exited;
  assert.equal(exit.code, 0);
  assert.equal(exit.done?.state, 'completed');
  assert.equal(events[0].type, 'hello');
  assert.ok(events.some((e) => e.type === 'sample'), 'sample events pass through');
  assert.equal((events[0] as unknown as { hostVersion: number }).hostVersion, 1, 'host sent its hello to the child');
  assert.equal(events.at(-1)?.type, 'done');
  assert.equal(events.filter((e) => e.type === 'metrics').length, 6);
  assert.equal(job.runDir, join(dir, 'r1'));
  assert.equal(status(join(dir, 'r1')).state, 'completed');
  assert.equal(rm.jobs().length, 0);
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('stop asks first; a trainer that honours it ends stopped and can be resumed from its checkpoint', async () => {
  const dir = tmp();
  const rm = manager('slow');
  const job = rm.start({ kind: 'pretrain', runsDir: dir, name: 'r2' });
  await new Promise<void>((resolve) => rm.onJobEvent(({ event }) => event.type === 'checkpoint' && resolve()));
  const exit = await rm.stop(job);
  assert.equal(exit.stoppedBy, 'ask');
  assert.equal(exit.done?.state, 'stopped');
  assert.equal(status(join(dir, 'r2')).state, 'stopped');
  const resumed = rm.start({ kind: 'resume', runDir: join(dir, 'r2') });
  const steps: number[] = [];
  rm.onJobEvent(({ event }) => event.type === 'metrics' && steps.push(event.row.step));
  await resumed.exited;
  assert.ok(steps.length > 0 && steps[0] > 3, `resume continued after the checkpoint, got ${steps.join(',')}`);
  assert.equal(status(join(dir, 'r2')).state, 'completed');
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a trainer that ignores the stop message gets SIGTERM', async () => {
  const dir = tmp();
  const rm = manager('ignore-stop');
  const job = rm.start({ kind: 'pretrain', runsDir: dir, name: 'r3' });
  await new Promise<void>((resolve) => rm.onJobEvent(({ event }) => event.type === 'metrics' && resolve()));
  const exit = await rm.stop(job);
  assert.equal(exit.stoppedBy, 'SIGTERM');
  assert.equal(status(join(dir, 'r3')).state, 'stopped');
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a trainer that ignores stop and SIGTERM is killed, and the host marks the run stopped', async () => {
  const dir = tmp();
  const rm = manager('stubborn');
  const job = rm.start({ kind: 'pretrain', runsDir: dir, name: 'r4' });
  await new Promise<void>((resolve) => rm.onJobEvent(({ event }) => event.type === 'metrics' && resolve()));
  const pid = job.pid as number;
  const exit = await rm.stop(job);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(isPidAlive(pid), false);
  assert.equal(status(join(dir, 'r4')).state, 'stopped');
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a crash marks the run failed with the tail of stderr', async () => {
  const dir = tmp();
  const rm = manager('crash');
  const ended = new Promise<string | null>((resolve) => rm.onJobEnded(({ failure }) => resolve(failure)));
  const job = rm.start({ kind: 'pretrain', runsDir: dir, name: 'r5' });
  await job.exited;
  const failure = await ended;
  assert.match(failure ?? '', /exited with code 3[\s\S]*fake out of memory/);
  const s = status(join(dir, 'r5'));
  assert.equal(s.state, 'failed');
  assert.match(s.error ?? '', /fake out of memory/);
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a protocol version mismatch stops the child with a clear error', async () => {
  const dir = tmp();
  const rm = manager('bad-version');
  const job = rm.start({ kind: 'pretrain', runsDir: dir, name: 'r6' });
  const exit = await job.exited;
  assert.match(exit.hostError ?? '', /protocol mismatch.*version 99/);
  await rm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('dispose stops every child and leaves no process behind', async () => {
  const dir = tmp();
  const rm = manager('stubborn');
  const jobs = [rm.start({ kind: 'pretrain', runsDir: dir, name: 'a' }), rm.start({ kind: 'pretrain', runsDir: dir, name: 'b' })];
  await new Promise((r) => setTimeout(r, 300));
  const pids = jobs.map((j) => j.pid as number);
  const t0 = Date.now();
  await rm.dispose();
  assert.ok(Date.now() - t0 < 3000, 'shutdown within the deactivate budget');
  for (const pid of pids) assert.equal(isPidAlive(pid), false);
  assert.throws(() => rm.start({ kind: 'pretrain', runsDir: dir }), /disposed/);
  rmSync(dir, { recursive: true, force: true });
});

test('a trainer that cannot start reports a host error', async () => {
  const rm = new RunManager({ launch: () => ({ execPath: '/nonexistent/node', trainerPath: FAKE, cwd: process.cwd(), env: process.env }) });
  const job = rm.start({ kind: 'resume', runDir: '/tmp/none' });
  const exit = await job.exited;
  assert.match(exit.hostError ?? '', /could not start the trainer/);
  await rm.dispose();
});
