// The fused wasm kernels (src/ml/kernels) against the straightforward TF.js ops they replace: forward values and
// gradients, op by op and for whole CAE/MAE training steps.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { wasmInfo } from '../../../src/ml/backend';
import { kernelHelper } from '../../../src/ml/kernels/register';
import { CaeModel } from '../../../src/ml/cae';
import { fusedActive, helperChunks, helperOnlyForTests, setFusedKernels } from '../../../src/ml/kernels/fused';
import { disposeInputs } from '../../../src/ml/inputs';
import { gelu, layerNorm, linear, linearOfConstant, multiHeadAttention, residual, selfAttention, weightGrad } from '../../../src/ml/layers';
import { MaeModel } from '../../../src/ml/mae';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import type { MimModel } from '../../../src/ml/model';
import { AdamW, clipScale } from '../../../src/ml/optimizer';
import { ParamStore } from '../../../src/ml/params';
import { fusedColVariance, fusedEmaAll } from '../../../src/ml/kernels/fused-ops';
import { tf, type Tensor, type Tensor2D } from '../../../src/ml/tf';
import { trainStep } from '../../../src/ml/train-step';
import { tinyConfig, tinyInputs, useWasm } from '../../helpers/engine';

before(async () => {
  await useWasm();
  assert.equal(tf.getBackend(), 'wasm');
});
after(() => setFusedKernels(true));

/** Runs f with the fused kernels on and off. */
function both<T>(f: () => T): { fused: T; reference: T } {
  setFusedKernels(true);
  assert.ok(fusedActive(), 'the fused kernels are active on wasm');
  const fused = f();
  setFusedKernels(false);
  const reference = f();
  setFusedKernels(true);
  return { fused, reference };
}

/** Largest |a − b| relative to the largest |b| (at least `floor`). */
function relErr(a: Float32Array | number[], b: Float32Array | number[], floor = 1e-30): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = floor;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

/** A float32 tensor's bit patterns, for bit-for-bit comparisons. */
const bits = (t: Tensor): number[] => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

function rand(shape: number[], seed: number, scale = 1): Tensor {
  return tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale);
}

