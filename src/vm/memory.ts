/**
 * The VM's memory model. Programs see 64-bit addresses; every region (input block, stack frames,
 * context, packet, map values...) gets its own upper 32 bits (a tag), and the lower 32 bits are the
 * byte offset inside it. A load or store therefore finds its region with one subtraction and checks
 * bounds and permission with two comparisons, and no address a program computes can reach anything
 * outside the regions it was given. Addresses say nothing about the host.
 */
import { residentWindow } from './resident.js';
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
  constructor(
    /** Where it is in `Memory.regions`: only Memory.readd changes it (moveTo). */
    public index: number,
    readonly name: string,
    readonly kind: RegionKind,
    public bytes: Uint8Array,
    public writable: boolean,
    /** In the low window (see LOW_BASE) instead of at its own tag. */
    readonly low = false,
  ) {
    this.made = bytes;
  }
  /** The bytes `dv` is made over. */
  private readonly made: Uint8Array;
  private view: DataView | undefined = undefined;
  /**
   * A DataView over the bytes, made on first use: most regions of a map value a program looks up
   * are never read through one (the JIT copies them), and making one costs more than the lookup.
   */
  get dv(): DataView {
    return (this.view ??= new DataView(this.made.buffer, this.made.byteOffset, this.made.byteLength));
  }
  /** What the region belongs to (a map, a program...), for helpers that take its address. */
  owner: unknown = undefined;
  /** Whether this region is exactly what a new Region with these arguments (at its index) would be. */
  isAsMade(name: string, kind: RegionKind, bytes: Uint8Array, writable: boolean): boolean {
    return this.bytes === bytes && this.made === bytes && this.writable === writable && this.kind === kind
      && this.name === name && this.owner === undefined;
  }
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
  /** addr(0), made once: helpers hand it out on every map lookup, and BigInt arithmetic allocates. */
  private base: bigint | undefined = undefined;
  /** Put a dropped region back at another index (its addresses change with it). */
  moveTo(index: number): void {
    this.index = index;
    this.base = undefined;
  }
  /** The address of byte `offset` of this region, as an unsigned 64-bit value. */
  addr(offset = 0): bigint {
    if (offset === 0) return (this.base ??= (BigInt(this.tag >>> 0) << 32n) | BigInt(this.lo(0) >>> 0));
    return (BigInt(this.tag >>> 0) << 32n) | BigInt(this.lo(offset) >>> 0);
  }
}

/**
 * Splits 64-bit addresses into their halves: one store and two loads, where shifting and masking
 * the BigInt would allocate a BigInt per step (helpers decode several addresses per call). Typed
 * arrays rather than a DataView, which takes twice as long; they are in the host's byte order.
 */
