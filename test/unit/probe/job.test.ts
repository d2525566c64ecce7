import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/resolve';
import { initBackend } from '../../../src/ml/backend';
import { CACHE_DIR } from '../../../src/probe/cache';
import { runProbe, type ProbeJob } from '../../../src/probe/job';
import { RunInputError } from '../../../src/trainer/load-run';
import type { TrainerEvent } from '../../../src/protocol/events';
import { parseJsonLines, type ProbeMetricsRow, type ProbeResult } from '../../../src/protocol/run-files';
import { runPretrain } from '../../../src/trainer/pretrain';
import { StopSignal } from '../../../src/trainer/stop';

let root = '';
let runDir = '';

before(async () => {
  await initBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'mimlab-probe-'));
  const config = resolveConfig({
    preset: 'cae-tiny',
    sets: ['backend=wasm', 'train.steps=2', 'train.checkpointEvery=2', 'data.syntheticTrain=96', 'data.syntheticTest=40', 'sample.every=0', 'model.dim=16'],
  });
  const r = await runPretrain({ config, runsDir: root, name: 'probe-test', reporter: { emit: () => {} }, stop: new StopSignal() });
  assert.equal(r.state, 'completed');
  runDir = r.runDir;
});

after(() => rmSync(root, { recursive: true, force: true }));

function job(kind: string, extra: Partial<ProbeJob> = {}, events: TrainerEvent[] = []): ProbeJob {
  return {
    runDir, kind, randomInit: false, checkpoint: 'latest', sets: ['probe.epochs=3', 'probe.warmupEpochs=1', 'probe.batchSize=32'],
    reporter: { emit: (e) => events.push(e) }, ...extra,
  };
}

test('each probe kind writes complete, parseable config.json, metrics.jsonl and result.json, and reports events', async () => {
  for (const kind of ['attentive', 'linear', 'knn'] as const) {
    const events: TrainerEvent[] = [];
    const r = await runProbe(job(kind, {}, events));
    assert.equal(r.state, 'completed', r.error);
    const dir = r.probeDir as string;
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ProbeResult;
    const keys = ['checkpointStep', 'epochs', 'features', 'finishedAt', 'id', 'kind', 'numClasses', 'numTest', 'numTrain', 'randomInit', 'top1', 'top5'];
    assert.deepEqual(Object.keys(result).sort(), [...keys, ...(kind === 'attentive' ? ['head'] : [])].sort());
    if (kind === 'attentive') assert.deepEqual(result.head, { depth: 1, queries: 1, mlp: false }, 'the default head is CAE\'s');
    assert.equal(result.kind, kind);
    assert.ok(result.top1 >= 0 && result.top1 <= 1);
    assert.ok(result.top5 !== null && result.top5 >= result.top1 && result.top5 <= 1);
    assert.deepEqual([result.checkpointStep, result.randomInit, result.numTrain, result.numTest, result.numClasses], [2, false, 96, 40, 10]);
    assert.equal(result.features, kind === 'attentive' ? 'tokens' : 'mean');
    assert.equal(result.id, dir.split(/[\\/]/).pop());
    assert.ok(!Number.isNaN(Date.parse(result.finishedAt)));
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.kind, config.randomInit, config.checkpointStep], [kind, false, 2]);
    const rows = parseJsonLines<ProbeMetricsRow>(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    assert.equal(rows.length, kind === 'knn' ? 1 : 3);
    assert.equal(rows[rows.length - 1].test_top1, result.top1, 'the last epoch is the reported result');
    if (kind !== 'knn') assert.deepEqual(rows.map((x) => x.epoch), [1, 2, 3]);
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'hello');
    assert.deepEqual(types.slice(-2), ['probe-result', 'done']);
    assert.equal(types.filter((t) => t === 'probe-progress').length, rows.length);
    const hello = events[0] as Extract<TrainerEvent, { type: 'hello' }>;
    assert.equal(hello.job, 'probe');
    const done = events[events.length - 1] as Extract<TrainerEvent, { type: 'done' }>;
    assert.deepEqual([done.job, done.state], ['probe', 'completed']);
    if (kind === 'attentive') {
      const dump = JSON.parse(readFileSync(join(dir, 'attention.json'), 'utf8')) as { tokens: number; probs: number[][][] };
      assert.equal(dump.tokens, 17);
      for (const row of dump.probs.flat()) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    }
  }
});

test('features are cached per checkpoint and reused: same seed, same numbers; random init is cached separately', async () => {
  const logs: string[] = [];
  const capture = (e: TrainerEvent): void => {
    if (e.type === 'log') logs.push(e.message);
  };
  const a = await runProbe(job('linear', { reporter: { emit: capture } }));
  const b = await runProbe(job('linear', { reporter: { emit: capture } }));
  assert.equal(a.result?.top1, b.result?.top1);
  assert.ok(logs.some((l) => l === 'features: from cache'));
  const cache = readdirSync(join(runDir, 'probes', CACHE_DIR)).sort();
  assert.ok(cache.includes('step-000002-pooled') && cache.includes('step-000002-tokens'), cache.join(', '));
  const rnd = await runProbe(job('knn', { randomInit: true }));
  assert.equal(rnd.result?.randomInit, true);
  assert.equal(rnd.result?.checkpointStep, 0);
  assert.ok(readdirSync(join(runDir, 'probes', CACHE_DIR)).some((d) => d.startsWith('random-')));
});

test('missing or incompatible checkpoints and a missing run are refused before anything is written, naming them', async () => {
  const refused = (pattern: RegExp) => (e: unknown): boolean => e instanceof RunInputError && pattern.test(e.message);
  const probes = (dir: string): string[] => (existsSync(join(dir, 'probes')) ? readdirSync(join(dir, 'probes')).filter((d) => d !== CACHE_DIR) : []);
  const before = probes(runDir);
  await assert.rejects(runProbe(job('linear', { checkpoint: 999 })), refused(/no checkpoint for step 999 .*available: 2/));
  assert.deepEqual(probes(runDir), before, 'nothing is written for a probe that could not start');

  const other = join(root, 'incompatible');
  cpSync(runDir, other, { recursive: true });
  const cfgPath = join(other, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { model: { dim: number } };
  cfg.model.dim = 32;
  writeFileSync(cfgPath, JSON.stringify(cfg));
  await assert.rejects(runProbe(job('knn', { runDir: other })), refused(/probe: .*incompatible.*shape/));

  rmSync(join(other, 'checkpoints'), { recursive: true, force: true });
  await assert.rejects(runProbe(job('knn', { runDir: other })), refused(/no checkpoint found/));

  await assert.rejects(runProbe(job('knn', { runDir: join(root, 'nope') })), refused(/probe: no such folder: .*nope/));
});

test('a stop request ends the probe as stopped without a result.json', async () => {
  const stop = new StopSignal();
  stop.request('test');
  const r = await runProbe(job('attentive', { stop, sets: ['probe.epochs=2', 'probe.warmupEpochs=0'] }));
  assert.equal(r.state, 'stopped');
  if (r.probeDir) assert.ok(!existsSync(join(r.probeDir, 'result.json')));
});
