/**
 * The verifier's scalar abstract domain, after the Linux kernel's bpf_reg_state for SCALAR_VALUE: a
 * tnum plus signed and unsigned bounds of the 64-bit value and of its low 32 bits, kept consistent
 * by `sync()` (the kernel's reg_bounds_sync). ALU transfer functions (`scalarAlu`, `scalarNeg`,
 * `scalarEnd`) and branch refinement (`scalarBranch`) are sound with respect to isa/semantics.ts,
 * which is the one definition of what the instructions compute; the tests check this by sampling.
 *
 * Signed bounds are signed BigInts (smin in [-2^63, 2^63)), unsigned bounds are u64/u32 BigInts.
 */
import { ALU, JMP, type AluOpInfo, type JmpCondInfo } from '../isa/opcodes.js';
import {
  TNUM_UNKNOWN, tnumAdd, tnumAnd, tnumArshift, tnumBswap, tnumCast, tnumConst, tnumContains,
  tnumBoundOffset, tnumIntersect, tnumIsConst, tnumLshift, tnumMul, tnumOr,
  tnumRshift, tnumSext, tnumSub, tnumSubreg, tnumWithSubreg, tnumXor,
  tnumUnion, type Tnum,
} from './tnum.js';

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX = 0xffffffffn;
export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -(1n << 31n);
export const S32_MAX = (1n << 31n) - 1n;

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Bounds of one width (64 or 32 bits). */
interface Range {
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
}

const unbounded = (bits: 32 | 64): Range =>
  bits === 64
    ? { smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX }
    : { smin: S32_MIN, smax: S32_MAX, umin: 0n, umax: U32_MAX };

export interface ScalarFields {
  var: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

export class Scalar implements Readonly<ScalarFields> {
  readonly var: Tnum;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly s32min: bigint;
  readonly s32max: bigint;
  readonly u32min: bigint;
  readonly u32max: bigint;

  /** Builds as given, without syncing; use the static constructors or `Scalar.of(...).sync()`. */
  constructor(f: ScalarFields) {
    this.var = f.var;
    this.smin = f.smin; this.smax = f.smax; this.umin = f.umin; this.umax = f.umax;
    this.s32min = f.s32min; this.s32max = f.s32max; this.u32min = f.u32min; this.u32max = f.u32max;
  }

  /** Any value (one shared, frozen instance: scalars are immutable). */
  static unknown(): Scalar {
    return UNKNOWN;
  }

  static const(v: bigint): Scalar {
    const x = u64(v);
    return new Scalar({
      var: tnumConst(x), smin: s64(x), smax: s64(x), umin: x, umax: x,
      s32min: s32(x), s32max: s32(x), u32min: u32(x), u32max: u32(x),
    });
  }

  /** Unsigned range [lo, hi] (inclusive), synced. */
  static urange(lo: bigint, hi: bigint): Scalar {
    return synced(TNUM_UNKNOWN, S64_MIN, S64_MAX, u64(lo), u64(hi), S32_MIN, S32_MAX, 0n, U32_MAX);
  }

  /** Signed range [lo, hi] (inclusive), synced. */
  static srange(lo: bigint, hi: bigint): Scalar {
    return synced(TNUM_UNKNOWN, lo, hi, 0n, U64_MAX, S32_MIN, S32_MAX, 0n, U32_MAX);
  }

  /** Any value of this tnum, synced. */
  static fromTnum(t: Tnum): Scalar {
    return synced(t, S64_MIN, S64_MAX, 0n, U64_MAX, S32_MIN, S32_MAX, 0n, U32_MAX);
  }

  /**
   * A 64-bit value whose upper 32 bits are zero, known by its low half's tnum and 32-bit bounds
   * (the kernel's zext_32_to_64 of a 32-bit result).
   */
  static from32(t: Tnum, r: Range): Scalar {
    return synced(tnumSubreg(t), 0n, U32_MAX, r.umin, r.umax, r.smin, r.smax, r.umin, r.umax);
  }

  with(f: Partial<ScalarFields>): Scalar {
    return new Scalar({ ...this.fields(), ...f });
  }

  fields(): ScalarFields {
    return {
      var: this.var, smin: this.smin, smax: this.smax, umin: this.umin, umax: this.umax,
      s32min: this.s32min, s32max: this.s32max, u32min: this.u32min, u32max: this.u32max,
    };
  }

  isConst(): boolean { return tnumIsConst(this.var); }
  /** The low 32 bits are known. */
  isConst32(): boolean { return (this.var.mask & U32_MAX) === 0n; }
  get value(): bigint { return this.var.value; }

