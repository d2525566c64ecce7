import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseBackend, type BackendLoader, type ConcreteBackend } from '../../../src/ml/backend';

/** A stand-in loader: only the listed backends "load", and every attempt is recorded. */
function standIn(available: ConcreteBackend[]): { load: BackendLoader; tried: ConcreteBackend[] } {
  const tried: ConcreteBackend[] = [];
  const load: BackendLoader = async (name) => {
    tried.push(name);
    return available.includes(name) ? { ok: true } : { ok: false, reason: `Cannot find module for ${name}` };
  };
  return { load, tried };
}

describe('backend selection', () => {
  it('auto prefers tensorflow-gpu > tensorflow > wasm > cpu', async () => {
    assert.equal((await chooseBackend('auto', standIn(['cpu', 'wasm', 'tensorflow', 'tensorflow-gpu']).load)).name, 'tensorflow-gpu');
    assert.equal((await chooseBackend('auto', standIn(['cpu', 'wasm', 'tensorflow']).load)).name, 'tensorflow');
  });

  it('never picks cpu while wasm loads, and reports what it skipped', async () => {
    const s = standIn(['cpu', 'wasm']);
    const choice = await chooseBackend('auto', s.load);
    assert.equal(choice.name, 'wasm');
    assert.deepEqual(s.tried, ['tensorflow-gpu', 'tensorflow', 'wasm']);
    assert.deepEqual(choice.skipped.map((x) => x.name), ['tensorflow-gpu', 'tensorflow']);
  });

  it('falls back to cpu only when nothing better loads', async () => {
    assert.equal((await chooseBackend('auto', standIn(['cpu']).load)).name, 'cpu');
  });

  it('a forced backend is used as is, and an unavailable one is a clear error', async () => {
    assert.equal((await chooseBackend('cpu', standIn(['cpu', 'wasm']).load)).name, 'cpu');
    await assert.rejects(chooseBackend('tensorflow', standIn(['wasm']).load), /backend "tensorflow" is not available: tensorflow: Cannot find module/);
  });

  it('webgpu is opt-in only', async () => {
    const s = standIn(['webgpu', 'cpu']);
    assert.equal((await chooseBackend('auto', s.load)).name, 'cpu');
    assert.ok(!s.tried.includes('webgpu'));
    assert.equal((await chooseBackend('webgpu', s.load)).name, 'webgpu');
  });
});