/** Value and gradients (w.r.t. every input) of Σ f(inputs)·probe. */
function valueAndGrads(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], seed = 99): Float32Array[] {
  return tf.tidy(() => {
    const y = f(...inputs);
    const probe = rand(y.shape, seed);
    const grads = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(inputs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function assertClose(fused: Float32Array[], reference: Float32Array[], tol: number, what: string): void {
  assert.equal(fused.length, reference.length);
  fused.forEach((a, i) => {
    const e = relErr(a, reference[i]);
    assert.ok(e < tol, `${what}: ${i === 0 ? 'value' : `gradient ${i}`} differs by ${e.toExponential(2)} (relative)`);
  });
}

describe('fused wasm kernels equal the reference ops', () => {
  it('LayerNorm, forward and gradients (x, γ, β)', () => {
    for (const [m, d] of [[7, 8], [66, 128], [5, 36]]) {
      const inputs = [rand([m, d], 1, 3), tf.add(rand([d], 2, 0.2), 1), rand([d], 3, 0.2)];
      const r = both(() => valueAndGrads((x, g, b) => layerNorm(x as Tensor2D, g, b), inputs));
      assertClose(r.fused, r.reference, 2e-5, `layerNorm [${m}, ${d}]`);
      tf.dispose(inputs);
    }
  });

  it('GELU, forward and gradient, over the whole range', () => {
    const x = tf.concat([tf.linspace(-9, 9, 1001), rand([1023], 4, 3)]).reshape([2024, 1]) as Tensor2D;
    const r = both(() => valueAndGrads((t) => gelu(t as Tensor2D), [x]));
    assertClose(r.fused, r.reference, 2e-6, 'gelu');
    x.dispose();
  });

  it('self-attention from a fused qkv, forward (out and probabilities) and gradient', () => {
    // head widths with and without a 16-float remainder; token counts not multiples of 4
    for (const [batch, n, dim, heads] of [[2, 3, 8, 2], [3, 5, 24, 2], [2, 33, 128, 4], [1, 6, 36, 1]]) {
      const qkv = rand([batch * n, 3 * dim], 5, 2);
      const r = both(() => valueAndGrads((t) => selfAttention(t as Tensor2D, batch, heads).out, [qkv]));
      assertClose(r.fused, r.reference, 2e-5, `self-attention B${batch} N${n} D${dim} H${heads}`);
      const p = both(() => tf.tidy(() => selfAttention(qkv as Tensor2D, batch, heads).probs.dataSync() as Float32Array));
      assert.ok(relErr(p.fused, p.reference) < 2e-6, 'attention probabilities');
      qkv.dispose();
    }
  });

  it('cross-attention (queries and keys of different lengths), forward and gradients for q, k, v', () => {
    for (const [batch, nq, nk, dim, heads] of [[2, 3, 7, 8, 2], [4, 32, 65, 128, 4], [1, 1, 5, 20, 1]]) {
      const inputs = [rand([batch * nq, dim], 6), rand([batch * nk, dim], 7), rand([batch * nk, dim], 8)];
      const r = both(() => valueAndGrads((q, k, v) => multiHeadAttention(q as Tensor2D, k as Tensor2D, v as Tensor2D, batch, heads).out, inputs));
      assertClose(r.fused, r.reference, 2e-5, `cross-attention B${batch} Nq${nq} Nk${nk} D${dim} H${heads}`);
      tf.dispose(inputs);
    }
  });

  it('the layer-scaled residual and the linear layer (bias gradient as a column sum)', () => {
    const inputs = [rand([10, 12], 9), rand([10, 12], 10), rand([12], 11, 0.1)];
    const r = both(() => valueAndGrads((x, b, g) => residual(x as Tensor2D, b as Tensor2D, g), inputs));
    assertClose(r.fused, r.reference, 1e-6, 'residual');
    const lin = [rand([37, 20], 12), rand([20, 70], 13, 0.1), rand([70], 14)];
    const l = both(() => valueAndGrads((x, w, b) => linear(x as Tensor2D, w, b), lin));
    assertClose(l.fused, l.reference, 1e-5, 'linear');
    tf.dispose([...inputs, ...lin]);
  });

  it('large calls, split between the main and the helper thread, give the same results (GELU, transpose)', () => {
    const x = rand([1001, 40], 18, 3);
    const g = both(() => valueAndGrads((t) => gelu(t as Tensor2D), [x]));
    assertClose(g.fused, g.reference, 2e-6, 'gelu (split)');
    const lin = [rand([301, 128], 19), rand([128, 64], 20, 0.1), rand([64], 21)];
    const l = both(() => valueAndGrads((a, w, b) => linear(a as Tensor2D, w, b), lin));
    assertClose(l.fused, l.reference, 1e-5, 'linear (split transpose)');
    tf.dispose([x, ...lin]);
  });

  it('the helper thread computes its chunks like the main thread (attention, GELU, transpose)', (t) => {
    const qkv = rand([8 * 9, 3 * 16], 22) as Tensor2D;
    const x = rand([300, 128], 23) as Tensor2D;
    const w = rand([128, 4], 24);
    // attention and GELU forward and backward; the linear layer's backward transposes x [300, 128] in chunks
    const run = (): Float32Array[] => valueAndGrads((a, b, c) => tf.addN([
      tf.sum(selfAttention(a as Tensor2D, 8, 2).out), tf.sum(gelu(b as Tensor2D)), tf.sum(linear(b as Tensor2D, c)),
    ]), [qkv, x, w]);
    const before = helperChunks();
    if (!helperOnlyForTests(true)) {
      t.skip('no helper thread (single-threaded backend)');
      tf.dispose([qkv, x, w]);
      return;
    }
    let helper: Float32Array[];
    try {
      helper = run();
    } finally {
      helperOnlyForTests(false);
    }
    assert.ok(helperChunks() > before, 'the helper ran chunks');
    setFusedKernels(false);
    const reference = run();
    setFusedKernels(true);
    assertClose(helper, reference, 2e-5, 'helper thread');
    tf.dispose([qkv, x, w]);
  });

  it('leaves no tensors behind (probabilities of the fused attention are owned by the caller)', () => {
    const qkv = rand([12, 24], 15);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const a = selfAttention(qkv as Tensor2D, 2, 2);
      tf.grad((t: Tensor) => tf.sum(selfAttention(t as Tensor2D, 2, 2).out))(qkv);
      return a.out;
    }).dispose();
    assert.equal(tf.memory().numTensors, before);
    qkv.dispose();
  });
});

describe('whole training steps, fused against reference', () => {
  async function step(make: () => MimModel, sets: string[]): Promise<{ losses: number[]; grads: Float32Array[]; after: Float32Array[] }> {
    const config = tinyConfig(sets);
    const { inputs } = tinyInputs(config, 0, true);
    const model = make();
    const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
    const prep = model.prepare(inputs);
    const { value, grads } = tf.variableGrads(() => model.losses(inputs, prep.targets).loss, opt.params());
    const g = opt.params().map((p) => grads[p.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads), ...prep.targets]);
    prep.latentStd?.dispose();
    const losses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await trainStep(model, opt, [inputs], 1e-3, 1);
      losses.push(r.loss, r.gradNorm);
    }
    const afterValues = opt.params().map((p) => p.dataSync() as Float32Array);
    disposeInputs(inputs);
    model.dispose();
    opt.dispose();
    return { losses, grads: g, after: afterValues };
  }

  for (const [name, sets] of [
    ['CAE (cae-tiny: layer scale, cross-attention regressor)', []],
    ['CAE with drop path', ['model.dropPath=0.1']],
    ['MAE', ['algorithm=mae', 'mask.kind=random']],
  ] as const) {
    it(`${name}: loss, every parameter's gradient, and the parameters after two AdamW steps`, async () => {
      const spec = modelSpecFromConfig(tinyConfig([...sets]));
      const mk = (): MimModel => (spec.algorithm === 'cae' ? new CaeModel(spec) : new MaeModel(spec));
      setFusedKernels(true);
      const fused = await step(mk, [...sets]);
      setFusedKernels(false);
      const reference = await step(mk, [...sets]);
      setFusedKernels(true);
      assert.ok(relErr(fused.losses, reference.losses) < 1e-5, `losses/grad norms ${fused.losses} vs ${reference.losses}`);
      // Per parameter, relative to its largest gradient; parameters whose gradient is zero in exact arithmetic
      // (a key bias: softmax ignores a per-query shift) carry only rounding noise, so the floor is global.
      const scale = Math.max(...reference.grads.map((g) => g.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));
      fused.grads.forEach((g, i) => {
        const e = relErr(g, reference.grads[i], 1e-3 * scale);
        assert.ok(e < 1e-4, `gradient of parameter ${i} differs by ${e.toExponential(2)}`);
      });
      // Adam divides by √v: where a gradient is tiny its rounding moves the update, but by far less than a step (lr 1e-3).
      fused.after.forEach((p, i) => {
        const d = p.reduce((m, x, j) => Math.max(m, Math.abs(x - reference.after[i][j])), 0);
        assert.ok(d < 2e-6, `parameter ${i} after two steps differs by ${d.toExponential(2)}`);
      });
    });
  }
});

