// probe.depth: depth 1 is today's head bit for bit (numbers pinned on the code before depth existed), deeper
// heads add V-JEPA 2's self-attention blocks over the tokens before the cross-attention, and they train.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/ml/backend';
import { tf } from '../../../src/ml/tf';
import { AttentiveHead, attentiveBatcher } from '../../../src/probe/attentive';
import { resolveProbeConfig } from '../../../src/probe/config';
import { runClassifierProbe } from '../../../src/probe/kinds';
import type { ProbeMetricsRow } from '../../../src/protocol/run-files';
import { PLANTED, plantedFeatures } from './attentive-planted';

before(async () => {
  await initBackend('wasm');
});

const SHORT = ['probe.epochs=6', 'probe.warmupEpochs=1', 'probe.batchSize=16'];

async function probe(sets: string[]): Promise<{ top1: number; rows: ProbeMetricsRow[] }> {
  const rows: ProbeMetricsRow[] = [];
  const out = await runClassifierProbe('attentive', plantedFeatures(), resolveProbeConfig('attentive', sets), 2, () => false, (r) => rows.push(r));
  return { top1: out.top1, rows };
}

// Recorded with the attentive probe as it was before probe.depth (commit ef815bd), on the planted problem below.
const PINNED = [
  {
    sets: [] as string[], top1: 0.4791666666666667,
    loss: [1.1129968166351318, 1.0479683876037598, 1.0148408512274425, 0.9713933865229288, 0.9560963412125906, 0.9850756029287974],
    test: [0.4791666666666667, 0.5416666666666666, 0.5208333333333334, 0.5208333333333334, 0.4791666666666667, 0.4791666666666667],
  },
  {
    sets: ['probe.queries=2', 'probe.mlp=true'], top1: 0.5416666666666666,
    loss: [1.1068835854530334, 1.0551234185695648, 1.0061724384625752, 0.94723708430926, 0.9377975761890411, 0.9521630704402924],
    test: [0.4791666666666667, 0.5208333333333334, 0.5208333333333334, 0.5625, 0.5208333333333334, 0.5416666666666666],
  },
];

for (const pin of PINNED) {
  test(`depth 1 (the default, and set explicitly) gives the pre-depth numbers: ${pin.sets.join(' ') || 'CAE head'}`, async () => {
    for (const sets of [[...SHORT, ...pin.sets], [...SHORT, ...pin.sets, 'probe.depth=1']]) {
      const r = await probe(sets);
      assert.equal(r.top1, pin.top1);
      assert.deepEqual(r.rows.map((row) => row.test_top1), pin.test);
      r.rows.forEach((row, i) => assert.ok(Math.abs((row.loss ?? NaN) - pin.loss[i]) < 1e-6, `epoch ${i + 1}: loss ${row.loss} vs pinned ${pin.loss[i]}`));
    }
  });
}

const { dim: D, patches: N } = PLANTED;
const T = N + 1;
const H = 2;

function head(depth: number, extra: { queries?: number; mlp?: boolean } = {}): AttentiveHead {
  return new AttentiveHead({ dim: D, heads: H, numClasses: 3, seed: 5, depth, positions: plantedFeatures().positions, ...extra });
}

test('depth L adds L − 1 self-attention blocks of 12·D² + 13·D parameters each and leaves the cross-attention head as at depth 1', () => {
  const one = head(1);
  const perBlock = 12 * D * D + 13 * D; // LN 2D, qkv 3D²+3D, proj D²+D, LN 2D, fc1 4D²+4D, fc2 4D²+D
  for (const L of [2, 4]) {
    const deep = head(L);
    assert.equal(deep.store.count() - one.store.count(), (L - 1) * perBlock);
    const blockNames = deep.store.names().filter((n) => n.startsWith('blocks.'));
    assert.deepEqual([...new Set(blockNames.map((n) => n.split('.')[1]))], Array.from({ length: L - 1 }, (_, i) => String(i)));
    for (const [name, v] of one.store.entries()) assert.deepEqual(Array.from(deep.store.get(name).dataSync()), Array.from(v.dataSync()), name);
    deep.dispose();
  }
  one.dispose();
});

