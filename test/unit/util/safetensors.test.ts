import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, isCompleteSafetensors, readSafetensorsHeader } from '../../../src/util/safetensors';
import { tempDir } from '../../helpers/runs';

/** A file built by hand from the format's definition, independent of the writer. */
function handMade(header: object, data: Uint8Array, pad = 0): Uint8Array {
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(pad));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the layout of the format: u64 LE header length, JSON header padded to 8, little-endian F32 data', () => {
    const bytes = Buffer.from(encodeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, -2]) }], { step: '3' }));
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0, 'header padded so the data is 8-byte aligned');
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    assert.deepEqual(header, { __metadata__: { step: '3' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    assert.deepEqual([...bytes.subarray(8 + n)], [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('round-trips names, shapes, values and metadata exactly', () => {
    const tensors = [
      { name: 'encoder.blocks.0.attn.qkv.w', shape: [3, 6], data: Float32Array.from({ length: 18 }, (_, i) => Math.fround(Math.sin(i) * 1e-3)) },
      { name: 'scalar', shape: [], data: new Float32Array([Math.PI]) },
      { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
    ];
    const back = decodeSafetensors(encodeSafetensors(tensors, { format: 'pt' }));
    assert.deepEqual(back.metadata, { format: 'pt' });
    assert.deepEqual(back.tensors.map((t) => [t.name, t.shape, [...t.data]]), tensors.map((t) => [t.name, t.shape, [...t.data]]));
  });

  it('reads a file written by someone else: unpadded header, tensors listed out of data order, unaligned data', () => {
    const data = new Uint8Array(new Float32Array([5, 6, 7]).buffer);
    const file = handMade({ b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data, 1);
    const back = decodeSafetensors(file);
    assert.deepEqual(back.tensors.map((t) => [t.name, [...t.data]]), [['a', [5, 6]], ['b', [7]]]);
  });

  it('refuses what it cannot read faithfully, naming the tensor', () => {
    const f16 = handMade({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4));
    assert.throws(() => decodeSafetensors(f16), /"h" is F16; only F32/);
    const wrongSize = handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    assert.throws(() => decodeSafetensors(wrongSize), /"w" has 8 bytes for shape \[3\]/);
    const whole = encodeSafetensors([{ name: 'w', shape: [4], data: new Float32Array(4) }]);
    assert.throws(() => decodeSafetensors(whole.subarray(0, whole.length - 1)), /truncated/);
    assert.throws(() => decodeSafetensors(new Uint8Array([1, 2, 3])), /too short/);
    assert.throws(() => encodeSafetensors([{ name: 'w', shape: [3], data: new Float32Array(2) }]), /2 values for shape \[3\]/);
  });

  it('a file is complete only when its header parses and its size matches the header', () => {
    const dir = tempDir('st');
    const whole = encodeSafetensors([{ name: 'w', shape: [64], data: new Float32Array(64).fill(1) }]);
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, whole);
    assert.ok(isCompleteSafetensors(path));
    assert.equal(readSafetensorsHeader(path).dataLength, 256);
    writeFileSync(path, whole.subarray(0, whole.length - 4));
    assert.ok(!isCompleteSafetensors(path), 'cut short');
    writeFileSync(path, whole.subarray(0, 20));
    assert.ok(!isCompleteSafetensors(path), 'cut inside the header');
    writeFileSync(path, Buffer.alloc(0));
    assert.ok(!isCompleteSafetensors(path), 'empty');
  });
});