describe('the wasm backend in Node', () => {
  it('runs threaded with one XNNPACK thread per core (the workaround of src/ml/wasm-threads.ts still works)', (t) => {
    if (os.availableParallelism() < 2 || process.env.MIMLAB_WASM_THREADS) {
      t.skip('one core, or MIMLAB_WASM_THREADS set');
      return;
    }
    assert.ok(wasmInfo && !wasmInfo.fallback, `threaded start failed: ${wasmInfo?.fallback}`);
    assert.ok(wasmInfo.threads >= 2 && wasmInfo.threads <= os.availableParallelism(), `${wasmInfo.threads} threads`);
    assert.ok(kernelHelper, 'the fused kernels have their helper thread');
  });
});

describe('kernels the wasm backend lacks', () => {
  it('UnsortedSegmentSum: the gradient of tf.gather works on wasm and equals a one-hot matmul', () => {
    const x = rand([6, 5], 16);
    const idx = tf.tensor1d([4, 0, 4, 2, 5, 4, 1], 'int32');
    const probe = rand([7, 5], 17);
    const g = tf.grad((t: Tensor) => tf.sum(tf.mul(tf.gather(t, idx), probe)))(x);
    const oneHot = tf.oneHot(idx, 6).toFloat() as Tensor2D;
    const ref = tf.grad((t: Tensor) => tf.sum(tf.mul(tf.matMul(oneHot, t as Tensor2D), probe)))(x);
    assert.ok(relErr(g.dataSync() as Float32Array, ref.dataSync() as Float32Array) < 1e-6);
    tf.dispose([x, idx, probe, g, oneHot, ref]);
  });

  it('Identity shares the buffer (tf.customGrad saves without copying) and clones stay independent tensors', () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    b.dispose();
  });
});

