// Guards for host↔webview messages: everything malformed or unknown is refused at the door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isComparePanelState, isHostToComparePanel, isHostToRunPanel, isRunPanelState, parseComparePanelMessage, parseRunPanelMessage } from '../../../src/protocol/webview';

test('run panel messages: valid intents pass, the rest is refused', () => {
  assert.deepEqual(parseRunPanelMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseRunPanelMessage({ type: 'intent', action: 'stop', extra: 1 }), { type: 'intent', action: 'stop' });
  assert.deepEqual(parseRunPanelMessage({ type: 'probe', kind: 'attentive' }), { type: 'probe', kind: 'attentive' });
  assert.deepEqual(parseRunPanelMessage({ type: 'request-sample', step: 20 }), { type: 'request-sample', step: 20 });
  assert.deepEqual(parseRunPanelMessage({ type: 'resync', lastSeq: 4 }), { type: 'resync', lastSeq: 4 });
  for (const bad of [null, 1, 'ready', [], {}, { type: 'intent', action: 'rm -rf' }, { type: 'probe', kind: 'svm' }, { type: 'request-sample', step: -1 },
    { type: 'request-sample', step: 1.5 }, { type: 'request-sample', step: '1' }, { type: 'resync' }, { type: 'delete-run' }, { type: 'webview-error', message: 3 }]) {
    assert.equal(parseRunPanelMessage(bad), null, JSON.stringify(bad));
  }
  const long = parseRunPanelMessage({ type: 'webview-error', message: 'x'.repeat(10_000) });
  assert.ok(long?.type === 'webview-error' && long.message.length === 2000);
});

test('compare panel messages', () => {
  assert.deepEqual(parseComparePanelMessage({ type: 'open-run', runId: 'abc' }), { type: 'open-run', runId: 'abc' });
  assert.equal(parseComparePanelMessage({ type: 'open-run', runId: 7 }), null);
  assert.equal(parseComparePanelMessage({ type: 'intent', action: 'stop' }), null);
});

test('host messages and saved panel state', () => {
  assert.ok(isHostToRunPanel({ type: 'snapshot', seq: 1, snapshot: { run: {}, metrics: {} } }));
  assert.ok(isHostToRunPanel({ type: 'delta', seq: 2, delta: {} }));
  assert.ok(isHostToRunPanel({ type: 'sample', step: 10, sample: null }));
  assert.ok(!isHostToRunPanel({ type: 'delta', seq: -1, delta: {} }));
  assert.ok(!isHostToRunPanel({ type: 'snapshot', seq: 1 }));
  assert.ok(isHostToComparePanel({ type: 'snapshot', seq: 1, runs: [] }));
  assert.ok(isRunPanelState({ runDir: '/x' }) && !isRunPanelState({ runDir: '' }) && !isRunPanelState(undefined));
  assert.ok(isComparePanelState({ runDirs: ['/a', '/b'] }) && !isComparePanelState({ runDirs: [1] }));
});
