// The opt-in WebGPU path (Dawn from the `webgpu` npm package), run on software Vulkan (Mesa lavapipe from
// bookworm-backports, installed by .ci/run): the same CLI run must log the same losses as on wasm.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLines, type MetricsRow, type RunStatus } from '../../../src/protocol/run-files';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

before(ensureBuilt);

function run(backend: string): { rows: MetricsRow[]; status: RunStatus } {
  const runs = tempDir(`backend-${backend}`);
  const r = cli(['pretrain', '--preset', 'cae-tiny', '--backend', backend, '--runs-dir', runs, '--set', 'train.steps=4', '--set', 'sample.every=0']);
  assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => !l.startsWith('Warning')).slice(-5).join('\n'));
  const dir = join(runs, readdirSync(runs)[0]);
  return {
    rows: parseJsonLines<MetricsRow>(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')),
    status: JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as RunStatus,
  };
}

describe('webgpu backend', () => {
  it('trains with the same losses as wasm', () => {
    const gpu = run('webgpu');
    const wasm = run('wasm');
    assert.equal(gpu.status.backend, 'webgpu');
    assert.equal(gpu.status.state, 'completed');
    assert.equal(gpu.rows.length, 4);
    gpu.rows.forEach((r, i) => {
      const ref = wasm.rows[i].loss;
      assert.ok(Math.abs(r.loss - ref) < 1e-4 * Math.abs(ref), `step ${r.step}: webgpu ${r.loss} vs wasm ${ref}`);
    });
  });
});
