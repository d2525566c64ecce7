// Worker thread of the off-thread batch loader (src/data/loader-thread.ts): opens the run's dataset from its config
// and prepares training batches with the same BatchLoader, so a batch has the same bits on either thread.
// Bundled to dist/loader-worker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { openDataset } from './open';
import { BatchLoader } from './pipeline';
import type { LoaderReply, LoaderRequest, LoaderSetup } from './loader-thread';

const port = parentPort;
if (!port) throw new Error('loader-worker: must run as a worker thread');

const setup = workerData as LoaderSetup;
const ready = openDataset(setup.config).then((ds) => new BatchLoader(ds.train, setup.options));

port.on('message', ({ step }: LoaderRequest) => {
  ready.then(async (loader) => {
    const batch = await loader.batch(step);
    const reply: LoaderReply = { step, batch, skipped: loader.skipped, skippedFiles: [...loader.skippedFiles] };
    port.postMessage(reply, [batch.images.buffer as ArrayBuffer]);
  }).catch((e: unknown) => {
    port.postMessage({ step, error: e instanceof Error ? e.message : String(e) } satisfies LoaderReply);
  });
});
