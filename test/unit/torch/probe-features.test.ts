// A TF.js probe on a torch-trained checkpoint gives the accuracy of the same probe on the features the torch engine
// computes itself from the same weights (python -m mimlab_torch features): k-NN, linear and attentive (the CAE head,
// and a depth-2 head) to 0.1 points, below one of the 256 test images: the same predictions. So the checkpoint's
// weights, their layout and the feature definition (centre view, run statistics, LayerNorm'd tokens, cls / mean
// pooling, every token for the attentive probe) mean the same in both engines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema';
import type { ProbeResult } from '../../../src/protocol/run-files';
import { resolveProbeConfig } from '../../../src/probe/config';
import type { FeatureSet, FeatureSplit } from '../../../src/diagnostics/features';
import { runClassifierProbe, runKnnProbe } from '../../../src/probe/kinds';
import { get2dSincosPosEmbed } from '../../../src/ml/posembed';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { tempDir } from '../../helpers/runs';
import { PYTHON, pythonEnv, startEngine, writeJob } from './python';

before(async () => {
  ensureBuilt();
  await useWasm();
});

const LIMITS = ['probe.maxTrain=0', 'probe.maxTest=0']; // the whole splits of the tiny preset's data
const TOLERANCE = 0.001; // 0.1 points (below one test image here: the same predictions)

interface TorchSplit { labels: number[]; cls: number[]; mean: number[]; tokens: number[] }
interface TorchFeatures { dim: number; tokensPerImage: number; step: number; train: TorchSplit; test: TorchSplit }

function torchFeatures(runDir: string): TorchFeatures {
  const job = join(tempDir('features-job'), 'job.json');
  writeFileSync(job, JSON.stringify({ version: 1, runDir, checkpoint: 'latest', maxTrain: 0, maxTest: 0, tokens: true }));
  const r = spawnSync(PYTHON, ['-m', 'mimlab_torch', 'features', '--job', job], { env: pythonEnv(), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as TorchFeatures;
}

const split = (s: TorchSplit): FeatureSplit => ({
  n: s.labels.length, labels: Int32Array.from(s.labels), cls: Float32Array.from(s.cls), mean: Float32Array.from(s.mean), tokens: Float32Array.from(s.tokens),
});

function tfjsProbe(runDir: string, kind: string, sets: string[]): ProbeResult {
  const r = cli(['probe', runDir, '--kind', kind, ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(r.code, 0, r.stderr);
  const dir = join(runDir, 'probes', readdirSync(join(runDir, 'probes')).filter((d) => d.startsWith(`${kind}-`)).sort().at(-1) ?? '');
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ProbeResult;
}

describe('TF.js probes on a torch checkpoint = the same probes on the torch engine\'s own features', () => {
  let runDir = '';
  let config: Config;
  let f: FeatureSet;

  before(async () => {
    config = tinyConfig(['engine=torch', 'train.steps=30', 'train.checkpointEvery=30', 'sample.every=0']);
    runDir = join(tempDir('torch-probe'), 'run');
    const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config));
    assert.equal(r.code, 0, r.stderr);
    const t = torchFeatures(runDir);
    assert.equal(t.step, 30);
    f = { dim: t.dim, tokensPerImage: t.tokensPerImage, numClasses: 10, positions: get2dSincosPosEmbed(config.model.dim, config.data.imageSize / config.model.patchSize, config.data.imageSize / config.model.patchSize), train: split(t.train), test: split(t.test) };
  });

  const short = ['probe.epochs=3', 'probe.warmupEpochs=1']; // the attentive probe: a few epochs keep it fast
  for (const [kind, sets] of [
    ['knn', []], ['linear', ['probe.epochs=8', 'probe.warmupEpochs=1']], ['attentive', short], ['attentive', [...short, 'probe.depth=2']],
  ] as const) {
    it(`${kind}${sets.length ? ` (${sets.join(' ')})` : ''}: top-1 within 0.1 points`, async () => {
      const all = [...LIMITS, ...sets];
      const tfjs = tfjsProbe(runDir, kind, all);
      assert.equal(tfjs.numTest, f.test.n);
      assert.equal(tfjs.numTrain, f.train.n);
      if (kind === 'attentive') assert.equal(tfjs.head?.depth, sets.includes('probe.depth=2') ? 2 : 1, 'result.json records the head');
      const cfg = resolveProbeConfig(kind, all);
      const torch = kind === 'knn' ? await runKnnProbe(f, cfg) : await runClassifierProbe(kind, f, cfg, config.model.heads, () => false, () => {});
      assert.ok(Math.abs(tfjs.top1 - torch.top1) <= TOLERANCE, `${kind}: TF.js ${tfjs.top1} vs torch features ${torch.top1}`);
    });
  }
});
