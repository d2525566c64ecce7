// Cooperative stopping inside the probe's long loops (feature extraction, epochs, k-NN chunks).
/** Lets signal handlers and IPC messages run between batches (a stop request must be heard). */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Raised inside long loops when a stop was requested; the job turns it into state `stopped`. */
export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}
