// The fault soak, shortened for the suite (4 kills; `mim-lab bench --soak` runs 20): one TF.js run killed with
// SIGKILL at random moments and resumed each time ends with every step logged once, the losses of an
// uninterrupted run and only complete checkpoints. Checked here from the folders, not only from the soak's report.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliSoakEngine, runSoak } from '../../../src/bench/soak';
import { SOAK_SETS } from '../../../src/cli/soak-command';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';
import { assertSoakPassed } from '../../helpers/soak';

before(ensureBuilt);

const STEPS = 60;

test('4 × kill -9 at random moments, each followed by resume: every step once, the same losses, no torn checkpoint', async () => {
  assert.ok(SOAK_SETS.includes(`train.steps=${STEPS}`));
  const engine = cliSoakEngine(CLI, ['--preset', 'cae-tiny', ...SOAK_SETS.flatMap((s) => ['--set', s])]);
  const r = await runSoak({ engine, steps: STEPS, kills: 4, seed: 1, workDir: tempDir('soak') });
  assertSoakPassed(r, STEPS, 4, 'tfjs');
});
