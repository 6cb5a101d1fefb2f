/**
 * The BTF string section: NUL-terminated names addressed by byte offset. Split BTF continues the
 * offsets of its base: an offset below the base's length is a base string.
 */
import { BpfError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class BtfStrings {
  /** Decoded strings by offset: names repeat a lot (vmlinux has ~100k types and ~1M members). */
  private readonly cache = new Map<number, string>();

  constructor(
    /** The bytes of this BTF's own string section. */
    readonly bytes: Uint8Array,
    /** The base BTF's strings, for split BTF. */
    readonly base?: BtfStrings,
  ) {}

  /** The first offset this section defines (the base's total length, or 0). */
  get start(): number {
    return this.base ? this.base.end : 0;
  }

  /** One past the last offset (base included). */
  get end(): number {
    return this.start + this.bytes.length;
  }

  has(off: number): boolean {
    return Number.isInteger(off) && off >= 0 && off < this.end;
  }

  /**
   * The string at `off`, or undefined when the offset is outside the section. A string runs to the
   * next NUL; parseBtf checks that the section ends with one, so the scan is bounded.
   */
  tryAt(off: number): string | undefined {
    if (!this.has(off)) return undefined;
    if (this.base && off < this.start) return this.base.tryAt(off);
    const cached = this.cache.get(off);
    if (cached !== undefined) return cached;
    const b = this.bytes;
    let i = off - this.start;
    const from = i;
    let ascii = true;
    while (i < b.length && b[i] !== 0) {
      if (b[i]! >= 0x80) ascii = false;
      i++;
    }
    // Short ASCII names (nearly all of them) are cheaper to build directly than through TextDecoder.
    const s = ascii && i - from < 64 ? String.fromCharCode(...b.subarray(from, i)) : utf8.decode(b.subarray(from, i));
    this.cache.set(off, s);
    return s;
  }

  /** The string at `off`; an offset outside the section is an EINVAL naming `what`. */
  at(off: number, what = 'string'): string {
    const s = this.tryAt(off);
    if (s === undefined) {
      throw new BpfError('EINVAL', `BTF: ${what}: string offset ${off} is outside the string section (0..${this.end - 1})`);
    }
    return s;
  }
}