  /** No concrete value can satisfy all the constraints (an impossible branch). */
  isEmpty(): boolean {
    return this.smin > this.smax || this.umin > this.umax || this.s32min > this.s32max || this.u32min > this.u32max;
  }

  /** Does the concrete u64 v belong to this abstract value? */
  contains(v: bigint): boolean {
    const x = u64(v);
    return tnumContains(this.var, x) && s64(x) >= this.smin && s64(x) <= this.smax && x >= this.umin && x <= this.umax &&
      s32(x) >= this.s32min && s32(x) <= this.s32max && u32(x) >= this.u32min && u32(x) <= this.u32max;
  }

  /** The kernel's reg_bounds_sync: tighten each component from the others. */
  sync(): Scalar {
    const t = this.var;
    // A known value inside all its bounds syncs to itself: skip the whole machinery.
    if (t.mask === 0n) {
      const c = t.value;
      if (this.umin === c && this.umax === c && this.smin === s64(c) && this.smax === this.smin &&
          this.u32min === u32(c) && this.u32max === this.u32min && this.s32min === s32(c) && this.s32max === this.s32min) {
        return this;
      }
    }
    return synced(t, this.smin, this.smax, this.umin, this.umax, this.s32min, this.s32max, this.u32min, this.u32max);
  }

  /** The smallest value of this domain holding both (for joins of states). */
  join(o: Scalar): Scalar {
    return synced(tnumUnion(this.var, o.var),
      min(this.smin, o.smin), max(this.smax, o.smax), min(this.umin, o.umin), max(this.umax, o.umax),
      min(this.s32min, o.s32min), max(this.s32max, o.s32max), min(this.u32min, o.u32min), max(this.u32max, o.u32max));
  }

