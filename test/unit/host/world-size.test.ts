// How the editor shows a torch run under torchrun: the world size in the runs tree, the run header / compare
// label, and the `--nproc` the New Run flow passes to the trainer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainerArgs } from '../../../src/jobs/job-spec';
import { readRunSummaries } from '../../../src/host/run-reader';
import { present, runNode } from '../../../src/host/tree-model';
import { engineLabel, type RunStatus } from '../../../src/protocol/run-files';

const run = readRunSummaries(join(__dirname, '../../fixtures/runs')).find((r) => r.runId === '20261120-100000-cae-tiny');

test('the runs tree shows the processes of a run started under torchrun, and nothing for one process', () => {
  assert.ok(run?.status);
  const ddp = { ...run, status: { ...run.status, engine: 'torch', backend: 'torch-cpu', worldSize: 2, distBackend: 'gloo' } as RunStatus };
  assert.match(present(runNode(ddp)).description ?? '', /^completed · step 30\/30 · ×2 processes · loss/);
  const single = { ...run, status: { ...run.status, worldSize: 1 } };
  assert.doesNotMatch(present(runNode(single)).description ?? '', /processes/);
});

test('the engine label (run header, compare table) names the world size and the collective backend', () => {
  assert.equal(engineLabel({ engine: 'torch', backend: 'torch-cuda', device: 'NVIDIA H100', worldSize: 8, distBackend: 'nccl' }), 'torch · torch-cuda · 8 processes (nccl) · NVIDIA H100');
  assert.equal(engineLabel({ engine: 'torch', backend: 'torch-cpu', device: 'cpu', worldSize: 1 }), 'torch · torch-cpu · cpu');
});

test('New Run passes --nproc for several processes, nothing for one', () => {
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', preset: 'cae-tiny', engine: 'torch', nproc: 2 }), ['pretrain', '--runs-dir', '/r', '--preset', 'cae-tiny', '--engine', 'torch', '--nproc', '2']);
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', preset: 'cae-tiny', engine: 'torch', nproc: 1 }), ['pretrain', '--runs-dir', '/r', '--preset', 'cae-tiny', '--engine', 'torch']);
});
