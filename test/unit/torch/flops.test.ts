// The MFU numerator: the analytic FLOP count of a training step (engines/torch/mimlab_torch/flops.py) against the
// matmuls torch executes, counted op by op through the dispatcher (flop_count.py: FlopCounterMode on torch ≥ 2.1, a
// dispatch-mode counter on Debian's 1.13), and against the TypeScript bench's count of the same config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepFlops } from '../../../src/bench/flops';
import { PRESETS } from '../../../src/config/presets';
import { resolveConfig } from '../../../src/config/resolve';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { tinyConfig } from '../../helpers/engine';
import { pythonJson } from './python';

interface Counts {
  analytic: { forward: number; total: number };
  embeddingInputGrad: number;
  measured: { forward: number; total: number; counter: string };
}

/** Both counts for one step of `config` (random images, the config's masks, drop path drawn). */
function counts(config: object): Counts {
  return pythonJson<Counts>(`
import json, torch
from mimlab_torch.model import create_model, spec_from_config
from mimlab_torch.masking import generate_masks, mask_spec_of
from mimlab_torch.inputs import build_inputs
from mimlab_torch.flops import step_flops, embedding_input_grad
from mimlab_torch.flop_count import measured_flops
from mimlab_torch.device import Compute
c = json.loads(${JSON.stringify(JSON.stringify(config))})
spec = spec_from_config(c)
model = create_model(spec)
B, S = c['train']['batchSize'], c['data']['imageSize']
torch.manual_seed(0)
inp = build_inputs(spec, torch.randn(B, S, S, c['data']['channels']), generate_masks(mask_spec_of(c), B, 0, 0), drop_step=0)
nv, nm = inp.vis_idx.shape[1], inp.mask_idx.shape[1]
a = step_flops(spec, B, nv, nm)
print(json.dumps({'analytic': {'forward': a['forward'], 'total': a['total']}, 'embeddingInputGrad': embedding_input_grad(spec, B, nv),
                  'measured': measured_flops(model, inp, Compute(c).autocast)}))`);
}

const MAE_TINY = ['algorithm=mae', 'model.decoderDim=16', 'model.decoderHeads=2', 'model.decoderDepth=2', 'mask.kind=random', 'loss.normPix=true'];

describe('model FLOPs of a training step', () => {
  for (const [name, sets] of [
    ['CAE (λ = 2, drop path 0.1, layer scale)', ['loss.alignWeight=2', 'model.dropPath=0.1', 'model.layerScale=0.1']],
    ['CAE (λ = 0: the alignment term out of the graph)', ['loss.alignWeight=0']],
    ['MAE', MAE_TINY],
    // Each pass enters autocast on its own: one region would reuse the no_grad pass's casts and skip weight gradients.
    ['CAE in bf16 autocast', ['loss.alignWeight=2', 'engine=torch', 'train.precision=bf16']],
  ] as const) {
    it(`${name}: the forward count equals the executed matmuls; forward + backward differs only by the embedding's input gradient`, () => {
      const c = counts(tinyConfig([...sets]));
      assert.ok(c.measured.forward > 0);
      assert.equal(c.analytic.forward, c.measured.forward, `forward (${c.measured.counter})`);
      // ×3 charges the patch embedding's input gradient too, which autograd skips (pixels need none): exactly that apart.
      assert.equal(c.analytic.total - c.embeddingInputGrad, c.measured.total, `forward + backward (${c.measured.counter})`);
      assert.ok(c.embeddingInputGrad < 0.05 * c.analytic.total);
    });
  }

  it('the count changes with what the model computes (a deeper encoder, more masked patches)', () => {
    const base = counts(tinyConfig()).analytic.total;
    assert.ok(counts(tinyConfig(['model.depth=3'])).analytic.total > base);
    const masked = counts(tinyConfig(['mask.count=12', 'mask.kind=random'])).analytic;
    const fewer = counts(tinyConfig(['mask.count=4', 'mask.kind=random'])).analytic;
    assert.notEqual(masked.total, fewer.total);
  });

  it('the torch engine and the TypeScript bench count every pixel-target preset the same', () => {
    const rows = Object.keys(PRESETS).map((preset) => resolveConfig({ preset, sets: ['train.batchSize=4', 'data.path=/datasets/any'] }))
      .filter((c) => c.loss.target === 'pixels');
    assert.ok(rows.some((c) => c.algorithm === 'mae') && rows.some((c) => c.algorithm === 'cae'));
    const python = pythonJson<number[]>(`
import json
from mimlab_torch.flops import step_flops, config_patches
from mimlab_torch.model import spec_from_config
out = []
for c in json.loads(${JSON.stringify(JSON.stringify(rows))}):
    nv, nm = config_patches(c)
    out.append(step_flops(spec_from_config(c), c['train']['batchSize'], nv, nm)['total'])
print(json.dumps(out))`);
    rows.forEach((c, i) => {
      const grid = c.data.imageSize / c.model.patchSize;
      const ts = stepFlops(modelSpecFromConfig(c), 4, grid * grid - c.mask.count, c.mask.count).total;
      assert.equal(python[i], ts, `${c.preset}`);
    });
  });
});
