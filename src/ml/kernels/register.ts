// Registers the project's own kernels for the active backend (idempotent). On wasm these are the fused SIMD
// kernels of mim-kernels.wat (and its float32 Add/Sub/Multiply), an Identity that shares its input's buffer, and the UnsortedSegmentSum that wasm
// lacks (the gradient of tf.gather); other backends run the reference TF.js ops and need nothing.
import { tf } from '../tf';
import { registerFastBinaryKernels } from './fast-binary';
import { registerFusedKernels } from './fused';
import { registerSegmentSum } from './segment-sum';

/** Why the fused kernels are off on wasm (null when they run, or when the backend is not wasm). */
export let fusedUnavailable: string | null = null;
/** Whether a second thread shares the fused kernels' work. */
export let kernelHelper = false;

interface RefCounting {
  incRef(dataId: object): void;
}

/**
 * wasm's stock Identity copies the buffer. tf.customGrad clones every tensor it saves for the backward pass
 * (`save([x, w])`), so each layer copied its inputs and weights every step and the tape held two of each
 * activation. Tensors are immutable: share the buffer by reference count, as the cpu backend does.
 */
function registerSharingIdentity(): void {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock || (stock as { mimShared?: boolean }).mimShared) return;
  tf.unregisterKernel('Identity', 'wasm');
  const config = {
    kernelName: 'Identity',
    backendName: 'wasm',
    mimShared: true,
    kernelFunc: (args: { inputs: { x?: { dataId: object; shape: number[]; dtype: string } }; backend: RefCounting }) => {
      const x = args.inputs.x;
      if (!x || x.dtype === 'string') return (stock.kernelFunc as unknown as (a: typeof args) => unknown)(args);
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
  tf.registerKernel(config as unknown as tf.KernelConfig);
}

/** `threads` > 1: the wasm backend is threaded, and the fused kernels get a helper thread too (MIMLAB_KERNEL_HELPER=0: not). */
export async function registerMimKernels(threads = 1): Promise<void> {
  if (tf.getBackend() !== 'wasm') return;
  registerSharingIdentity();
  registerSegmentSum();
  const r = await registerFusedKernels(threads > 1 && process.env.MIMLAB_KERNEL_HELPER !== '0');
  if (r.ok) registerFastBinaryKernels();
  fusedUnavailable = r.ok ? null : r.reason;
  kernelHelper = r.ok && r.helper;
}
