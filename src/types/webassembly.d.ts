// Node has WebAssembly, but @types/node 20 does not declare it (TypeScript's copy lives in the DOM lib, which only
// the webviews get). These are the parts the engine's kernels use.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  type ImportValue = Memory | ((...args: never[]) => unknown) | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, Memory | ((...args: never[]) => unknown)>;
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
}

type BufferSource = ArrayBufferView | ArrayBuffer;
