import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/resolve';
import type { TrainerEvent } from '../../../src/protocol/events';
import type { RunStatus } from '../../../src/protocol/run-files';
import { findPythonTorch, versionAtLeast } from '../../../src/trainer/python-torch';
import { StopSignal } from '../../../src/trainer/stop';
import { runTorchEngine } from '../../../src/trainer/torch-launch';
import { tinyConfig } from '../../helpers/engine';
import { tempDir } from '../../helpers/runs';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'torch-contract');
const DEBIAN_PYTHON = '/usr/bin/python3';
/** The `python3` first on PATH here is pyenv's, which has no torch (the case users hit most). */
const PATH_PYTHON = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();

function collect(): { events: TrainerEvent[]; reporter: { emit: (e: TrainerEvent) => void } } {
  const events: TrainerEvent[] = [];
  return { events, reporter: { emit: (e) => events.push(e) } };
}

describe('python discovery', () => {
  it('compares torch versions by major.minor, whatever the local suffix', () => {
    assert.ok(versionAtLeast('1.13.0a0', '1.13'));
    assert.ok(versionAtLeast('2.3.1+cu121', '1.13'));
    assert.ok(versionAtLeast('3.11.2', '3.9'));
    assert.ok(!versionAtLeast('1.12.1+cpu', '1.13'));
    assert.ok(!versionAtLeast('3.8.10', '3.9'));
  });

  it('a named interpreter that does not exist: one line naming it, the setting and the install command', () => {
    assert.throws(() => findPythonTorch('/nonexistent/bin/python3'), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /\/nonexistent\/bin\/python3 \(mimLab\.pythonPath \/ --python\) not found/);
      assert.match(err.message, /mimLab\.pythonPath/);
      assert.match(err.message, /apt-get install python3-torch/);
      assert.match(err.message, /pip install torch/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  it('a named python without torch is reported, not silently replaced by another', () => {
    assert.ok(PATH_PYTHON && PATH_PYTHON !== DEBIAN_PYTHON, `expected a python3 on PATH other than ${DEBIAN_PYTHON}, got "${PATH_PYTHON}"`);
    assert.throws(() => findPythonTorch(undefined, {}, { ...process.env, MIMLAB_PYTHON: PATH_PYTHON }),
      new RegExp(`${PATH_PYTHON.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(MIMLAB_PYTHON\\) has no torch \\(ModuleNotFoundError`));
  });

  it('without a named one: python3 on PATH, then Debian\'s /usr/bin/python3, the first with torch', () => {
    const env = { ...process.env };
    delete env.MIMLAB_PYTHON;
    const py = findPythonTorch(undefined, {}, env);
    assert.equal(py.python, DEBIAN_PYTHON);
    assert.ok(versionAtLeast(py.torch, '1.13'), py.torch);
  });

  it('refuses a torch older than required and a CPU-only torch when CUDA is asked for', () => {
    assert.throws(() => findPythonTorch(DEBIAN_PYTHON, { minTorch: '99.0' }), /has torch 1\.\d+\S*; the engine needs ≥ 99\.0/);
    const py = findPythonTorch(DEBIAN_PYTHON);
    if (!py.cuda) assert.throws(() => findPythonTorch(DEBIAN_PYTHON, { needCuda: true }), /without a CUDA device \(torch\.device=cuda\).*torch\.device=auto or cpu/);
    else assert.equal(findPythonTorch(DEBIAN_PYTHON, { needCuda: true }).cuda, true);
  });
});

describe('torch launcher (a Python process speaking the contract)', () => {
  const config = tinyConfig(['engine=torch', 'train.steps=5']);

  it('writes the job, relays hello/status/done exactly, and the engine makes the run folder', async () => {
    const runsDir = tempDir('torch-runs');
    const { events, reporter } = collect();
    const r = await runTorchEngine({ config, job: 'pretrain', runsDir, name: 'contract', python: DEBIAN_PYTHON, reporter, stop: new StopSignal(), enginePath: FIXTURE, stderr: () => {} });
    assert.equal(r.exitCode, 0);
    assert.equal(r.state, 'completed');
    assert.ok(r.runDir && existsSync(r.runDir));
    assert.deepEqual(readdirSync(runsDir), [r.runDir.split('/').pop()]);
    assert.deepEqual(JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8')), config, 'JOB.json carried the resolved config');
    const types = events.filter((e) => e.type !== 'log').map((e) => e.type);
    assert.deepEqual(types, ['hello', 'status', 'status', 'status', 'status', 'status', 'status', 'done']);
    const hello = events.find((e) => e.type === 'hello');
    assert.equal(hello?.type === 'hello' && hello.backend, 'torch-cpu');
    const done = events[events.length - 1];
    assert.deepEqual(done, { type: 'done', job: 'pretrain', state: 'completed', runDir: r.runDir });
  });

  it('a stop request becomes SIGTERM: the engine ends `stopped` with exit 130', async () => {
    process.env.MIMLAB_CONTRACT_STEP_S = '0.05';
    try {
      const stop = new StopSignal();
      const { events, reporter } = collect();
      const relay = { emit: (e: TrainerEvent): void => {
        reporter.emit(e);
        if (e.type === 'status' && e.status.step === 2) stop.request('test');
      } };
      const long = tinyConfig(['engine=torch', 'train.steps=10000']);
      const r = await runTorchEngine({ config: long, job: 'pretrain', runsDir: tempDir('torch-runs'), python: DEBIAN_PYTHON, reporter: relay, stop, enginePath: FIXTURE, stderr: () => {} });
      assert.equal(r.exitCode, 130);
      assert.equal(r.state, 'stopped');
      const status = JSON.parse(readFileSync(join(r.runDir ?? '', 'status.json'), 'utf8')) as RunStatus;
      assert.equal(status.state, 'stopped');
      assert.ok(status.step >= 2 && status.step < 100, `stopped soon after the request (step ${status.step})`);
      assert.equal(events.filter((e) => e.type === 'done').length, 1);
    } finally {
      delete process.env.MIMLAB_CONTRACT_STEP_S;
    }
  });

  it('an engine that refuses the job (exit 2) leaves no run folder, and its reason reaches stderr', async () => {
    const runsDir = tempDir('torch-runs');
    let stderr = '';
    const bad = tinyConfig(['engine=torch', 'data.dataset=folder', 'data.path=/nonexistent/images']);
    const r = await runTorchEngine({ config: bad, job: 'pretrain', runsDir, python: DEBIAN_PYTHON, reporter: collect().reporter, stop: new StopSignal(), enginePath: FIXTURE, stderr: (t) => { stderr += t; } });
    assert.deepEqual(r, { runDir: null, state: null, exitCode: 2 });
    assert.deepEqual(readdirSync(runsDir), []);
    assert.match(stderr, /data\.path: no such folder/);
  });

  it('an engine that dies without `done` leaves its run failed, with the tail of its stderr', async () => {
    process.env.MIMLAB_CONTRACT_CRASH_AT = '2';
    try {
      const { events, reporter } = collect();
      const r = await runTorchEngine({ config, job: 'pretrain', runsDir: tempDir('torch-runs'), python: DEBIAN_PYTHON, reporter, stop: new StopSignal(), enginePath: FIXTURE, stderr: () => {} });
      assert.equal(r.exitCode, 1);
      assert.equal(r.state, 'failed');
      const status = JSON.parse(readFileSync(join(r.runDir ?? '', 'status.json'), 'utf8')) as RunStatus;
      assert.equal(status.state, 'failed');
      assert.match(status.error ?? '', /exited with code 139 without a result: .*Segmentation fault \(simulated\)/);
      const done = events.filter((e) => e.type === 'done');
      assert.equal(done.length, 1);
      assert.equal(done[0].type === 'done' && done[0].state, 'failed');
    } finally {
      delete process.env.MIMLAB_CONTRACT_CRASH_AT;
    }
  });

  it('no usable interpreter: refused before a run folder exists', async () => {
    const runsDir = tempDir('torch-runs');
    await assert.rejects(runTorchEngine({ config, job: 'pretrain', runsDir, python: '/nonexistent/python3', reporter: collect().reporter, stop: new StopSignal(), enginePath: FIXTURE }), ConfigError);
    assert.deepEqual(readdirSync(runsDir), []);
  });
});
