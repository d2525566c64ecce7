// The demo probes its floors (random init, raw pixels) in a second process alongside pretraining
// (src/cli/demo-baselines.ts): the numbers must be those of the same `mim-lab probe` run on its own, every floor
// must be there, and a floor that fails must say which one and why.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BaselineProbes, type Baseline } from '../../../src/cli/demo-baselines';
import { CLI, cli, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

const PROBE_SETS = ['--set', 'probe.epochs=2', '--set', 'probe.warmupEpochs=0'];

function top1(probeDir: string): number {
  return (JSON.parse(readFileSync(join(probeDir, 'result.json'), 'utf8')) as { top1: number }).top1;
}

describe('demo floors in a second process', () => {
  let runDir = '';
  let stdout = '';
  before(() => {
    ensureBuilt();
    const runsDir = tempDir('demo-floors');
    const r = cli(['demo', '--preset', 'cae-tiny', '--runs-dir', runsDir, ...PROBE_SETS, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    stdout = r.stdout;
    runDir = join(runsDir, readdirSync(runsDir)[0]);
  });

  it('probes every floor and prints each beside the pretrained numbers', () => {
    assert.match(stdout, /floors \(random init, raw pixels\) are probed alongside pretraining, in a second process with one thread/);
    const probes = readdirSync(join(runDir, 'probes'));
    for (const prefix of ['attentive-random', 'linear-random', 'knn-random', 'linear-pixels', 'knn-pixels', 'attentive-step', 'linear-step', 'knn-step']) {
      assert.equal(probes.filter((p) => p.startsWith(prefix)).length, 1, `${prefix} in ${probes.join(', ')}`);
    }
    for (const kind of ['attentive', 'linear', 'k-NN']) assert.match(stdout, new RegExp(`\\[demo\\] ${kind} +pretrained .* random init .* margin`));
    assert.match(stdout, /\[demo\] linear +pretrained .* pixels .* margin/);
  });

  it('gives the numbers the same probe gives on its own', () => {
    const probes = readdirSync(join(runDir, 'probes'));
    for (const [prefix, flag] of [['linear-random', '--random-init'], ['knn-pixels', '--pixels']] as const) {
      const inDemo = top1(join(runDir, 'probes', probes.find((p) => p.startsWith(prefix)) ?? ''));
      const r = cli(['probe', runDir, '--kind', prefix.split('-')[0], flag, ...PROBE_SETS, '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(top1(r.stdout.trim().split('\n').pop() ?? ''), inDemo, prefix);
    }
  });

  it('names the floor that failed and why', async () => {
    const floors: Baseline[] = [{ kind: 'linear', floor: 'random' }, { kind: 'knn', floor: 'pixels' }];
    const probes = new BaselineProbes(floors, [], { execPath: process.execPath, trainerPath: CLI, env: { ...process.env }, cwd: process.cwd() });
    const got: string[] = [];
    probes.start(join(tempDir('demo-floors-missing'), 'no-such-run'), (b) => got.push(b.kind));
    await assert.rejects(probes.done(), /linear probe \(random init\) failed: .*no-such-run/);
    assert.deepEqual(got, [], 'nothing after the failure');
  });
});
