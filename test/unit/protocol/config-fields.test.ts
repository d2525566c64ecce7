// Fields that do not apply to a run's algorithm are shown as "—" wherever a config is shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { PRESETS } from '../../../src/config/presets';
import { presetConfig, flatten } from '../../../src/config/resolve';
import { buildCompareRuns } from '../../../src/host/compare-data';
import { buildTable, readRunRow } from '../../../src/probe/compare';
import { displayConfigValue, fieldApplies, inapplicableFields, NOT_APPLICABLE } from '../../../src/protocol/config-fields';

const RUNS = join(__dirname, '../../fixtures/runs');
const CAE = join(RUNS, '20261120-100000-cae-tiny');
const MAE = join(RUNS, '20261120-110000-mae-tiny');

test('λ, the teacher and the regressor apply to CAE only; the decoder width to MAE only', () => {
  for (const k of ['loss.alignWeight', 'teacher.momentum', 'model.regressorDepth', 'monitor.collapseStd']) {
    assert.equal(fieldApplies(k, 'cae'), true, k);
    assert.equal(fieldApplies(k, 'mae'), false, k);
  }
  assert.equal(fieldApplies('model.decoderDim', 'cae'), false);
  assert.equal(fieldApplies('train.lr', 'mae'), true);
  assert.equal(displayConfigValue('loss.alignWeight', 2, 'mae'), NOT_APPLICABLE);
  assert.equal(displayConfigValue('loss.alignWeight', 2, 'cae'), '2');
});

test('every preset: the fields it leaves without effect are exactly its algorithm\'s inapplicable ones', () => {
  for (const name of Object.keys(PRESETS)) {
    const c = presetConfig(name);
    const off = inapplicableFields(Object.keys(flatten(c as unknown as Record<string, unknown>)), c.algorithm);
    assert.deepEqual(off.sort(), c.algorithm === 'mae'
      ? ['loss.alignWeight', 'model.regressorDepth', 'monitor.collapseStd', 'teacher.momentum']
      : ['model.decoderDim', 'model.decoderHeads'], name);
  }
});

test('the paper preset states its own λ = 2', () => {
  assert.equal(PRESETS['cae-vit-b16-224'].overrides.loss?.alignWeight, 2);
});

test('compare (CLI table and panel) shows "—" for MAE\'s λ', () => {
  const table = buildTable([readRunRow(CAE), readRunRow(MAE)]);
  assert.match(table.rows[0][2], /loss\.alignWeight=2/);
  assert.match(table.rows[1][2], /loss\.alignWeight=—/);
  const [cae, mae] = buildCompareRuns([CAE, MAE], () => false);
  assert.equal(cae.keyConfig['loss.alignWeight'], '2');
  assert.equal(mae.keyConfig['loss.alignWeight'], NOT_APPLICABLE);
});
