/**
 * A shared mapping of a kernel object's fd (a ring buffer map, a perf event) seen from JavaScript:
 * koffi.view gives an ArrayBuffer over the mapped pages without copying, so the positions the
 * kernel advances are read in place. Positions are read with Atomics.load on a BigUint64Array
 * (the acquire the kernel's smp_store_release pairs with) and written back with Atomics.store.
 */
import { kernelError } from '../errors.js';
import { nativeLibc } from '../ffi.js';
import { host } from '../syscall.js';

export const PROT = { READ: 1, WRITE: 2 } as const;

export class MappedRegion {
  readonly bytes: Uint8Array;
  readonly u64: BigUint64Array;
  private ptr: unknown;

  private constructor(ptr: unknown, readonly length: number) {
    this.ptr = ptr;
    const ab = nativeLibc().koffi.view(ptr, length);
    this.bytes = new Uint8Array(ab);
    this.u64 = new BigUint64Array(ab, 0, Math.floor(length / 8));
  }

  /** mmap(NULL, length, prot, MAP_SHARED, fd, offset), or a KernelError naming `what`. */
  static map(fd: number, length: number, prot: number, offset: number, what: string): MappedRegion {
    const r = host().mmap(length, prot, fd, offset);
    if (typeof r === 'number') {
      throw kernelError('mmap', -r, what, r === -1 ? 'the mapping is not allowed (a read-write map of a read-only area?)' : undefined);
    }
    return new MappedRegion(r.ptr, length);
  }

  get closed(): boolean {
    return this.ptr === undefined;
  }

  /** The u64 at byte offset `off` (8-aligned), read atomically. */
  load64(off: number): bigint {
    return Atomics.load(this.u64, off / 8);
  }

  store64(off: number, v: bigint): void {
    Atomics.store(this.u64, off / 8, v);
  }

  unmap(): void {
    if (this.ptr === undefined) return;
    host().munmap(this.ptr, this.length);
    this.ptr = undefined;
  }
}
