// Compare snapshots carry each run's random-init floors: only from compared runs of the same encoder and data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCompareRuns } from '../../../src/host/compare-data';

const RUNS = join(__dirname, '../../fixtures/runs');

function randomInitKnn(runDir: string, top1: number): void {
  const dir = join(runDir, 'probes', 'knn-random-20261120-120000');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify({
    id: 'knn-random-20261120-120000', kind: 'knn', top1, top5: 0.5, randomInit: true, checkpointStep: 0, epochs: 0, features: 'cls',
    numTrain: 512, numTest: 256, numClasses: 10, finishedAt: '2026-11-20T12:00:00.000Z',
  }));
}

test('random-init floors come from compared runs of the same architecture and data only', () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-compare-'));
  try {
    const cae = join(root, '20261120-100000-cae-tiny');
    const mae = join(root, '20261120-110000-mae-tiny');
    const wide = join(root, '20261120-120000-cae-wide');
    cpSync(join(RUNS, '20261120-100000-cae-tiny'), cae, { recursive: true });
    cpSync(join(RUNS, '20261120-110000-mae-tiny'), mae, { recursive: true });
    cpSync(join(RUNS, '20261120-100000-cae-tiny'), wide, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(wide, 'config.json'), 'utf8'));
    writeFileSync(join(wide, 'config.json'), JSON.stringify({ ...cfg, model: { ...cfg.model, dim: 64 } }));
    randomInitKnn(cae, 0.21);
    randomInitKnn(wide, 0.3);
    const [a, b, c] = buildCompareRuns([cae, mae, wide], () => false);
    assert.deepEqual(a.randomInitFloors, { knn: 0.21 });
    assert.deepEqual(b.randomInitFloors, { knn: 0.21 }, 'the MAE run has the same encoder and data: CAE\'s random-init probe is its floor too');
    assert.deepEqual(c.randomInitFloors, { knn: 0.3 }, 'a wider encoder has its own floor');
    assert.equal(a.probes.find((p) => p.kind === 'linear')?.numClasses, 10);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
