import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseBackend, startWasm, type BackendLoader, type ConcreteBackend, type WasmStarter } from '../../../src/ml/backend';
import { wantedWasmThreads } from '../../../src/ml/wasm-threads';

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

/** A stand-in wasm starter: `threaded` says what a start with more than one thread does. */
function wasmStandIn(threaded: 'ok' | 'throws' | 'hangs'): { starter: WasmStarter; log: string[] } {
  const log: string[] = [];
  const starter: WasmStarter = {
    start: async (threads) => {
      log.push(`start ${threads}`);
      if (threads > 1 && threaded === 'throws') throw new Error('ERR_WORKER_PATH');
      if (threads > 1 && threaded === 'hangs') return new Promise<number>(() => {});
      return threads;
    },
    reset: () => { log.push('reset'); },
  };
  return { starter, log };
}

describe('wasm threads', () => {
  it('start with one thread per core by default; MIMLAB_WASM_THREADS overrides (1 = off), bad values are ignored', () => {
    assert.ok(wantedWasmThreads({}) >= 1);
    assert.equal(wantedWasmThreads({ MIMLAB_WASM_THREADS: '1' }), 1);
    assert.equal(wantedWasmThreads({ MIMLAB_WASM_THREADS: '3' }), 3);
    assert.equal(wantedWasmThreads({ MIMLAB_WASM_THREADS: 'many' }), wantedWasmThreads({}));
    assert.equal(wantedWasmThreads({ MIMLAB_WASM_THREADS: '0' }), wantedWasmThreads({}));
  });

  it('uses the threaded start when it works', async () => {
    const s = wasmStandIn('ok');
    assert.deepEqual(await startWasm(2, s.starter), { threads: 2 });
    assert.deepEqual(s.log, ['start 2']);
  });

  it('falls back to a fresh single-threaded start when threads fail, and says why', async () => {
    const s = wasmStandIn('throws');
    const r = await startWasm(2, s.starter);
    assert.equal(r.threads, 1);
    assert.match(r.fallback ?? '', /ERR_WORKER_PATH/);
    assert.deepEqual(s.log, ['start 2', 'reset', 'start 1']);
  });

  it('gives up waiting on a threaded start that hangs', async () => {
    const s = wasmStandIn('hangs');
    const r = await startWasm(4, s.starter, 50);
    assert.equal(r.threads, 1);
    assert.match(r.fallback ?? '', /did not finish/);
    assert.deepEqual(s.log, ['start 4', 'reset', 'start 1']);
  });

  it('one wanted thread starts single-threaded directly', async () => {
    const s = wasmStandIn('throws');
    assert.deepEqual(await startWasm(1, s.starter), { threads: 1 });
    assert.deepEqual(s.log, ['start 1']);
  });
});