describe('one kernel call where TF.js runs many (Add/Sub/Multiply, AdamW over all parameters, the EMA teacher, column variance)', () => {

  it('Add, Sub and Multiply give the stock kernels\' bits for equal shapes, trailing broadcasts and scalars, and leave other cases to them', () => {
    const cases: [number[], number[]][] = [
      [[512, 64], [512, 64]], [[37], [37]], [[512, 64], [64]], [[64], [512, 64]], [[64, 1, 64], [64]], [[4, 3, 8], [1, 3, 8]],
      [[6, 7], [7]], [[5, 3], [1, 1, 3]], [[2, 3], [2, 1]], [[3, 1], [1, 4]], [[4, 5], []], [[], [3, 4]], [[1, 1], [9, 6]], [[9, 6], [1]],
    ];
    for (const kernel of ['Add', 'Sub', 'Multiply']) {
      assert.equal((tf.getKernel(kernel, 'wasm') as { mimFast?: boolean } | undefined)?.mimFast, true, `${kernel} is taken over on wasm`);
    }
    for (const [name, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul]] as const) {
      cases.forEach(([sa, sb], i) => {
        const { fused, reference } = both(() => tf.tidy(() => {
          const y = op(rand(sa, 100 + i), rand(sb, 200 + i));
          return { shape: y.shape, bits: bits(y) };
        }));
        assert.deepEqual(fused.shape, reference.shape, `${name} ${sa}, ${sb}: shape`);
        assert.deepEqual(fused.bits, reference.bits, `${name} ${sa}, ${sb}: values`);
      });
    }
    const ints = tf.tidy(() => Array.from(tf.sub(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([10, 20, 30], 'int32')).dataSync()));
    assert.deepEqual(ints, [-9, -18, -27]);
  });

  it('AdamW over every parameter in one call, with the clip scale folded in, equals the op-by-op update bit for bit', () => {
    const run = (): number[][] => tf.tidy(() => {
      const store = new ParamStore(1, 'p');
      store.create('w', [16, 12], { kind: 'truncNormal', std: 1 }); // decayed (rank 2)
      store.create('b', [7], { kind: 'truncNormal', std: 1 }); // not decayed
      const opt = new AdamW({ s: store }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
      for (let step = 0; step < 3; step++) {
        const grads = [rand([16, 12], 10 + step, 3), rand([7], 20 + step, 3)];
        opt.apply(grads, 1e-2, step === 1 ? 1 : clipScale(7.3 + step, 3));
      }
      const out = opt.params().map((p) => bits(p));
      opt.dispose();
      tf.dispose(store.variables());
      return out;
    });
    const { fused, reference } = both(run);
    assert.deepEqual(fused, reference);
  });

  it('clipScale rounds like min(1, maxNorm / (norm + 1e-6)) on float32 tensors', () => {
    for (const [norm, max] of [[7.3, 3], [0.1234567, 1], [2.9999995, 3], [1e-7, 1e-6], [123456.7, 0.5]]) {
      const tensorScale = tf.tidy(() => tf.minimum(1, tf.div(max, tf.add(tf.scalar(norm), 1e-6))).dataSync()[0]);
      assert.equal(clipScale(Math.fround(norm), max), tensorScale, `norm ${norm}, max ${max}`);
    }
    assert.equal(clipScale(5, 0), 1, 'maxNorm 0 turns clipping off');
  });

  it('the EMA teacher update equals m·t + (1−m)·e op by op, bit for bit', () => {
    const { fused, reference } = both(() => tf.tidy(() => {
      const t = [rand([64, 192], 30), rand([5], 31)];
      const e = [rand([64, 192], 32), rand([5], 33)];
      const m = 0.9961234;
      const out = fusedActive() ? fusedEmaAll(t, e, m) : t.map((x, i) => tf.add(tf.mul(x, m), tf.mul(e[i], 1 - m)));
      return out.map(bits);
    }));
    assert.deepEqual(fused, reference);
  });

  it('column variance equals tf.moments over the rows, for widths that are and are not multiples of 4', () => {
    for (const [m, n] of [[512, 64], [3, 7], [33, 1], [9, 130]]) {
      const x = rand([m, n], m + n, 2.5) as Tensor2D;
      const fused = fusedColVariance(x).dataSync() as Float32Array;
      const reference = tf.moments(x, 0).variance.dataSync() as Float32Array;
      assert.ok(relErr(fused, reference) < 1e-6, `[${m}, ${n}]: ${relErr(fused, reference).toExponential(2)}`);
      x.dispose();
    }
  });
});

