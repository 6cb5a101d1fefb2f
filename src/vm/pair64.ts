/**
 * 64-bit arithmetic on pairs of signed 32-bit halves, the interpreter's register representation
 * (bench/ measured it against BigInt registers). Results go to `P` (P[0] low, P[1] high) so no
 * object is allocated per operation. Everything here is tested against isa/semantics.ts, the
 * reference definition, and falls back to it where a fast path would be wrong.
 */
import { aluRef, U32 } from '../isa/semantics.js';
import type { AluOpInfo } from '../isa/opcodes.js';

export const P = new Int32Array(2);

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromBig(v: bigint): void {
  P[0] = Number(v & U32) | 0;
  P[1] = Number((v >> 32n) & U32) | 0;
}

/** Low 64 bits of a 64 x 64 product. */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  P[0] = (mid << 16) | (p00 & 0xffff);
  const hiFull = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  P[1] = (hiFull + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

export function lsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { P[0] = l; P[1] = h; }
  else if (n < 32) { P[1] = (h << n) | (l >>> (32 - n)); P[0] = l << n; }
  else { P[1] = l << (n - 32); P[0] = 0; }
}

export function rsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { P[0] = l; P[1] = h; }
  else if (n < 32) { P[0] = (l >>> n) | (h << (32 - n)); P[1] = h >>> n; }
  else { P[0] = h >>> (n - 32); P[1] = 0; }
}

export function arsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { P[0] = l; P[1] = h; }
  else if (n < 32) { P[0] = (l >>> n) | (h << (32 - n)); P[1] = h >> n; }
  else { P[0] = h >> (n - 32); P[1] = h >> 31; }
}

/** The slow path shared by every 64-bit operation: compute with the reference definition. */
export function viaReference(info: AluOpInfo, al: number, ah: number, bl: number, bh: number): void {
  fromBig(aluRef(info, true, toBig(al, ah), toBig(bl, bh)));
}

/**
 * Math.floor(t / b) for integers 0 <= t < 2^53 and 0 < b < 2^32, exactly: the rounding error of
 * t / b is under half an ulp, less than the distance 1/b from the true quotient to the next
 * integer. Used instead of `%` on doubles, which V8 compiles to a call to C fmod (~10 ns).
 */
function floorDiv(t: number, b: number): number {
  return Math.floor(t / b);
}

/**
 * Unsigned 64-bit division by a divisor below 2^32 (bh = 0), without BigInt: long division of the
 * dividend in 16-bit digits, so every partial dividend (remainder * 2^16 + digit) stays below 2^48.
 * Leaves the quotient in P and returns the remainder. `b` is the unsigned divisor, not 0.
 */
function udivSmall(al: number, ah: number, b: number): number {
  const h = ah >>> 0;
  const q2 = floorDiv(h, b);
  const t1 = (h - q2 * b) * 65536 + (al >>> 16);
  const q1 = floorDiv(t1, b);
  const t0 = (t1 - q1 * b) * 65536 + (al & 0xffff);
  const q0 = floorDiv(t0, b);
  P[0] = (q1 * 65536 + q0) | 0;
  P[1] = q2 | 0;
  return t0 - q0 * b;
}

/** Unsigned 64-bit division; 0 when dividing by zero (RFC 9669). */
export function udiv64(info: AluOpInfo, al: number, ah: number, bl: number, bh: number): void {
  if (bh === 0) {
    const b = bl >>> 0;
    if (b === 0) { P[0] = 0; P[1] = 0; }
    else if (ah === 0) { P[0] = ((al >>> 0) / b) >>> 0; P[1] = 0; }
    else udivSmall(al, ah, b);
  } else viaReference(info, al, ah, bl, bh);
}

/** Unsigned 64-bit modulo; the dividend unchanged when dividing by zero (RFC 9669). */
export function umod64(info: AluOpInfo, al: number, ah: number, bl: number, bh: number): void {
  if (bh === 0) {
    const b = bl >>> 0;
    if (b === 0) { P[0] = al; P[1] = ah; }
    else if (ah === 0) { P[0] = (al >>> 0) % b; P[1] = 0; }
    else if (b < 0x200000) {
      // (ah mod b) * 2^32 + al stays below 2^53 here: one exact step.
      const t = ((ah >>> 0) % b) * 4294967296 + (al >>> 0);
      P[0] = t - floorDiv(t, b) * b; P[1] = 0;
    } else { P[0] = udivSmall(al, ah, b); P[1] = 0; }
  } else viaReference(info, al, ah, bl, bh);
}

/** Signed 64-bit division or modulo: a fast path when both operands are sign-extended 32-bit values. */
export function sdivmod64(info: AluOpInfo, isMod: boolean, al: number, ah: number, bl: number, bh: number): void {
  if (ah === al >> 31 && bh === bl >> 31) {
    if (bl === 0) { P[0] = isMod ? al : 0; P[1] = isMod ? ah : 0; return; }
    // The quotient of two int32 values fits in a double exactly; 2^31 (INT32_MIN / -1) stays positive.
    const r = isMod ? al % bl : Math.trunc(al / bl);
    P[0] = r | 0;
    P[1] = r < 0 ? -1 : 0;
  } else viaReference(info, al, ah, bl, bh);
}

/** Compare two unsigned 64-bit values: negative, zero or positive. */
export function cmpU64(al: number, ah: number, bl: number, bh: number): number {
  if (ah !== bh) return (ah >>> 0) < (bh >>> 0) ? -1 : 1;
  if (al === bl) return 0;
  return (al >>> 0) < (bl >>> 0) ? -1 : 1;
}

/** Compare two signed 64-bit values: negative, zero or positive. */
export function cmpS64(al: number, ah: number, bl: number, bh: number): number {
  if (ah !== bh) return ah < bh ? -1 : 1;
  if (al === bl) return 0;
  return (al >>> 0) < (bl >>> 0) ? -1 : 1;
}

/** Byte-swap the low 16 bits. */
export function bswap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
