// Pins the first logged numbers of short fixed-seed runs, recorded on the code before the architecture refactor
// (issue 13), so that moving code around cannot move the demo's seed-0 table: same seed, same losses.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveConfig } from '../../../src/config/resolve';
import { useWasm } from '../../helpers/engine';
import { metricsOf, train } from '../../helpers/runs';

before(useWasm);

type Pinned = { step: number; loss: number; loss_main: number; loss_align: number | null; latent_std: number | null | undefined; grad_norm: number | undefined };

async function firstRows(preset: string, sets: string[]): Promise<Pinned[]> {
  const { runDir, state } = await train(resolveConfig({ preset, sets: ['sample.every=0', ...sets] }));
  assert.equal(state, 'completed');
  return metricsOf(runDir).map((r) => ({ step: r.step, loss: r.loss, loss_main: r.loss_main, loss_align: r.loss_align, latent_std: r.latent_std, grad_norm: r.grad_norm }));
 }

const PIN_CASES: { name: string; preset: string; sets: string[] }[] = [
  { name: 'cae-tiny', preset: 'cae-tiny', sets: ['train.steps=5'] },
  { name: 'cae-tiny, micro-batched', preset: 'cae-tiny', sets: ['train.steps=3', 'train.microBatch=4'] },
  { name: 'mae-tiny', preset: 'cae-tiny', sets: ['algorithm=mae', 'mask.kind=random', 'train.steps=3'] },
  { name: 'cae-demo', preset: 'cae-demo', sets: ['train.steps=2'] },
];

const PINNED: Record<string, Pinned[]> = {
  'cae-tiny': [
    { step: 1, loss: 5.205266952514648, loss_main: 0.9865830540657043, loss_align: 2.109341859817505, latent_std: 0.7851882576942444, grad_norm: 18.854232788085938 },
    { step: 2, loss: 4.983337879180908, loss_main: 0.9870325922966003, loss_align: 1.998152732849121, latent_std: 0.8119773864746094, grad_norm: 19.944570541381836 },
    { step: 3, loss: 5.093528747558594, loss_main: 0.9766979217529297, loss_align: 2.058415412902832, latent_std: 0.8564441800117493, grad_norm: 18.055862426757812 },
    { step: 4, loss: 4.894827365875244, loss_main: 0.9762137532234192, loss_align: 1.9593067169189453, latent_std: 0.7671079635620117, grad_norm: 23.008913040161133 },
    { step: 5, loss: 4.993378639221191, loss_main: 0.976862370967865, loss_align: 2.008258104324341, latent_std: 0.8467503190040588, grad_norm: 18.12089729309082 },
  ],
  'cae-tiny, micro-batched': [
    { step: 1, loss: 5.205267906188965, loss_main: 0.9865834712982178, loss_align: 2.109342098236084, latent_std: 0.7526811957359314, grad_norm: 18.854232788085938 },
    { step: 2, loss: 4.983338356018066, loss_main: 0.9870325922966003, loss_align: 1.998152732849121, latent_std: 0.7540155649185181, grad_norm: 19.944570541381836 },
    { step: 3, loss: 5.093533992767334, loss_main: 0.9766983985900879, loss_align: 2.058417797088623, latent_std: 0.8384255170822144, grad_norm: 18.05586051940918 },
  ],
  'mae-tiny': [
    { step: 1, loss: 0.9913341999053955, loss_main: 0.9913341999053955, loss_align: null, latent_std: null, grad_norm: 0.2509206235408783 },
    { step: 2, loss: 0.9894063472747803, loss_main: 0.9894063472747803, loss_align: null, latent_std: null, grad_norm: 0.5333264470100403 },
    { step: 3, loss: 0.9877217411994934, loss_main: 0.9877217411994934, loss_align: null, latent_std: null, grad_norm: 0.34170326590538025 },
  ],
  'cae-demo': [
    { step: 1, loss: 5.070464611053467, loss_main: 1.0154989957809448, loss_align: 2.027482748031616, latent_std: 0.9025483131408691, grad_norm: 10.285707473754883 },
    { step: 2, loss: 5.098360061645508, loss_main: 1.012202501296997, loss_align: 2.043078899383545, latent_std: 0.8933641910552979, grad_norm: 10.879284858703613 },
  ],
};

// MIMLAB_RECORD_PINS=1 prints the rows to pin (only when the numbers are meant to change).
if (process.env.MIMLAB_RECORD_PINS === '1') {
  it('records the pinned rows', async () => {
    const out: Record<string, Pinned[]> = {};
    for (const c of PIN_CASES) out[c.name] = await firstRows(c.preset, c.sets);
    console.log(`PINS ${JSON.stringify(out)}`);
  });
 }

// Relative 1e-6: identical on one machine (float32 values); leaves room only for a different wasm thread split.
function close(a: number | null | undefined, b: number | null | undefined, what: string): void {
  if (typeof a !== 'number' || typeof b !== 'number') return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs pinned ${b}`);
 }

describe('fixed-seed runs log the pinned numbers', () => {
  for (const c of PIN_CASES) {
    it(c.name, async () => {
      const rows = await firstRows(c.preset, c.sets);
      const pinned = PINNED[c.name];
      assert.equal(rows.length, pinned.length);
      rows.forEach((r, i) => {
        for (const key of ['step', 'loss', 'loss_main', 'loss_align', 'latent_std', 'grad_norm'] as const) close(r[key], pinned[i][key], `${c.name} step ${r.step} ${key}`);
      });
    });
   }
});