const SPLIT = new BigUint64Array(1);
const HALVES = new Int32Array(SPLIT.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1, HI = 1 - LO;

/** The low 32 bits of a 64-bit value, as a signed int32, without BigInt arithmetic. */
export function low32(v: bigint): number {
  SPLIT[0] = v;
  return HALVES[LO]!;
}

/** The high 32 bits of a 64-bit value, as a signed int32 (low32's other half). */
export function high32(v: bigint): number {
  SPLIT[0] = v;
  return HALVES[HI]!;
}

export function formatAddr(hi: number, lo: number): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Indices below this keep their dropped region for reuse (`add`); a run rarely adds more. */
const MAX_DROPPED = 4096;

/** One shared empty view: a fresh one per Memory costs more than a whole short run (bench/). */
const NO_VIEW = new DataView(new ArrayBuffer(0));

/**
 * The region index (and so the address tag) of the resident window (vm/resident.ts) in every
 * Memory: the last the JIT's region table addresses below the low window's. A map value the JIT
 * looks up there is given as an address into the window, which any Memory resolves; `add` never
 * gives the index to another region.
 */
export const RESIDENT_INDEX = ((0 - TAG_BASE) >>> 0) - 1;
/** The address tag (upper half) of the window. */
export const RESIDENT_TAG = (TAG_BASE + RESIDENT_INDEX) | 0;

let windowRegion: Region | undefined;

/** The region of the resident window, or undefined while there is no resident memory. */
export function residentRegion(): Region | undefined {
  if (windowRegion === undefined) {
    const w = residentWindow();
    if (w !== undefined) windowRegion = new Region(RESIDENT_INDEX, 'resident map values', 'map_value', w, true);
  }
  return windowRegion;
}

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
  /** The region last dropped at each index (see `add`). */
  private readonly dropped: (Region | undefined)[] = [];
  /** The last region put in the low window (see `setLow`). */
  private lastLow: Region | undefined = undefined;

  /** Put a region in the low window (replacing any there). */
  setLow(name: string, kind: RegionKind, bytes: Uint8Array, writable = true): Region {
    const last = this.lastLow;
    this.low = last !== undefined && last.isAsMade(name, kind, bytes, writable) ? last : new Region(-1, name, kind, bytes, writable, true);
    this.lastLow = this.low;
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
    const dropped = this.dropped;
    while (regions.length > mark) {
      const r = regions.pop()!;
      if (r.index < MAX_DROPPED) dropped[r.index] = r;
    }
  }

  /**
   * Add a region. One `truncate` dropped from this index that is just what this call would make
   * comes back instead of a new one: runs that add the same regions in the same order (a run's
   * context, the values of the map elements it looks up) then make no Region, nor its DataView,
   * which cost more than a short program's run.
   */
  add(name: string, kind: RegionKind, bytes: Uint8Array, writable = true): Region {
    // (The resident window's index holds the window, or an empty stand-in without one.)
    if (this.regions.length === RESIDENT_INDEX) this.regions.push(residentRegion() ?? new Region(RESIDENT_INDEX, 'reserved', 'other', new Uint8Array(0), false));
    const index = this.regions.length;
    const d = this.dropped[index];
    const r = d !== undefined && d.isAsMade(name, kind, bytes, writable) ? d : new Region(index, name, kind, bytes, writable);
    this.regions.push(r);
    return r;
  }

  /**
   * Put back a region an earlier run added and a `truncate` dropped, at the next index: a map
   * value's region then serves every run that looks the value up, where a new Region each run
   * (and the bookkeeping that finds it again) costs more than the lookup. False when `r` is in
   * memory now, or was not added as a plain region (the caller adds a new one).
   */
  readd(r: Region, name: string, kind: RegionKind, bytes: Uint8Array, writable: boolean): boolean {
    const regions = this.regions;
    if (regions[r.index] === r || r.low || !r.isAsMade(name, kind, bytes, writable)) return false;
    if (this.dropped[r.index] === r) this.dropped[r.index] = undefined;
    r.moveTo(regions.length);
    regions.push(r);
    return true;
  }

  /** The region an address falls in, or undefined. */
  regionOf(hi: number, _lo?: number): Region | undefined {
    if (hi === 0) return this.low;
    return this.atIndex((hi - TAG_BASE) >>> 0);
  }

  /** The region at an index: the one there, or the resident window at its index. */
  atIndex(idx: number): Region | undefined {
    return this.regions[idx] ?? (idx === RESIDENT_INDEX ? residentRegion() : undefined);
  }

  /** The region and offset of a 64-bit address, or undefined. */
  resolve(addr: bigint): { region: Region; offset: number } | undefined {
    SPLIT[0] = addr;
    const lo = HALVES[LO]!, hi = HALVES[HI]!;
    const region = this.regionOf(hi);
    if (region === undefined) return undefined;
    const offset = (lo - (region.low ? LOW_BASE : 0)) >>> 0;
    return offset <= region.size ? { region, offset } : undefined;
  }

  /** The region whose first byte `addr` is (a map's handle, a function's code), or undefined. */
  regionAt(addr: bigint): Region | undefined {
    SPLIT[0] = addr;
    const region = this.regionOf(HALVES[HI]!);
    return region !== undefined && HALVES[LO]! === region.lo(0) ? region : undefined;
  }

  /**
   * A live view of `len` bytes at `addr`, for helpers: EFAULT unless the whole range lies inside
   * one region (and that region is writable when `write`).
   */
  view(addr: bigint, len: number, write: boolean, what: string): Uint8Array {
    const v = this.viewOrUndefined(addr, len, write);
    if (v !== undefined) return v;
    SPLIT[0] = addr;
    const lo = HALVES[LO]!, hi = HALVES[HI]!;
    throw new BpfError('EFAULT', `${what}: invalid ${write ? 'write' : 'read'} of ${len} bytes at ${formatAddr(hi, lo)}: ${this.whereIs(hi, lo, len, write)}`);
  }

  /**
   * Copy the `dst.length` bytes at `addr` into `dst`; false, and nothing copied, unless they all lie
   * inside one region. For the few bytes of a key a loop beats making a view to copy from.
   */
  readInto(addr: bigint, dst: Uint8Array): boolean {
    SPLIT[0] = addr;
    const region = this.regionOf(HALVES[HI]!);
    if (region === undefined) return false;
    const len = dst.length;
    const offset = (HALVES[LO]! - (region.low ? LOW_BASE : 0)) >>> 0;
    const src = region.bytes;
    if (offset + len > src.length) return false;
    for (let i = 0; i < len; i++) dst[i] = src[offset + i]!;
    return true;
  }

  /** `view` without the error: undefined where `view` throws (a caller then describes the fault lazily). */
  viewOrUndefined(addr: bigint, len: number, write: boolean): Uint8Array | undefined {
    SPLIT[0] = addr;
    const region = this.regionOf(HALVES[HI]!);
    if (region === undefined || len < 0) return undefined;
    const offset = (HALVES[LO]! - (region.low ? LOW_BASE : 0)) >>> 0;
    if (offset + len > region.bytes.length || (write && !region.writable)) return undefined;
    return region.bytes.subarray(offset, offset + len);
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
    // (The low window, or the resident window at its index: Memory.atIndex's, not in `regions`.)
    const w = hi === 0 ? this.low : hi === RESIDENT_TAG ? residentRegion() : undefined;
    if (w !== undefined) {
      const o = (lo - (w.low ? LOW_BASE : 0)) >>> 0;
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
