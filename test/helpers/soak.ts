// What both engines' soak tests check from the folders after runSoak, not only from its report: every kill hit
// a live process, at least two interrupted training, every step logged once with the uninterrupted run's
// losses, the run completed by the right engine, and only complete checkpoints written by that engine.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakResult } from '../../src/bench/soak';
import type { RunStatus } from '../../src/protocol/run-files';
import { loadCheckpoint } from '../../src/trainer/checkpoint';
import { lossesOf, metricsOf } from './runs';

export function assertSoakPassed(r: SoakResult, steps: number, kills: number, engine: 'tfjs' | 'torch'): void {
  assert.deepEqual(r.problems, []);

  assert.equal(r.kills.length, kills);
  for (const k of r.kills) assert.equal(k.ended, 'SIGKILL', `kill ${k.round + 1} hit a live process`);
  const midRun = r.kills.filter((k) => k.loggedStep > 0 && k.loggedStep < steps);
  assert.ok(midRun.length >= 2, `kills interrupted training: ${JSON.stringify(r.kills)}`);

  const rows = metricsOf(r.runDir);
  assert.deepEqual(rows.map((x) => x.step), Array.from({ length: steps }, (_, i) => i + 1));
  assert.deepEqual(lossesOf(rows), lossesOf(metricsOf(r.refDir)));
  const status = JSON.parse(readFileSync(join(r.runDir, 'status.json'), 'utf8')) as RunStatus;
  assert.equal(status.state, 'completed');
  assert.equal(status.engine, engine);
  const root = join(r.runDir, 'checkpoints');
  const names = readdirSync(root);
  assert.ok(names.length > 0);
  for (const name of names) {
    assert.match(name, /^step-\d{6}$/, 'no temporary folder left');
    const meta = loadCheckpoint(root, Number(name.slice(5))).meta;
    assert.equal(meta.step, Number(name.slice(5)));
    assert.equal(meta.engine, engine);
  }
}
