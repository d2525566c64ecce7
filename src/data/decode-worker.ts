// Worker thread of the decode pool (src/data/decode-pool.ts): decodes PNG/JPEG bytes off the main thread.
// Bundled to dist/decode-worker.js.
import { parentPort } from 'node:worker_threads';
import { decodeImage } from './png';
import { CorruptImageError } from './types';
import type { DecodeReply, DecodeRequest } from './decode-pool';

const port = parentPort;
if (!port) throw new Error('decode-worker: must run as a worker thread');

port.on('message', ({ id, bytes, file }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const img = decodeImage(bytes, file);
    // Hand the pixels over without a copy when they own their buffer.
    const owned = img.data.byteOffset === 0 && img.data.byteLength === img.data.buffer.byteLength;
    const data = owned ? img.data : img.data.slice();
    reply = { id, img: { ...img, data } };
    port.postMessage(reply, [data.buffer as ArrayBuffer]);
    return;
  } catch (e) {
    reply = e instanceof CorruptImageError ? { id, corrupt: e.reason } : { id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
