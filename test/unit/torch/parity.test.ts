// Same seed → same numbers in both engines: the Rng streams, the built-in dataset's pixels, the block-wise and
// random masks, the multiblock masks, the initial weights, and (up to one rounding step) the augmented training views.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../../src/data/synthetic';
import { augmentedView, centreView } from '../../../src/data/transforms';
import type { RawImage } from '../../../src/data/types';
import { generateMasks, type MaskSpec } from '../../../src/ml/masking';
import { createModel } from '../../../src/ml/create-model';
import { allStores } from '../../../src/ml/model';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { Rng } from '../../../src/ml/rng';
import { tinyConfig, useWasm } from '../../helpers/engine';
import { pythonJson } from './python';

describe('torch engine ports (same seed, same numbers)', () => {
  it('Rng: derived streams, uniforms, ints, normals and shuffles are identical', () => {
    const keys: (string | number)[][] = [['mask', 5, 0], ['aug', 7, 3], ['order', -1], ['init', 'encoder', 'blocks.0.attn.qkv.w'], ['x', 2 ** 32 + 5], ['ünï', 0]];
    const ts = keys.map((k) => {
      const r = Rng.derive(12345, ...k);
      return [r.next(), r.uniform(-2, 3), r.int(1000), r.normal(), r.shuffle(Array.from({ length: 20 }, (_, i) => i))];
    });
    const py = pythonJson<unknown[]>(`
import json
from mimlab_torch.rng import Rng
out = []
for k in ${JSON.stringify(keys)}:
    r = Rng.derive(12345, *k)
    out.append([r.next(), r.uniform(-2, 3), r.int(1000), r.normal(), r.shuffle(list(range(20)))])
print(json.dumps(out))`);
    assert.deepEqual(py, ts);
  });

  it('the built-in dataset renders the same bytes (every class, two sizes, both splits)', () => {
    for (const size of [16, 32]) {
      const ds = syntheticDataset({ train: 30, test: 12, size });
      const ts = [...Array.from({ length: 30 }, (_, i) => ds.train), ...Array.from({ length: 12 }, () => ds.test)]
        .map((split, k) => Array.from((split as unknown as { readSync(i: number): RawImage }).readSync(k < 30 ? k : k - 30).data));
      const py = pythonJson<number[][]>(`
import json
from mimlab_torch.data.synthetic import SyntheticSplit
tr, te = SyntheticSplit('train', 30, ${size}), SyntheticSplit('test', 12, ${size})
print(json.dumps([tr.read(i).reshape(-1).tolist() for i in range(30)] + [te.read(i).reshape(-1).tolist() for i in range(12)]))`);
      assert.deepEqual(py, ts, `synthetic ${size} px`);
    }
  });

  it('block-wise and random masks are the same per (seed, step, sample), on several grids', () => {
    const specs: MaskSpec[] = [
      { kind: 'block', gridH: 8, gridW: 8, count: 32, minBlock: 0 }, { kind: 'block', gridH: 4, gridW: 4, count: 8, minBlock: 0 },
      { kind: 'block', gridH: 14, gridW: 14, count: 98, minBlock: 16 }, { kind: 'block', gridH: 7, gridW: 7, count: 48, minBlock: 0 },
      { kind: 'random', gridH: 8, gridW: 8, count: 48, minBlock: 0 },
    ];
    const cases = specs.flatMap((s) => [[s, 0, 0], [s, 3, 17], [s, 11, 400]] as const);
    const ts = cases.map(([s, seed, step]) => Array.from(generateMasks(s, 6, seed, step).masks));
    const py = pythonJson<number[][]>(`
import json
from mimlab_torch.masking import MaskSpec, generate_masks
cases = ${JSON.stringify(cases.map(([s, seed, step]) => [s.kind, s.gridH, s.gridW, s.count, s.minBlock, seed, step]))}
print(json.dumps([generate_masks(MaskSpec(*c[:5]), 6, c[5], c[6]).masks.reshape(-1).tolist() for c in cases]))`);
    assert.deepEqual(py, ts);
  });

  it('multiblock masks are the same per (seed, step, sample): trimmed, topped up, one block, tiny and wide ranges', () => {
    const mb = (gridH: number, count: number, blocks: number, blockScale: [number, number], blockAspect: [number, number]): MaskSpec => (
      { kind: 'multiblock', gridH, gridW: gridH, count, minBlock: 0, blocks, blockScale, blockAspect });
    const specs: MaskSpec[] = [
      mb(8, 24, 4, [0.15, 0.2], [0.75, 1.5]), mb(4, 8, 4, [0.15, 0.2], [0.75, 1.5]), mb(14, 98, 4, [0.15, 0.2], [0.75, 1.5]),
      mb(7, 10, 4, [0.15, 0.2], [0.75, 1.5]), mb(8, 40, 1, [0.3, 0.5], [0.5, 2]), mb(2, 1, 2, [0.15, 0.2], [0.75, 1.5]), mb(6, 30, 3, [0.9, 1], [0.2, 5]),
    ];
    const cases = specs.flatMap((s) => [[s, 0, 0], [s, 3, 17], [s, 11, 400]] as const);
    const ts = cases.map(([s, seed, step]) => Array.from(generateMasks(s, 6, seed, step).masks));
    const py = pythonJson<number[][]>(`
import json
from mimlab_torch.masking import MaskSpec, generate_masks
cases = ${JSON.stringify(cases.map(([s, seed, step]) => [s.kind, s.gridH, s.gridW, s.count, s.minBlock, s.blocks, s.blockScale, s.blockAspect, seed, step]))}
print(json.dumps([generate_masks(MaskSpec(*c[:5], c[5], tuple(c[6]), tuple(c[7])), 6, c[8], c[9]).masks.reshape(-1).tolist() for c in cases]))`);
    assert.deepEqual(py, ts);
  });

  it('initial weights are the same arrays under the same names', async () => {
    await useWasm();
    for (const sets of [['model.dropPath=0.1'], ['algorithm=mae']]) {
      const config = tinyConfig(sets);
      const model = createModel(modelSpecFromConfig(config));
      const ts: Record<string, number[]> = {};
      for (const [store, s] of Object.entries(allStores(model))) for (const a of await s.export()) ts[`${store}.${a.name}`] = Array.from(a.data);
      model.dispose();
      const py = pythonJson<Record<string, number[]>>(`
import json
from mimlab_torch.model import create_model, spec_from_config, named_arrays
m = create_model(spec_from_config(json.loads(${JSON.stringify(JSON.stringify(config))})))
print(json.dumps({k: v.detach().reshape(-1).tolist() for k, v in named_arrays(m).items()}))`);
      assert.deepEqual(Object.keys(py).sort(), Object.keys(ts).sort(), sets.join(' '));
      for (const [k, v] of Object.entries(ts)) assert.deepEqual(py[k], v, `${sets.join(' ')}: ${k}`);
    }
  });

  it('augmented and centre views use the same crop boxes and flips (pixels within one rounding step)', () => {
    const ds = syntheticDataset({ train: 8, test: 1, size: 32 });
    const src = (ds.train as unknown as { readSync(i: number): RawImage }).readSync(3);
    const ts = [
      ...Array.from({ length: 16 }, (_, j) => Array.from(augmentedView(src, 16, 3, [0.08, 1], true, Rng.derive(9, 'pretrain', 'aug', 4, j)).data)),
      Array.from(centreView(src, 24, 1).data),
    ];
    const py = pythonJson<number[][]>(`
import json
from mimlab_torch.data.synthetic import SyntheticSplit
from mimlab_torch.data.transforms import augmented_view, centre_view
from mimlab_torch.rng import Rng
img = SyntheticSplit('train', 8, 32).read(3)
out = [augmented_view(img, 16, 3, [0.08, 1], True, Rng.derive(9, 'pretrain', 'aug', 4, j)).reshape(-1).tolist() for j in range(16)]
print(json.dumps(out + [centre_view(img, 24, 1).reshape(-1).tolist()]))`);
    assert.equal(py.length, ts.length);
    let differ = 0;
    py.forEach((view, v) => view.forEach((x, i) => {
      assert.ok(Math.abs(x - ts[v][i]) <= 1, `view ${v} pixel ${i}: ${x} vs ${ts[v][i]}`);
      if (x !== ts[v][i]) differ++;
    }));
    assert.ok(differ < 0.01 * py.length * py[0].length, `${differ} pixels differ by one step`);
  });
});
