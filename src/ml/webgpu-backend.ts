// Opt-in WebGPU backend through Dawn (the `webgpu` npm package), for GPUs the CUDA 11.2 tfjs-node-gpu build
// does not serve. Both packages are optional: a clear error says what to install.
export async function registerWebgpu(): Promise<void> {
  let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    dawn = require('webgpu');
  } catch {
    throw new Error('the "webgpu" npm package is not installed (npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0)');
  }
  // The TF.js backend expects a browser: WebGPU's enums (GPUBufferUsage, …) as globals and navigator.gpu.
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
  try {
    require('@tensorflow/tfjs-backend-webgpu');
  } catch {
    throw new Error('@tensorflow/tfjs-backend-webgpu is not installed (npm install @tensorflow/tfjs-backend-webgpu@4.22.0)');
  }
}
