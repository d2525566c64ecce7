// safetensors (the Hugging Face format that torch, timm and transformers read): an 8-byte little-endian header
// length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`,
// then the raw little-endian data, offsets relative to its start. Only F32 is written; F32 is the one dtype read
// (the checkpoint contract), anything else is refused by name. The npm package `safetensors` is a single 0.0.1
// release without a repository, so this small reader/writer lives here instead.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface Tensor32 {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Tensor32[];
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  entries: Map<string, HeaderEntry>;
  metadata: Record<string, string>;
  /** Bytes before the data: 8 + header length. */
  dataStart: number;
  /** Bytes of data the header describes (the largest end offset). */
  dataLength: number;
}

/** The header never gets near this; a larger length means the file is not safetensors (the reference parser caps it at 100 MB). */
const MAX_HEADER = 100_000_000;
const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Serialises tensors (in the given order) and string metadata; the header is space-padded to 8 bytes so the data is aligned. */
export function encodeSafetensors(tensors: readonly Tensor32[], metadata: Record<string, string> = {}): Uint8Array {
  if (!isLittleEndian) throw new Error('safetensors: writing needs a little-endian machine');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new Error(`safetensors: duplicate or reserved tensor name "${t.name}"`);
    if (elements(t.shape) !== t.data.length) throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (raw % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

function parseHeader(json: Buffer, where: string): Omit<SafetensorsHeader, 'dataStart'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw new Error(`${where}: safetensors header is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where}: safetensors header is not a JSON object`);
  const entries = new Map<string, HeaderEntry>();
  let metadata: Record<string, string> = {};
  let dataLength = 0;
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
        throw new Error(`${where}: safetensors __metadata__ must map strings to strings`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const e = value as Partial<HeaderEntry>;
    const ok = typeof e === 'object' && e !== null && typeof e.dtype === 'string' && Array.isArray(e.shape)
      && e.shape.every((d) => Number.isInteger(d) && d >= 0) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2
      && e.data_offsets.every((o) => Number.isInteger(o) && o >= 0) && e.data_offsets[0] <= e.data_offsets[1];
    if (!ok) throw new Error(`${where}: safetensors entry "${name}" needs dtype, shape and data_offsets [begin, end]`);
    entries.set(name, e as HeaderEntry);
    dataLength = Math.max(dataLength, e.data_offsets![1]);
  }
  return { entries, metadata, dataLength };
}

/** Reads only the header of a file (cheap: for completeness checks); throws when it is not a safetensors file. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const lenBuf = Buffer.alloc(8);
    if (size < 8 || readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new Error(`${path}: too short for a safetensors file (${size} bytes)`);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_HEADER || 8 + n > size) throw new Error(`${path}: safetensors header length ${n} does not fit the file (${size} bytes)`);
    const json = Buffer.alloc(n);
    readSync(fd, json, 0, n, 8);
    return { ...parseHeader(json, path), dataStart: 8 + n };
  } finally {
    closeSync(fd);
  }
}

/** True when the file's header parses and its size is exactly header + the data the header describes. */
export function isCompleteSafetensors(path: string): boolean {
  try {
    const h = readSafetensorsHeader(path);
    return statSync(path).size === h.dataStart + h.dataLength;
  } catch {
    return false;
  }
}

/** Parses a whole file's bytes; every tensor must be F32 with a byte range that matches its shape. */
export function decodeSafetensors(bytes: Uint8Array, where = 'safetensors'): SafetensorsFile {
  if (!isLittleEndian) throw new Error(`${where}: reading needs a little-endian machine`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) throw new Error(`${where}: too short for a safetensors file (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n > MAX_HEADER || 8 + n > buf.length) throw new Error(`${where}: safetensors header length ${n} does not fit the file (${buf.length} bytes)`);
  const { entries, metadata, dataLength } = parseHeader(buf.subarray(8, 8 + n), where);
  const start = 8 + n;
  if (buf.length !== start + dataLength) throw new Error(`${where}: file has ${buf.length - start} data bytes, the header describes ${dataLength} (truncated or padded)`);
  const tensors: Tensor32[] = [];
  for (const [name, e] of [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
    if (e.dtype !== 'F32') throw new Error(`${where}: tensor "${name}" is ${e.dtype}; only F32 is supported (save float32 weights)`);
    const [b, end] = e.data_offsets;
    if (end - b !== elements(e.shape) * 4) throw new Error(`${where}: tensor "${name}" has ${end - b} bytes for shape [${e.shape}] (expected ${elements(e.shape) * 4})`);
    // Copy: the data offset need not be 4-byte aligned in someone else's file, and callers keep the arrays.
    const data = new Float32Array(elements(e.shape));
    new Uint8Array(data.buffer).set(buf.subarray(start + b, start + end));
    tensors.push({ name, shape: e.shape.slice(), data });
  }
  return { tensors, metadata };
}
