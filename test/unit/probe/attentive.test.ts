import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { applyLayerNorm, applyLinear, applyMlp } from '../../../src/ml/blocks';
import { initBackend } from '../../../src/ml/backend';
import { multiHeadAttention } from '../../../src/ml/layers';
import { Rng } from '../../../src/ml/rng';
import { tf, type Tensor2D } from '../../../src/ml/tf';
import { AttentiveHead, normaliseTokens } from '../../../src/probe/attentive';
import { resolveProbeConfig } from '../../../src/probe/config';

before(async () => {
  await initBackend('wasm');
});

const B = 3;
const N = 4; // patches
const T = N + 1;
const D = 8;
const H = 2;

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** Moves every parameter away from its init (the zero query would make attention uniform and hide mistakes). */
function perturb(head: AttentiveHead): void {
  head.store.entries().forEach(([, v], i) => {
    tf.tidy(() => v.assign(tf.add(v, tf.tensor(randomArray(v.size, 100 + i, 0.5), v.shape))));
  });
}

test('attentive block: logits [B, C], attention [B, H, T] with rows summing to 1, not uniform once trained', () => {
  const head = new AttentiveHead({ dim: D, heads: H, numClasses: 5, seed: 1 });
  perturb(head);
  const tokens = randomArray(B * T * D, 7);
  const { xk, xv } = normaliseTokens(tokens, D, T, randomArray(N * D, 8));
  const xkT = tf.tensor2d(xk, [B * T, D]);
  const xvT = tf.tensor2d(xv, [B * T, D]);
  const { probs, out } = head.attend(xkT, xvT, B);
  assert.deepEqual(probs.shape, [B, H, T]);
  assert.deepEqual(out.shape, [B, D]);
  assert.deepEqual(head.logits([xkT, xvT], B, false).shape, [B, 5]);
  const p = probs.dataSync();
  let maxDev = 0;
  for (let r = 0; r < B * H; r++) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      assert.ok(p[r * T + t] >= 0);
      s += p[r * T + t];
      maxDev = Math.max(maxDev, Math.abs(p[r * T + t] - 1 / T));
    }
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
  }
  assert.ok(maxDev > 0.01, 'a perturbed query must not attend uniformly');
  head.dispose();
});

test('zero-init query attends uniformly (the paper init: the probe starts as mean pooling)', () => {
  const head = new AttentiveHead({ dim: D, heads: H, numClasses: 3, seed: 2 });
  const { xk, xv } = normaliseTokens(randomArray(B * T * D, 9), D, T, randomArray(N * D, 10));
  const p = head.attend(tf.tensor2d(xk, [B * T, D]), tf.tensor2d(xv, [B * T, D]), B).probs.dataSync();
  for (const v of p) assert.ok(Math.abs(v - 1 / T) < 1e-6);
  head.dispose();
});

test('reassociated single-query attention equals the reference block (LN on q/k/v, full projections, MHA)', () => {
  const head = new AttentiveHead({ dim: D, heads: H, numClasses: 4, seed: 3 });
  perturb(head);
  const tokens = randomArray(B * T * D, 11);
  const pos = randomArray(N * D, 12);
  const { xk, xv } = normaliseTokens(tokens, D, T, pos);
  const fast = head.attend(tf.tensor2d(xk, [B * T, D]), tf.tensor2d(xv, [B * T, D]), B);
  // Reference: CAE's AttentiveBlock written out, keys = LN_k(token + pos) (cls position 0), values = LN_v(token).
  const posFull = new Float32Array(B * T * D);
  for (let b = 0; b < B; b++) posFull.set(pos, (b * T + 1) * D);
  const s = head.store;
  const x = tf.tensor2d(tokens, [B * T, D]);
  const q1 = head.queryVector(); // [1, D]
  const q = tf.tile(q1, [B, 1]) as Tensor2D;
  const k = applyLinear(s, 'attn.k', applyLayerNorm(s, 'normk', tf.add(x, tf.tensor2d(posFull, [B * T, D])) as Tensor2D));
  const v = applyLinear(s, 'attn.v', applyLayerNorm(s, 'normv', x));
  const ref = multiHeadAttention(q, k, v, B, H);
  const refOut = applyLinear(s, 'attn.proj', ref.out);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (ai, i) => Math.abs(ai - b[i])));
  assert.ok(maxDiff(fast.probs.dataSync(), ref.probs.dataSync()) < 1e-5, 'attention probabilities differ');
  assert.ok(maxDiff(fast.out.dataSync(), refOut.dataSync()) < 1e-4, 'block outputs differ');
  head.dispose();
});

