// The editor's attentive-probe settings → the probe's overrides: CAE's head adds none, others become probe.* sets
// the probe accepts, and a bad setting is refused naming it before any probe starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTENTIVE_HEAD_SETTINGS, attentiveHeadSets } from '../../../src/host/attentive-head-settings';
import { resolveProbeConfig } from '../../../src/probe/config';

test('CAE\'s head (the settings\' defaults in package.json) adds no overrides', () => {
  const props = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } }).contributes.configuration.properties;
  const raw = { depth: props[ATTENTIVE_HEAD_SETTINGS.depth].default, queries: props[ATTENTIVE_HEAD_SETTINGS.queries].default, mlp: props[ATTENTIVE_HEAD_SETTINGS.mlp].default };
  assert.deepEqual(attentiveHeadSets(raw), { sets: [] });
});

test('a V-JEPA 2-style head becomes probe.depth / probe.queries / probe.mlp, which the probe resolves to that head', () => {
  const r = attentiveHeadSets({ depth: 4, queries: 16, mlp: true });
  assert.ok('sets' in r);
  assert.deepEqual(r.sets, ['probe.depth=4', 'probe.queries=16', 'probe.mlp=true']);
  const cfg = resolveProbeConfig('attentive', r.sets);
  assert.deepEqual([cfg.depth, cfg.queries, cfg.mlp], [4, 16, true]);
});

test('a bad setting is refused naming it and what it expects', () => {
  assert.deepEqual(attentiveHeadSets({ depth: 0, queries: 1, mlp: false }), { error: 'mimLab.attentiveProbe.depth: expected an integer ≥ 1, got 0' });
  assert.deepEqual(attentiveHeadSets({ depth: 2, queries: 1.5, mlp: false }), { error: 'mimLab.attentiveProbe.queries: expected an integer ≥ 1, got 1.5' });
  assert.deepEqual(attentiveHeadSets({ depth: 2, queries: 1, mlp: 'yes' }), { error: 'mimLab.attentiveProbe.mlp: expected true or false, got "yes"' });
});
