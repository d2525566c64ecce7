// Registers the project's own kernels for the active backend (idempotent). On wasm these are the fused SIMD
// kernels of mim-kernels.wat; other backends run the reference TF.js ops and need nothing.
import { tf } from '../tf';
import { registerFusedKernels } from './fused';

/** Why the fused kernels are off on wasm (null when they run, or when the backend is not wasm). */
export let fusedUnavailable: string | null = null;

export async function registerMimKernels(): Promise<void> {
  if (tf.getBackend() !== 'wasm') return;
  const r = await registerFusedKernels();
  fusedUnavailable = r.ok ? null : r.reason;
}
