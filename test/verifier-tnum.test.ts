/**
 * Tristate numbers: every operation is sound (the concrete result of members lies in the abstract
 * result) on seeded random tnums, plus the kernel's exact results on known cases and its log format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TNUM_UNKNOWN, tnumAdd, tnumAnd, tnumArshift, tnumBswap, tnumCast, tnumConst, tnumContains, tnumIn,
  tnumIntersect, tnumIsAligned, tnumLshift, tnumMul, tnumNeg, tnumOr, tnumRange, tnumRshift, tnumSext,
  tnumSub, tnumSubreg, tnumToString, tnumUnion, tnumWithSubreg, tnumXor, tnumClearSubreg, tnumBoundOffset, type Tnum,
} from '../src/verifier/tnum.js';
import { rng, type Rng } from './support/rng.js';

const U64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function randMask(r: Rng): bigint {
  switch (r.int(6)) {
    case 0: return 0n;
    case 1: return U64;
    case 2: return r.u64() & 0xffn;
    case 3: return r.u64() & r.u64();
    case 4: return (1n << BigInt(r.int(65))) - 1n;
    default: return r.u64();
  }
}

function randTnum(r: Rng): Tnum {
  const mask = randMask(r);
  let value = r.u64() & ~mask & U64;
  if (r.int(3) === 0) value &= 0xffffn;
  return { value, mask };
}

/** A random member of t (sometimes the extremes). */
function member(r: Rng, t: Tnum): bigint {
  switch (r.int(4)) {
    case 0: return t.value;
    case 1: return t.value | t.mask;
    default: return t.value | (r.u64() & t.mask);
  }
}

const wellFormed = (t: Tnum): boolean => (t.value & t.mask) === 0n && t.value <= U64 && t.mask <= U64 && t.value >= 0n && t.mask >= 0n;

test('binary tnum operations are sound', () => {
  const r = rng(7);
  const ops: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
    ['add', tnumAdd, (x, y) => u64(x + y)],
    ['sub', tnumSub, (x, y) => u64(x - y)],
    ['mul', tnumMul, (x, y) => u64(x * y)],
    ['and', tnumAnd, (x, y) => x & y],
    ['or', tnumOr, (x, y) => x | y],
    ['xor', tnumXor, (x, y) => x ^ y],
    ['union', tnumUnion, (x) => x],
  ];
  let checks = 0;
  for (let i = 0; i < 1500; i++) {
    const a = randTnum(r), b = randTnum(r);
    for (const [name, f, ref] of ops) {
      const t = f(a, b);
      assert.ok(wellFormed(t), `${name} ill-formed ${tnumToString(t)}`);
      for (let j = 0; j < 4; j++) {
        const x = member(r, a), y = member(r, b);
        const v = ref(x, y);
        assert.ok(tnumContains(t, v), `${name}: ${tnumToString(a)} ${tnumToString(b)} x=${x} y=${y} -> ${v} not in ${tnumToString(t)}`);
        if (name === 'union') assert.ok(tnumContains(t, y));
        checks++;
      }
    }
  }
  assert.ok(checks > 30000);
});

test('unary tnum operations are sound', () => {
  const r = rng(11);
  for (let i = 0; i < 3000; i++) {
    const a = randTnum(r);
    const s = r.int(64);
    const x = member(r, a);
    const pairs: [string, Tnum, bigint][] = [
      ['neg', tnumNeg(a), u64(-x)],
      ['lsh', tnumLshift(a, s), u64(x << BigInt(s))],
      ['rsh', tnumRshift(a, s), x >> BigInt(s)],
      ['arsh64', tnumArshift(a, s, 64), u64(BigInt.asIntN(64, x) >> BigInt(s))],
      ['arsh32', tnumArshift(tnumSubreg(a), s & 31, 32), BigInt.asUintN(32, BigInt.asIntN(32, x) >> BigInt(s & 31))],
      ['cast2', tnumCast(a, 2), x & 0xffffn],
      ['subreg', tnumSubreg(a), x & 0xffffffffn],
      ['clear_subreg', tnumClearSubreg(a), x & ~0xffffffffn & U64],
      ['sext8', tnumSext(a, 8), u64(BigInt.asIntN(8, x))],
      ['sext32', tnumSext(a, 32), u64(BigInt.asIntN(32, x))],
      ['bswap16', tnumBswap(a, 16), ((x & 0xffn) << 8n) | ((x >> 8n) & 0xffn)],
    ];
    const rangeLo = x & 0xffffffn, rangeHi = rangeLo + BigInt(r.int(1000));
    pairs.push(['range', tnumRange(rangeLo, rangeHi), rangeLo + BigInt(r.int(Number(rangeHi - rangeLo) + 1))]);
    const b = randTnum(r), y = member(r, b);
    pairs.push(['with_subreg', tnumWithSubreg(a, b), (x & ~0xffffffffn & U64) | (y & 0xffffffffn)]);
    for (const [name, t, v] of pairs) {
      assert.ok(wellFormed(t), name);
      assert.ok(tnumContains(t, v), `${name}: ${tnumToString(a)} x=${x} s=${s} -> ${v} not in ${tnumToString(t)}`);
    }
  }
});

