// The two engines are one model: from the same initial weights and the same batch (masks included), exported by
// the bench (src/bench/twin.ts), the TF.js step and the torch engine's step (bench/torch_twin.py, which imports
// engines/torch/mimlab_torch) give the same losses, at the first step and along 20 updates.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { describe, it } from 'node:test';
import { exportTwin } from '../../../src/bench/twin';
import { createModel } from '../../../src/ml/create-model';
import { disposeInputs } from '../../../src/ml/inputs';
import { AdamW } from '../../../src/ml/optimizer';
import { trainStep } from '../../../src/ml/train-step';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';
import { tempDir } from '../../helpers/runs';
import { PYTHON, pythonEnv, TWIN } from './python';

const STEPS = 20;
/** Relative agreement asked of every loss: float32 rounding in two op orders stays orders of magnitude below it. */
const REL = 1e-3;

async function twinLosses(dir: string, steps: number): Promise<{ first: number; rows: [number, number, number | null][] }> {
  const proc = spawn(PYTHON, [TWIN, '--dir', dir, '--threads', '1'], { env: pythonEnv() });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`twin exited: ${stderr}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  proc.stdin.write(`losses ${steps}\n`);
  const losses = await next();
  proc.stdin.end('quit\n');
  return { first: ready.loss as number, rows: losses.rows as [number, number, number | null][] };
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

for (const [name, sets] of [['CAE', []], ['MAE', ['algorithm=mae', 'mask.kind=random']]] as const) {
  describe(`torch engine ≡ TF.js engine (${name})`, () => {
    it(`agrees on the first-step loss to ${REL} and along ${STEPS} steps on the same batch`, async () => {
      await useWasm();
      const config = tinyConfig([...sets, 'train.lr=2e-3']);
      const { spec, inputs } = tinyInputs(config);
      const model = createModel(spec);
      const opt = new AdamW(model.trainable, { beta1: config.train.beta1, beta2: config.train.beta2, eps: 1e-8, weightDecay: config.train.weightDecay });
      const dir = tempDir('twin');
      await exportTwin(dir, config, model, inputs);
      const ts: [number, number, number | null][] = [];
      try {
        for (let s = 0; s < STEPS; s++) {
          const r = await trainStep(model, opt, [inputs], config.train.lr, config.train.clipGrad);
          ts.push([r.loss, r.lossMain, r.lossAlign]);
        }
      } finally {
        disposeInputs(inputs);
        model.dispose();
        opt.dispose();
      }
      const py = await twinLosses(dir, STEPS);
      assert.ok(rel(py.first, ts[0][0]) < REL, `first-step loss: torch ${py.first} vs TF.js ${ts[0][0]}`);
      assert.equal(py.rows.length, STEPS);
      py.rows.forEach(([loss, main, align], s) => {
        assert.ok(rel(loss, ts[s][0]) < REL, `step ${s + 1} loss: torch ${loss} vs TF.js ${ts[s][0]}`);
        assert.ok(rel(main, ts[s][1]) < REL, `step ${s + 1} loss_main: torch ${main} vs TF.js ${ts[s][1]}`);
        if (name === 'CAE') assert.ok(rel(align as number, ts[s][2] as number) < REL, `step ${s + 1} loss_align: torch ${align} vs TF.js ${ts[s][2]}`);
        else assert.equal(align, null);
      });
      assert.ok(ts[STEPS - 1][0] < ts[0][0] * 0.9, `the ${STEPS} steps train (loss ${ts[0][0]} → ${ts[STEPS - 1][0]}), so the curves compare updates, not a flat line`);
    });
  });
}