test('a depth-2 head whose block is the identity (zeroed output projections) pools exactly as the depth-1 head', () => {
  const f = plantedFeatures(8, 4);
  const labels = f.train.labels;
  const tokens = f.train.tokens as Float32Array;
  const one = head(1, { queries: 2, mlp: true });
  const two = head(2, { queries: 2, mlp: true });
  for (const [name, v] of one.store.entries()) {
    // Both heads start the query apart from zero, so the attention is not uniform and positions matter.
    tf.tidy(() => {
      const moved = tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 7), 0.3));
      v.assign(moved);
      two.store.get(name).assign(moved);
    });
  }
  for (const p of ['attn.proj', 'mlp.fc2']) for (const part of ['w', 'b']) tf.tidy(() => two.store.get(`blocks.0.${p}.${part}`).assign(tf.zerosLike(two.store.get(`blocks.0.${p}.${part}`))));
  const idx = Int32Array.from({ length: 8 }, (_, i) => i);
  const a = one.pool(attentiveBatcher(tokens, D, T, f.positions, 1, labels).make(idx), 8);
  const b = two.pool(attentiveBatcher(tokens, D, T, f.positions, 2, labels).make(idx), 8);
  const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>): number => Math.max(...Array.from(x, (xi, i) => Math.abs(xi - y[i])));
  assert.ok(maxDiff(a.probs.dataSync(), b.probs.dataSync()) < 1e-5, 'attention differs');
  assert.ok(maxDiff(a.out.dataSync(), b.out.dataSync()) < 1e-4, 'pooled output differs');
  const uniform = a.probs.dataSync().every((p) => Math.abs(p - 1 / T) < 1e-3);
  assert.ok(!uniform, 'the check needs non-uniform attention (else positions would not matter)');
  one.dispose();
  two.dispose();
});

test('a depth-2 head trains on the planted problem: the loss falls, every block parameter moves, test top-1 beats chance', async () => {
  const f = plantedFeatures();
  const cfg = resolveProbeConfig('attentive', ['probe.epochs=20', 'probe.warmupEpochs=2', 'probe.batchSize=16', 'probe.depth=2', 'probe.lr=0.1']);
  const rows: ProbeMetricsRow[] = [];
  const out = await runClassifierProbe('attentive', f, cfg, H, () => false, (r) => rows.push(r));
  const loss = rows.map((r) => r.loss ?? NaN);
  assert.ok(loss[loss.length - 1] < 0.8 * loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  assert.ok(out.top1 > 1 / PLANTED.classes + 0.15, `test top-1 ${out.top1}`);
  // The block's gradients are not zero: one step from the same init moves every one of its parameters.
  const h = head(2);
  const batch = attentiveBatcher(f.train.tokens as Float32Array, D, T, f.positions, 2, f.train.labels);
  const idx = Int32Array.from({ length: 16 }, (_, i) => i);
  const inputs = batch.make(idx);
  h.store.get('query').assign(tf.randomNormal([D], 0, 0.5, 'float32', 3)); // away from the zero query's uniform attention
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(h.logits(inputs, 16, true))) as tf.Scalar, [...h.params]);
  for (const name of h.store.names().filter((n) => n.startsWith('blocks.0.'))) {
    const g = grads[h.store.get(name).name];
    assert.ok(g && tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0, `no gradient reached ${name}`);
  }
  tf.dispose([...inputs, ...Object.values(grads)]);
  h.dispose();
});

test('probe.depth: a positive integer, refused naming the key otherwise', () => {
  assert.equal(resolveProbeConfig('attentive', []).depth, 1);
  assert.equal(resolveProbeConfig('attentive', ['probe.depth=4']).depth, 4);
  for (const bad of ['0', '-1', '1.5', 'two', '']) {
    assert.throws(() => resolveProbeConfig('attentive', [`probe.depth=${bad}`]), /probe\.depth: expected an integer ≥ 1/);
  }
  assert.throws(() => new AttentiveHead({ dim: D, heads: H, numClasses: 3, seed: 0, depth: 2 }), /needs the encoder position table/);
});
