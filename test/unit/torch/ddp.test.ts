// The torch engine under torchrun (gloo, CPU processes on this machine): 2 ranks with global batch B train as one
// process with batch B; one epoch's batches cover every image once across ranks; SIGTERM to the launcher stops
// every rank at one step with a checkpoint; kill -9 of one rank fails the run with torchrun's report and leaves no
// process behind; each of those runs resumes with another number of processes, every step logged once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema';
import type { TrainerEvent } from '../../../src/protocol/events';
import type { MetricsRow, RunStatus } from '../../../src/protocol/run-files';
import { StopSignal } from '../../../src/trainer/stop';
import { runTorchEngine, type TorchOutcome } from '../../../src/trainer/torch-launch';
import { torchrunFailures, type TorchProcesses } from '../../../src/jobs/torchrun-args';
import { decodeSafetensors } from '../../../src/util/safetensors';
import { cli, CLI, ensureBuilt } from '../../helpers/cli';
import { tinyConfig } from '../../helpers/engine';
import { metricsOf, tempDir } from '../../helpers/runs';
import { PYTHON, pythonEnv, pythonJson } from './python';

// One torch thread per rank, no loader worker: two ranks share this machine's two cores.
Object.assign(process.env, { ...pythonEnv(), MIMLAB_PYTHON: PYTHON, MIMLAB_LOADER_WORKERS: '0' });
before(ensureBuilt);

/** Reduction order differs (gloo sums two half-batch gradients): losses agree to this relative error, weights to 1e-4. */
const LOSS_RTOL = 1e-5;
const WEIGHT_ATOL = 1e-4;

const procs = (nproc: number): TorchProcesses => ({ nproc, nnodes: 1, nodeRank: 0 });
const status = (runDir: string): RunStatus => JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
const steps = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

function ddpConfig(sets: string[]): Config {
  return tinyConfig(['engine=torch', 'train.batchSize=8', 'sample.every=0', 'model.dropPath=0.1', ...sets]);
}

interface Launched extends TorchOutcome {
  events: TrainerEvent[];
  /** torchrun (or the engine) and, once seen, the rank processes under it. */
  pids: Set<number>;
}

