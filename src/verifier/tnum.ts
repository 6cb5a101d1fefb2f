/**
 * Tristate numbers ("tnums"), the verifier's bit-level abstract domain, after the Linux kernel's
 * kernel/bpf/tnum.c. A tnum stands for every u64 whose bits agree with `value` wherever `mask` has a
 * 0 bit; `mask` bits are unknown. Invariant: value & mask === 0. All numbers are u64 BigInts.
 */
const U64 = (1n << 64n) - 1n;
const LO32 = 0xffffffffn;
const HI32 = U64 ^ LO32;
const LOW63 = U64 >> 1n;
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
  return x <= LO32 ? 32 - Math.clz32(Number(x)) : 64 - Math.clz32(Number(x >> 32n));
}

/** LOW_BITS[n] = 2^n - 1: the masks tnumRange builds, without a shift and subtraction each time. */
const LOW_BITS: readonly bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);

/** The smallest tnum holding every value of the unsigned range [min, max]. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min) ^ u64(max);
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = LOW_BITS[bits]!;
  return { value: u64(min) & ~delta, mask: delta };
}

export const tnumLshift = (a: Tnum, shift: number): Tnum => {
  const s = BigInt(shift);
  // Shifting keeps value & mask === 0; only the truncation to 64 bits is needed.
  return { value: u64(a.value << s), mask: u64(a.mask << s) };
};
// A right shift of two disjoint u64s stays two disjoint u64s: no normalisation needed.
export const tnumRshift = (a: Tnum, shift: number): Tnum => {
  const s = BigInt(shift);
  return { value: a.value >> s, mask: a.mask >> s };
};

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
  return { value: u64(sv) & ~mu, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu, mask: mu };
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tnumConst(0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  // Already u64 and disjoint from v (alpha is a nonnegative u64).
  return { value: v, mask: alpha & beta & ~v };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return { value: v, mask: (a.mask | b.mask) & ~v };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return { value: (a.value ^ b.value) & ~mu, mask: mu };
}

/**
 * Multiplication as a sum of partial products (the kernel's current tnum_mul). The loop runs once per
 * bit of a, so it works on 32-bit halves in plain numbers rather than allocating BigInts.
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let xvl = Number(a.value & LO32), xvh = Number(a.value >> 32n);
  let xml = Number(a.mask & LO32), xmh = Number(a.mask >> 32n);
  let yvl = Number(b.value & LO32), yvh = Number(b.value >> 32n);
  let yml = Number(b.mask & LO32), ymh = Number(b.mask >> 32n);
  // The partial-product accumulator only ever adds value-0 tnums, so its value stays 0 and the
  // tnum addition reduces to mask' = u64(mask + m) | mask | m.
  let al = 0, ah = 0;
  while ((xvl | xvh | xml | xmh) !== 0) {
    let ml = 0, mh = 0;
    if ((xvl & 1) !== 0) { ml = yml; mh = ymh; } else if ((xml & 1) !== 0) { ml = (yvl | yml) >>> 0; mh = (yvh | ymh) >>> 0; }
    if ((ml | mh) !== 0) {
      const sl = al + ml;
      const sh = (ah + mh + (sl > 0xffffffff ? 1 : 0)) >>> 0;
      al = ((sl >>> 0) | al | ml) >>> 0;
      ah = (sh | ah | mh) >>> 0;
      // An all-unknown accumulator stays so.
      if (al === 0xffffffff && ah === 0xffffffff) break;
    }
    xvl = ((xvl >>> 1) | ((xvh & 1) << 31)) >>> 0; xvh >>>= 1;
    xml = ((xml >>> 1) | ((xmh & 1) << 31)) >>> 0; xmh >>>= 1;
    yvh = ((yvh << 1) | (yvl >>> 31)) >>> 0; yvl = (yvl << 1) >>> 0;
    ymh = ((ymh << 1) | (yml >>> 31)) >>> 0; yml = (yml << 1) >>> 0;
    // Nothing left of b: later partial products are all zero.
    if ((yvl | yvh | yml | ymh) === 0) break;
  }
  if ((al | ah) === 0) return { value: accV, mask: 0n };
  return tnumAdd({ value: accV, mask: 0n }, { value: 0n, mask: (BigInt(ah) << 32n) | BigInt(al) });
}

/**
 * tnumIntersect(t, tnumRange(umin, umax)) with its low 32 bits further intersected with
 * tnumRange(u32min, u32max) (the kernel's __reg_bound_offset), without the intermediate tnums.
 * Needs 0 <= umin <= umax <= U64 and 0 <= u32min <= u32max <= U32; returns t itself when unchanged.
 */
export function tnumBoundOffset(t: Tnum, umin: bigint, umax: bigint, u32min: bigint, u32max: bigint): Tnum {
  let v = t.value, m = t.mask;
  const chi = umin ^ umax;
  // A range whose ends differ in bit 63 is the unknown tnum: intersecting with it changes nothing.
  if (chi <= LOW63) {
    const delta = LOW_BITS[fls64(chi)]!;
    m &= delta;
    v = (v | (umin & ~delta)) & ~m;
  }
  // The full 32-bit range is the unknown low half: nothing to intersect.
  if (u32min !== 0n || u32max !== LO32) {
    const delta32 = LOW_BITS[32 - Math.clz32(Number(u32min ^ u32max))]!;
    const m32 = m & LO32 & delta32;
    const v32 = ((v & LO32) | (u32min & ~delta32)) & ~m32;
    v = (v & HI32) | v32;
    m = (m & HI32) | m32;
  }
  return v === t.value && m === t.mask ? t : { value: v, mask: m };
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
  const m = size === 4 ? 0xffffffffn : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
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

export const tnumSubreg = (a: Tnum): Tnum => ({ value: a.value & 0xffffffffn, mask: a.mask & 0xffffffffn });
export const tnumClearSubreg = (a: Tnum): Tnum => ({ value: a.value & HI32, mask: a.mask & HI32 });
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
