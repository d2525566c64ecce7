// The fault soak, shortened for the suite (4 kills; `mim-lab bench --soak` runs 20): one TF.js run killed with
// SIGKILL at random moments and resumed each time ends with every step logged once, the losses of an
// uninterrupted run and only complete checkpoints. Checked here from the folders, not only from the soak's report.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliSoakEngine, runSoak } from '../../../src/bench/soak';
import { SOAK_SETS } from '../../../src/cli/soak-command';
import type { RunStatus } from '../../../src/protocol/run-files';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { lossesOf, metricsOf, tempDir } from '../../helpers/runs';

before(ensureBuilt);

const STEPS = 60;

test('4 × kill -9 at random moments, each followed by resume: every step once, the same losses, no torn checkpoint', async () => {
  assert.ok(SOAK_SETS.includes(`train.steps=${STEPS}`));
  const engine = cliSoakEngine(CLI, ['--preset', 'cae-tiny', ...SOAK_SETS.flatMap((s) => ['--set', s])]);
  const r = await runSoak({ engine, steps: STEPS, kills: 4, seed: 1, workDir: tempDir('soak') });
  assert.deepEqual(r.problems, []);

  assert.equal(r.kills.length, 4);
  for (const k of r.kills) assert.equal(k.ended, 'SIGKILL', `kill ${k.round + 1} hit a live process`);
  const midRun = r.kills.filter((k) => k.loggedStep > 0 && k.loggedStep < STEPS);
  assert.ok(midRun.length >= 2, `kills interrupted training: ${JSON.stringify(r.kills)}`);

  const rows = metricsOf(r.runDir);
  assert.deepEqual(rows.map((x) => x.step), Array.from({ length: STEPS }, (_, i) => i + 1));
  assert.deepEqual(lossesOf(rows), lossesOf(metricsOf(r.refDir)));
  const status = JSON.parse(readFileSync(join(r.runDir, 'status.json'), 'utf8')) as RunStatus;
  assert.equal(status.state, 'completed');
  const root = join(r.runDir, 'checkpoints');
  const names = readdirSync(root);
  assert.ok(names.length > 0);
  for (const name of names) {
    assert.match(name, /^step-\d{6}$/, 'no temporary folder left');
    assert.equal(loadCheckpoint(root, Number(name.slice(5))).meta.step, Number(name.slice(5)));
  }
});