describe('the dense layer\'s backward (which operand to transpose, no gradient for a constant input)', () => {
  it('the weight gradient gives xᵀ·dy\'s bits whether it transposes x or dy (probe-head, MLP and square shapes)', () => {
    for (const [m, k, n] of [[256, 3072, 10], [136, 256, 64], [136, 64, 256], [100, 33, 7], [17, 8, 8]]) {
      const { fused, reference } = both(() => tf.tidy(() => {
        const x = rand([m, k], m + k) as Tensor2D;
        const dy = rand([m, n], n, 0.3) as Tensor2D;
        return { picked: bits(weightGrad(x, dy)), direct: bits(tf.matMul(tf.transpose(x), dy)) };
      }));
      assert.deepEqual(fused.picked, fused.direct, `[${m}, ${k}, ${n}] with the fused kernels`);
      assert.deepEqual(reference.picked, reference.direct, `[${m}, ${k}, ${n}] on the reference ops`);
    }
  });

  it('a linear layer on a constant input (a probe head) has linear\'s value and weight/bias gradients, bit for bit', () => {
    const x = rand([64, 300], 40) as Tensor2D;
    const w = rand([300, 10], 41, 0.05);
    const b = rand([10], 42);
    const probe = rand([64, 10], 43);
    const wv = tf.variable(w);
    const bv = tf.variable(b);
    const [full, constant] = [linear, linearOfConstant].map((f) => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x, wv, bv), probe)) as tf.Scalar, [wv, bv]);
      return [value, grads[wv.name], grads[bv.name]].map(bits);
    }));
    assert.deepEqual(constant, full);
    tf.dispose([x, w, b, probe, wv, bv]);
  });
});