  /** Is every value of o also a value of this (the pruning test range_within + tnum_in)? */
  includes(o: Scalar): boolean {
    return this.smin <= o.smin && o.smax <= this.smax && this.umin <= o.umin && o.umax <= this.umax &&
      this.s32min <= o.s32min && o.s32max <= this.s32max && this.u32min <= o.u32min && o.u32max <= this.u32max &&
      (((o.var.mask & ~this.var.mask) === 0n) && (o.var.value & ~this.var.mask) === this.var.value);
  }
}

const range32 = (s: Scalar): Range => ({ smin: s.s32min, smax: s.s32max, umin: s.u32min, umax: s.u32max });

// ---------------------------------------------------------------------------------------------
// Bounds synchronisation (reg_bounds_sync)

/** reg_bounds_sync of the given components, as a new Scalar. */
function synced(t: Tnum, smin: bigint, smax: bigint, umin: bigint, umax: bigint,
  s32min: bigint, s32max: bigint, u32min: bigint, u32max: bigint): Scalar {
  // Work on one module-level scratch record (sync never re-enters itself): no allocation
  // besides the result.
  const f = W;
  f.var = t; f.smin = smin; f.smax = smax; f.umin = umin; f.umax = umax;
  f.s32min = s32min; f.s32max = s32max; f.u32min = u32min; f.u32max = u32max;
  updateFromTnum(f);
  for (let i = 0; i < 2; i++) {
    const p0 = f.smin, p1 = f.smax, p2 = f.umin, p3 = f.umax, p4 = f.s32min, p5 = f.s32max, p6 = f.u32min, p7 = f.u32max;
    deduce32(f);
    deduce64(f);
    deduceMixed(f);
    // The deductions are a function of the bounds alone: a round that changed nothing is a
    // fixed point, and the kernel's second round would change nothing either.
    if (p0 === f.smin && p1 === f.smax && p2 === f.umin && p3 === f.umax &&
        p4 === f.s32min && p5 === f.s32max && p6 === f.u32min && p7 === f.u32max) break;
  }
  const before = f.var;
  boundOffset(f);
  // Every step since the first updateFromTnum only tightened the bounds, so with the tnum unchanged
  // the second one would change nothing.
  if (f.var !== before) updateFromTnum(f);
  // Share the one unknown instance: fewer objects, and scalarAlu can recognise it by identity.
  if (f.var.mask === U64_MAX && f.smin === S64_MIN && f.smax === S64_MAX && f.umin === 0n && f.umax === U64_MAX &&
      f.s32min === S32_MIN && f.s32max === S32_MAX && f.u32min === 0n && f.u32max === U32_MAX) return UNKNOWN;
  return new Scalar(f);
}

const UNKNOWN: Scalar = Object.freeze(new Scalar({
  var: TNUM_UNKNOWN, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX,
}));

const W: ScalarFields = {
  var: TNUM_UNKNOWN, smin: 0n, smax: 0n, umin: 0n, umax: 0n, s32min: 0n, s32max: 0n, u32min: 0n, u32max: 0n,
};

const SIGN64 = 1n << 63n;
const LOW63 = SIGN64 - 1n;

function updateFromTnum(f: ScalarFields): void {
  const v = f.var.value, m = f.var.mask;
  // An unknown tnum bounds nothing (the common case for untracked values).
  if (v === 0n && m === U64_MAX) {
    if (f.umin < 0n) f.umin = 0n;
    if (f.u32min < 0n) f.u32min = 0n;
    if (f.smin < S64_MIN) f.smin = S64_MIN;
    if (f.smax > S64_MAX) f.smax = S64_MAX;
    if (f.umax > U64_MAX) f.umax = U64_MAX;
    if (f.s32min < S32_MIN) f.s32min = S32_MIN;
    if (f.s32max > S32_MAX) f.s32max = S32_MAX;
    if (f.u32max > U32_MAX) f.u32max = U32_MAX;
    return;
  }
  f.smin = max(f.smin, s64(v | (m & SIGN64)));
  f.smax = min(f.smax, s64(v | (m & LOW63)));
  f.umin = max(f.umin, v);
  f.umax = min(f.umax, v | m);
  const v32 = v & U32_MAX, m32 = m & U32_MAX;
  f.s32min = max(f.s32min, s32(v32 | (m32 & 0x80000000n)));
  f.s32max = min(f.s32max, s32(v32 | (m32 & 0x7fffffffn)));
  f.u32min = max(f.u32min, v32);
  f.u32max = min(f.u32max, v32 | m32);
}

/** Learn 32-bit bounds from 64-bit ones, and between the signed and unsigned 32-bit views. */
function deduce32(f: ScalarFields): void {
  deduce32From(f, u64(f.umin), u64(f.umax));
  deduce32From(f, u64(f.smin), u64(f.smax));
  if (s32(f.u32min) <= s32(f.u32max)) {
    f.s32min = max(f.s32min, s32(f.u32min));
    f.s32max = min(f.s32max, s32(f.u32max));
  }
  if (u32(f.s32min) <= u32(f.s32max)) {
    f.u32min = max(f.u32min, u32(f.s32min));
    f.u32max = min(f.u32max, u32(f.s32max));
  }
}

/** Learn 32-bit bounds from one 64-bit range [lo, hi] (u64 images). */
function deduce32From(f: ScalarFields, lo: bigint, hi: bigint): void {
  const lh = lo >> 32n, hh = hi >> 32n;
  // Upper 32 bits fixed: the low halves form a range.
  // (For the signed pair, equal upper halves of the u64 images mean the same thing.)
  if (lh === hh) {
    f.u32min = max(f.u32min, u32(lo));
    f.u32max = min(f.u32max, u32(hi));
    if (s32(lo) <= s32(hi)) {
      f.s32min = max(f.s32min, s32(lo));
      f.s32max = min(f.s32max, s32(hi));
    }
  }
  // Upper halves are two consecutive numbers and the low halves cross from negative to positive.
  if (u32(lh + 1n) === hh && s32(lo) < 0n && s32(hi) >= 0n) {
    f.s32min = max(f.s32min, s32(lo));
    f.s32max = min(f.s32max, s32(hi));
  }
}

function deduce64(f: ScalarFields): void {
  if (u64(f.smin) <= u64(f.smax)) {
    // The signed range does not cross the sign boundary: it is also an unsigned range.
    f.umin = max(f.umin, u64(f.smin));
    f.umax = min(f.umax, u64(f.smax));
  } else {
    // The signed range is [smin, -1] ∪ [0, smax]; the unsigned range may exclude one side.
    if (f.umax < u64(f.smin)) {
      f.smin = max(f.smin, s64(f.umin));
      f.umax = min(f.umax, u64(f.smax));
    } else if (u64(f.smax) < f.umin) {
      f.smax = min(f.smax, s64(f.umax));
      f.umin = max(f.umin, u64(f.smin));
    }
  }
  if (s64(f.umin) <= s64(f.umax)) {
    f.smin = max(f.smin, s64(f.umin));
    f.smax = min(f.smax, s64(f.umax));
  }
}

/** Tighten the 64-bit bounds using the 32-bit ones (their low halves). */
function deduceMixed(f: ScalarFields): void {
  tighten(f, f.u32min, f.u32max);
  if (u32(f.s32min) <= u32(f.s32max)) tighten(f, u32(f.s32min), u32(f.s32max));
}
const HI32 = U64_MAX ^ U32_MAX;
function tighten(f: ScalarFields, l32: bigint, h32: bigint): void {
  f.umin = max(f.umin, (f.umin & HI32) | l32);
  f.umax = min(f.umax, (f.umax & HI32) | h32);
  f.smin = max(f.smin, s64((u64(f.smin) & HI32) | l32));
  f.smax = min(f.smax, s64((u64(f.smax) & HI32) | h32));
}

/** Tighten the tnum from the unsigned bounds (__reg_bound_offset). */
function boundOffset(f: ScalarFields): void {
  if (f.umin > f.umax || f.u32min > f.u32max) return;
  f.var = tnumBoundOffset(f.var, f.umin, f.umax, f.u32min, f.u32max);
}

// ---------------------------------------------------------------------------------------------
// Interval arithmetic helpers

/**
 * A range of this width from exact integer intervals: [ulo, uhi] reduced modulo 2^bits and
 * [slo, shi] as signed `bits`-bit values, each kept only if it stays one interval.
 */
function fromIntervals(bits: 32 | 64, ulo: bigint, uhi: bigint, slo: bigint, shi: bigint): Range {
  const b = bits === 64 ? 64n : 32n;
  const off = bits === 64 ? SIGN64 : 0x80000000n;
  const r = unbounded(bits);
  if (ulo >> b === uhi >> b) { r.umin = BigInt.asUintN(bits, ulo); r.umax = BigInt.asUintN(bits, uhi); }
  if ((slo + off) >> b === (shi + off) >> b) { r.smin = BigInt.asIntN(bits, slo); r.smax = BigInt.asIntN(bits, shi); }
  return r;
}

function rangeAdd(a: Range, b: Range, bits: 32 | 64): Range {
  return fromIntervals(bits, a.umin + b.umin, a.umax + b.umax, a.smin + b.smin, a.smax + b.smax);
}

function rangeSub(a: Range, b: Range, bits: 32 | 64): Range {
  return fromIntervals(bits, a.umin - b.umax, a.umax - b.umin, a.smin - b.smax, a.smax - b.smin);
}

function rangeMul(a: Range, b: Range, bits: 32 | 64): Range {
  const c0 = a.smin * b.smin, c1 = a.smin * b.smax, c2 = a.smax * b.smin, c3 = a.smax * b.smax;
  const slo = min(min(c0, c1), min(c2, c3)), shi = max(max(c0, c1), max(c2, c3));
  return fromIntervals(bits, a.umin * b.umin, a.umax * b.umax, slo, shi);
}

/** Signed bounds from unsigned ones when the unsigned range does not cross the sign bit. */
function signedFromUnsigned(r: Range, bits: 32 | 64): Range {
  const lo = BigInt.asIntN(bits, r.umin), hi = BigInt.asIntN(bits, r.umax);
  if (lo <= hi) { r.smin = lo; r.smax = hi; } else { const u = unbounded(bits); r.smin = u.smin; r.smax = u.smax; }
  return r;
}

/** Bounds of and/or/xor, from the result tnum t (already truncated to the width). */
function rangeBitwise(op: number, a: Range, b: Range, t: Tnum, bits: 32 | 64): Range {
  const r = unbounded(bits);
  const tmax = t.value | t.mask;
  if (op === ALU.AND) {
    r.umin = t.value;
    r.umax = min(min(a.umax, b.umax), tmax);
  } else if (op === ALU.OR) {
    r.umin = max(max(a.umin, b.umin), t.value);
    r.umax = tmax;
  } else {
    r.umin = t.value;
    r.umax = tmax;
  }
  return signedFromUnsigned(r, bits);
}

function rangeLsh(a: Range, s: bigint, bits: 32 | 64): Range {
  const lim = 1n << BigInt(bits);
  const r = unbounded(bits);
  if (a.umax << s < lim) { r.umin = a.umin << s; r.umax = a.umax << s; }
  const lo = a.smin << s, hi = a.smax << s;
  if (lo >= -(lim >> 1n) && hi < lim >> 1n) { r.smin = lo; r.smax = hi; }
  return r;
}

function rangeRsh(a: Range, s: bigint, bits: 32 | 64): Range {
  const r = unbounded(bits);
  r.umin = a.umin >> s;
  r.umax = a.umax >> s;
  return signedFromUnsigned(r, bits);
}

function rangeArsh(a: Range, s: bigint, bits: 32 | 64): Range {
  const r = unbounded(bits);
  r.smin = a.smin >> s;
  r.smax = a.smax >> s;
  return r;
}

// ---------------------------------------------------------------------------------------------
// ALU transfer functions

/** An unknown result of an ALU operation of this width (zero-extended for 32-bit ops). */
const unknownResult = (is64: boolean): Scalar => (is64 ? UNKNOWN : UNKNOWN32);

/** The low-32-bit view of a value as a (unsynced) 32-bit range. */
function low32(s: Scalar): { t: Tnum; r: Range } {
  return { t: tnumSubreg(s.var), r: range32(s) };
}

/**
 * dst = dst OP src (`is64` false: the 32-bit ALU class, whose result is zero-extended), with the
 * kernel's transfer functions. Shifts are tracked only for a constant shift amount below the width,
 * division and modulo give an unknown scalar (as in the kernel).
 */
export function scalarAlu(info: AluOpInfo, is64: boolean, dst: Scalar, src: Scalar): Scalar {
  const bits: 32 | 64 = is64 ? 64 : 32;
  const width = BigInt(bits);
  if (info.op === ALU.MOV) return scalarMov(info, is64, src);
  if (info.op === ALU.NEG) return scalarNeg(is64, dst);
  // Two known numbers give a known number: the bounds machinery would get the same, far slower
  // (loop counters make this the common case).
  if (dst.isConst() && src.isConst()) {
    const c = constAlu(info.op, bits, dst.value, src.value);
    if (c !== undefined) return Scalar.const(c);
  }
  // Adding, subtracting or xoring a fully unknown operand gives an unknown tnum and unbounded
  // ranges at either width (the interval sums span 2^width values when the other operand's
  // ranges are not empty), which sync to the unknown result.
  if ((dst === UNKNOWN || src === UNKNOWN) && (info.op === ALU.ADD || info.op === ALU.SUB || info.op === ALU.XOR) &&
      !(dst === UNKNOWN ? src : dst).isEmpty()) {
    return unknownResult(is64);
  }

  // A Scalar is its own 64-bit Range (the range helpers only read their operands).
  const a = is64 ? { t: dst.var, r: dst as Range } : low32(dst);
  const b = is64 ? { t: src.var, r: src as Range } : low32(src);
  const trunc = (t: Tnum): Tnum => (is64 ? t : tnumSubreg(t));
  // For 64-bit ops whose low 32 bits depend only on the operands' low 32 bits, also track those.
  const a32 = range32(dst), b32 = range32(src);

  let t: Tnum;
  let r: Range;
  let r32: Range | null = null;
  switch (info.op) {
    case ALU.ADD:
      t = trunc(tnumAdd(a.t, b.t)); r = rangeAdd(a.r, b.r, bits);
      if (is64) r32 = rangeAdd(a32, b32, 32);
      break;
    case ALU.SUB:
      t = trunc(tnumSub(a.t, b.t)); r = rangeSub(a.r, b.r, bits);
      if (is64) r32 = rangeSub(a32, b32, 32);
      break;
    case ALU.MUL:
      t = trunc(tnumMul(a.t, b.t)); r = rangeMul(a.r, b.r, bits);
      if (is64) r32 = rangeMul(a32, b32, 32);
      break;
    case ALU.AND: case ALU.OR: case ALU.XOR: {
      const f = info.op === ALU.AND ? tnumAnd : info.op === ALU.OR ? tnumOr : tnumXor;
      t = trunc(f(a.t, b.t));
      r = rangeBitwise(info.op, a.r, b.r, t, bits);
      if (is64) r32 = rangeBitwise(info.op, a32, b32, tnumSubreg(t), 32);
      break;
    }
    case ALU.LSH: case ALU.RSH: case ALU.ARSH: {
      const bt = is64 ? src.var : tnumSubreg(src.var);
      if (!tnumIsConst(bt) || bt.value >= width) return unknownResult(is64);
      const s = bt.value;
      if (info.op === ALU.LSH) {
        t = trunc(tnumLshift(a.t, Number(s)));
        r = rangeLsh(a.r, s, bits);
        // Shifting by 32 or more leaves low 32 bits zero; by 32 exactly, the old low half moves up.
        if (is64 && s === 32n) { r.smin = max(r.smin, a32.smin << 32n); r.smax = min(r.smax, a32.smax << 32n); }
        if (is64 && s < 32n) r32 = rangeLsh(a32, s, 32);
      } else if (info.op === ALU.RSH) {
        t = tnumRshift(a.t, Number(s));
        r = rangeRsh(a.r, s, bits);
      } else {
        t = tnumArshift(a.t, Number(s), bits);
        r = rangeArsh(a.r, s, bits);
      }
      break;
    }
    case ALU.DIV: case ALU.MOD:
      // The kernel does not track division or modulo (not even of constants): unknown result.
      return unknownResult(is64);
    default:
      throw new Error(`scalarAlu: not a binary ALU op: ${info.name}`);
  }
  if (!is64) return Scalar.from32(t, r);
  if (r32 === null) return synced(t, r.smin, r.smax, r.umin, r.umax, S32_MIN, S32_MAX, 0n, U32_MAX);
  return synced(t, r.smin, r.smax, r.umin, r.umax, r32.smin, r32.smax, r32.umin, r32.umax);
}

/**
 * An ALU instruction with an immediate the kernel refuses before computing anything (check_alu_op):
 * division or modulo by the constant 0, a shift by a constant outside the width. The message, or
 * undefined when the immediate is fine.
 */
export function aluImmProblem(info: AluOpInfo, is64: boolean, imm: number): string | undefined {
  if ((info.op === ALU.DIV || info.op === ALU.MOD) && imm === 0) return 'div by zero';
  if ((info.op === ALU.LSH || info.op === ALU.RSH || info.op === ALU.ARSH) && (imm < 0 || imm >= (is64 ? 64 : 32))) {
    return `invalid shift ${imm}`;
  }
  return undefined;
}

/**
 * dst OP src on known values, as the tracked operations compute them (zero-extended for 32 bits);
 * undefined for what the verifier does not track (division, modulo, shifts out of range).
 */
function constAlu(op: number, bits: 32 | 64, x: bigint, y: bigint): bigint | undefined {
  const w = BigInt(bits);
  const a = BigInt.asUintN(bits, x), b = BigInt.asUintN(bits, y);
  switch (op) {
    case ALU.ADD: return BigInt.asUintN(bits, a + b);
    case ALU.SUB: return BigInt.asUintN(bits, a - b);
    case ALU.MUL: return BigInt.asUintN(bits, a * b);
    case ALU.AND: return a & b;
    case ALU.OR: return a | b;
    case ALU.XOR: return a ^ b;
    case ALU.LSH: return b < w ? BigInt.asUintN(bits, a << b) : undefined;
    case ALU.RSH: return b < w ? a >> b : undefined;
    case ALU.ARSH: return b < w ? BigInt.asUintN(bits, BigInt.asIntN(bits, a) >> b) : undefined;
    default: return undefined;
  }
}

/** mov / movsx (off = 8, 16, 32) of src, zero-extending 32-bit results. */
function scalarMov(info: AluOpInfo, is64: boolean, src: Scalar): Scalar {
  let v = src;
  if (info.off !== 0) v = sext(src, info.off);
  if (is64) return v;
  return Scalar.from32(tnumSubreg(v.var), range32(v));
}

/** Sign-extend the low `bits` bits of a value to 64 bits. */
function sext(s: Scalar, bits: number): Scalar {
  const t = tnumSext(s.var, bits);
  let r = unbounded(64);
  if (bits === 32) {
    r = { smin: s.s32min, smax: s.s32max, umin: 0n, umax: U64_MAX };
  } else {
    // The low `bits` bits form a range when the bits above them are fixed.
    const b = BigInt(bits);
    // Whatever the value, the result is a `bits`-bit signed number (the kernel's default).
    r.smin = -(1n << (b - 1n));
    r.smax = (1n << (b - 1n)) - 1n;
    if (s.umin >> b === s.umax >> b) {
      const lo = BigInt.asIntN(bits, s.umin), hi = BigInt.asIntN(bits, s.umax);
      if (lo <= hi) { r.smin = lo; r.smax = hi; }
    }
  }
  return synced(t, r.smin, r.smax, r.umin, r.umax, S32_MIN, S32_MAX, 0n, U32_MAX);
}

/** dst = -dst (as 0 - dst, like the kernel). */
export function scalarNeg(is64: boolean, dst: Scalar): Scalar {
  return scalarAlu(SUB_INFO, is64, Scalar.const(0n), dst);
}
const SUB_INFO: AluOpInfo = { op: ALU.SUB, off: 0, name: 'sub', kernelOp: '-=', signed: false };

/** Byte-order conversion (semantics.ts endRef): `le` truncates, `be`/`bswap` reverse the bytes. */
export function scalarEnd(order: 'le' | 'be' | 'bswap', width: 16 | 32 | 64, dst: Scalar): Scalar {
  if (order === 'le') {
    if (width === 64) return dst;
    if (width === 32) return Scalar.from32(tnumSubreg(dst.var), range32(dst));
    const t = tnumCast(dst.var, 2);
    const r = dst.umin >> 16n === dst.umax >> 16n ? [dst.umin & 0xffffn, dst.umax & 0xffffn] : [0n, 0xffffn];
    return Scalar.fromTnum(t).with({ umin: r[0]!, umax: r[1]! }).sync();
  }
  return Scalar.fromTnum(tnumBswap(dst.var, width));
}

// ---------------------------------------------------------------------------------------------
// Conditional jumps

export type Taken = 'always' | 'never' | 'maybe';

export interface BranchResult {
  taken: Taken;
  /** The operands where the condition holds, and where it does not. */
  trueA: Scalar;
  trueB: Scalar;
  falseA: Scalar;
  falseB: Scalar;
}

/** The condition with the opposite outcome (JSET's opposite is "no bit in common", code -1). */
const NEGATE: Record<number, number> = {
  [JMP.JEQ]: JMP.JNE, [JMP.JNE]: JMP.JEQ, [JMP.JGT]: JMP.JLE, [JMP.JLE]: JMP.JGT,
  [JMP.JGE]: JMP.JLT, [JMP.JLT]: JMP.JGE, [JMP.JSGT]: JMP.JSLE, [JMP.JSLE]: JMP.JSGT,
  [JMP.JSGE]: JMP.JSLT, [JMP.JSLT]: JMP.JSGE, [JMP.JSET]: -1,
};
const JNSET = -1;

/** The view of an operand at the comparison's width. */
function view(s: Scalar, is32: boolean): { t: Tnum; r: Range } {
  return is32 ? low32(s) : { t: s.var, r: s as Range };
}

/** Is the condition `a op b` always (1), never (0) or maybe (-1) true? (is_branch_taken) */
function branchTaken(op: number, a: { t: Tnum; r: Range }, b: { t: Tnum; r: Range }): 1 | 0 | -1 {
  const A = a.r, B = b.r;
  switch (op) {
    case JMP.JEQ: case JMP.JNE: {
      const eq = op === JMP.JEQ;
      if (tnumIsConst(a.t) && tnumIsConst(b.t)) return (a.t.value === b.t.value) === eq ? 1 : 0;
      const disjoint = A.umin > B.umax || A.umax < B.umin || A.smin > B.smax || A.smax < B.smin ||
        ((a.t.value ^ b.t.value) & ~(a.t.mask | b.t.mask)) !== 0n;
      if (disjoint) return eq ? 0 : 1;
      return -1;
    }
    case JMP.JSET: case JNSET: {
      const set = op === JMP.JSET;
      if ((a.t.value & b.t.value) !== 0n) return set ? 1 : 0;
      if (((a.t.value | a.t.mask) & (b.t.value | b.t.mask)) === 0n) return set ? 0 : 1;
      return -1;
    }
    case JMP.JGT: return A.umin > B.umax ? 1 : A.umax <= B.umin ? 0 : -1;
    case JMP.JGE: return A.umin >= B.umax ? 1 : A.umax < B.umin ? 0 : -1;
    case JMP.JLT: return A.umax < B.umin ? 1 : A.umin >= B.umax ? 0 : -1;
    case JMP.JLE: return A.umax <= B.umin ? 1 : A.umin > B.umax ? 0 : -1;
    case JMP.JSGT: return A.smin > B.smax ? 1 : A.smax <= B.smin ? 0 : -1;
    case JMP.JSGE: return A.smin >= B.smax ? 1 : A.smax < B.smin ? 0 : -1;
    case JMP.JSLT: return A.smax < B.smin ? 1 : A.smin >= B.smax ? 0 : -1;
    case JMP.JSLE: return A.smax <= B.smin ? 1 : A.smin > B.smax ? 0 : -1;
    default: throw new Error(`branchTaken: unknown condition ${op}`);
  }
}

/**
 * Refine a and b (in place, at one width) assuming `a op b` holds (regs_refine_cond_op). The
 * tnums are the width's view; the caller merges them back.
 */
function refine(op: number, a: { t: Tnum; r: Range }, b: { t: Tnum; r: Range }): void {
  const A = a.r, B = b.r;
  const isConst = (x: { t: Tnum }): boolean => tnumIsConst(x.t);
  switch (op) {
    case JMP.JEQ: {
      const t = tnumIntersect(a.t, b.t);
      a.t = b.t = t;
      A.umin = B.umin = max(A.umin, B.umin); A.umax = B.umax = min(A.umax, B.umax);
      A.smin = B.smin = max(A.smin, B.smin); A.smax = B.smax = min(A.smax, B.smax);
      break;
    }
    case JMP.JNE: {
      // Only a constant can be cut from the edge of the other's ranges.
      const cut = (x: { r: Range }, v: bigint, sv: bigint) => {
        if (x.r.umin === v) x.r.umin++;
        if (x.r.umax === v) x.r.umax--;
        if (x.r.smin === sv) x.r.smin++;
        if (x.r.smax === sv) x.r.smax--;
      };
      if (isConst(b)) cut(a, B.umin, B.smin);
      else if (isConst(a)) cut(b, A.umin, A.smin);
      break;
    }
    case JMP.JSET:
      // A single known bit in b must be set in a.
      if (isConst(b) && b.t.value !== 0n && (b.t.value & (b.t.value - 1n)) === 0n) a.t = tnumOr(a.t, b.t);
      break;
    case JNSET:
      if (isConst(b)) a.t = tnumAnd(a.t, tnumConst(U64_MAX ^ b.t.value));
      break;
    case JMP.JLE:
      A.umax = min(A.umax, B.umax); B.umin = max(B.umin, A.umin);
      break;
    case JMP.JLT:
      A.umax = min(A.umax, B.umax - 1n); B.umin = max(B.umin, A.umin + 1n);
      break;
    case JMP.JSLE:
      A.smax = min(A.smax, B.smax); B.smin = max(B.smin, A.smin);
      break;
    case JMP.JSLT:
      A.smax = min(A.smax, B.smax - 1n); B.smin = max(B.smin, A.smin + 1n);
      break;
    case JMP.JGE: refine(JMP.JLE, b, a); break;
    case JMP.JGT: refine(JMP.JLT, b, a); break;
    case JMP.JSGE: refine(JMP.JSLE, b, a); break;
    case JMP.JSGT: refine(JMP.JSLT, b, a); break;
    default: throw new Error(`refine: unknown condition ${op}`);
  }
}

/** Put a refined width view back into the full value and sync. */
function merge(s: Scalar, v: { t: Tnum; r: Range }, is32: boolean): Scalar {
  const r = v.r;
  if (is32) return synced(tnumWithSubreg(s.var, v.t), s.smin, s.smax, s.umin, s.umax, r.smin, r.smax, r.umin, r.umax);
  return synced(v.t, r.smin, r.smax, r.umin, r.umax, s.s32min, s.s32max, s.u32min, s.u32max);
}

const copyRange = (r: Range): Range => ({ smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax });

function refined(op: number, is32: boolean, a: Scalar, b: Scalar): [Scalar, Scalar] {
  const va = view(a, is32), vb = view(b, is32);
  // Copy the ranges so refinement does not alias the originals.
  va.r = copyRange(va.r); vb.r = copyRange(vb.r);
  refine(op, va, vb);
  return [merge(a, va, is32), merge(b, vb, is32)];
}

/**
 * `if a <cond> b` (64-bit, or 32-bit for JMP32): whether it can be taken, and what each operand is
 * known to be on the taken (true) and fall-through (false) paths. An outcome that cannot happen
 * (`taken` says so) leaves that side's operands unrefined.
 */
export function scalarBranch(cond: JmpCondInfo, is32: boolean, a: Scalar, b: Scalar): BranchResult {
  const k = branchTaken(cond.op, view(a, is32), view(b, is32));
  const taken: Taken = k === 1 ? 'always' : k === 0 ? 'never' : 'maybe';
  // Known operands decide the branch and there is nothing to learn about them.
  if (k !== -1 && (is32 ? a.isConst32() && b.isConst32() : a.isConst() && b.isConst())) {
    return { taken, trueA: a, trueB: b, falseA: a, falseB: b };
  }
  const [trueA, trueB] = k === 0 ? [a, b] : refined(cond.op, is32, a, b);
  const [falseA, falseB] = k === 1 ? [a, b] : refined(NEGATE[cond.op]!, is32, a, b);
  return { taken, trueA, trueB, falseA, falseB };
}

/** The zero-extended result of an untracked 32-bit operation (built last: it needs the whole module). */
/** The zero-extended result of an untracked 32-bit operation. */
const UNKNOWN32: Scalar = Scalar.from32(TNUM_UNKNOWN, unbounded(32));
