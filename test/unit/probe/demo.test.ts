import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoVerdict } from '../../../src/cli/demo';

test('demo verdict: pretrained must beat random init on every probe, and every probe must be there', () => {
  const all = [
    { kind: 'attentive' as const, pretrained: 0.5, random: 0.4 },
    { kind: 'linear' as const, pretrained: 0.3, random: 0.1 },
    { kind: 'knn' as const, pretrained: 0.2, random: 0.1 },
  ];
  const v = demoVerdict(all);
  assert.equal(v.ok, true);
  assert.match(v.lines[0], /attentive +pretrained +50\.0 % +random init +40\.0 % +margin 10\.0 points/);
  assert.equal(demoVerdict([...all.slice(0, 2), { kind: 'knn', pretrained: 0.1, random: 0.1 }]).ok, false, 'a tie is not a win');
  assert.equal(demoVerdict(all.slice(0, 2)).ok, false, 'a missing probe is not a win');
});
