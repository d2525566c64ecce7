// The fault soak of the PyTorch engine, shortened for the suite (4 kills; `mim-lab bench --soak --set
// engine=torch` runs 20): the same soak as the TF.js one (src/bench/soak.ts), driven through `mim-lab pretrain
// --set engine=torch` and `mim-lab resume`, so the CLI's interpreter check, the job file and the Python engine's
// checkpoints and metrics are all under the kills. One torch thread keeps it fair to the other tests' cores.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliSoakEngine, runSoak } from '../../../src/bench/soak';
import { SOAK_SETS } from '../../../src/cli/soak-command';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';
import { assertSoakPassed } from '../../helpers/soak';
import { PYTHON } from './python';

before(ensureBuilt);

const STEPS = 60;

test('torch engine: 4 × kill -9 at random moments, each followed by resume: every step once, the same losses, no torn checkpoint', async () => {
  assert.ok(SOAK_SETS.includes(`train.steps=${STEPS}`));
  const cli = cliSoakEngine(CLI, ['--preset', 'cae-tiny', ...[...SOAK_SETS, 'engine=torch', 'torch.device=cpu'].flatMap((s) => ['--set', s])], 'torch');
  const engine = { ...cli, env: { ...cli.env, MIMLAB_PYTHON: PYTHON, MIMLAB_TORCH_THREADS: '1', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } };
  const r = await runSoak({ engine, steps: STEPS, kills: 4, seed: 1, workDir: tempDir('torch-soak') });
  assertSoakPassed(r, STEPS, 4, 'torch');
});
