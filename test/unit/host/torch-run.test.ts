// The editor's RunManager driving a torch-engine run: the real trainer entry (dist/trainer.js) relaying a Python
// process that speaks the engine contract (test/fixtures/torch-contract), over the same IPC path as TF.js runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainerArgs } from '../../../src/jobs/job-spec';
import { RunManager } from '../../../src/host/run-manager';
import { engineLabel, engineOfBackend, type RunStatus } from '../../../src/protocol/run-files';
import type { TrainerEvent } from '../../../src/protocol/events';
import { ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'torch-contract');

before(ensureBuilt);

function manager(): RunManager {
  return new RunManager({
    launch: () => ({
      execPath: process.execPath, trainerPath: join(ROOT, 'dist', 'trainer.js'), cwd: ROOT,
      env: { ...process.env, MIMLAB_TORCH_ENGINE: FIXTURE, MIMLAB_CONTRACT_STEP_S: '0.05' },
    }),
    stopTimings: { askMs: 5_000, termMs: 2_000 },
  });
}

test('New Run\'s engine and mimLab.pythonPath reach the trainer\'s command line', () => {
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', preset: 'cae-tiny', engine: 'torch', python: '/usr/bin/python3' }),
    ['pretrain', '--runs-dir', '/r', '--preset', 'cae-tiny', '--engine', 'torch', '--python', '/usr/bin/python3']);
  assert.deepEqual(trainerArgs({ kind: 'resume', runDir: '/r/a', python: '/opt/py' }), ['resume', '/r/a', '--python', '/opt/py']);
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', python: '' }), ['pretrain', '--runs-dir', '/r']);
});

test('a torch run is seen like any other: hello (torch-cpu), status, done; stop asks and it ends stopped', async () => {
  const runsDir = tempDir('torch-host');
  const rm = manager();
  const events: TrainerEvent[] = [];
  rm.onJobEvent(({ event }) => events.push(event));
  const job = rm.start({ kind: 'pretrain', runsDir, preset: 'cae-tiny', sets: ['train.steps=100000'], engine: 'torch', python: '/usr/bin/python3' });
  await new Promise<void>((resolve) => rm.onJobEvent(({ event }) => event.type === 'status' && event.status.step >= 3 && resolve()));
  assert.equal(job.backend, 'torch-cpu');
  assert.equal(engineOfBackend(job.backend ?? ''), 'torch');
  const exit = await rm.stop(job);
  assert.equal(exit.stoppedBy, 'ask');
  assert.equal(exit.code, 130);
  assert.equal(exit.done?.state, 'stopped');
  assert.ok(job.runDir);
  const status = JSON.parse(readFileSync(join(job.runDir ?? '', 'status.json'), 'utf8')) as RunStatus;
  assert.equal(status.state, 'stopped');
  assert.equal(engineLabel(status), 'torch · torch-cpu · cpu');
  assert.equal(events[0].type === 'log' ? events[1].type : events[0].type, 'hello');
  await rm.dispose();
});

test('a TF.js run folder from before the engine key is labelled tfjs', () => {
  assert.equal(engineLabel({ backend: 'wasm' }), 'tfjs · wasm');
  assert.equal(engineLabel(null, 'torch'), 'torch');
});
