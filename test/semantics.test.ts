/**
 * The interpreter's fast 32-bit-halves arithmetic against the BigInt reference definition
 * (isa/semantics.ts), operation by operation, on edge values and seeded random values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_OPS, ATOMIC_OPS, CLASS, JMP, JMP_CONDS, SRC, ALU } from '../src/isa/opcodes.js';
import { lddwFromValue, type Insn } from '../src/isa/insn.js';
import { aluRef, atomicRef, endRef, immOperand, jcondRef, negRef } from '../src/isa/semantics.js';
import { run } from '../src/vm/interpreter.js';
import { rng } from './support/rng.js';

const EDGES = [
  0n, 1n, 2n, 3n, 7n, 31n, 32n, 33n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1_0000_0001n, 0x7fffffffffffffffn,
  0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xffffffff80000000n, 0x123456789abcdef0n,
];
const IMM_EDGES = [0, 1, -1, 2, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x8000, -0x8000, 16, 5, -7];

function values(seed: number, n: number): bigint[] {
  const r = rng(seed);
  const out = [...EDGES];
  for (let i = 0; i < n; i++) {
    const shape = r.int(4);
    const v = r.u64();
    out.push(shape === 0 ? v & 0xffffffffn : shape === 1 ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : shape === 2 ? v & 0xffn : v);
  }
  return out;
}

const EXIT: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };

/** Run `r0 = a; r1 = b; <insn>; exit` and return r0. */
function exec1(insn: Insn, a: bigint, b: bigint): bigint {
  return run([lddwFromValue(0, a), lddwFromValue(1, b), insn, EXIT]).r0;
}

test('every binary ALU operation matches the reference, register and immediate forms', () => {
  const vals = values(1, 60);
  let checked = 0;
  for (const info of ALU_OPS) {
    if (info.op === ALU.NEG) continue;
    for (const is64 of [true, false]) {
      if (!is64 && info.op === ALU.MOV && info.off === 32) continue;
      const klass = is64 ? CLASS.ALU64 : CLASS.ALU;
      for (const a of vals) {
        for (const b of vals.slice(0, 40)) {
          const got = exec1({ code: klass | info.op | SRC.X, dst: 0, src: 1, off: info.off, imm: 0 }, a, b);
          const want = aluRef(info, is64, a, b);
          assert.equal(got, want, `${info.name}${is64 ? '' : '32'} 0x${a.toString(16)}, 0x${b.toString(16)}`);
          checked++;
        }
        if (info.op === ALU.MOV && info.off !== 0) continue; // movsx has no immediate form
        for (const imm of IMM_EDGES) {
          const got = exec1({ code: klass | info.op | SRC.K, dst: 0, src: 0, off: info.off, imm }, a, 0n);
          assert.equal(got, aluRef(info, is64, a, immOperand(imm)), `${info.name}${is64 ? '' : '32'} 0x${a.toString(16)}, imm ${imm}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 40_000, `checked ${checked}`);
});

test('neg and byte-order operations match the reference', () => {
  for (const a of values(2, 200)) {
    assert.equal(exec1({ code: CLASS.ALU64 | ALU.NEG, dst: 0, src: 0, off: 0, imm: 0 }, a, 0n), negRef(true, a));
    assert.equal(exec1({ code: CLASS.ALU | ALU.NEG, dst: 0, src: 0, off: 0, imm: 0 }, a, 0n), negRef(false, a));
    for (const width of [16, 32, 64] as const) {
      assert.equal(exec1({ code: CLASS.ALU | ALU.END | SRC.K, dst: 0, src: 0, off: 0, imm: width }, a, 0n), endRef('le', width, a));
      assert.equal(exec1({ code: CLASS.ALU | ALU.END | SRC.X, dst: 0, src: 0, off: 0, imm: width }, a, 0n), endRef('be', width, a));
      assert.equal(exec1({ code: CLASS.ALU64 | ALU.END, dst: 0, src: 0, off: 0, imm: width }, a, 0n), endRef('bswap', width, a));
    }
  }
});

test('every jump condition matches the reference, 64 and 32 bit, register and immediate', () => {
  const vals = values(3, 40);
  for (const cond of JMP_CONDS) {
    for (const is32 of [false, true]) {
      const klass = is32 ? CLASS.JMP32 : CLASS.JMP;
      for (const a of vals) {
        for (const b of vals) {
          // r0 = a; r1 = b; if cond goto +1; r0 = 0 (not taken) ... taken: r0 = 1
          const prog: Insn[] = [
            lddwFromValue(2, a), lddwFromValue(1, b),
            { code: klass | cond.op | SRC.X, dst: 2, src: 1, off: 2, imm: 0 },
            { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, EXIT,
            { code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, EXIT,
          ];
          assert.equal(run(prog).r0 === 1n, jcondRef(cond, is32, a, b), `${cond.name}${is32 ? '32' : ''} 0x${a.toString(16)} 0x${b.toString(16)}`);
        }
        for (const imm of IMM_EDGES) {
          const prog: Insn[] = [
            lddwFromValue(2, a),
            { code: klass | cond.op | SRC.K, dst: 2, src: 0, off: 2, imm },
            { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, EXIT,
            { code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, EXIT,
          ];
          assert.equal(run(prog).r0 === 1n, jcondRef(cond, is32, a, immOperand(imm)), `${cond.name}${is32 ? '32' : ''} 0x${a.toString(16)} imm ${imm}`);
        }
      }
    }
  }
  assert.equal(JMP_CONDS.length, 11);
  assert.equal(JMP.JA, 0);
});

test('every atomic operation matches the reference (memory, fetched register, r0)', () => {
  const vals = values(4, 30);
  for (const op of ATOMIC_OPS) {
    for (const size of [4, 8] as const) {
      for (const old of vals) {
        for (const s of vals.slice(0, 25)) {
          const r0 = (old ^ s) & 1n ? old : s; // exercise both cmpxchg outcomes
          // *(u64 *)(r10 - 8) = old; r1 = s; r0 = r0; atomic; r3 = *(u64 *)(r10 - 8); ...
          const prog: Insn[] = [
            lddwFromValue(2, old), { code: 0x7b, dst: 10, src: 2, off: -8, imm: 0 },
            lddwFromValue(1, s), lddwFromValue(0, r0),
            { code: 0xc3 | (size === 8 ? 0x18 : 0), dst: 10, src: 1, off: -8, imm: op.imm },
            { code: 0x79, dst: 3, src: 10, off: -8, imm: 0 },
            // store r0, r1, r3 into the input block so all three are observable
            { code: 0x7b, dst: 6, src: 0, off: 0, imm: 0 },
            { code: 0x7b, dst: 6, src: 1, off: 8, imm: 0 },
            { code: 0x7b, dst: 6, src: 3, off: 16, imm: 0 },
            EXIT,
          ];
          prog.unshift({ code: 0xbf, dst: 6, src: 1, off: 0, imm: 0 });
          const res = run(prog, { mem: new Uint8Array(24) });
          const dv = new DataView(res.mem.buffer);
          const want = atomicRef(op, size, old, s, r0);
          const mask = size === 8 ? (1n << 64n) - 1n : 0xffffffffn;
          const memWord = dv.getBigUint64(16, true) & mask;
          assert.equal(memWord, want.mem, `${op.name} size ${size} mem`);
          assert.equal(dv.getBigUint64(8, true), want.fetchInto === 'src' ? want.old : s, `${op.name} size ${size} src`);
          assert.equal(dv.getBigUint64(0, true), want.fetchInto === 'r0' ? want.old : r0, `${op.name} size ${size} r0`);
        }
      }
    }
  }
});
