/**
 * Native scratch memory for bpf(2) calls. bpf_attr carries user pointers (keys, values, programs,
 * log buffers) as 64-bit addresses, so the bytes they point to must have an address that cannot
 * move: V8 keeps small typed arrays on its own heap, where the garbage collector moves them. So
 * every buffer a call hands to the kernel is carved out of memory allocated through koffi, whose
 * address is fixed and which is read and written through a live Uint8Array view (no copies beyond
 * the ones the caller asks for).
 *
 * Allocation is a stack: withScratch() marks the arena, the call allocates what it needs, and
 * everything is released when it returns (calls are synchronous, so nothing outlives them).
 */
import { nativeLibc } from './ffi.js';

/** A block of native memory: its address (for bpf_attr) and a live view of its bytes. */
export interface NativeBytes {
  readonly addr: bigint;
  readonly bytes: Uint8Array;
}

interface Chunk {
  readonly ptr: unknown;
  readonly addr: bigint;
  readonly bytes: Uint8Array;
  used: number;
}

const CHUNK_SIZE = 64 << 10;
/** Chunks above this size (a large verifier log, a big program) are freed as soon as released. */
const KEEP_LIMIT = 1 << 20;

export class Scratch {
  private readonly chunks: Chunk[] = [];
  private current = 0;

  /** `n` zeroed bytes, 8-byte aligned (bpf_attr and the records it points to need 8). */
  alloc(n: number): NativeBytes {
    const size = Math.max(8, (n + 7) & ~7);
    for (; this.current < this.chunks.length; this.current++) {
      const c = this.chunks[this.current]!;
      if (c.used + size <= c.bytes.length) return this.take(c, size, n);
    }
    const c = this.newChunk(Math.max(CHUNK_SIZE, size));
    this.chunks.push(c);
    this.current = this.chunks.length - 1;
    return this.take(c, size, n);
  }

  /** A native copy of `data`. */
  copy(data: Uint8Array): NativeBytes {
    const b = this.alloc(data.length);
    b.bytes.set(data);
    return b;
  }

  /** A NUL-terminated UTF-8 copy of `s`. */
  cString(s: string): NativeBytes {
    const enc = Buffer.from(s, 'utf8');
    const b = this.alloc(enc.length + 1);
    b.bytes.set(enc);
    return b;
  }

  mark(): { chunk: number; used: number } {
    const c = this.chunks[this.current];
    return { chunk: this.current, used: c ? c.used : 0 };
  }

  release(m: { chunk: number; used: number }): void {
    for (let i = this.chunks.length - 1; i > m.chunk; i--) {
      const c = this.chunks[i]!;
      c.used = 0;
      if (c.bytes.length > KEEP_LIMIT && i === this.chunks.length - 1) {
        nativeLibc().koffi.free(c.ptr);
        this.chunks.pop();
      }
    }
    const c = this.chunks[m.chunk];
    if (c) c.used = m.used;
    this.current = Math.min(m.chunk, Math.max(0, this.chunks.length - 1));
  }

  private take(c: Chunk, size: number, n: number): NativeBytes {
    const at = c.used;
    c.used += size;
    const bytes = c.bytes.subarray(at, at + n);
    bytes.fill(0);
    return { addr: c.addr + BigInt(at), bytes };
  }

  private newChunk(size: number): Chunk {
    const { koffi } = nativeLibc();
    const ptr = koffi.alloc('uint8_t', size);
    return { ptr, addr: koffi.address(ptr), bytes: new Uint8Array(koffi.view(ptr, size)), used: 0 };
  }
}

const arena = new Scratch();

/** Run `fn` with scratch memory that is released when it returns. */
export function withScratch<T>(fn: (s: Scratch) => T): T {
  const m = arena.mark();
  try {
    return fn(arena);
  } finally {
    arena.release(m);
  }
}
