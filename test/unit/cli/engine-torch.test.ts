import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStatus } from '../../../src/protocol/run-files';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

before(ensureBuilt);

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'torch-contract');
const PATH_PYTHON = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();
const ENV: NodeJS.ProcessEnv = { ...process.env, MIMLAB_TORCH_ENGINE: FIXTURE, MIMLAB_LOG_EVERY: '1000' };
delete ENV.MIMLAB_PYTHON;

function run(args: string[], env: NodeJS.ProcessEnv = ENV): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function status(runDir: string): RunStatus {
  return JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mim-lab pretrain --engine torch', () => {
  it('refuses a missing interpreter or one without torch with exit 2, one line, and no run folder', () => {
    const runs = join(tempDir('torch-cli'), 'runs');
    for (const [args, env, pattern] of [
      [['--python', '/nonexistent/python3'], ENV, /\/nonexistent\/python3 \(mimLab\.pythonPath \/ --python\) not found/],
      [[], { ...ENV, MIMLAB_PYTHON: PATH_PYTHON }, /\(MIMLAB_PYTHON\) has no torch/],
    ] as const) {
      const r = run(['pretrain', '--engine', 'torch', '--preset', 'cae-tiny', '--runs-dir', runs, ...args], env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /^error: engine=torch needs Python ≥ 3\.9 with torch ≥ 1\.13; tried: .*apt-get install python3-torch/);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace:\n${r.stderr}`);
      assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run folder');
    }
  });

  it('refuses torch-only settings under the TF.js engine, naming them', () => {
    const r = run(['config', '--set', 'train.precision=bf16', '--set', 'torch.compile=true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /torch\.compile=true, train\.precision=bf16 need engine=torch/);
    assert.equal(JSON.parse(run(['config', '--engine', 'torch']).stdout).engine, 'torch');
  });

  it('runs the engine, prints the run folder, and resume continues a stopped run', async () => {
    const runs = tempDir('torch-cli');
    const r = run(['pretrain', '--engine', 'torch', '--python', '/usr/bin/python3', '--preset', 'cae-tiny', '--set', 'train.steps=3', '--runs-dir', runs]);
    assert.equal(r.code, 0, r.stderr);
    const runDir = r.stdout.trim().split('\n').pop() ?? '';
    assert.equal(runDir, join(runs, readdirSync(runs)[0]));
    assert.equal(status(runDir).engine, 'torch');
    assert.equal(status(runDir).state, 'completed');
    assert.match(r.stderr, /torch engine: \/usr\/bin\/python3 \(Python 3\.\d+\.\d+, torch 1\.\d+/);
  });

  it('SIGTERM to mim-lab is relayed once: the engine stops with a checkpointed `stopped` and exit 130', async () => {
    const runs = tempDir('torch-cli');
    const child = spawn(process.execPath, [CLI, 'pretrain', '--engine', 'torch', '--python', '/usr/bin/python3', '--preset', 'cae-tiny', '--set', 'train.steps=100000', '--runs-dir', runs],
      { env: { ...ENV, MIMLAB_CONTRACT_STEP_S: '0.05' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const runDir = (): string => (existsSync(runs) && readdirSync(runs).length ? join(runs, readdirSync(runs)[0]) : '');
    await until('the run to step', () => !!runDir() && existsSync(join(runDir(), 'status.json')) && status(runDir()).step >= 2);
    child.kill('SIGTERM');
    assert.equal(await exited, 130);
    assert.equal(status(runDir()).state, 'stopped');
    const resumed = run(['resume', runDir(), '--python', '/usr/bin/python3', '--set', 'train.steps=5']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(status(runDir()).state, 'completed');
  });

  it('kill -9 of mim-lab: the engine sees its stdin close and still stops cleanly', async () => {
    const runs = tempDir('torch-cli');
    const child = spawn(process.execPath, [CLI, 'pretrain', '--engine', 'torch', '--python', '/usr/bin/python3', '--preset', 'cae-tiny', '--set', 'train.steps=100000', '--runs-dir', runs],
      { env: { ...ENV, MIMLAB_CONTRACT_STEP_S: '0.05' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const runDir = (): string => (existsSync(runs) && readdirSync(runs).length ? join(runs, readdirSync(runs)[0]) : '');
    await until('the run to step', () => !!runDir() && existsSync(join(runDir(), 'status.json')) && status(runDir()).step >= 2);
    child.kill('SIGKILL');
    await until('the orphaned engine to stop', () => status(runDir()).state === 'stopped');
  });
});
