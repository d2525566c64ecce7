// The sweep's promise: killed mid-way (kill -9, children and all left to fend for themselves) and started again,
// no run is trained twice and none is lost; at most J children run at once. Real training runs (cae-tiny).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLines, type MetricsRow, type ProbeResult, type RunStatus } from '../../../src/protocol/run-files';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

const JOBS = 2;
const STEPS = 60;

/** Child pids of a process, from /proc (every thread's list): seen from outside, not from the sweep's own log. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

const readJson = <T>(f: string): T | null => {
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as T;
  } catch {
    return null;
  }
};

interface Watched {
  code: Promise<number | null>;
  pid: number;
  maxChildren: () => number;
  kill: () => void;
}

function startSweep(cwd: string, args: string[]): Watched {
  const child = spawn(process.execPath, [CLI, 'sweep', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIMLAB_LOG_EVERY: '1000' } });
  let out = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { out += String(d); });
  let max = 0;
  const timer = setInterval(() => { max = Math.max(max, childrenOf(child.pid!).length); }, 25);
  const code = new Promise<number | null>((resolve) => child.on('exit', (c) => {
    clearInterval(timer);
    if (c !== 0 && c !== null) process.stderr.write(out);
    resolve(c);
  }));
  return { code, pid: child.pid!, maxChildren: () => max, kill: () => child.kill('SIGKILL') };
}

const runDirs = (runsDir: string): string[] => (existsSync(runsDir) ? readdirSync(runsDir).sort().map((n) => join(runsDir, n)) : []);
const status = (d: string): RunStatus | null => readJson<RunStatus>(join(d, 'status.json'));
const results = (d: string): ProbeResult[] => (existsSync(join(d, 'probes'))
  ? readdirSync(join(d, 'probes')).map((p) => readJson<ProbeResult>(join(d, 'probes', p, 'result.json'))).filter((r): r is ProbeResult => r !== null)
  : []);

test('sweep killed mid-way and started again: every run trained once, none lost, each probed once, never more than J children', { timeout: 240_000 }, async () => {
  ensureBuilt();
  const cwd = tempDir('sweep-kill');
  const runsDir = join(cwd, 'runs');
  const args = ['--preset', 'cae-tiny', '--grid', 'loss.alignWeight=0,2', '--seeds', '0-1', '--jobs', String(JOBS), '--probe', 'knn',
    '--set', `train.steps=${STEPS}`, '--set', 'train.checkpointEvery=10', '--set', 'sample.every=0',
    '--runs-dir', runsDir, '--sweeps-dir', join(cwd, 'sweeps'), '--name', 'kill-test'];

  // 1. Kill the sweep once one run has finished and another is part-way (past its first checkpoint).
  const first = startSweep(cwd, args);
  let finishedBefore: { dir: string; updatedAt: string }[] = [];
  for (;;) {
    const states = runDirs(runsDir).map((d) => ({ d, s: status(d) }));
    const done = states.filter((x) => x.s?.state === 'completed');
    const partWay = states.some((x) => x.s?.state === 'running' && x.s.checkpointStep >= 10 && x.s.step < STEPS - 10);
    if (done.length >= 1 && partWay) {
      first.kill();
      finishedBefore = done.map((x) => ({ dir: x.d, updatedAt: x.s!.updatedAt }));
      break;
    }
    const exited = await Promise.race([first.code.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
    assert.ok(!exited, 'the sweep finished before it could be killed mid-way');
  }
  assert.equal(await first.code, null, 'killed by SIGKILL');

  // 2. Start it again with the same command: it waits for the orphaned children to checkpoint and stop, then resumes.
  const second = startSweep(cwd, args);
  assert.equal(await second.code, 0);

  const dirs = runDirs(runsDir);
  assert.equal(dirs.length, 4, `one folder per run, got ${dirs.map((d) => d.split('/').pop()).join(', ')}`);
  let resumed = 0;
  for (const d of dirs) {
    assert.equal(status(d)?.state, 'completed', d);
    const steps = parseJsonLines<MetricsRow>(readFileSync(join(d, 'metrics.jsonl'), 'utf8')).map((r) => r.step);
    assert.deepEqual(steps, Array.from({ length: STEPS }, (_, i) => i + 1), `${d}: each step logged once`);
    if (/resumed from checkpoint/.test(readFileSync(join(d, 'log.txt'), 'utf8'))) resumed++;
    const own = results(d).filter((r) => !r.randomInit);
    assert.equal(own.length, 1, `${d}: one k-NN probe result`);
    assert.equal(own[0].checkpointStep, STEPS);
  }
  for (const f of finishedBefore) {
    assert.equal(status(f.dir)?.updatedAt, f.updatedAt, `${f.dir} finished before the kill and was not run again`);
    assert.doesNotMatch(readFileSync(join(f.dir, 'log.txt'), 'utf8'), /resumed from checkpoint/);
  }
  assert.ok(resumed >= 1, 'the run that was part-way was resumed from its checkpoint');
  // Baselines: one random-init k-NN probe per seed (λ does not change the encoder), each in one folder.
  const random = dirs.flatMap((d) => results(d).filter((r) => r.randomInit).map(() => d));
  assert.equal(random.length, 2);
  const plan = readJson<{ baselineRuns: number[] }>(join(cwd, 'sweeps', 'kill-test', 'plan.json'));
  assert.equal(plan?.baselineRuns.length, 2);
  const state = readJson<{ state: string; active: unknown[] }>(join(cwd, 'sweeps', 'kill-test', 'state.json'));
  assert.deepEqual([state?.state, state?.active.length], ['completed', 0]);
  // Concurrency, counted from /proc: never above J, and J was reached (the runs did overlap).
  assert.ok(first.maxChildren() <= JOBS && second.maxChildren() <= JOBS, `children: ${first.maxChildren()}, ${second.maxChildren()}`);
  assert.equal(Math.max(first.maxChildren(), second.maxChildren()), JOBS);
});
