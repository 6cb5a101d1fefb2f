/**
 * The scalar abstract domain against the reference semantics (isa/semantics.ts): for every ALU
 * operation and branch condition, at both widths, concrete members of seeded random abstract values
 * must stay inside the abstract results. Then precision spot-checks against known kernel results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_OPS, JMP_CONDS, findAluOp, findJmpCond, JMP, type AluOpInfo } from '../src/isa/opcodes.js';
import { aluRef, endRef, jcondRef, negRef } from '../src/isa/semantics.js';
import { Scalar, scalarAlu, scalarBranch, scalarEnd, scalarNeg } from '../src/verifier/scalar.js';
import { tnumToString } from '../src/verifier/tnum.js';
import { formatScalar } from '../src/verifier/print.js';
import { rng, type Rng } from './support/rng.js';

const U64 = (1n << 64n) - 1n;
/** The reference result of any ALU op (neg ignores src). */
const ref = (info: AluOpInfo, is64: boolean, x: bigint, y: bigint): bigint =>
  info.op === 0x80 ? negRef(is64, x) : aluRef(info, is64, x, y);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function randValue(r: Rng): bigint {
  const v = r.u64();
  switch (r.int(9)) {
    case 0: return BigInt(r.int(8));
    case 1: return v & 0xffn;
    case 2: return v & 0xffffffffn;
    case 3: return u64(BigInt(-r.int(300)));
    case 4: return u64(BigInt.asIntN(32, v));
    case 5: return [0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 63n, (1n << 63n) - 1n, U64][r.int(7)]!;
    case 6: return (v & 0xfffn) | (BigInt(r.int(3)) << 32n);
    case 7: return BigInt(r.int(64));
    default: return v;
  }
}

/** A random abstract value and a few concrete values known to belong to it. */
function randScalar(r: Rng, depth = 0): { s: Scalar; seeds: bigint[] } {
  const k = r.int(depth > 0 ? 6 : 8);
  const a = randValue(r), b = randValue(r);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  switch (k) {
    case 0: return { s: Scalar.const(a), seeds: [a] };
    case 1: return { s: Scalar.unknown(), seeds: [a, b] };
    case 2: return { s: Scalar.urange(lo, hi), seeds: [lo, hi] };
    case 3: {
      const [sl, sh] = BigInt.asIntN(64, a) <= BigInt.asIntN(64, b) ? [a, b] : [b, a];
      return { s: Scalar.srange(BigInt.asIntN(64, sl), BigInt.asIntN(64, sh)), seeds: [sl, sh] };
    }
    case 4: {
      const seeds = [a, b, randValue(r)];
      return { s: seeds.map((v) => Scalar.const(v)).reduce((x, y) => x.join(y)), seeds };
    }
    case 5: return { s: Scalar.const(a).join(Scalar.const(b)), seeds: [a, b] };
    default: {
      // The result of an operation on random values: shapes the ALU produces.
      const x = randScalar(r, depth + 1), y = randScalar(r, depth + 1);
      const info = ALU_OPS[r.int(ALU_OPS.length)]!;
      const is64 = r.int(2) === 0;
      const s = scalarAlu(info, is64, x.s, y.s);
      const seeds = x.seeds.flatMap((p) => y.seeds.map((q) => ref(info, is64, p, q)));
      return { s, seeds };
    }
  }
}

/** Concrete members: the seeds, bound endpoints and tnum samples that satisfy every constraint. */
function members(r: Rng, s: Scalar, seeds: bigint[], n: number): bigint[] {
  const out = seeds.slice();
  const cands = [s.umin, s.umax, u64(s.smin), u64(s.smax), s.var.value, s.var.value | s.var.mask];
  for (let i = 0; i < n * 3; i++) cands.push(s.var.value | (r.u64() & s.var.mask));
  for (const c of cands) if (s.contains(c)) out.push(c);
  for (const v of seeds) assert.ok(s.contains(v), `seed ${v} not in ${formatScalar(s)}`);
  return out.slice(0, seeds.length + n);
}

const describe = (s: Scalar): string =>
  `${formatScalar(s)} [u ${s.umin}..${s.umax} s ${s.smin}..${s.smax} u32 ${s.u32min}..${s.u32max} s32 ${s.s32min}..${s.s32max} ${tnumToString(s.var)}]`;

