/**
 * Bytes compiled code reaches where they are: a window of one shared WebAssembly.Memory, the
 * linear memory of the JIT's primary context (jit/context.ts). Hash maps keep their values here
 * while there is room (maps/hash.ts ValueSlabs), so that the JIT puts a value it looks up in its
 * region table as it is, with no copy in and out, and the interpreter, helpers and user space see
 * the same bytes. Shared, because a shared memory's views survive its growth (a plain memory's
 * buffer is detached when it grows, and every view of it with it). Nothing here is freed: when
 * the window is full, values get plain bytes again (and the JIT copies them, as any region).
 */

/** The most a linear memory of the JIT may grow to: below UNMAPPED_BASE (jit/layout.ts). */
export const MEMORY_MAX_PAGES = 32768;
/** The window: above the JIT's fixed areas, below the primary context's arena. */
export const RESIDENT_BASE = 16 << 20;
export const RESIDENT_BYTES = 64 << 20;
const PAGE = 65536;

let memory: WebAssembly.Memory | undefined;
let next = RESIDENT_BASE;
/** The memory's buffers that views were made over (a new one after each growth), the latest apart. */
const buffers = new WeakSet<ArrayBufferLike>();
let latest: ArrayBufferLike | undefined;

/**
 * Whether shared memories can be made here: not in a browser page without cross-origin isolation
 * (no SharedArrayBuffer there), nor with TSBPF_NO_SHARED_MEMORY set (tests take that way). Without
 * them the JIT's memories are plain and nothing is resident: values are copied, as any region.
 */
export const SHARED_MEMORY: boolean = ((): boolean => {
  if (typeof process !== 'undefined' && process.env?.TSBPF_NO_SHARED_MEMORY) return false;
  try {
    sharedMemory(1);
    return true;
  } catch {
    return false;
  }
})();

function sharedMemory(initial: number): WebAssembly.Memory {
  // (Node 20's lib types do not know `shared`.)
  return new WebAssembly.Memory({ initial, maximum: MEMORY_MAX_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
}

/** A linear memory of `initial` pages for a JIT context: shared where it can be (modules import it so). */
export function linearMemory(initial: number): WebAssembly.Memory {
  return SHARED_MEMORY ? sharedMemory(initial) : new WebAssembly.Memory({ initial });
}

/** The memory whose window holds resident bytes (made on first use; the primary context's). */
export function residentMemory(): WebAssembly.Memory {
  memory ??= linearMemory((RESIDENT_BASE + RESIDENT_BYTES) / PAGE + 8);
  return memory;
}

/** `len` zeroed bytes of the window, or undefined when it has no more room. */
export function residentBytes(len: number): Uint8Array | undefined {
  if (!SHARED_MEMORY) return undefined;
  const at = (next + 7) & ~7;
  if (at + len > RESIDENT_BASE + RESIDENT_BYTES) return undefined;
  next = at + len;
  const buffer = residentMemory().buffer;
  buffers.add(buffer);
  latest = buffer;
  return new Uint8Array(buffer, at, len);
}

/** Whether `bytes` are in the window (their offset is then their place in the resident memory). */
export function isResident(bytes: Uint8Array): boolean {
  const b = bytes.buffer;
  return b === latest || buffers.has(b);
}

let window: Uint8Array | undefined;

/** The whole window as one view (undefined until the resident memory exists): what a window address is an offset into. */
export function residentWindow(): Uint8Array | undefined {
  if (memory === undefined) return undefined;
  if (window === undefined) {
    const buffer = memory.buffer;
    buffers.add(buffer);
    window = new Uint8Array(buffer, RESIDENT_BASE, RESIDENT_BYTES);
  }
  return window;
}