test('only the probe head is trainable: a tape over the loss reaches its variables and nothing else', () => {
  const head = new AttentiveHead({ dim: D, heads: H, numClasses: 3, seed: 4 });
  const { xk, xv } = normaliseTokens(randomArray(B * T * D, 13), D, T, randomArray(N * D, 14));
  const inputs = [tf.tensor2d(xk, [B * T, D]), tf.tensor2d(xv, [B * T, D])];
  const decoy = tf.variable(tf.ones([D]), true, 'encoder-decoy'); // a trainable variable the probe must not touch
  const { grads } = tf.variableGrads(() => tf.sum(head.logits(inputs, B, true)) as tf.Scalar); // no var list: every trainable variable used
  const own = new Set(head.params.map((p) => p.name));
  assert.ok(Object.keys(grads).length > 0);
  for (const name of Object.keys(grads)) assert.ok(own.has(name), `gradient reached ${name}`);
  assert.ok(!(decoy.name in grads));
  decoy.dispose();
  head.dispose();
});

test('several queries with an MLP equal the reference: per query LN/MHA/proj, then x + MLP(LN(x)), averaged over queries', () => {
  const head = new AttentiveHead({ dim: D, heads: H, numClasses: 4, seed: 3, queries: 3, mlp: true });
  head.store.entries().forEach(([, v], i) => tf.tidy(() => v.assign(tf.add(v, tf.tensor(randomArray(v.size, 200 + i, 0.5), v.shape)))));
  const tokens = randomArray(B * T * D, 21);
  const pos = randomArray(N * D, 22);
  const { xk, xv } = normaliseTokens(tokens, D, T, pos);
  const fast = head.attend(tf.tensor2d(xk, [B * T, D]), tf.tensor2d(xv, [B * T, D]), B);
  assert.deepEqual(fast.probs.shape, [B, H, T]);
  assert.deepEqual(fast.out.shape, [B, D]);
  const posFull = new Float32Array(B * T * D);
  for (let b = 0; b < B; b++) posFull.set(pos, (b * T + 1) * D);
  const s = head.store;
  const x = tf.tensor2d(tokens, [B * T, D]);
  const k = applyLinear(s, 'attn.k', applyLayerNorm(s, 'normk', tf.add(x, tf.tensor2d(posFull, [B * T, D])) as Tensor2D));
  const v = applyLinear(s, 'attn.v', applyLayerNorm(s, 'normv', x));
  const qs = tf.split(head.queryVector(), 3, 0);
  const per = qs.map((q1) => {
    const r = multiHeadAttention(tf.tile(q1, [B, 1]) as Tensor2D, k, v, B, H);
    const y = applyLinear(s, 'attn.proj', r.out);
    return { out: tf.add(y, applyMlp(s, 'mlp', applyLayerNorm(s, 'norm2', y))), probs: r.probs };
  });
  const refOut = tf.div(tf.addN(per.map((p) => p.out)), 3);
  const refProbs = tf.div(tf.addN(per.map((p) => tf.reshape(p.probs, [B, H, T]))), 3);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (ai, i) => Math.abs(ai - b[i])));
  assert.ok(maxDiff(fast.probs.dataSync(), refProbs.dataSync()) < 1e-5, 'attention probabilities differ');
  assert.ok(maxDiff(fast.out.dataSync(), refOut.dataSync()) < 1e-4, 'outputs differ');
  head.dispose();
});

test('the defaults are CAE\'s probe (one zero query, no MLP); several queries start apart', () => {
  const cfg = resolveProbeConfig('attentive', []);
  assert.equal(cfg.queries, 1);
  assert.equal(cfg.mlp, false);
  const one = new AttentiveHead({ dim: D, heads: H, numClasses: 2, seed: 1 });
  assert.deepEqual(one.store.entries().map(([n]) => n).filter((n) => n.startsWith('mlp') || n.startsWith('norm2')), []);
  assert.ok(one.store.get('query').dataSync().every((q) => q === 0));
  const many = new AttentiveHead({ dim: D, heads: H, numClasses: 2, seed: 1, queries: 2 });
  const q = many.store.get('query').dataSync();
  assert.notDeepEqual(Array.from(q.subarray(0, D)), Array.from(q.subarray(D)));
  one.dispose();
  many.dispose();
  const set = resolveProbeConfig('attentive', ['probe.queries=4', 'probe.mlp=true']);
  assert.deepEqual([set.queries, set.mlp], [4, true]);
  assert.throws(() => resolveProbeConfig('attentive', ['probe.mlp=yes']), /probe\.mlp: expected true or false/);
  assert.throws(() => resolveProbeConfig('attentive', ['probe.queries=0']), /probe\.queries/);
});