test('every ALU operation is sound, both widths, constant and range sources', () => {
  const r = rng(2024);
  let checks = 0;
  for (let iter = 0; iter < 700; iter++) {
    const A = randScalar(r);
    const B = r.int(3) === 0 ? (() => { const v = randValue(r); return { s: Scalar.const(v), seeds: [v] }; })() : randScalar(r);
    const ma = members(r, A.s, A.seeds, 4), mb = members(r, B.s, B.seeds, 4);
    for (const info of ALU_OPS) {
      for (const is64 of [true, false]) {
        const res = info.op === 0x80 && r.int(2) ? scalarNeg(is64, A.s) : scalarAlu(info, is64, A.s, B.s);
        for (const x of ma) for (const y of mb) {
          const v = ref(info, is64, x, y);
          if (!res.contains(v)) {
            assert.fail(`${info.name}${is64 ? '' : '32'}: ${x} op ${y} = ${v} not in ${describe(res)}\n a=${describe(A.s)}\n b=${describe(B.s)}`);
          }
          checks++;
        }
        assert.ok(!res.isEmpty());
        if (!is64) assert.ok(res.umax <= 0xffffffffn, `${info.name}32 does not zero-extend: ${describe(res)}`);
      }
    }
    for (const order of ['le', 'be', 'bswap'] as const) for (const w of [16, 32, 64] as const) {
      const res = scalarEnd(order, w, A.s);
      for (const x of ma) { assert.ok(res.contains(endRef(order, w, x)), `${order}${w} ${x} ${describe(res)}`); checks++; }
    }
  }
  assert.ok(checks > 50000, `only ${checks} checks`);
  console.log(`# alu checks: ${checks}`);
});

test('every branch condition is sound, 64 and 32-bit', () => {
  const r = rng(99);
  let checks = 0;
  for (let iter = 0; iter < 700; iter++) {
    const A = randScalar(r);
    let B: { s: Scalar; seeds: bigint[] };
    switch (r.int(3)) {
      case 0: { const v = randValue(r); B = { s: Scalar.const(v), seeds: [v] }; break; }
      case 1: { const v = r.int(2) ? A.seeds[0]! : randValue(r); B = { s: Scalar.const(v), seeds: [v] }; break; }
      default: B = randScalar(r);
    }
    const ma = members(r, A.s, A.seeds, 4), mb = members(r, B.s, B.seeds, 4);
    for (const cond of JMP_CONDS) {
      for (const is32 of [false, true]) {
        const br = scalarBranch(cond, is32, A.s, B.s);
        for (const x of ma) for (const y of mb) {
          const out = jcondRef(cond, is32, x, y);
          const ctx = () => `${cond.name}${is32 ? '32' : ''} x=${x} y=${y} out=${out} taken=${br.taken}\n a=${describe(A.s)}\n b=${describe(B.s)}`;
          assert.ok(out ? br.taken !== 'never' : br.taken !== 'always', ctx());
          if (out) assert.ok(br.trueA.contains(x) && br.trueB.contains(y), `${ctx()}\n tA=${describe(br.trueA)}\n tB=${describe(br.trueB)}`);
          else assert.ok(br.falseA.contains(x) && br.falseB.contains(y), `${ctx()}\n fA=${describe(br.falseA)}\n fB=${describe(br.falseB)}`);
          checks++;
        }
      }
    }
  }
  assert.ok(checks > 50000, `only ${checks} checks`);
  console.log(`# branch checks: ${checks}`);
});

test('sync keeps every member and join holds both sides', () => {
  const r = rng(5);
  for (let i = 0; i < 2000; i++) {
    const A = randScalar(r), B = randScalar(r);
    const j = A.s.join(B.s);
    assert.ok(j.includes(A.s) && j.includes(B.s));
    for (const v of [...A.seeds, ...B.seeds]) assert.ok(j.contains(v));
    const s = A.s.sync();
    for (const v of A.seeds) assert.ok(s.contains(v));
  }
});

// ---------------------------------------------------------------------------------------------
// Precision: known kernel results

const op = (name: string): AluOpInfo => ALU_OPS.find((o) => o.name === name)!;
const K = (v: bigint | number): Scalar => Scalar.const(u64(BigInt(v)));

