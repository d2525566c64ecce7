// wasm's stock float32 Add, Sub and Multiply replaced by SIMD loops of mim-kernels.wat where the shapes allow
// (equal shapes, trailing-shape broadcasts, scalars); the stock kernels keep every other case.
import { tf } from '../tf';
import { fusedEnabled, kernelsOf, ptr, size, type Attrs, type Inputs, type TensorInfo, type WasmBackendLike } from './fused';

/** Rows of a float32 Add of `big` and `small` when small broadcasts as its trailing shape (after leading 1s), else null. */
function trailingBroadcastRows(big: readonly number[], small: readonly number[]): number | null {
  let lead = 0;
  while (lead < small.length && small[lead] === 1) lead++;
  const tail = small.slice(lead);
  if (tail.length > big.length) return null;
  const offset = big.length - tail.length;
  if (tail.some((d, i) => d !== big[offset + i])) return null;
  if (small.length > big.length) return null; // the output would gain leading 1s: leave it to the stock kernel
  return big.slice(0, offset).reduce((a, b) => a * b, 1);
}

type StockKernel = (args: { inputs: Inputs; attrs: Attrs; backend: WasmBackendLike }) => TensorInfo;

/** The binary kernels taken over, with their op code in mim-kernels.wat (3 = Sub with the operands swapped). */
const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2 } as const;
const REVERSED: Record<number, number> = { 0: 0, 1: 3, 2: 2 };

/**
 * wasm's stock Add, Sub and Multiply run through XNNPACK's thread pool and a generic broadcasting loop: ≈3 ns a
 * float, 0.1 ms for a [512, 64] activation (the Adds alone were ≈15 % of a cae-demo step, and BatchNorm's Sub and
 * Multiply over raw pixels most of a pixel probe). Float32 operands of equal shapes, a trailing-shape broadcast
 * (bias, per-column statistics) or a scalar run as SIMD loops here; IEEE arithmetic gives the stock kernel's bits.
 * Anything else (int32, other broadcasts), and the reference path, go to the stock kernel.
 */
function registerFastBinary(kernelName: keyof typeof BINARY_OPS): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock || (stock as { mimFast?: boolean }).mimFast) return;
  const stockFn = stock.kernelFunc as unknown as StockKernel;
  const op = BINARY_OPS[kernelName];
  tf.unregisterKernel(kernelName, 'wasm');
  const kernelFunc = (args: { inputs: Inputs; attrs: Attrs; backend: WasmBackendLike }): TensorInfo => {
    const { a, b } = args.inputs;
    if (!fusedEnabled() || !a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return stockFn(args);
    const backend = args.backend;
    const aIsBig = size(a) >= size(b);
    const [big, small] = aIsBig ? [a, b] : [b, a];
    if (size(small) === 0) return stockFn(args);
    if (big.shape.length === small.shape.length && big.shape.every((d, i) => d === small.shape[i])) {
      const out = backend.makeOutput(big.shape, 'float32');
      kernelsOf(backend).binary(op, ptr(backend, a), ptr(backend, b), ptr(backend, out), size(big));
      return out;
    }
    const rows = trailingBroadcastRows(big.shape, small.shape);
    if (rows === null) return stockFn(args);
    const out = backend.makeOutput(big.shape, 'float32');
    kernelsOf(backend).binary_rows(aIsBig ? op : REVERSED[op], ptr(backend, big), ptr(backend, small), ptr(backend, out), rows, size(small));
    return out;
  };
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, mimFast: true } as unknown as tf.KernelConfig);
}

/** Registers the three (idempotent); needs the kernel module loaded (registerFusedKernels). */
export function registerFastBinaryKernels(): void {
  for (const name of Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]) registerFastBinary(name);
}
