/**
 * A hash map's keys in the JIT's resident window (vm/resident.ts), for compiled lookups that find
 * a value without calling out (jit/compile.ts probeLookup): open addressing with linear probing,
 * kept in step with the map's elements by the map itself. Only for keys of 1, 2, 4 or 8 bytes
 * (read as a zero-extended little-endian u64) and values in the window.
 *
 * Layout at `at` (8-aligned): a header of four u32 (valid, mask, shift, 0), then `mask + 1` slots
 * of 16 bytes: the key (u64), the value's address in the resident memory (u32: 0 empty, 1 a
 * deleted element's slot), 0. A probe starts at slot `hash >>> shift` and ends at an empty slot;
 * slots of deleted elements are reused by inserts and dropped when the table is rebuilt.
 * `valid` turns 0 for good when an element's value is not in the window (the window was full):
 * the compiled code then asks the runtime, as for any map.
 */
import { residentBytes } from '../vm/resident.js';

export const IX_VALID = 0;
export const IX_MASK = 4;
export const IX_SHIFT = 8;
export const IX_SLOTS = 16;
export const IX_SLOT = 16;
export const IX_ADDR = 8;
/** The hash's multipliers (the compiled probe computes the same with i32 arithmetic). */
export const IX_K1 = 0x85ebca6b | 0;
export const IX_K2 = 0x9e3779b1 | 0;
const EMPTY = 0, DELETED = 1;
/** The most bytes an index takes of the window (larger maps get none). */
const MAX_INDEX_BYTES = 4 << 20;

export class ResidentIndex {
  private readonly u32: Uint32Array;
  private readonly mask: number;
  private readonly shift: number;
  private used = 0;

  private constructor(readonly at: number, bytes: Uint8Array, slots: number, private readonly live: () => Iterable<[Uint8Array, number]>) {
    this.u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    this.u32[IX_MASK >> 2] = this.mask;
    this.u32[IX_SHIFT >> 2] = this.shift;
    this.u32[IX_VALID >> 2] = 1;
  }

  /**
   * An index for a map of `maxEntries` keys of `keySize` bytes, or undefined (no room, or keys it
   * cannot hold). `live` gives the map's elements (key, value address) when the table is rebuilt.
   */
  static create(keySize: number, maxEntries: number, live: () => Iterable<[Uint8Array, number]>): ResidentIndex | undefined {
    if (keySize !== 1 && keySize !== 2 && keySize !== 4 && keySize !== 8) return undefined;
    let slots = 16;
    // At most half full (deleted slots count until a rebuild): short probes.
    while (slots < 2 * maxEntries) slots *= 2;
    const len = IX_SLOTS + slots * IX_SLOT;
    if (len > MAX_INDEX_BYTES) return undefined;
    const bytes = residentBytes(len);
    return bytes === undefined ? undefined : new ResidentIndex(bytes.byteOffset, bytes, slots, live);
  }

  get valid(): boolean {
    return this.u32[IX_VALID >> 2] !== 0;
  }

  invalidate(): void {
    this.u32[IX_VALID >> 2] = 0;
  }

  private start(lo: number, hi: number): number {
    return Math.imul(lo ^ Math.imul(hi, IX_K1), IX_K2) >>> this.shift;
  }

  /**
   * On the walk from the key's hash: the slot (its u32 index) holding the key, or -1 at an empty
   * slot; with `free`, the first slot an insert may take (empty or a deleted element's).
   */
  private slotOf(lo: number, hi: number, free: boolean): number {
    const u32 = this.u32;
    for (let h = this.start(lo, hi); ; h = (h + 1) & this.mask) {
      const s = (IX_SLOTS + h * IX_SLOT) >> 2;
      const a = u32[s + 2]!;
      if (a === EMPTY) return free ? s : -1;
      if (free ? a === DELETED : a !== DELETED && u32[s] === lo && u32[s + 1] === hi) return s;
    }
  }

  /** Add a key the map did not hold, its value at `addr` in the resident memory. */
  put(key: Uint8Array, addr: number): void {
    if (!this.valid) return;
    const [lo, hi] = halves(key);
    const u32 = this.u32;
    const s = this.slotOf(lo, hi, true);
    const wasEmpty = u32[s + 2] === EMPTY;
    u32[s] = lo;
    u32[s + 1] = hi;
    u32[s + 2] = addr;
    if (wasEmpty && ++this.used * 4 > (this.mask + 1) * 3) this.rebuild();
  }

  /** Drop a key the map held (its slot stays taken until a rebuild: probes go past it). */
  remove(key: Uint8Array): void {
    if (!this.valid) return;
    const [lo, hi] = halves(key);
    const s = this.slotOf(lo, hi, false);
    if (s >= 0) this.u32[s + 2] = DELETED;
  }

  /** Slots of deleted elements gone: only the live elements, so probes stay short (they end at an empty slot). */
  private rebuild(): void {
    this.u32.fill(0, IX_SLOTS >> 2);
    this.used = 0;
    for (const [key, addr] of this.live()) this.put(key, addr);
  }
}

/** A key of at most 8 bytes as the two halves of a zero-extended little-endian u64. */
function halves(key: Uint8Array): [number, number] {
  let lo = 0, hi = 0;
  for (let i = Math.min(key.length, 4) - 1; i >= 0; i--) lo = (lo << 8) | key[i]!;
  for (let i = key.length - 1; i >= 4; i--) hi = (hi << 8) | key[i]!;
  return [lo >>> 0, hi >>> 0];
}
