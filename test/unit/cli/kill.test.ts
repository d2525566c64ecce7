import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLines, type MetricsRow, type RunStatus } from '../../../src/protocol/run-files';
import { cli, cliAsync, ensureBuilt } from '../../helpers/cli';
import { lossesOf, tempDir } from '../../helpers/runs';

before(ensureBuilt);

const SETS = ['--set', 'train.steps=40', '--set', 'train.checkpointEvery=3', '--set', 'train.batchSize=4'];

function metrics(runDir: string): MetricsRow[] {
  return parseJsonLines<MetricsRow>(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8'));
}

/** Starts a run and resolves once it has logged at least `step` steps. */
async function startAndWait(runs: string, step: number, sets = SETS): Promise<{ child: ReturnType<typeof cliAsync>; runDir: string }> {
  const child = cliAsync(['pretrain', '--preset', 'cae-tiny', '--runs-dir', runs, ...sets]);
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const dirs = existsSync(runs) ? readdirSync(runs) : [];
    const runDir = dirs.length ? join(runs, dirs[0]) : '';
    if (runDir && existsSync(join(runDir, 'metrics.jsonl')) && metrics(runDir).length >= step) return { child, runDir };
    if (child.exitCode !== null) throw new Error('trainer exited early');
  }
}

describe('a killed run', () => {
  it('kill -9 mid-run leaves a run that resume completes with the same losses, each step once', async () => {
    const ref = tempDir('ref');
    assert.equal(cli(['pretrain', '--preset', 'cae-tiny', '--runs-dir', ref, ...SETS]).code, 0);
    const refDir = join(ref, readdirSync(ref)[0]);

    const runs = tempDir('kill');
    const { child, runDir } = await startAndWait(runs, 17);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.equal(status.state, 'running', 'a killed trainer cannot mark itself');

    const r = cli(['resume', runDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), runDir);
    const rows = metrics(runDir);
    assert.deepEqual(rows.map((x) => x.step), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.deepEqual(lossesOf(rows), lossesOf(metrics(refDir)));
  });

  it('SIGTERM writes a checkpoint, marks the run stopped and exits', async () => {
    const runs = tempDir('term');
    const { child, runDir } = await startAndWait(runs, 5, [...SETS, '--set', 'train.steps=100000']);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 130);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.equal(status.state, 'stopped');
    assert.equal(status.checkpointStep, status.step);
    assert.ok(existsSync(join(runDir, 'checkpoints', `step-${String(status.step).padStart(6, '0')}`)));
  });
});
