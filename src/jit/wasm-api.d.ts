/**
 * The part of the WebAssembly JS API the JIT uses. Node has it as a global, but the project's
 * `lib` (ES2022, no DOM) does not declare it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  class Memory {
    constructor(desc: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Table {
    constructor(desc: { element: 'anyfunc'; initial: number });
    set(index: number, value: unknown): void;
    grow(delta: number): number;
    get(index: number): unknown;
    readonly length: number;
  }
  class CompileError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: Uint8Array): boolean;
}
