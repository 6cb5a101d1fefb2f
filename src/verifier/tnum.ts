/**
 * Tristate numbers ("tnums"), the verifier's bit-level abstract domain, after the Linux kernel's
 * kernel/bpf/tnum.c. A tnum stands for every u64 whose bits agree with `value` wherever `mask` has a
 * 0 bit; `mask` bits are unknown. Invariant: value & mask === 0. All numbers are u64 BigInts.
 */
const U64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const mk = (value: bigint, mask: bigint): Tnum => {
  const m = u64(mask);
  return { value: u64(value) & ~m & U64, mask: m };
};

export const tnumConst = (v: bigint): Tnum => ({ value: u64(v), mask: 0n });
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64 };

/** Number of the highest set bit, 1-based (fls64); 0 for 0. */
function fls64(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The smallest tnum holding every value of the unsigned range [min, max]. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min) ^ u64(max);
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return mk(min & ~delta, delta);
}

export const tnumLshift = (a: Tnum, shift: number): Tnum => mk(a.value << BigInt(shift), a.mask << BigInt(shift));
export const tnumRshift = (a: Tnum, shift: number): Tnum => mk(a.value >> BigInt(shift), a.mask >> BigInt(shift));

/** Arithmetic right shift of a 64- or 32-bit tnum (the 32-bit result is zero-extended). */
export function tnumArshift(a: Tnum, shift: number, bits: 32 | 64): Tnum {
  const s = BigInt(shift);
  const sh = (x: bigint): bigint => BigInt.asUintN(bits, BigInt.asIntN(bits, x) >> s);
  return mk(sh(a.value), sh(a.mask));
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const sigma = sm + sv;
  const chi = u64(sigma ^ sv);
  const mu = chi | a.mask | b.mask;
  return mk(sv, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return mk(dv, mu);
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tnumConst(0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return mk(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return mk(v, (a.mask | b.mask) & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  return mk(a.value ^ b.value, a.mask | b.mask);
}

/** Multiplication as a sum of partial products (the kernel's current tnum_mul). */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let accM: Tnum = tnumConst(0n);
  let x = a, y = b;
  while (x.value !== 0n || x.mask !== 0n) {
    if ((x.value & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: y.mask });
    else if ((x.mask & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: y.value | y.mask });
    x = tnumRshift(x, 1);
    y = tnumLshift(y, 1);
  }
  return tnumAdd(tnumConst(accV), accM);
}

/** Values in both a and b (assumes they overlap; otherwise the result is meaningless). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return mk(v & ~mu, mu);
}

/** The smallest tnum holding every value of a and of b. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return mk(a.value & b.value & ~mu, mu);
}

/** Truncate to `size` bytes (zero-extending). */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = (1n << BigInt(size * 8)) - 1n;
  return mk(a.value & m, a.mask & m);
}

/** Sign-extend the low `bits` bits to 64 (the MOVSX / LDSX view). */
export function tnumSext(a: Tnum, bits: number): Tnum {
  return mk(BigInt.asUintN(64, BigInt.asIntN(bits, a.value)), BigInt.asUintN(64, BigInt.asIntN(bits, a.mask)));
}

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64;
export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;
export const tnumEqualsConst = (a: Tnum, v: bigint): boolean => a.mask === 0n && a.value === u64(v);

/** Every value of a is a multiple of `size`. */
export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Is b a subset of a? (the kernel's tnum_in(a, b)) */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask) !== 0n) return false;
  return a.value === (b.value & ~a.mask);
}

/** Does the concrete u64 v belong to a? */
export const tnumContains = (a: Tnum, v: bigint): boolean => (u64(v) & ~a.mask) === a.value;

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
export const tnumWithSubreg = (reg: Tnum, subreg: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
export const tnumWithConstSubreg = (a: Tnum, v: bigint): Tnum => tnumWithSubreg(a, tnumConst(v));
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & 0xffffffffn) === 0n;

/** Reverse the low `width` bits' bytes (be/bswap), zero-extending. */
export function tnumBswap(a: Tnum, width: 16 | 32 | 64): Tnum {
  const swap = (v: bigint): bigint => {
    let r = 0n;
    for (let i = 0; i < width / 8; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
    return r;
  };
  return mk(swap(a.value), swap(a.mask));
}

/** The kernel's `%#llx` (which prints 0 as 0x0). */
export const hex = (v: bigint): string => '0x' + v.toString(16);

/** As the verifier log prints var_off: `(0x0; 0xff)`. */
export function tnumToString(a: Tnum): string {
  return `(${hex(a.value)}; ${hex(a.mask)})`;
}
