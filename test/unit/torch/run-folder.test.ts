// A torch run folder is a TF.js run folder: the same files, read by the same readers, with the same numbers when
// both engines train the same config (same data order, augmentation, masks, drop path and initial weights).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createModel } from '../../../src/ml/create-model';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { AdamW } from '../../../src/ml/optimizer';
import { readCheckpoints, readRunSummary, readSampleSteps } from '../../../src/host/run-reader';
import type { RunStatus } from '../../../src/protocol/run-files';
import type { SampleManifest } from '../../../src/protocol/samples';
import { exportState } from '../../../src/trainer/model-state';
import { diagnosticHooks } from '../../../src/trainer/sampler';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { metricsOf, tempDir, train } from '../../helpers/runs';
import { startEngine, writeJob } from './python';

before(useWasm);

/** The safetensors header of a checkpoint: names and shapes. */
function safetensorsHeader(file: string): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  delete header.__metadata__;
  const end = Math.max(...Object.values(header).map((h) => h.data_offsets[1]));
  assert.equal(buf.length, 8 + n + end, `${file}: size matches the header`);
  return header;
}

const REL = 1e-3;

for (const [name, sets] of [
  ['CAE with drop path and micro-batches', ['model.dropPath=0.2', 'train.microBatch=4']],
  ['MAE', ['algorithm=mae', 'mask.kind=random']],
  ['CAE with issue 18\'s options', ['teacher.schedule=cosine', 'teacher.momentumEnd=1', 'mask.kind=multiblock', 'loss.alignTarget=layernorm', 'loss.alignLoss=smooth-l1']],
] as const) {
  describe(`a torch run (${name})`, () => {
    it('writes the TF.js run folder, read by the shared readers, with the TF.js engine\'s losses', async () => {
      const config = tinyConfig(['train.batchSize=8', 'train.steps=12', 'train.checkpointEvery=5', 'sample.every=5', ...sets]);
      const tfjs = await train(config, { hooks: diagnosticHooks(config) });
      assert.equal(tfjs.state, 'completed');
      const runDir = join(tempDir('torch-run'), 'run');
      const r = await startEngine(writeJob(tempDir('jobs'), 'pretrain', runDir, config));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stray, [], 'stdout carries trainer events only');
      assert.equal(r.events[0].type, 'hello');
      assert.deepEqual(r.events.at(-1), { type: 'done', job: 'pretrain', state: 'completed', runDir });

      const summary = readRunSummary(runDir);
      assert.equal(summary.displayState, 'completed');
      const status = summary.status as RunStatus & Record<string, unknown>;
      assert.equal(status.step, 12);
      assert.equal(status.checkpointStep, 12);
      assert.equal(status.engine, 'torch');
      assert.equal(status.backend, 'torch-cpu');
      assert.equal(status.worldSize, 1);
      assert.equal(status.precision, 'fp32');
      assert.equal(typeof status.torchVersion, 'string');
      assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')), config);
      assert.deepEqual(readCheckpoints(runDir), readCheckpoints(tfjs.runDir));
      assert.deepEqual(readSampleSteps(runDir), readSampleSteps(tfjs.runDir));
      assert.deepEqual(readSampleSteps(runDir), [0, 5, 10, 12]);

      // Same metrics rows, field for field; losses to REL (float32 in two op orders), schedule and epochs exactly.
      const ours = metricsOf(runDir);
      const theirs = metricsOf(tfjs.runDir);
      assert.deepEqual(ours.map((m) => m.step), theirs.map((m) => m.step));
      assert.equal(r.events.filter((e) => e.type === 'metrics').length, ours.length);
      ours.forEach((row, i) => {
        const t = theirs[i];
        assert.deepEqual(Object.keys(row).sort(), Object.keys(t).sort(), `step ${row.step}: same fields`);
        assert.equal(row.epoch, t.epoch);
        assert.ok(Math.abs(row.lr - t.lr) <= 1e-12 * t.lr, `step ${row.step} lr`);
        for (const k of ['loss', 'loss_main', 'loss_align', 'latent_std', 'grad_norm', 'target_var', 'pred_var', 'rank_me'] as const) {
          const a = row[k];
          const b = t[k];
          if (b === null || b === undefined) assert.equal(a, b, `step ${row.step} ${k}`);
          else assert.ok(Math.abs((a as number) - b) <= REL * Math.abs(b), `step ${row.step} ${k}: torch ${a} vs TF.js ${b}`);
        }
        if (t.teacher_momentum !== undefined) assert.ok(Math.abs((row.teacher_momentum as number) - t.teacher_momentum) <= 1e-12, `step ${row.step} teacher_momentum`);
      });

      // Samples: the same files and manifest (timing aside), so the panels and the report draw them.
      for (const step of [0, 12]) {
        const dir = (d: string): string => join(d, 'samples', String(step).padStart(6, '0'));
        assert.deepEqual(readdirSync(dir(runDir)).sort(), readdirSync(dir(tfjs.runDir)).sort());
        const m = JSON.parse(readFileSync(join(dir(runDir), 'sample.json'), 'utf8')) as SampleManifest;
        const t = JSON.parse(readFileSync(join(dir(tfjs.runDir), 'sample.json'), 'utf8')) as SampleManifest;
        assert.deepEqual({ ...m, elapsedMs: 0 }, { ...t, elapsedMs: 0 });
      }

      // Checkpoint format 2: every array under the TF.js names and shapes, optimizer moments included.
      const header = safetensorsHeader(join(runDir, 'checkpoints', 'step-000012', 'weights.safetensors'));
      const model = createModel(modelSpecFromConfig(config));
      const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
      const expected = (await exportState(model, opt)).arrays;
      model.dispose();
      opt.dispose();
      assert.deepEqual(Object.keys(header).sort(), expected.map((a) => a.name).sort());
      for (const a of expected) {
        assert.deepEqual(header[a.name].shape, a.shape, a.name);
        assert.equal(header[a.name].dtype, 'F32');
      }
      const meta = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'step-000012', 'meta.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(meta.format, 2);
      assert.equal(meta.engine, 'torch');
      assert.equal(meta.step, 12);
      assert.equal(meta.optimizerT, 12);
      assert.deepEqual(meta.config, config);
      assert.equal('arrays' in meta, false);
    });
  });
}