test('intersect and in', () => {
  const r = rng(3);
  for (let i = 0; i < 3000; i++) {
    const a = randTnum(r);
    const x = member(r, a);
    // b: a tnum that also holds x
    const bm = randMask(r);
    const b = { value: x & ~bm & U64, mask: bm };
    const t = tnumIntersect(a, b);
    assert.ok(tnumContains(t, x));
    assert.ok(tnumIn(a, t) && tnumIn(b, t));
    assert.ok(tnumIn(tnumUnion(a, b), a) && tnumIn(tnumUnion(a, b), b));
    assert.ok(tnumIn(a, tnumConst(x)));
    assert.ok(tnumIn(TNUM_UNKNOWN, a));
  }
  assert.ok(!tnumIn(tnumConst(5n), { value: 4n, mask: 1n }));
});

test('known kernel results and log format', () => {
  assert.equal(tnumToString(tnumRange(0n, 255n)), '(0x0; 0xff)');
  assert.equal(tnumToString(tnumRange(16n, 31n)), '(0x10; 0xf)');
  assert.equal(tnumToString(tnumRange(0n, U64)), '(0x0; 0xffffffffffffffff)');
  assert.equal(tnumToString(tnumAnd(TNUM_UNKNOWN, tnumConst(0xffn))), '(0x0; 0xff)');
  assert.equal(tnumToString(tnumAdd(tnumConst(3n), tnumConst(4n))), '(0x7; 0x0)');
  assert.equal(tnumToString(tnumAdd(tnumRange(0n, 3n), tnumConst(4n))), '(0x4; 0x3)');
  assert.equal(tnumToString(tnumLshift(tnumRange(0n, 0xffn), 2)), '(0x0; 0x3fc)');
  assert.equal(tnumToString(tnumMul(tnumConst(6n), tnumConst(7n))), '(0x2a; 0x0)');
  assert.equal(tnumToString(tnumNeg(tnumConst(1n))), '(0xffffffffffffffff; 0x0)');
  assert.ok(tnumIsAligned(tnumLshift(TNUM_UNKNOWN, 3), 8));
  assert.ok(!tnumIsAligned(tnumLshift(TNUM_UNKNOWN, 2), 8));
});

test('the fast tnumMul and tnumBoundOffset equal their definitions', () => {
  // tnum_mul as the kernel states it: a sum of partial products, one per bit of a.
  const mulByDefinition = (a: Tnum, b: Tnum): Tnum => {
    let acc = tnumConst(0n);
    for (let x = a, y = b; x.value !== 0n || x.mask !== 0n; x = tnumRshift(x, 1), y = tnumLshift(y, 1)) {
      if (x.value & 1n) acc = tnumAdd(acc, { value: 0n, mask: y.mask });
      else if (x.mask & 1n) acc = tnumAdd(acc, { value: 0n, mask: y.value | y.mask });
    }
    return tnumAdd(tnumConst(u64(a.value * b.value)), acc);
  };
  const r = rng(11);
  for (let i = 0; i < 20000; i++) {
    const a = randTnum(r), b = randTnum(r);
    assert.deepEqual(tnumMul(a, b), mulByDefinition(a, b), `${tnumToString(a)} * ${tnumToString(b)}`);
    // __reg_bound_offset: intersect with the 64-bit range, then the low half with the 32-bit one.
    let lo = member(r, a), hi = member(r, a);
    if (lo > hi) [lo, hi] = [hi, lo];
    let lo32 = lo & 0xffffffffn, hi32 = r.int(2) ? hi & 0xffffffffn : 0xffffffffn;
    if (lo32 > hi32) [lo32, hi32] = [hi32, lo32];
    const v64 = tnumIntersect(a, tnumRange(lo, hi));
    const want = tnumOr(tnumClearSubreg(v64), tnumIntersect(tnumSubreg(v64), tnumRange(lo32, hi32)));
    assert.deepEqual(tnumBoundOffset(a, lo, hi, lo32, hi32), want, `${tnumToString(a)} [${lo}, ${hi}] [${lo32}, ${hi32}]`);
  }
});
