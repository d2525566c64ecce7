// UnsortedSegmentSum for the wasm backend, which lacks it: without it the gradient of every tf.gather fails there
// ("kernel UnsortedSegmentSum not registered"). The engine itself selects patches on the CPU and never gathers,
// but probes and experiments may. Plain JS over the heap: it only runs in backward passes of gathers.
import { tf } from '../tf';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
}

function unsortedSegmentSum(args: { inputs: { x: TensorInfo; segmentIds: TensorInfo }; attrs: { numSegments: number }; backend: WasmBackendLike }): TensorInfo {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const b = args.backend;
  const rows = segmentIds.shape.reduce((a, c) => a * c, 1);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, c) => a * c, 1);
  const out = b.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const xv = b.typedArrayFromHeap(x);
  const ids = b.typedArrayFromHeap(segmentIds) as Int32Array;
  const ov = b.typedArrayFromHeap(out); // views made after makeOutput: a heap that grew is seen
  ov.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue; // as TensorFlow: out-of-range ids are dropped
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) ov[dst + j] += xv[src + j];
  }
  return out;
}

export function registerSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
}
