// Notifications wait while a quick input of ours is open, and come in order once the last one closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuickInputGate } from '../../../src/host/quick-input-gate';

test('a notification raised while a quick input is open is shown after it closes', async () => {
  const gate = new QuickInputGate();
  const shown: string[] = [];
  let closeFirst!: (v: string) => void;
  let closeSecond!: (v: string) => void;
  const first = gate.show(() => new Promise<string>((r) => { closeFirst = r; }));
  const second = gate.show(() => new Promise<string>((r) => { closeSecond = r; }));
  gate.notify(() => shown.push('probe done'));
  gate.notify(() => shown.push('second'));
  assert.equal(gate.isOpen, true);
  closeFirst('a');
  assert.equal(await first, 'a');
  assert.equal(shown.length, 0, 'another quick input is still open');
  closeSecond('b');
  await second;
  assert.deepEqual(shown, ['probe done', 'second']);
  gate.notify(() => shown.push('now'));
  assert.deepEqual(shown, ['probe done', 'second', 'now'], 'nothing open: shown at once');
});

test('a quick input that fails still closes the gate', async () => {
  const gate = new QuickInputGate();
  const shown: string[] = [];
  const failing = gate.show(() => Promise.reject(new Error('boom')));
  gate.notify(() => shown.push('held'));
  await assert.rejects(failing, /boom/);
  assert.deepEqual(shown, ['held']);
});