test('r1 &= 0xff on an unknown value', () => {
  const s = scalarAlu(op('and'), true, Scalar.unknown(), K(0xff));
  assert.equal(s.umax, 255n);
  assert.equal(s.umin, 0n);
  assert.equal(tnumToString(s.var), '(0x0; 0xff)');
  assert.equal(formatScalar(s), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
});

test('add and sub of ranges', () => {
  const a = Scalar.urange(0n, 10n);
  const s = scalarAlu(op('add'), true, a, K(5));
  assert.equal(s.umin, 5n); assert.equal(s.umax, 15n); assert.equal(s.smin, 5n); assert.equal(s.smax, 15n);
  const d = scalarAlu(op('sub'), true, a, K(1));
  // [0,10] - 1 wraps: unsigned unbounded, signed [-1, 9]
  assert.equal(d.smin, -1n); assert.equal(d.smax, 9n);
  const m = scalarAlu(op('mul'), true, a, K(4));
  assert.equal(m.umax, 40n);
  assert.equal(formatScalar(scalarAlu(op('add'), true, K(3), K(4))), '7');
});

test('branch refinement', () => {
  const jlt = findJmpCond(JMP.JLT)!;
  const br = scalarBranch(jlt, false, Scalar.unknown(), K(16));
  assert.equal(br.taken, 'maybe');
  assert.equal(br.trueA.umax, 15n);
  assert.equal(br.falseA.umin, 16n);
  assert.equal(formatScalar(br.trueA), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))');
  const jeq = findJmpCond(JMP.JEQ)!;
  const eq = scalarBranch(jeq, false, Scalar.urange(0n, 100n), K(42));
  assert.equal(formatScalar(eq.trueA), '42');
  assert.equal(scalarBranch(jeq, false, Scalar.urange(0n, 10n), K(42)).taken, 'never');
  const jne = scalarBranch(findJmpCond(JMP.JNE)!, false, Scalar.urange(0n, 10n), K(0));
  assert.equal(jne.trueA.umin, 1n);
  const jsgt = scalarBranch(findJmpCond(JMP.JSGT)!, false, Scalar.unknown(), K(-1));
  assert.equal(jsgt.trueA.smin, 0n);
  assert.equal(jsgt.falseA.smax, -1n);
  assert.equal(jsgt.falseA.umin, 1n << 63n);
  const jset = scalarBranch(findJmpCond(JMP.JSET)!, false, Scalar.unknown(), K(8));
  assert.equal(tnumToString(jset.trueA.var), '(0x8; 0xfffffffffffffff7)');
  assert.equal(tnumToString(jset.falseA.var), '(0x0; 0xfffffffffffffff7)');
  // 32-bit compare refines the low half only
  const w = scalarBranch(findJmpCond(JMP.JLE)!, true, Scalar.unknown(), K(7));
  assert.equal(w.trueA.u32max, 7n);
  assert.equal(w.trueA.umax, 0xffffffff00000007n); // the low half's bound caps the 64-bit one too
  assert.equal(scalarBranch(findJmpCond(JMP.JGT)!, false, Scalar.urange(20n, 30n), K(10)).taken, 'always');
});

test('32-bit operations zero-extend', () => {
  const s = scalarAlu(op('add'), false, Scalar.unknown(), K(1));
  assert.ok(s.umax <= 0xffffffffn);
  assert.equal(formatScalar(s), 'scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
  const m = scalarAlu(op('mov'), false, Scalar.unknown(), Scalar.unknown());
  assert.equal(m.umax, 0xffffffffn);
  const n = scalarAlu(op('mov'), false, Scalar.unknown(), K(-1));
  assert.equal(formatScalar(n), '0xffffffff');
});

test('shifts and sign extension', () => {
  const a = Scalar.urange(0n, 0xffn);
  assert.equal(scalarAlu(op('lsh'), true, a, K(4)).umax, 0xff0n);
  assert.equal(scalarAlu(op('rsh'), true, a, K(4)).umax, 0xfn);
  const neg = Scalar.srange(-16n, 15n);
  const ar = scalarAlu(op('arsh'), true, neg, K(2));
  assert.equal(ar.smin, -4n); assert.equal(ar.smax, 3n);
  // <<32 then s>>32: the compiler's sign extension idiom keeps the 32-bit signed range
  const x = Scalar.unknown().with({ s32min: -5n, s32max: 5n }).sync();
  const y = scalarAlu(op('arsh'), true, scalarAlu(op('lsh'), true, x, K(32)), K(32));
  assert.equal(y.smin, -5n); assert.equal(y.smax, 5n);
  const sx = scalarAlu(op('movsx8'), true, K(0), Scalar.urange(0x80n, 0x81n));
  assert.equal(sx.smin, -128n); assert.equal(sx.smax, -127n);
  // unknown shift amount: unknown result
  assert.equal(formatScalar(scalarAlu(op('lsh'), true, a, Scalar.urange(0n, 3n))), 'scalar()');
  assert.equal(findAluOp(0x30, 0), op('div'));
  assert.equal(formatScalar(scalarAlu(op('div'), true, K(10), K(2))), 'scalar()');
});

test('log format of constants and negative bounds', () => {
  assert.equal(formatScalar(K(5)), '5');
  assert.equal(formatScalar(K(-1)), '-1');
  assert.equal(formatScalar(K(0x12345)), '0x12345');
  assert.equal(formatScalar(Scalar.unknown()), 'scalar()');
  assert.equal(formatScalar(Scalar.srange(-3n, 3n)), 'scalar(smin=smin32=-3,smax=smax32=3)');
});
