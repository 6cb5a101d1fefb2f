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

/**
 * Start of the low window: the one region (the packet of the current run) whose addresses have an
 * upper half of 0. Context structs like `__sk_buff` and `xdp_md` hold packet pointers in 32-bit
 * fields (`data`, `data_end`); with the packet below 4 GiB such a field holds the whole pointer and
 * a plain 4-byte load gives the program a usable address, with no rewriting of its instructions.
 */
export const LOW_BASE = 0x10000000;

export type RegionKind =
  | 'input' | 'stack' | 'ctx' | 'packet' | 'map_value' | 'map' | 'global' | 'ringbuf' | 'code' | 'other';

export class Region {
  readonly dv: DataView;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly kind: RegionKind,
    public bytes: Uint8Array,
    public writable: boolean,
    /** In the low window (see LOW_BASE) instead of at its own tag. */
    readonly low = false,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  /** What the region belongs to (a map, a program...), for helpers that take its address. */
  owner: unknown = undefined;
  get size(): number {
    return this.bytes.length;
  }
  /** Upper 32 bits of this region's addresses (as a signed int32, like the VM's registers). */
  get tag(): number {
    return this.low ? 0 : (TAG_BASE + this.index) | 0;
  }
  /** Lower 32 bits of the address of byte `offset`. */
  lo(offset = 0): number {
    return ((this.low ? LOW_BASE : 0) + offset) | 0;
  }
  /** The address of byte `offset` of this region, as an unsigned 64-bit value. */
  addr(offset = 0): bigint {
    return (BigInt(this.tag >>> 0) << 32n) | BigInt(this.lo(offset) >>> 0);
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
  /** The region in the low window, if any. */
  low: Region | undefined = undefined;
  /**
   * Set by an owner that drops every run's regions afterwards (vm/runtime.ts): runs may then keep
   * their stack frames between runs instead of allocating new ones.
   */
  reuseStacks = false;

  /** Put a region in the low window (replacing any there). */
  setLow(name: string, kind: RegionKind, bytes: Uint8Array, writable = true): Region {
    this.low = new Region(-1, name, kind, bytes, writable, true);
    return this.low;
  }

  /** How many regions there are now: give it to `truncate` to drop every region added after. */
  mark(): number {
    return this.regions.length;
  }

  truncate(mark: number): void {
    // Popping the few regions a run added is cheaper than a length store, a runtime call in V8
    // that shows in a short run's cost.
    const regions = this.regions;
    while (regions.length > mark) regions.pop();
  }

  add(name: string, kind: RegionKind, bytes: Uint8Array, writable = true): Region {
    const r = new Region(this.regions.length, name, kind, bytes, writable);
    this.regions.push(r);
    return r;
  }

  /** The region an address falls in, or undefined. */
  regionOf(hi: number, _lo?: number): Region | undefined {
    if (hi === 0) return this.low;
    return this.regions[(hi - TAG_BASE) >>> 0];
  }

  /** The region and offset of a 64-bit address, or undefined. */
  resolve(addr: bigint): { region: Region; offset: number } | undefined {
    const hi = Number((addr >> 32n) & 0xffffffffn) | 0;
    const lo = Number(addr & 0xffffffffn) | 0;
    const region = this.regionOf(hi);
    if (region === undefined) return undefined;
    const offset = (lo - (region.low ? LOW_BASE : 0)) >>> 0;
    return offset <= region.size ? { region, offset } : undefined;
  }

  /**
   * A live view of `len` bytes at `addr`, for helpers: EFAULT unless the whole range lies inside
   * one region (and that region is writable when `write`).
   */
  view(addr: bigint, len: number, write: boolean, what: string): Uint8Array {
    const at = this.resolve(addr);
    if (at === undefined || at.offset + len > at.region.size || (write && !at.region.writable) || len < 0) {
      const hi = Number((addr >> 32n) & 0xffffffffn) | 0, lo = Number(addr & 0xffffffffn) | 0;
      throw new BpfError('EFAULT', `${what}: invalid ${write ? 'write' : 'read'} of ${len} bytes at ${formatAddr(hi, lo)}: ${this.whereIs(hi, lo, len, write)}`);
    }
    return at.region.bytes.subarray(at.offset, at.offset + len);
  }

  /**
   * Check an access of `size` bytes at hi:lo and return its offset within the region, leaving the
   * region's DataView in `this.dv`. Throws EFAULT naming the instruction, address and region.
   */
  check(hi: number, lo: number, size: number, write: boolean, pc: number): number {
    const r = this.regions[(hi - TAG_BASE) >>> 0];
    const o = lo >>> 0;
    if (r === undefined || o + size > r.bytes.length || (write && !r.writable)) {
      return this.checkLow(hi, lo, size, write, pc);
    }
    this.dv = r.dv;
    return o;
  }

  private checkLow(hi: number, lo: number, size: number, write: boolean, pc: number): number {
    const w = this.low;
    if (hi === 0 && w !== undefined) {
      const o = (lo - LOW_BASE) >>> 0;
      if (o + size <= w.bytes.length && (!write || w.writable)) {
        this.dv = w.dv;
        return o;
      }
    }
    throw this.fault(hi, lo, size, write, pc);
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
    if (hi === 0) {
      if (lo === 0) return 'NULL pointer dereference';
      const w = this.low;
      if (w === undefined) return 'not inside any memory region';
      const off = (lo - LOW_BASE) | 0;
      if (off < 0) return `${-off} bytes before the start of ${describe(w)}`;
      if (write && !w.writable && off + size <= w.size) return `${describe(w)} is read-only`;
      return `offset ${off} is outside ${describe(w)}`;
    }
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
