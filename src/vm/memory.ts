/**
 * The VM's memory model. Programs see 64-bit addresses; every region (input block, stack frames,
 * context, packet, map values...) gets its own upper 32 bits (a tag), and the lower 32 bits are the
 * byte offset inside it. A load or store therefore finds its region with one subtraction and checks
 * bounds and permission with two comparisons, and no address a program computes can reach anything
 * outside the regions it was given. Addresses say nothing about the host.
 */
import { BpfError } from '../errors.js';

/** Upper half of the first region's addresses. Chosen to look like a kernel pointer, nothing more. */
export const TAG_BASE = 0xffff9000 | 0;

export type RegionKind = 'input' | 'stack' | 'ctx' | 'packet' | 'map_value' | 'global' | 'ringbuf' | 'other';

export class Region {
  readonly dv: DataView;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly kind: RegionKind,
    public bytes: Uint8Array,
    public writable: boolean,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get size(): number {
    return this.bytes.length;
  }
  /** Upper 32 bits of this region's addresses (as a signed int32, like the VM's registers). */
  get tag(): number {
    return (TAG_BASE + this.index) | 0;
  }
  /** The address of byte `offset` of this region, as an unsigned 64-bit value. */
  addr(offset = 0): bigint {
    return (BigInt(this.tag >>> 0) << 32n) | BigInt(offset >>> 0);
  }
}

export function formatAddr(hi: number, lo: number): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** One shared empty view: a fresh one per Memory costs more than a whole short run (bench/). */
const NO_VIEW = new DataView(new ArrayBuffer(0));

export class Memory {
  readonly regions: Region[] = [];
  /** Set by `check`: the DataView of the region the last checked access falls in. */
  dv: DataView = NO_VIEW;

  add(name: string, kind: RegionKind, bytes: Uint8Array, writable = true): Region {
    const r = new Region(this.regions.length, name, kind, bytes, writable);
    this.regions.push(r);
    return r;
  }

  /** The region an address falls in, or undefined. */
  regionOf(hi: number, _lo?: number): Region | undefined {
    return this.regions[(hi - TAG_BASE) >>> 0];
  }

  /**
   * Check an access of `size` bytes at hi:lo and return its offset within the region, leaving the
   * region's DataView in `this.dv`. Throws EFAULT naming the instruction, address and region.
   */
  check(hi: number, lo: number, size: number, write: boolean, pc: number): number {
    const r = this.regions[(hi - TAG_BASE) >>> 0];
    const o = lo >>> 0;
    if (r === undefined || o + size > r.bytes.length || (write && !r.writable)) {
      throw this.fault(hi, lo, size, write, pc);
    }
    this.dv = r.dv;
    return o;
  }

  fault(hi: number, lo: number, size: number, write: boolean, pc: number): BpfError {
    const what = `invalid ${write ? 'write' : 'read'} of ${size} byte${size === 1 ? '' : 's'} at ${formatAddr(hi, lo)}`;
    return new BpfError('EFAULT', `insn ${pc}: ${what}: ${this.whereIs(hi, lo, size, write)}`, { insn: pc });
  }

  /**
   * Say where a bad address points. No region is 2 GiB or more, so an offset at or above 2^31 is a
   * negative offset that borrowed from the tag: it is described against the region it fell below.
   */
  private whereIs(hi: number, lo: number, size: number, write: boolean): string {
    const o = lo >>> 0;
    if (o >= 0x80000000) {
      const above = this.regionOf(hi + 1);
      if (above) return `${0x100000000 - o} byte${o === 0xffffffff ? '' : 's'} before the start of ${describe(above)}`;
    }
    const r = this.regionOf(hi);
    if (r === undefined) return 'not inside any memory region';
    if (write && !r.writable && o + size <= r.size) return `${describe(r)} is read-only`;
    return `offset ${o} is outside ${describe(r)}`;
  }
}

function describe(r: Region): string {
  return `${r.name} (${r.size} bytes)`;
}
