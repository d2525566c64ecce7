// Worker thread of the decode pool (src/data/decode-pool.ts): decodes PNG/JPEG bytes off the main thread.
// Bundled to dist/decode-worker.js.
import { parentPort } from 'node:worker_threads';
import { decodeImage } from './png';
import { CorruptImageError } from './types';
import type { DecodeReply, DecodeRequest } from './decode-pool';

const port = parentPort;
if (!port) throw new Error('decode-worker: must run as a worker thread');

function failure(id: number, e: unknown): DecodeReply {
  return e instanceof CorruptImageError ? { id, corrupt: e.reason } : { id, error: e instanceof Error ? e.message : String(e) };
}

port.on('message', ({ id, bytes, file }: DecodeRequest) => {
  let img;
  try {
    img = decodeImage(bytes, file);
  } catch (e) {
    port.postMessage(failure(id, e));
    return;
  }
  // Hand the pixels over without a copy when they own their buffer.
  const owned = img.data.byteOffset === 0 && img.data.byteLength === img.data.buffer.byteLength;
  const data = owned ? img.data : img.data.slice();
  port.postMessage({ id, img: { ...img, data } } satisfies DecodeReply, [data.buffer as ArrayBuffer]);
});