/** The pid of the engine's top process, from the launcher's own log line. */
function enginePid(e: TrainerEvent): number | null {
  return e.type === 'log' ? Number(/^torch engine: .*, pid (\d+)/.exec(e.message)?.[1] ?? NaN) || null : null;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a job through the launcher; `onEvent` may act on it (ranks: the rank processes under torchrun). */
async function launch(config: Config, job: { runsDir?: string; resumeDir?: string; nproc: number },
  onEvent?: (e: TrainerEvent, ranks: () => number[], stop: StopSignal) => void): Promise<Launched> {
  const events: TrainerEvent[] = [];
  const pids = new Set<number>();
  const stop = new StopSignal();
  let top = 0;
  const ranks = (): number[] => {
    const kids = childrenOf(top);
    kids.forEach((k) => pids.add(k));
    return kids;
  };
  const reporter = {
    emit: (e: TrainerEvent): void => {
      events.push(e);
      const pid = enginePid(e);
      if (pid) {
        top = pid;
        pids.add(pid);
      }
      if (e.type === 'metrics' && top) ranks();
      onEvent?.(e, ranks, stop);
    },
  };
  const r = await runTorchEngine({
    config, job: job.resumeDir ? 'resume' : 'pretrain', runsDir: job.runsDir, resumeDir: job.resumeDir, name: 'ddp',
    reporter, stop, processes: procs(job.nproc), stderr: () => {},
  });
  return { ...r, events, pids };
}

function weights(runDir: string): Map<string, Float32Array> {
  const dir = join(runDir, 'checkpoints', readdirSync(join(runDir, 'checkpoints')).filter((d) => d.startsWith('step-')).sort().at(-1) ?? '');
  return new Map(decodeSafetensors(readFileSync(join(dir, 'weights.safetensors'))).tensors.map((t) => [t.name, t.data]));
}

function assertLossesClose(a: MetricsRow[], b: MetricsRow[], what: string): void {
  assert.deepEqual(a.map((r) => r.step), b.map((r) => r.step), what);
  for (let i = 0; i < a.length; i++) {
    for (const k of ['loss', 'loss_main', 'loss_align', 'lr'] as const) {
      const [x, y] = [a[i][k] as number, b[i][k] as number];
      assert.ok(Math.abs(x - y) <= LOSS_RTOL * Math.abs(y), `${what}: step ${a[i].step} ${k} ${x} vs ${y}`);
    }
  }
}

describe('torch engine under torchrun (gloo)', () => {
  it('2 ranks with global batch B = 1 process with batch B: 20 steps of losses and the final weights', async () => {
    const config = ddpConfig(['train.steps=20', 'train.checkpointEvery=20']);
    const one = await launch(config, { runsDir: tempDir('ddp-1'), nproc: 1 });
    const two = await launch(config, { runsDir: tempDir('ddp-2'), nproc: 2 });
    assert.equal(one.state, 'completed');
    assert.equal(two.state, 'completed');
    const s = status(two.runDir ?? '');
    assert.equal(s.worldSize, 2);
    assert.equal(s.distBackend, 'gloo');
    assert.equal(status(one.runDir ?? '').worldSize, 1);
    assert.equal(status(one.runDir ?? '').distBackend, undefined);
    assertLossesClose(metricsOf(two.runDir ?? ''), metricsOf(one.runDir ?? ''), '2 ranks vs 1 process');
    const [w1, w2] = [weights(one.runDir ?? ''), weights(two.runDir ?? '')];
    assert.deepEqual([...w2.keys()].sort(), [...w1.keys()].sort());
    let worst = 0;
    for (const [name, a] of w1) {
      const b = w2.get(name) ?? new Float32Array();
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    assert.ok(worst <= WEIGHT_ATOL, `largest weight difference ${worst}`);
    // Only rank 0 sent events: one hello, one done.
    assert.equal(two.events.filter((e) => e.type === 'hello').length, 1);
    assert.equal(two.events.filter((e) => e.type === 'done').length, 1);
    assert.deepEqual([...two.pids].filter(alive), [], 'no process left');
  });

  it('one epoch of batches covers every image exactly once across ranks (and the ranks hold disjoint shares)', () => {
    const seen = pythonJson<{ world: number; perRank: number[][] }[]>(`
import json
from mimlab_torch.data.loader import StepSampler
out = []
for world, batch in ((2, 8), (3, 6), (4, 8)):
    length = 48  # 6 or 8 steps of the global batch make one epoch
    per_rank = [[i for s in range(length // batch) for (_, _, i) in StepSampler(length, batch, 7, 'pretrain', r, world).items(s)]
                for r in range(world)]
    out.append({'world': world, 'perRank': per_rank})
print(json.dumps(out))`);
    for (const { world, perRank } of seen) {
      const all = perRank.flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 48 }, (_, i) => i), `world ${world}: every index once`);
      assert.ok(perRank.every((r) => r.length === 48 / world), `world ${world}: equal shares`);
    }
  });

  it('SIGTERM to mim-lab: every rank finishes the step, rank 0 checkpoints, stopped (130); resumed with 4 ranks', async () => {
    const runsDir = tempDir('ddp-stop');
    const args = ['pretrain', '--quiet', '--engine', 'torch', '--nproc', '2', '--preset', 'cae-tiny', '--runs-dir', runsDir,
      '--set', 'train.batchSize=8', '--set', 'train.steps=100000', '--set', 'train.checkpointEvery=1000', '--set', 'sample.every=0'];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    const pids = new Set<number>();
    const watch = (d: Buffer): void => {
      out += d.toString();
      const top = Number(/pid (\d+), torchrun/.exec(out)?.[1] ?? 0);
      if (top) childrenOf(top).concat(top).forEach((p) => pids.add(p));
      if (!sent && /^step \d+ /m.test(out) && pids.size >= 3) {
        sent = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 130, out.slice(-2000));
    const runDir = join(runsDir, readdirSync(runsDir)[0]);
    const s = status(runDir);
    assert.equal(s.state, 'stopped');
    assert.equal(s.worldSize, 2);
    assert.ok(s.step > 0 && s.checkpointStep === s.step, `stopped at ${s.step}, checkpoint ${s.checkpointStep}`);
    assert.deepEqual(metricsOf(runDir).map((m) => m.step), steps(s.step));
    assert.match(readFileSync(join(runDir, 'log.txt'), 'utf8'), /stopped \(SIGTERM\) at step \d+/);
    assert.deepEqual([...pids].filter(alive), [], 'torchrun and both ranks are gone');

    const resumed = cli(['resume', runDir, '--nproc', '4', '--set', `train.steps=${s.step + 3}`]);
    assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
    assert.equal(status(runDir).state, 'completed');
    assert.equal(status(runDir).worldSize, 4);
    assert.deepEqual(metricsOf(runDir).map((m) => m.step), steps(s.step + 3), 'every step once');
    assert.match(readFileSync(join(runDir, 'log.txt'), 'utf8'), new RegExp(`resumed from checkpoint at step ${s.step}`));
  });

  it('kill -9 of one rank: torchrun tears the job down, failed with the rank named, no process left; resumed with 1 process', async () => {
    const config = ddpConfig(['train.steps=16', 'train.checkpointEvery=4']);
    const whole = await launch(config, { runsDir: tempDir('ddp-whole'), nproc: 1 });
    const killAt = 6 + Math.floor(Math.random() * 6); // 6 … 11
    let victim = 0;
    let rank0 = 0;
    const killed = await launch(config, { runsDir: tempDir('ddp-kill'), nproc: 2 }, (e, ranks) => {
      if (e.type === 'hello') rank0 = e.pid;
      if (e.type === 'metrics' && e.row.step === killAt && !victim) {
        victim = ranks().find((p) => p !== rank0) ?? 0;
        assert.ok(victim, 'found the rank that is not rank 0');
        process.kill(victim, 'SIGKILL');
      }
    });
    assert.equal(killed.state, 'failed', `killed rank pid ${victim} at step ${killAt}`);
    const runDir = killed.runDir ?? '';
    const s = status(runDir);
    assert.equal(s.state, 'failed');
    assert.match(s.error ?? '', /rank 1 exit -9 \(Signal 9 \(SIGKILL\)/, s.error);
    const done = killed.events.filter((e) => e.type === 'done');
    assert.equal(done.length, 1);
    assert.match(done[0].type === 'done' ? done[0].error ?? '' : '', /rank 1 exit -9/);
    assert.deepEqual([...killed.pids].filter(alive), [], 'torchrun and both ranks are gone');

    const resumed = await launch(config, { resumeDir: runDir, nproc: 1 });
    assert.equal(resumed.state, 'completed');
    assert.equal(status(runDir).worldSize, 1);
    assertLossesClose(metricsOf(runDir), metricsOf(whole.runDir ?? ''), `killed at ${killAt}, resumed with 1 process`);
  });

  it('a global batch the ranks cannot split is refused before any run folder, naming train.batchSize; so is --nproc under tfjs', () => {
    const runsDir = tempDir('ddp-bad');
    const r = cli(['pretrain', '--engine', 'torch', '--nproc', '3', '--preset', 'cae-tiny', '--set', 'train.batchSize=8', '--runs-dir', runsDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /train\.batchSize \(8\) is the global batch and must be divisible by the number of processes \(3/);
    const t = cli(['pretrain', '--nproc', '2', '--preset', 'cae-tiny', '--runs-dir', runsDir]);
    assert.equal(t.code, 2, t.stderr);
    assert.match(t.stderr, /--nproc\/--nnodes need engine=torch/);
    const n = cli(['pretrain', '--engine', 'torch', '--nproc', '2', '--nnodes', '2', '--preset', 'cae-tiny', '--runs-dir', runsDir]);
    assert.equal(n.code, 2, n.stderr);
    assert.match(n.stderr, /--nnodes 2 needs --rdzv-endpoint HOST:PORT/);
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).length === 0, 'no run folder');
  });

  it('reads torchrun\'s failure summary into one line per failed rank', () => {
    const summary = ['Failures:', '[1]:', '  time      : 2026-12-07_11:15:03', '  host      : localhost', '  rank      : 1 (local_rank: 1)',
      '  exitcode  : -9 (pid: 29327)', '  error_file: <N/A>', '  traceback : Signal 9 (SIGKILL) received by PID 29327',
      '------------------------------------------------------------', 'Root Cause (first observed failure):', '[0]:',
      '  rank      : 0 (local_rank: 0)', '  exitcode  : 1 (pid: 29326)', '  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html'].join('\n');
    assert.equal(torchrunFailures(summary), 'rank 1 exit -9 (Signal 9 (SIGKILL) received by PID 29327); rank 0 exit 1');
    assert.equal(torchrunFailures('Traceback (most recent call last):\nValueError: x'), null);
  });
});
