import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/ml/rng';

function draws(r: Rng, n = 4): number[] {
  return Array.from({ length: n }, () => r.next());
}

describe('Rng', () => {
  it('derived streams are deterministic and distinct per key path', () => {
    assert.deepEqual(draws(Rng.derive(3, 'mask', 5)), draws(Rng.derive(3, 'mask', 5)));
    const keys: (string | number)[][] = [['mask', 5], ['mask', 6], ['aug', 5], ['mask', -1], ['mask', 0], ['mask', -2], ['mask', 1], ['mask', 2 ** 32], ['mask', 2 ** 32 + 1]];
    const firsts = keys.map((k) => Rng.derive(3, ...k).next());
    assert.equal(new Set(firsts).size, keys.length, 'no two key paths share a stream (negative and large keys included)');
    assert.notDeepEqual(draws(Rng.derive(3, 'mask', 5)), draws(Rng.derive(4, 'mask', 5)));
  });

  it('uniform, int and shuffle stay in range and permute', () => {
    const r = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform(2, 3);
      assert.ok(u >= 2 && u < 3);
      const k = r.int(7);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    }
    const perm = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual([...perm].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  });
});
