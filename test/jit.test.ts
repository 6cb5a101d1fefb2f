/**
 * The JIT on its own terms: every ALU operation and jump condition against isa/semantics.ts (the
 * definition), and the paths random programs rarely take: the budget running out (in a subprogram
 * too), the call depth limit, falling off the end, a helper stopping the program, tail calls from a
 * subprogram, LD_ABS/LD_IND, faults on every kind of bad access, programs that write r10. Each is
 * also run on the interpreter, whose result (or error) the JIT must give exactly.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALU_OPS, JMP_CONDS, ALU, CLASS, SRC } from '../src/isa/opcodes.js';
import { aluRef, jcondRef, negRef, endRef, U64 } from '../src/isa/semantics.js';
import type { Insn } from '../src/isa/insn.js';
import { assemble } from '../src/isa/asm.js';
import { prepare, execute, type PreparedProgram } from '../src/vm/interpreter.js';
import { executeJit, interpreterHandOvers, jitOf, wasmText } from '../src/jit/index.js';
import { runRepeated, writesOnlyStack } from '../src/jit/repeat.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { BpfError } from '../src/errors.js';
import { Vm, type VmOptions } from '../src/vm/runtime.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/test-run.js';
import type { MapSpec } from '../src/maps/types.js';
import { compileSource, noClang, tempDir, removeTempDir } from './support/tools.js';
import { noKernel } from './support/kernel-kit.js';
import { loadObjectSpec, type ObjectSpec } from '../src/elf/object.js';
import { loadObjectIntoVm } from '../src/vm/load-object.js';
import { loadObjectIntoKernel } from '../src/kernel/load-object.js';
import { tsbpf } from './support/cli-kit.js';
import { rng } from './support/rng.js';

after(removeTempDir);

/** A C object compiled as the kernel tests compile them. */
function cObject(name: string, src: string): ObjectSpec {
  return loadObjectSpec(compileSource(name, src, ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu']).bytes, { file: `${name}.o`, noSystemBtf: true });
}

/** The kernel's retval for program `name` on each frame (BPF_PROG_TEST_RUN), or undefined without bpf(2). */
function kernelRetvals(spec: ObjectSpec, name: string, frames: readonly Uint8Array[]): number[] | undefined {
  if (noKernel() !== undefined) return undefined;
  const k = loadObjectIntoKernel(spec);
  try {
    return frames.map((f) => k.programs.get(name)!.testRun({ dataIn: f }).retval);
  } finally {
    k.close();
  }
}

/**
 * The retvals of program `name` of `spec` on each frame (a VM each, maps carried from frame to
 * frame), which the JIT (with no run handed to the interpreter when `compiled`), the interpreter
 * and the kernel must agree on.
 */
function retvalsAgree(spec: ObjectSpec, name: string, frames: readonly Uint8Array[], compiled: boolean): number[] {
  const results: Record<string, number[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const p = loadObjectIntoVm(vm, spec).programs.get(name)!;
    const before = interpreterHandOvers();
    results[engine] = frames.map((f) => testRun(vm, p, { dataIn: f }).retval);
    if (engine === 'jit' && compiled) assert.equal(interpreterHandOvers(), before, 'the runs stay in the compiled code');
  }
  assert.deepEqual(results.jit, results.interp);
  const kernel = kernelRetvals(spec, name, frames);
  if (kernel !== undefined) assert.deepEqual(kernel, results.interp, 'the kernel');
  return results.interp!;
}

/**
 * Runs program `name` of `spec` on each frame on both engines (a VM each, maps carried from frame
 * to frame) and in the kernel: the retvals and, after them, `maps`' contents must agree; on the
 * JIT the program's loops (bpf_loop, bpf_for_each_map_elem) must run in the compiled code.
 * Returns the retvals.
 */
function loopsAgree(spec: ObjectSpec, name: string, frames: readonly number[][], maps: readonly string[], inlined: number): number[] {
  const input = frames.map((b) => {
    const f = new Uint8Array(64);
    f.set(b);
    return f;
  });
  const results: Record<string, string[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const p = loadObjectIntoVm(vm, spec).programs.get(name)!;
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.inlinedLoops, inlined, 'the loops run in the compiled code');
    }
    results[engine] = input.map((f) => String(testRun(vm, p, { dataIn: f }).retval));
    const dump = maps.flatMap((m) => [...vm.mapByName(m)!.map.entries()])
      .map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
    results[engine]!.push(dump.sort().join(' '));
  }
  assert.deepEqual(results.jit, results.interp);
  const kernel = kernelRetvals(spec, name, input);
  if (kernel !== undefined) assert.deepEqual(kernel.map(String), results.interp!.slice(0, frames.length), 'the kernel');
  return results.interp!.slice(0, frames.length).map(Number);
}

const VALUES = [0n, 1n, 2n, 7n, 31n, 32n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x123456789abcdef0n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xfffffffffffffffen, U64];
const IMMS = [0, 1, -1, 2, 3, 7, -7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x12345678];

const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const EXIT = ins(0x95);

function compiled(insns: Insn[], helpers?: HelperRegistry): PreparedProgram {
  const p = prepare(insns, { helpers });
  const j = jitOf(p);
  assert.ok(typeof j !== 'string', `not compiled: ${j}`);
  return p;
}

/** r0 of a run of `insns` with r1 = a, r2 = b (loaded from the input block). */
function both(p: PreparedProgram, mem: Uint8Array): { interp: string; jit: string } {
  const show = (f: () => { r0: bigint; insns: number; mem: Uint8Array }): string => {
    try {
      const r = f();
      return `r0=0x${r.r0.toString(16)} insns=${r.insns} mem=${Buffer.from(r.mem).toString('hex')}`;
    } catch (e) {
      if (e instanceof BpfError) return `${e.code}: ${e.message}`;
      throw e;
    }
  };
  return { interp: show(() => execute(p, { mem: mem.slice() })), jit: show(() => executeJit(p, { mem: mem.slice() })) };
}

function pair(a: bigint, b: bigint): Uint8Array {
  const m = new Uint8Array(16);
  const dv = new DataView(m.buffer);
  dv.setBigUint64(0, a, true);
  dv.setBigUint64(8, b, true);
  return m;
}

/** r0 = a OP b with a, b read from the input block (r1): one compiled program for every pair. */
const loadPair: Insn[] = [ins(0x79, 0, 1, 0), ins(0x79, 2, 1, 8)];

test('every ALU operation, 32 and 64 bits, register and immediate forms, gives isa/semantics.ts aluRef', () => {
  let checked = 0;
  for (const info of ALU_OPS) {
    if (info.op === ALU.NEG) continue;
    for (const is64 of [true, false]) {
      if (!is64 && info.op === ALU.MOV && info.off === 32) continue;
      const cls = is64 ? CLASS.ALU64 : CLASS.ALU;
      const reg = compiled([...loadPair, ins(cls | info.op | SRC.X, 0, 2, info.off), EXIT]);
      for (const a of VALUES) for (const b of VALUES) {
        const r = executeJit(reg, { mem: pair(a, b) });
        assert.equal(r.r0, aluRef(info, is64, a, b), `${info.name}${is64 ? '64' : '32'} 0x${a.toString(16)}, 0x${b.toString(16)}`);
        checked++;
      }
      if (info.op === ALU.MOV && info.off !== 0) continue; // movsx takes a register
      for (const k of IMMS) {
        const imm = compiled([...loadPair, ins(cls | info.op | SRC.K, 0, 0, info.off, k), EXIT]);
        for (const a of VALUES) {
          const r = executeJit(imm, { mem: pair(a, 0n) });
          assert.equal(r.r0, aluRef(info, is64, a, BigInt.asUintN(64, BigInt(k))), `${info.name}${is64 ? '64' : '32'} 0x${a.toString(16)}, imm ${k}`);
          checked++;
        }
      }
    }
  }
  for (const is64 of [true, false]) {
    const p = compiled([...loadPair, ins((is64 ? CLASS.ALU64 : CLASS.ALU) | ALU.NEG, 0), EXIT]);
    for (const a of VALUES) assert.equal(executeJit(p, { mem: pair(a, 0n) }).r0, negRef(is64, a));
  }
  for (const [code, order] of [[0xd4, 'le'], [0xdc, 'be'], [0xd7, 'bswap']] as const) {
    for (const width of [16, 32, 64] as const) {
      const p = compiled([...loadPair, ins(code, 0, 0, 0, width), EXIT]);
      for (const a of VALUES) assert.equal(executeJit(p, { mem: pair(a, 0n) }).r0, endRef(order, width, a), `${order}${width} 0x${a.toString(16)}`);
    }
  }
  assert.ok(checked > 15000);
});

test('every jump condition, JMP and JMP32, register and immediate, gives jcondRef', () => {
  for (const cond of JMP_CONDS) {
    for (const is32 of [false, true]) {
      const cls = is32 ? CLASS.JMP32 : CLASS.JMP;
      // r0 = 1 if taken else 0
      const reg = compiled([...loadPair, ins(cls | cond.op | SRC.X, 0, 2, 2), ins(0xb7, 0, 0, 0, 0), EXIT, ins(0xb7, 0, 0, 0, 1), EXIT]);
      for (const a of VALUES) for (const b of VALUES) {
        assert.equal(executeJit(reg, { mem: pair(a, b) }).r0, jcondRef(cond, is32, a, b) ? 1n : 0n, `${cond.name}${is32 ? '32' : ''} 0x${a.toString(16)} 0x${b.toString(16)}`);
      }
      for (const k of IMMS) {
        const imm = compiled([...loadPair, ins(cls | cond.op | SRC.K, 0, 0, 2, k), ins(0xb7, 0, 0, 0, 0), EXIT, ins(0xb7, 0, 0, 0, 1), EXIT]);
        for (const a of VALUES) {
          assert.equal(executeJit(imm, { mem: pair(a, 0n) }).r0, jcondRef(cond, is32, a, BigInt.asUintN(64, BigInt(k))) ? 1n : 0n, `${cond.name}${is32 ? '32' : ''} 0x${a.toString(16)} imm ${k}`);
        }
      }
    }
  }
});

function same(text: string, mem = new Uint8Array(16), helpers?: HelperRegistry): string {
  const p = compiled(assemble(text), helpers);
  const r = both(p, mem);
  assert.equal(r.jit, r.interp, text);
  return r.jit;
}

test('the budget stops infinite loops at the instruction the interpreter stops at, in a subprogram too', () => {
  assert.match(same('r0 = 0\nloop:\nr0 += 1\nif r0 != 0 goto loop\nexit'), /ELIMIT: insn \d+: instruction budget of 1000000 exhausted/);
  assert.match(same('call f\nexit\nf:\nr1 = 5\nl:\nr1 += 1\nr2 = *(u64 *)(r10 - 8)\ngoto l'), /ELIMIT/);
  const p = compiled(assemble('r0 = 0\nloop:\nr0 += 1\nr1 = r0\nr1 *= 3\nif r0 < 1000 goto loop\nexit'));
  for (const budget of [1, 2, 3, 4, 5, 6, 100, 4001, 4002, 4003, 4004, 4005]) {
    const show = (f: () => { r0: bigint; insns: number }): string => { try { const r = f(); return `${r.r0} ${r.insns}`; } catch (e) { return (e as Error).message; } };
    assert.equal(show(() => executeJit(p, { budget })), show(() => execute(p, { budget })), `budget ${budget}`);
  }
});

test('calls: the depth limit, r6-r9 kept, the callee frame zeroed, falling off the end', () => {
  assert.match(same('call f\nexit\nf:\ncall f\nexit'), /ELIMIT: insn \d+: the call stack is too deep/);
  same('r6 = 6\nr7 = 7\n*(u64 *)(r10 - 8) = r6\ncall f\nr0 += r6\nr0 += r7\nexit\nf:\nr2 = *(u64 *)(r10 - 8)\nr6 = 100\nr0 = r2\nr1 = 9\nexit');
  same('r0 = r1\ncall f\nr0 = r1\nexit\nf:\nr1 = 77\nr1 += r0\nexit');
  assert.match(same('r0 = 1\nif r0 == 1 goto +1\nexit\nr0 = 2'), /EFAULT: insn 3: execution fell off the end/);
  // A function that jumps back before its own start: its code must still begin at its entry.
  assert.match(same('r5 = 1000\ncall f\nexit\nb:\nw5 /= w8\nf:\nw8 += 1\nif w8 != 3 goto b\nr0 = r5\nexit'), /^r0=0x1f4 /);
  assert.match(same('call f\nb:\nw5 /= w8\nf:\nif w8 != 3 goto b\nexit'), /insn 1: instruction budget of \d+ exhausted/);
});

test('faults: NULL, out of a region, read-only, between regions, as the interpreter words them', () => {
  assert.match(same('r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit'), /NULL pointer dereference/);
  assert.match(same('r0 = *(u64 *)(r1 + 12)\nexit'), /offset 12 is outside input/);
  assert.match(same('r0 = *(u32 *)(r10 - 516)\nexit'), /before the start of stack frame 0/);
  assert.match(same('*(u32 *)(r10 + 0) = 1\nexit'), /invalid write of 4 bytes/);
  assert.match(same('r1 += -1\nr0 = *(u8 *)(r1 + 0)\nexit'), /1 byte before the start of input/);
  assert.match(same('r2 = 0x1234567812345678 ll\nr0 = *(u64 *)(r2 + 0)\nexit'), /not inside any memory region/);
  // The same base register and size again, the region cached: a step below its start, a read
  // running past its end, and a loop walking off it must fault as the first access would.
  assert.match(same('r0 = *(u8 *)(r1 + 0)\nr0 = *(u8 *)(r1 - 1)\nexit'), /1 byte before the start of input/);
  assert.match(same('r0 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r1 + 12)\nexit'), /offset 12 is outside input/);
  assert.match(same('r2 = 0\nloop:\nr0 = *(u32 *)(r1 + 0)\nr1 += 3\nr2 += 1\nif r2 < 100 goto loop\nexit'), /outside input/);
  assert.match(same('r0 = *(u16 *)(r1 + 14)\n*(u16 *)(r1 + 14) = 1\n*(u16 *)(r1 + 15) = 1\nexit'), /outside input/);
  same('r2 = r10\nr2 += -8\n*(u64 *)(r2 + 0) = 5\nr0 = *(u64 *)(r10 - 8)\nexit');
  same('*(u64 *)(r1 + 8) = 0x1122\nr0 = *(u32 *)(r1 + 8)\nlock *(u64 *)(r1 + 0) += r0\nr0 = atomic_fetch_xor((u64 *)(r1 + 8), r0)\nexit');
});

test('programs that write r10 get it back after a call, as in the interpreter', () => {
  same('r10 = 7\ncall f\nr0 = r10\nexit\nf:\nr0 = r10\nexit');
  assert.match(same('r10 += 8\nr0 = *(u64 *)(r10 - 8)\nexit'), /EFAULT/);
});

test('helpers: arguments, r0, exit() stops the program, a throwing helper fails the run', () => {
  const helpers = new HelperRegistry([
    { id: 5, name: 'unwind', args: ['anything'], ret: 'integer', impl: (call, r1) => { if (r1 === 0n) call.exit(); return r1; } },
    { id: 6, name: 'sum', args: ['anything'], ret: 'integer', impl: (_c, a, b, c, d, e) => a + b + c + d + e },
    { id: 7, name: 'boom', args: [], ret: 'integer', impl: () => { throw new Error('nope'); } },
  ]);
  same('r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = -1\ncall 6\nexit', undefined, helpers);
  same('r1 = 0\ncall 5\nr0 = 9\nexit', undefined, helpers);
  same('r6 = 0\nl:\nr1 = r6\ncall 5\nr6 += 1\nif r6 < 5 goto l\nr1 = 0\ncall f\nr0 = 3\nexit\nf:\nr1 = 0\ncall 5\nexit', undefined, helpers);
  assert.match(same('call 7\nexit', undefined, helpers), /EHELPER: insn 0: helper boom#7 failed: nope/);
});

test('LD_ABS and LD_IND read big-endian from the packet; past its end the program returns 0', () => {
  const mem = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
  const ldabs = (size: number, imm: number): Insn => ins({ 1: 0x30, 2: 0x28, 4: 0x20 }[size]!, 0, 0, 0, imm);
  const ldind = (size: number, src: number, imm: number): Insn => ins({ 1: 0x50, 2: 0x48, 4: 0x40 }[size]!, 0, src, 0, imm);
  for (const x of [ldabs(1, 0), ldabs(2, 1), ldabs(4, 3), ldabs(4, 5), ldabs(1, -1), ldind(2, 6, 2), ldind(4, 6, 5)]) {
    const p = compiled([ins(0xb7, 6, 0, 0, 2), x, ins(0x07, 0, 0, 0, 1), EXIT]);
    const r = both(p, mem);
    assert.equal(r.jit, r.interp);
  }
});

test('a tail call from a subprogram continues on the interpreter exactly', () => {
  // The VM's tail-call helper needs a prog_array; a stand-in helper asks for the call directly.
  let target: PreparedProgram | undefined;
  const helpers = new HelperRegistry([{ id: 12, name: 'tail_call', args: [], ret: 'integer', impl: (call) => { call.tailCall(target!); return 0n; } }]);
  target = compiled(assemble('r0 += 40\nr0 += r6\nexit'), helpers);
  for (const text of ['r0 = 1\nr6 = 2\ncall 12\nr0 = 99\nexit', 'r6 = 5\ncall f\nr0 += 1000\nexit\nf:\nr0 = 1\ncall 12\nexit']) {
    const p = compiled(assemble(text), helpers);
    const r = both(p, new Uint8Array(0));
    assert.equal(r.jit, r.interp, text);
    assert.match(r.jit, /^r0=0x/);
  }
});

test('tail calls from subprograms inside tail calls from subprograms run compiled; the budget running out anywhere in them hands over exactly', () => {
  // A's subprogram tail-calls B, whose subprogram tail-calls C: C returns to B, B to A. Each
  // target reads the frame it took over (the caller's bytes stay) and r6 of its caller's caller.
  // The calls come after padding, so that a run resumed in the wrong program fails otherwise.
  const progs: PreparedProgram[] = [];
  const pad = (n: number): string => 'r5 = 0\n'.repeat(n);
  const helpers = new HelperRegistry([{ id: 12, name: 'tail_call', args: [], ret: 'integer', impl: (call, _r1, _r2, r3) => { call.tailCall(progs[Number(r3)]!); return 0n; } }]);
  const texts = [
    pad(24) + 'r6 = 5\n*(u64 *)(r10 - 8) = r6\ncall f\nr0 += r6\nr1 = *(u64 *)(r10 - 8)\nr0 += r1\nr0 += 1000\nexit\n' +
      'f:\nr6 = 77\n*(u64 *)(r10 - 16) = r6\nr3 = 1\ncall 12\nr0 = 99\nexit',
    pad(12) + 'r2 = *(u64 *)(r10 - 16)\nr7 = r2\n*(u64 *)(r10 - 24) = r2\ncall g\nr0 += r7\nr0 += r6\nr0 <<= 4\nexit\n' +
      'g:\nr6 = 300\n*(u64 *)(r10 - 24) = r6\nr3 = 2\ncall 12\nexit',
    'r0 = 0\nr1 = 0\nloop:\nr0 += r6\nr1 += 1\nif r1 < 9 goto loop\nr2 = *(u64 *)(r10 - 24)\nr0 += r2\nexit',
  ];
  for (const t of texts) progs.push(compiled(assemble(t), helpers));
  const show = (f: () => { r0: bigint; insns: number }): string => { try { const r = f(); return `${r.r0} ${r.insns}`; } catch (e) { return (e as Error).message; } };
  const before = interpreterHandOvers();
  const full = show(() => executeJit(progs[0]!, {}));
  assert.equal(interpreterHandOvers(), before, 'no run handed to the interpreter');
  assert.equal(full, show(() => execute(progs[0]!, {})));
  // C: 9 * 300 + 300 (g's bytes) = 3000; B: (3000 + 77 + 77 (A.f's r6, kept across g)) << 4; A: + 5 + 5 + 1000.
  assert.match(full, /^51474 /);
  const insns = Number(full.split(' ')[1]);
  for (let budget = 1; budget <= insns + 1; budget++) {
    assert.equal(show(() => executeJit(progs[0]!, { budget })), show(() => execute(progs[0]!, { budget })), `budget ${budget}`);
  }
  assert.ok(interpreterHandOvers() - before >= insns - 2, 'the budget ran out inside each program');
});

test('chains of tail calls from subprograms nest frames past eight, as in the kernel; the budget running out anywhere in them hands over exactly', () => {
  // f tail-calls the program itself while the helper allows (n times): every hop keeps the frame
  // of the call below the target, so n hops nest n + 1 frames (each program only two).
  let hops = 0, limit = 0;
  let self: PreparedProgram | undefined;
  const helpers = new HelperRegistry([{ id: 12, name: 'tail_call', args: [], ret: 'integer', impl: (call) => { if (hops < limit) { hops++; call.tailCall(self!); } return 0n; } }]);
  // (Back from f, g is called in the frame f had: from the program's own depth, not the run's.)
  self = compiled(assemble('r6 = r10\ncall f\nr8 = r0\ncall g\nr0 = r8\nr0 *= 3\nr0 += 1\n*(u64 *)(r10 - 8) = r0\nexit\n' +
    'f:\nr7 = *(u64 *)(r10 - 8)\nr0 = r7\ncall 12\nr0 = 5\nexit\ng:\nr0 = 1\nexit'), helpers);
  const show = (f: () => { r0: bigint; insns: number }): string => { try { const r = f(); return `${r.r0} ${r.insns}`; } catch (e) { return (e as Error).message; } };
  const both = (n: number, budget?: number): [string, string] => {
    limit = n;
    hops = 0;
    const j = show(() => executeJit(self!, budget === undefined ? {} : { budget }));
    hops = 0;
    return [j, show(() => execute(self!, budget === undefined ? {} : { budget }))];
  };
  for (const n of [0, 1, 6, 7, 8, 9, 20, 32, 33]) {
    const [j, i] = both(n);
    assert.equal(j, i, `${n} hops`);
    // The innermost f returns 5; each of the n + 1 programs above multiplies by 3 and adds 1.
    assert.equal(j.split(' ')[0], String([...Array(n + 1)].reduce((v: bigint) => v * 3n + 1n, 5n)), `${n} hops`);
  }
  const insns = Number(both(12)[0].split(' ')[1]);
  for (let budget = 1; budget <= insns; budget++) {
    const [j, i] = both(12, budget);
    assert.equal(j, i, `budget ${budget}`);
  }
  // A target started in frame 1 nests its own eight frames (to frame 8); a ninth is too deep.
  const nest = (depth: number): string => [...Array(depth)].map((_, k) => `a${k}:\ncall a${k + 1}\nr0 += 1\nexit`).join('\n') + `\na${depth}:\nr0 = 100\nexit`;
  for (const [depth, expect] of [[7, /^107 /], [8, /the call stack is too deep: more than 8 frames/]] as const) {
    const target = compiled(assemble(`call a1\nr0 += 1\nexit\n${nest(depth).replace(/^a0:\ncall a1\nr0 \+= 1\nexit\n/, '')}`), helpers);
    const entry = compiled(assemble('call f\nexit\nf:\ncall 12\nr0 = 5\nexit'), helpers);
    self = target;
    limit = 1;
    hops = 0;
    const j = show(() => executeJit(entry, {}));
    hops = 0;
    assert.equal(j, show(() => execute(entry, {})), `${depth} deep`);
    assert.match(j, expect);
  }
});

test('tail calls from subprograms nest frames as the kernel does, a frame or two a hop, up to 33 hops', { skip: noClang }, () => {
  // start calls into hop, which calls sub (and sub2 when byte 1 is set), whose tail call starts
  // hop again in sub's (sub2's) frame, while fewer than byte 0 hops were made; each hop adds 1,000
  // on the way back.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
int hop(struct xdp_md *ctx);
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jt SEC(".maps") = { .values = { [0] = (void *)&hop } };
int hops, want, twice;
static __attribute__((noinline)) int sub2(struct xdp_md *ctx)
{
	hops++;
	if (hops < want)
		bpf_tail_call(ctx, &jt, 0);
	return hops;
}
static __attribute__((noinline)) int sub(struct xdp_md *ctx)
{
	if (twice)
		return sub2(ctx) + 100000;
	return sub2(ctx);
}
SEC("xdp") int hop(struct xdp_md *ctx)
{
	return sub(ctx) + 1000;
}
SEC("xdp") int start(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 2 > (unsigned char *)(long)ctx->data_end)
		return 0;
	hops = 0;
	want = d[0];
	twice = d[1];
	bpf_tail_call(ctx, &jt, 0);
	return 7;
}
`;
  const spec = cObject('jit_tail_frames', src);
  const frames = [[1, 0], [7, 0], [8, 0], [9, 0], [20, 0], [34, 0], [60, 0], [4, 1], [5, 1], [34, 1]].map((b) => { const f = new Uint8Array(64); f.set(b); return f; });
  const retvals = retvalsAgree(spec, 'start', frames, false);
  // 34 hops want 33 tail calls after start's: the last is refused and the chain ends at 33.
  assert.deepEqual(retvals.slice(0, 7), [1001, 7007, 8008, 9009, 20020, 33033, 33033]);
});

test('tsbpf run --engine jit gives what --engine interp gives; prog dump jited names the source of each part', () => {
  const dir = tempDir();
  const prog = join(dir, 'jit-run.s');
  writeFileSync(prog, 'r0 = *(u32 *)(r1 + 0)\nr0 *= 3\nexit\n');
  const a = tsbpf(['run', prog, '--mem', '05000000', '--json', '--engine', 'interp']);
  const b = tsbpf(['run', prog, '--mem', '05000000', '--json', '--engine', 'jit']);
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(JSON.parse(b.stdout), JSON.parse(a.stdout));
  assert.equal(JSON.parse(b.stdout).retval, '0xf');
  const bad = tsbpf(['run', prog, '--engine', 'fast']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--engine must be interp or jit, not 'fast'/);
  if (noClang) return;
  const obj = compileSource('jit_dump', 'char LICENSE[] __attribute__((section("license"), used)) = "GPL";\n' +
    '__attribute__((section("xdp"), used)) int pass(void *ctx) { return 2; }\n').path;
  const d = tsbpf(['prog', 'dump', 'jited', obj]);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /^\(module/);
  assert.match(d.stdout, /;; insn 0: (r0|w0) = 2\n\s+i(64|32)\.const 2\n/);
  assert.match(d.stdout, /;; insn 1: exit/);
  const dj = tsbpf(['prog', 'dump', 'jited', obj, '--json']);
  assert.match((JSON.parse(dj.stdout) as { wasm: string }).wasm, /\(func \$main/);
  const j = tsbpf(['prog', 'run', obj, '--data-in', prog, '--engine', 'jit', '--json']);
  assert.equal(j.status, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).retval, '0x2');
});

test('the text of a module is the wasm the runtime runs', () => {
  const p = compiled(assemble('r0 = 1\nr1 = 2\nif r1 > r0 goto +1\nr0 = 3\nexit'));
  const j = jitOf(p);
  if (typeof j === 'string') assert.fail(j);
  const text = wasmText(j, p.insns);
  assert.match(text, /\(func \$main/);
  assert.match(text, /br_if 0/);
  assert.ok(WebAssembly.validate(j.bytes));
});

test('a map value the program holds a pointer to is the map\'s: helpers that write it and helpers that do not', () => {
  // lookup -> v; *v = 1; update(key, 5) writes the value behind v; *v must then read 5. A helper
  // that writes nothing (ktime) leaves the program's own write in place.
  const text = [
    '*(u32 *)(r10 - 4) = 0', '*(u64 *)(r10 - 16) = 5',
    'r1 = map[id:1] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out', 'r6 = r0',
    '*(u64 *)(r6 + 0) = 1',
    'r1 = map[id:1] ll', 'r2 = r10', 'r2 += -4', 'r3 = r10', 'r3 += -16', 'r4 = 0', 'call 2',
    'r7 = *(u64 *)(r6 + 0)',
    '*(u64 *)(r6 + 0) = 40', 'call 5', 'r1 = *(u64 *)(r6 + 0)', 'r1 += 2', '*(u64 *)(r6 + 0) = r1',
    'r0 = r7', 'exit', 'out:', 'r0 = 99', 'exit',
  ].join('\n');
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine, verify: false } as VmOptions);
    const m = vm.createMap({ name: 'vals', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 } as MapSpec);
    const p = vm.loadProgram({ name: 'p', insns: assemble(text) });
    const { result } = vm.run(p, () => ({ r1: 0n }));
    out.push(`${engine}: r0 ${result.r0} value ${Buffer.from(m.map.lookup(new Uint8Array(4))!).toString('hex')}`);
  }
  assert.equal(out[1]!.replace('jit', ''), out[0]!.replace('interp', ''));
  assert.match(out[1]!, /r0 5 value 2a00000000000000/);
});

test('packet accesses the verifier proved compile without a check; unverified ones keep theirs', () => {
  // XDP: r2 = data, r3 = data_end; with 2 bytes proven, byte 1 += byte 0 (a direct load and store),
  // then a helper that reads the packet (csum_diff) must see the store, and the run returns it.
  const text = [
    'r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', 'r4 += 4', 'if r4 > r3 goto out',
    'r5 = *(u8 *)(r2 + 0)', 'r6 = *(u8 *)(r2 + 1)', 'r6 += r5', '*(u8 *)(r2 + 1) = r6',
    'r1 = 0', 'r3 = r2', 'r2 = 0', 'r4 = 4', 'r5 = 0', 'call 28', 'exit',
    'out:', 'r0 = 1', 'exit',
  ].join('\n');
  const frame = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 5) & 0xff);
  const out: string[] = [];
  for (const [engine, verify] of [['interp', true], ['jit', true], ['jit', false]] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine, verify } as VmOptions);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL' });
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.directPacket, verify, `verify ${verify}: direct packet accesses`);
      // The load of byte 0 (insn 5): a checked access calls refill when its cached region misses.
      const at5 = wasmText(j, p.prepared.insns).split(';; insn 5:')[1]!.split(';; insn 6:')[0]!;
      assert.equal(at5.includes('call $refill'), !verify, at5);
    }
    for (const repeat of [1, 4]) {
      const r = testRun(vm, p, { dataIn: frame, repeat });
      out.push(`${engine}/${verify} x${repeat}: r0 ${r.r0.toString(16)} data ${Buffer.from(r.dataOut!).subarray(0, 4).toString('hex')}`);
    }
  }
  const plain = out.map((o) => o.replace(/^\w+\/\w+ /, ''));
  for (let i = 2; i < plain.length; i++) assert.equal(plain[i], plain[i % 2], out.join('\n'));
  assert.match(out[3]!, new RegExp(`data 05${(42 + 4 * 5).toString(16)}`), out.join('\n'));
});

test('a verified program runs without a budget unless the run asks for one, on either engine', () => {
  // 5 rounds of 6 instructions: counted exactly; a budget of 20 stops it at the same instruction.
  const text = 'r0 = 0\nr1 = 0\nloop:\nr1 += 1\nr0 += r1\nif r1 < 5 goto loop\nexit';
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL' });
    assert.ok(p.prepared.proven !== undefined, 'verified');
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.budgeted, false, 'the code of a verified program has no budget checks');
    }
    const full = vm.run(p, () => ({ r1: 0n })).result;
    out.push(`${engine}: r0 ${full.r0} insns ${full.insns}`);
    try {
      vm.run(p, () => ({ r1: 0n }), { budget: 8 });
      out.push(`${engine}: budget 8 not enforced`);
    } catch (e) {
      out.push(`${engine}: ${(e as Error).message}`);
    }
  }
  assert.equal(out[0], 'interp: r0 15 insns 18');
  assert.equal(out[2]!.replace('jit', 'interp'), out[0]);
  assert.equal(out[3]!.replace('jit', 'interp'), out[1]);
  assert.match(out[1]!, /budget of 8 exhausted/);
});

test('linear memory grown in the middle of a run keeps the stack frames helpers and the code share', () => {
  // Two 1 MiB values mapped in one run grow the JIT's memory; the stack (where the keys live, read
  // by the helpers) must be the same bytes for the code and the helpers before and after.
  const text = [
    '*(u32 *)(r10 - 4) = 0', '*(u64 *)(r10 - 16) = 77',
    'r1 = map[id:1] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out', 'r6 = r0',
    'r8 = r6', 'r8 += 1048560', 'r1 = 5', '*(u64 *)(r8 + 0) = r1',
    '*(u32 *)(r10 - 4) = 1',
    'r1 = map[id:1] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out', 'r7 = r0',
    'r1 = *(u64 *)(r10 - 16)', '*(u64 *)(r7 + 8) = r1', 'r1 = *(u64 *)(r8 + 0)', '*(u64 *)(r7 + 16) = r1',
    '*(u32 *)(r10 - 4) = 0',
    'r1 = map[id:1] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out',
    'r0 += 1048560', 'r0 = *(u64 *)(r0 + 0)', 'r1 = *(u64 *)(r10 - 16)', 'r0 += r1', 'exit',
    'out:', 'r0 = 99', 'exit',
  ].join('\n');
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine, verify: false } as VmOptions);
    const m = vm.createMap({ name: 'big', type: 'array', keySize: 4, valueSize: 1 << 20, maxEntries: 2, flags: 0 } as MapSpec);
    const p = vm.loadProgram({ name: 'p', insns: assemble(text) });
    const { result } = vm.run(p, () => ({ r1: 0n }));
    const v1 = m.map.lookup(Uint8Array.of(1, 0, 0, 0))!;
    out.push(`r0 ${result.r0} value1 ${Buffer.from(v1.subarray(8, 24)).toString('hex')}`);
  }
  assert.equal(out[1], out[0]);
  assert.equal(out[0], `r0 82 value1 ${'4d00000000000000'}${'0500000000000000'}`);
});

test('a tail call\'s target that writes its stack has it zeroed for every run, though its caller writes none', () => {
  // Unverified, so that the target may read its frame before writing it: each run must read 0.
  // The entry calls a helper first, so that each run goes back to JavaScript; the runs after the
  // first reach the target through the call site's cache.
  const u32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24);
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine, verify: false } as VmOptions);
    const jumps = vm.createMap({ name: 'jumps', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 } as MapSpec);
    const target = vm.loadProgram({ name: 't', type: 'xdp', license: 'GPL', insns: assemble('r0 = *(u64 *)(r10 - 8)\nr1 = r0\nr1 += 5\n*(u64 *)(r10 - 8) = r1\nexit') });
    const seq: number[] = [];
    for (const helper of [false, true]) {
      const entry = vm.loadProgram({
        name: 'entry', type: 'xdp', license: 'GPL', maps: [jumps],
        insns: assemble(`r6 = r1\n${helper ? 'call 5\n' : ''}r1 = r6\nr2 = map[idx:0] ll\nr3 = 0\ncall 12\nr0 = 99\nexit`),
      });
      if (engine === 'jit') {
        const j = jitOf(entry.prepared);
        if (typeof j === 'string') assert.fail(j);
        assert.equal(j.writesStack, false);
      }
      jumps.map.update(u32(0), u32(target.id), 0);
      for (const repeat of [1, 2, 5]) seq.push(testRun(vm, entry, { dataIn: new Uint8Array(64), repeat }).retval);
    }
    out.push(seq.join(' '));
  }
  assert.deepEqual(out, ['0 0 0 0 0 0', '0 0 0 0 0 0']);
});

test('a tail call the compiled code cached follows the prog array when user space changes it', () => {
  // entry: tail call slot 0 of the prog array, else 99. The first run fills the call site's cache;
  // after the slot is pointed elsewhere the next runs (one, then three on one set-up) go there.
  const u32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24);
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const jumps = vm.createMap({ name: 'jumps', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 } as MapSpec);
    const target = (r0: number) => vm.loadProgram({ name: `t${r0}`, type: 'xdp', insns: assemble(`r0 = ${r0}\nexit`), license: 'GPL' });
    const a = target(1), b = target(2);
    const entry = vm.loadProgram({
      name: 'entry', type: 'xdp', license: 'GPL', maps: [jumps],
      insns: assemble('r2 = map[idx:0] ll\nr3 = 0\ncall 12\nr0 = 99\nexit'),
    });
    const frame = new Uint8Array(64);
    const seq: number[] = [];
    jumps.map.update(u32(0), u32(a.id), 0);
    seq.push(testRun(vm, entry, { dataIn: frame }).retval, testRun(vm, entry, { dataIn: frame, repeat: 3 }).retval);
    jumps.map.update(u32(0), u32(b.id), 0);
    seq.push(testRun(vm, entry, { dataIn: frame }).retval, testRun(vm, entry, { dataIn: frame, repeat: 3 }).retval);
    jumps.map.delete(u32(0));
    seq.push(testRun(vm, entry, { dataIn: frame, repeat: 2 }).retval);
    out.push(seq.join(' '));
  }
  assert.deepEqual(out, ['1 1 2 2 99', '1 1 2 2 99']);
});

test('accesses through stack pointers the verifier proved go straight to the frame, in a callee too', () => {
  // r2 points into main's frame; f gets a pointer to it in r1, writes through it and adds to it.
  const text = [
    'r2 = r10', 'r2 += -16', '*(u64 *)(r2 + 0) = 7', '*(u64 *)(r2 + 8) = 5', 'r6 = r2',
    'r1 = r10', 'r1 += -24', '*(u64 *)(r1 + 0) = 3', 'call f', 'r7 = r0',
    'r0 = *(u64 *)(r6 + 8)', 'r1 = *(u64 *)(r10 - 16)', 'r0 += r1', 'r1 = *(u64 *)(r10 - 24)', 'r0 += r1', 'r0 += r7',
    'r1 = r10', 'r1 += -32', '*(u64 *)(r1 + 0) = 1', 'lock *(u64 *)(r1 + 0) += r0', 'r0 = *(u64 *)(r10 - 32)', 'exit',
    'f:', 'r2 = *(u64 *)(r1 + 0)', 'r2 *= 10', '*(u64 *)(r1 + 0) = r2', 'r3 = r10', 'r3 += -8', '*(u64 *)(r3 + 0) = r2',
    'r0 = *(u64 *)(r10 - 8)', 'exit',
  ].join('\n');
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL' });
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.directStack, true);
    }
    out.push(String(testRun(vm, p, { dataIn: new Uint8Array(64) }).r0));
  }
  // 5 + 7 + 30 + 30 (what f read back through r10) = 72, then 1 + 72 through the atomic add.
  assert.deepEqual(out, ['73', '73']);
});

test('map lookups the compiled code caches give what the map holds after every change to it', () => {
  // counts[byte 0 & 7] += 1, made 1 when missing, deleted when it reaches 20; then arr[byte 1 % 5]
  // (3 elements: 3 and 4 are NULL) += that count. Lookups repeat within a repeat's runs, between
  // the program's own updates and deletes, and across user-space writes between executions.
  const text = [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 2', 'if r4 > r3 goto out',
    'r7 = *(u8 *)(r2 + 0)', 'r8 = *(u8 *)(r2 + 1)', 'r7 &= 7', '*(u32 *)(r10 - 4) = r7',
    'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto fresh',
    'r9 = *(u64 *)(r0 + 0)', 'r9 += 1', '*(u64 *)(r0 + 0) = r9', 'if r9 < 20 goto arr',
    'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -4', 'call 3', 'goto arr',
    'fresh:', '*(u64 *)(r10 - 16) = 1', 'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -4', 'r3 = r10', 'r3 += -16', 'r4 = 0', 'call 2', 'r9 = 1',
    'arr:', 'r8 %= 5', '*(u32 *)(r10 - 8) = r8', 'r1 = map[idx:1] ll', 'r2 = r10', 'r2 += -8', 'call 1', 'if r0 == 0 goto done',
    'r1 = *(u64 *)(r0 + 0)', 'r1 += r9', '*(u64 *)(r0 + 0) = r1', 'r9 += r1',
    'done:', 'r0 = r9', 'exit', 'out:', 'r0 = 0', 'exit',
  ].join('\n');
  const u32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24);
  const u64 = (v: number): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); return b; };
  const out: string[] = [];
  const lookups: number[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const counts = vm.createMap({ name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, flags: 0 } as MapSpec);
    const arr = vm.createMap({ name: 'arr', type: 'array', keySize: 4, valueSize: 8, maxEntries: 3, flags: 0 } as MapSpec);
    let n = 0;
    for (const m of [counts.map, arr.map]) {
      const lookupView = m.lookupView.bind(m);
      m.lookupView = (key, cpu) => { n++; return lookupView(key, cpu); };
    }
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps: [counts, arr] });
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.cachedLookups, 2, 'both lookups compiled with the cache');
    }
    const frame = (a: number, b: number): Uint8Array => { const f = new Uint8Array(64); f[0] = a; f[1] = b; return f; };
    const seq: number[] = [];
    const go = (a: number, b: number, repeat: number): void => { seq.push(testRun(vm, p, { dataIn: frame(a, b), repeat }).retval); };
    go(1, 0, 7); go(9, 4, 25); go(2, 1, 6);
    counts.map.update(u32(1), u64(10), 0);
    arr.map.update(u32(2), u64(1000), 0);
    go(1, 2, 13);
    counts.map.delete(u32(1));
    go(1, 2, 9); go(3, 3, 1); go(3, 3, 2); go(2, 0, 30);
    const dump = [...counts.map.entries(), ...arr.map.entries()].map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
    out.push(`${seq.join(' ')} | ${dump.sort().join(' ')}`);
    lookups.push(n);
  }
  assert.equal(out[1], out[0]);
  assert.ok(lookups[1]! < lookups[0]! / 2, `the JIT's lookups reached the maps ${lookups[1]} times, the interpreter's ${lookups[0]}`);
});

test('compiled lookups the cache does not answer (rt.lookup) find keys of 1, 2, 4 and 8 bytes as the helper does, LRU maps\' too', () => {
  const sizes = [[1, 'u8'], [2, 'u16'], [4, 'u32'], [8, 'u64']] as const;
  for (const type of ['hash', 'percpu_hash', 'array', 'lru_hash'] as const) {
    for (const [size, width] of sizes) {
      if (type === 'array' && size !== 4) continue;
      // The key from the packet's first bytes, through the stack; r0: the value's first 8 bytes, or 99.
      const text = [
        'r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', 'r4 += 8', 'if r4 > r3 goto out',
        `r5 = *(${width} *)(r2 + 0)`, `*(${width} *)(r10 - 8) = r5`,
        'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -8', 'call 1', 'if r0 == 0 goto none',
        'r0 = *(u64 *)(r0 + 0)', 'exit',
        'none:', 'r0 = 99', 'exit', 'out:', 'r0 = 0', 'exit',
      ].join('\n');
      const results: string[] = [];
      for (const engine of ['interp', 'jit'] as const) {
        const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
        const m = vm.createMap({ name: 'm', type, keySize: size, valueSize: 8, maxEntries: 8, flags: 0 } as MapSpec);
        const key = (k: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? k : i === size - 1 ? 0x80 | k : 0));
        const value = (v: number): Uint8Array => {
          const b = new Uint8Array(m.map.userValueSize);
          new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
          return b;
        };
        for (const k of [1, 3, 6]) if (type !== 'array') m.map.update(key(k), value(k * 1000), 0);
        if (type === 'array') for (const k of [1, 3, 6]) m.map.update(Uint8Array.of(k, 0, 0, 0), value(k * 1000), 0);
        const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps: [m] });
        if (engine === 'jit') {
          const j = jitOf(p.prepared);
          if (typeof j === 'string') assert.fail(j);
          // An LRU lookup marks its element used: never answered from the cache.
          assert.equal(j.cachedLookups, type === 'lru_hash' ? 0 : 1, `${type} key ${size}: compiled with the cache`);
          assert.match(wasmText(j), /call_indirect \(type \$rt\.lookup\)/);
        }
        const seq: string[] = [];
        for (const k of [1, 2, 3, 6, 7, 1]) {
          const frame = new Uint8Array(64);
          frame.set(type === 'array' ? Uint8Array.of(k, 0, 0, 0) : key(k));
          const r = testRun(vm, p, { dataIn: frame, repeat: 2 });
          seq.push(String(r.r0));
        }
        results.push(seq.join(' '));
      }
      assert.equal(results[1], results[0], `${type} with ${size}-byte keys`);
      assert.equal(results[0], type === 'array' ? '1000 0 3000 6000 0 1000' : '1000 99 3000 6000 99 1000', `${type} with ${size}-byte keys`);
    }
  }
});

test('an LRU map evicts what the interpreter evicts when compiled code looks a key up twice', () => {
  // Fill a 3-element LRU map with 1, 2, 3; look up 1, 2, then 1 again (the lookups mark use: 3 is
  // now oldest, then 2); insert 4 and 5, which evict 3 and 2; r0 says which of 1..5 are left.
  const key = (k: number): string[] => [`*(u32 *)(r10 - 4) = ${k}`, 'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -4'];
  const update = (k: number): string[] => [...key(k), `*(u64 *)(r10 - 16) = ${k}`, 'r3 = r10', 'r3 += -16', 'r4 = 0', 'call 2'];
  const lookup = (k: number): string[] => [...key(k), 'call 1'];
  const text = [
    ...update(1), ...update(2), ...update(3), ...lookup(1), ...lookup(2), ...lookup(1), ...update(4), ...update(5),
    'r6 = 0',
    ...[1, 2, 3, 4, 5].flatMap((k) => [...lookup(k), `if r0 == 0 goto skip${k}`, `r6 |= ${1 << k}`, `skip${k}:`]),
    'r0 = r6', 'exit',
  ].join('\n');
  const out: number[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const m = vm.createMap({ name: 'l', type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 3, flags: 0 } as MapSpec);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps: [m] });
    out.push(testRun(vm, p, { dataIn: new Uint8Array(64) }).retval);
  }
  assert.deepEqual(out, [(1 << 1) | (1 << 4) | (1 << 5), (1 << 1) | (1 << 4) | (1 << 5)]);
});

test('tsbpf run --repeat: runs of a program that writes only its stack go back to back on the JIT, with what the interpreter gives', () => {
  const helpers = kernelHelpers();
  const cases: [string, boolean][] = [
    // Sums the input's bytes through a stack slot: the input is never written.
    ['r0 = 0\nr3 = 0\n*(u64 *)(r10 - 8) = r3\nloop:\nif r3 >= r2 goto done\nr4 = r1\nr4 += r3\nr5 = *(u8 *)(r4 + 0)\n'
      + 'r6 = *(u64 *)(r10 - 8)\nr6 += r5\n*(u64 *)(r10 - 8) = r6\nr3 += 1\ngoto loop\ndone:\nr0 = *(u64 *)(r10 - 8)\nexit', true],
    // Increments the first byte: every run must see it as given.
    ['r0 = *(u8 *)(r1 + 0)\nr0 += 1\n*(u8 *)(r1 + 0) = r0\nexit', false],
    // A store through a copy of r10 might go anywhere as far as this check knows.
    ['r2 = r10\n*(u64 *)(r2 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit', false],
    // r10 moved onto the input first.
    ['r10 = r1\n*(u8 *)(r10 + 0) = 9\nr0 = 1\nexit', false],
    // A helper that writes memory (bpf_probe_read_kernel into the input), and one that writes none.
    ['r3 = r1\nr3 += 1\nr2 = 1\ncall 113\nr0 = *(u8 *)(r1 + 0)\nexit', false],
    ['call 5\nr0 = 3\nexit', true],
  ];
  for (const [text, onlyStack] of cases) {
    const prog = prepare(assemble(text), { helpers });
    assert.equal(writesOnlyStack(prog), onlyStack, text);
    const mem = Uint8Array.of(5, 6, 7, 8);
    const [a, b] = (['interp', 'jit'] as const).map((e) => {
      try {
        const { result } = runRepeated(prog, mem, e, 7, 10_000);
        return `r0 ${result.r0} insns ${result.insns} mem ${Buffer.from(result.mem).toString('hex')}`;
      } catch (err) {
        return (err as Error).message;
      }
    });
    assert.equal(b, a, text);
    assert.deepEqual([...mem], [5, 6, 7, 8], 'the caller\'s input is not changed');
  }
});

test('map values and global data the verifier proved are reached without a check, and what the code writes is the map\'s', () => {
  // `glob` (an array map read as global data, element 0) counts runs; the value of counts[byte 0]
  // gets the count added, then bpf_map_update_elem copies it to counts[byte 0 + 1] (the helper must
  // see the bytes the code wrote), and r0 is read back through a global pointer at an offset.
  const text = [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 1', 'if r4 > r3 goto out',
    'r7 = *(u8 *)(r2 + 0)', 'r7 &= 7', '*(u32 *)(r10 - 4) = r7',
    'r8 = map[idx:1]+0 ll', 'r1 = *(u64 *)(r8 + 0)', 'r1 += 1', '*(u64 *)(r8 + 0) = r1', 'r9 = r1',
    'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out',
    'r1 = *(u64 *)(r0 + 0)', 'r1 += r9', '*(u64 *)(r0 + 0) = r1', '*(u64 *)(r8 + 8) = r1',
    'r7 += 1', '*(u32 *)(r10 - 8) = r7', 'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -8', 'r3 = r0', 'r4 = 0', 'call 2',
    'r1 = map[idx:1]+8 ll', 'r0 = *(u64 *)(r1 + 0)', 'exit', 'out:', 'r0 = 0', 'exit',
  ].join('\n');
  const u32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24);
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const counts = vm.createMap({ name: 'counts', type: 'array', keySize: 4, valueSize: 8, maxEntries: 9, flags: 0 } as MapSpec);
    const glob = vm.createMap({ name: 'glob', type: 'array', keySize: 4, valueSize: 16, maxEntries: 1, flags: 0 } as MapSpec);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps: [counts, glob] });
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.directValues, true, 'the value and global accesses compile without a check');
      assert.ok(j.valueTags.includes(glob.valueRegion!.tag), 'the global data is mapped before the code runs');
    }
    const seq: string[] = [];
    for (const [b, repeat] of [[1, 1], [1, 3], [2, 4], [1, 2]] as const) {
      const f = new Uint8Array(64);
      f[0] = b;
      seq.push(String(testRun(vm, p, { dataIn: f, repeat }).retval));
      // What user space reads after each execution is what the code wrote.
      seq.push(Buffer.from(glob.map.lookup(u32(0))!).toString('hex'));
    }
    seq.push(...[1, 2, 3].map((k) => Buffer.from(counts.map.lookup(u32(k))!).toString('hex')));
    out.push(seq.join(' '));
  }
  assert.equal(out[1], out[0]);
});

test('a program that writes no stack reads zeroed frames on every run, whatever ran before it', () => {
  const writer = prepare(assemble('*(u64 *)(r10 - 8) = 77\n*(u64 *)(r10 - 16) = 78\nr0 = 0\nexit'));
  const callsDeep = prepare(assemble('call f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 8) = 79\nr0 = 0\nexit'));
  const reader = prepare(assemble('r0 = *(u64 *)(r10 - 8)\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nexit'));
  const j = jitOf(reader);
  if (typeof j === 'string') assert.fail(j);
  assert.equal(j.writesStack, false);
  for (const before of [writer, callsDeep]) {
    const out = (['interp', 'jit'] as const).map((e) => {
      runRepeated(before, new Uint8Array(8), e, 2, 10_000);
      return runRepeated(reader, new Uint8Array(8), e, 5, 10_000).result.r0;
    });
    assert.deepEqual(out, [0n, 0n]);
  }
});

test('ring buffer records the verifier proved are written without a check, and user space drains what the code wrote', () => {
  // Reserve 16 bytes, write byte 0 of the packet and a count into the record, submit it; the
  // second record of each run is discarded.
  const text = [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 1', 'if r4 > r3 goto out',
    'r7 = *(u8 *)(r2 + 0)',
    'r1 = map[idx:0] ll', 'r2 = 16', 'r3 = 0', 'call 131', 'if r0 == 0 goto out',
    '*(u64 *)(r0 + 0) = r7', 'r1 = 7', '*(u64 *)(r0 + 8) = r1', 'r1 = r0', 'r2 = 0', 'call 132',
    'r1 = map[idx:0] ll', 'r2 = 16', 'r3 = 0', 'call 131', 'if r0 == 0 goto out',
    '*(u64 *)(r0 + 0) = r7', 'r1 = r0', 'r2 = 0', 'call 133',
    'out:', 'r0 = 2', 'exit',
  ].join('\n');
  const out: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
    const rb = vm.createMap({ name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 } as MapSpec);
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps: [rb] });
    if (engine === 'jit') {
      const j = jitOf(p.prepared);
      if (typeof j === 'string') assert.fail(j);
      assert.equal(j.directValues, true, 'the record accesses compile without a check');
    }
    for (const [b, repeat] of [[5, 1], [9, 3]] as const) {
      const f = new Uint8Array(64);
      f[0] = b;
      testRun(vm, p, { dataIn: f, repeat });
    }
    out.push((rb.map as unknown as { drain(): Uint8Array[] }).drain().map((r) => Buffer.from(r).toString('hex')).join(' '));
  }
  assert.equal(out[1], out[0]);
  assert.equal(out[0], ['0500000000000000', '0900000000000000', '0900000000000000', '0900000000000000'].map((v) => `${v}0700000000000000`).join(' '));
});

test('a tail call from a subprogram: the target takes the subprogram\'s place and returns to its caller, as in the kernel', { skip: noClang }, () => {
  // entry calls sub(ctx, k); sub tail-calls slot k (slot 0 holds target, which returns 5) and
  // returns k + 1 when the slot is empty; entry returns 10 * sub(...) + 100.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
int target(struct xdp_md *ctx);
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jt SEC(".maps") = { .values = { [0] = (void *)&target } };
SEC("xdp") int target(struct xdp_md *ctx) { return 5; }
static __attribute__((noinline)) int sub(struct xdp_md *ctx, int k)
{
	bpf_tail_call(ctx, &jt, k);
	return k + 1;
}
SEC("xdp") int entry(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 1 > (unsigned char *)(long)ctx->data_end)
		return 0;
	return 10 * sub(ctx, d[0]) + 100;
}
`;
  const spec = cObject('jit_subprog_tail', src);
  const frames = [0, 1, 7].map((b) => { const f = new Uint8Array(64); f[0] = b; return f; });
  // Slot 0: the target's 5 comes back to entry; slots 1 and 7 are empty: sub returns k + 1.
  assert.deepEqual(retvalsAgree(spec, 'entry', frames, true), [150, 120, 180]);
});

test('helpers read and write map values through the addresses compiled lookups give (values in the resident window), as in the kernel', { skip: noClang }, () => {
  // bpf_map_peek_elem writes a queue's head (packet bytes pushed) into a looked-up value,
  // bpf_map_update_elem copies the value into another map from the same address; the result
  // reads both back.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct val { __u64 a; __u8 bytes[8]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, struct val); } vals SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, struct val); } copies SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __uint(key_size, 0); __uint(value_size, 8); } q SEC(".maps");
SEC("xdp") int win(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 16 > (unsigned char *)(long)ctx->data_end)
		return 0;
	__u32 k = d[0] & 7;
	struct val *v = bpf_map_lookup_elem(&vals, &k);
	if (!v) {
		struct val z = { d[1], {} };
		bpf_map_update_elem(&vals, &k, &z, BPF_ANY);
		return 1;
	}
	v->a += d[1];
	__u64 x = *(__u64 *)(d + 2);
	bpf_map_push_elem(&q, &x, BPF_EXIST);
	if (bpf_map_peek_elem(&q, v->bytes))
		return 2;
	__u32 k2 = k + 1;
	bpf_map_update_elem(&copies, &k2, v, BPF_ANY);
	struct val *c = bpf_map_lookup_elem(&copies, &k2);
	return c ? (int)(c->a * 1000 + c->bytes[0] + c->bytes[7] * 3) : 3;
}
`;
  const spec = cObject('jit_resident_helpers', src);
  const r = rng(3);
  const frames = Array.from({ length: 24 }, () => { const f = r.bytes(64); f[0]! &= 3; return f; });
  const retvals = retvalsAgree(spec, 'win', frames, true);
  assert.ok(retvals.filter((v) => v >= 1000).length >= 10, 'most runs found their value and copied it');
});

test('loops inside loops: bpf_loop in a bpf_for_each_map_elem callback and the walk inside a bpf_loop callback, as in the kernel', { skip: noClang }, () => {
  // Byte 0: outer iterations; byte 1: inner iterations; byte 2: keys inserted first. The outer
  // bpf_loop's callback walks the hash map; each element's callback runs an inner bpf_loop that
  // looks keys up in another map and counts into the element's value.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } table SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } weights SEC(".maps");
struct ctx2 { __u64 *value; __u32 inner; __u32 key; __u64 sum; };
struct ctx1 { __u32 inner; __u32 round; __u64 sum; };
static long inner_step(__u32 i, void *c)
{
	struct ctx2 *x = c;
	__u32 k = (x->key + i) % 7;
	__u64 *v = bpf_map_lookup_elem(&weights, &k);
	if (v)
		x->sum += *v + i;
	return 0;
}
static long visit(void *map, __u32 *key, __u64 *value, struct ctx1 *o)
{
	struct ctx2 x = { 0, o->inner, *key, 0 };
	bpf_loop(o->inner, inner_step, &x, 0);
	*value += x.sum & 0xff;
	o->sum += *value * (*key + 1);
	return 0;
}
static long outer_step(__u32 i, void *c)
{
	struct ctx1 *o = c;
	o->round = i;
	bpf_for_each_map_elem(&table, visit, o, 0);
	return 0;
}
static long fill(__u32 i, void *c)
{
	__u64 v = i * 3 + 1;
	bpf_map_update_elem(&table, &i, &v, BPF_NOEXIST);
	bpf_map_update_elem(&weights, &i, &v, BPF_ANY);
	return 0;
}
SEC("xdp") int nest(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 4 > (unsigned char *)(long)ctx->data_end)
		return 0;
	__u32 z = 0;
	bpf_loop(d[2] & 15, fill, &z, 0);
	struct ctx1 o = { d[1] & 31, 0, 0 };
	long n = bpf_loop(d[0] & 7, outer_step, &o, 0);
	return (int)(o.sum * 16 + n);
}
`;
  const spec = cObject('jit_nested_loops', src);
  // (The hash walk's order is the kernel's own: the sums do not depend on it.)
  loopsAgree(spec, 'nest', [[1, 3, 1], [3, 5, 4], [0, 4, 9], [2, 31, 12], [5, 0, 3], [7, 17, 15]], ['table', 'weights'], 4);
});

test('bpf_for_each_map_elem runs in the compiled code, as in the kernel: values written, elements deleted, an early stop', { skip: noClang }, () => {
  // Byte 0: how many keys (0..31) the program inserts first (key k, value k * 10 + byte 1, in a
  // hash map and, below 8, an array). The hash walk adds byte 2 to each value, folds it into a sum
  // that does not depend on the order (the kernel's hash order is its own), deletes the keys that
  // are multiples of 5 and counts a lookup in a third map; the array walk, in index order, adds
  // byte 3 to each value and stops at the first over 60.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } table SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
struct walk { __u64 add; __u64 sum; };
static long visit(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	__u32 k = *key, zero = 0;
	*value += w->add;
	w->sum += *value * (k + 1);
	if (k % 5 == 0)
		bpf_map_delete_elem(map, &k);
	__u64 *s = bpf_map_lookup_elem(&seen, &zero);
	if (s)
		*s += 1;
	return 0;
}
static long visit_array(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	*value += w->add;
	w->sum = w->sum * 7 + *value + *key;
	return *value > 60;
}
static long fill(__u32 i, void *c)
{
	__u64 v = i * 10 + *(__u8 *)c;
	bpf_map_update_elem(&table, &i, &v, BPF_ANY);
	if (i < 8)
		bpf_map_update_elem(&arr, &i, &v, BPF_ANY);
	return 0;
}
SEC("xdp") int each(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 4 > (unsigned char *)(long)ctx->data_end)
		return 0;
	__u8 base = d[1];
	bpf_loop(d[0] & 31, fill, &base, 0);
	struct walk w = { d[2], 0 }, a = { d[3], 0 };
	long n = bpf_for_each_map_elem(&table, visit, &w, 0);
	long m = bpf_for_each_map_elem(&arr, visit_array, &a, 0);
	return (int)((w.sum * 64 + n) ^ (a.sum * 16 + m));
}
`;
  const spec = cObject('jit_for_each', src);
  loopsAgree(spec, 'each', [[5, 1, 3, 0], [20, 7, 2, 1], [0, 0, 0, 0], [31, 100, 9, 0], [12, 3, 250, 1], [31, 0, 1, 1]], ['table', 'arr', 'seen'], 3);
});

test('bpf_loop with a callback that looks up and updates maps runs in the compiled code, as in the kernel', { skip: noClang }, () => {
  // Byte 0: iterations; byte 1: a seed; byte 2: the index the callback stops at; byte 3: the
  // keys (odd). Each call counts key (i * 7 + seed) % keys in a hash map (an update when it is new, an increment through the
  // value otherwise, folded into the result), adds to an array element, and returns 1 at the stop
  // index; the maps carry over from packet to packet. With 251 keys a loop's calls look up more
  // values than the compiled loop keeps mapped (LOOP_KEEP).
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } total SEC(".maps");
struct arg { __u32 seed; __u32 stop; __u32 mod; __u64 seen; __u64 fold; };
static long step(__u32 i, void *c)
{
	struct arg *a = c;
	__u32 key = (i * 7 + a->seed) % a->mod, zero = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		*v += 1;
		a->fold = a->fold * 3 + *v;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	}
	__u64 *t = bpf_map_lookup_elem(&total, &zero);
	if (t)
		*t += i;
	a->seen++;
	return i == a->stop;
}
SEC("xdp") int loop(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 4 > (unsigned char *)(long)ctx->data_end)
		return 0;
	struct arg a = { d[1], d[2], d[3] | 1, 0, 0 };
	long r = bpf_loop(d[0], step, &a, 0);
	__u32 zero = 0;
	__u64 *t = bpf_map_lookup_elem(&total, &zero);
	return (int)((a.fold + (t ? *t : 0)) * 64 + a.seen * 2 + (r & 1));
}
`;
  const spec = cObject('jit_bpf_loop_maps', src);
  loopsAgree(spec, 'loop', [[5, 0, 200, 13], [40, 3, 200, 13], [0, 1, 0, 13], [200, 5, 150, 13], [9, 2, 4, 13], [255, 11, 254, 13], [255, 1, 255, 251], [200, 9, 255, 251]],
    ['counts', 'total'], 1);
});

test('callbacks that make bpf-to-bpf calls run in the compiled code, their callees\' helpers too, as in the kernel', { skip: noClang }, () => {
  // Byte 0: iterations; byte 1: a seed. The bpf_loop callback counts two keys through bump(), a
  // function of its own that looks up and updates the map; the bpf_for_each_map_elem callback
  // sums the elements through weigh(), which calls no helper.
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
static __attribute__((noinline)) __u64 bump(__u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		*v += by;
		return *v;
	}
	bpf_map_update_elem(&counts, &key, &by, BPF_NOEXIST);
	return 0;
}
static __attribute__((noinline)) __u64 weigh(__u32 key, __u64 value)
{
	return value * 3 + key;
}
struct arg { __u32 seed; __u64 fold; };
static long step(__u32 i, void *c)
{
	struct arg *a = c;
	a->fold = a->fold * 5 + bump((i * 3 + a->seed) % 19, i + 1);
	a->fold += bump(a->seed % 7, 1);
	return 0;
}
static long visit(void *map, __u32 *key, __u64 *value, struct arg *a)
{
	a->fold += weigh(*key, *value);
	return 0;
}
SEC("xdp") int calls(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 2 > (unsigned char *)(long)ctx->data_end)
		return 0;
	struct arg a = { d[1], 0 };
	long r = bpf_loop(d[0], step, &a, 0);
	struct arg b = { 0, 0 };
	long n = bpf_for_each_map_elem(&counts, visit, &b, 0);
	return (int)(((a.fold & 0x3ff) << 22) | ((b.fold & 0x3ff) << 12) | ((r & 63) << 6) | (n & 63));
}
`;
  const spec = cObject('jit_callback_calls', src);
  // (The walk's order is the map's own: b's fold is a sum.)
  loopsAgree(spec, 'calls', [[5, 0], [40, 3], [0, 1], [30, 5], [9, 2], [60, 11]], ['counts'], 2);
});

test('bpf_loop with a callback that calls nothing runs in the compiled code, with the helper\'s answers, as in the kernel', { skip: noClang }, () => {
  // Byte 0: iterations; byte 1: flags; byte 2: ask for 2^24 iterations; byte 3: the index the
  // callback stops at (it returns 1 there).
  const src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct acc { __u64 mul; __u64 sum; __u64 stop; };
static long step(__u32 i, void *c)
{
	struct acc *a = c;
	a->sum += a->mul * i + 1;
	return i == a->stop;
}
SEC("xdp") int loop(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if (d + 4 > (unsigned char *)(long)ctx->data_end)
		return 0;
	struct acc a = { 3, 0, d[3] };
	long r = bpf_loop(d[2] ? 1 << 24 : d[0], step, &a, d[1]);
	return (int)(a.sum * 1000 + (r & 0xfff));
}
`;
  const spec = cObject('jit_bpf_loop', src);
  const retvals = loopsAgree(spec, 'loop', [[5, 0, 0, 200], [40, 0, 0, 7], [0, 0, 0, 0], [9, 1, 0, 200], [9, 0, 1, 200], [255, 0, 0, 254]], [], 1);
  // 5 rounds: sum 3*(0+..+4) + 5 = 35, r 5; stopped at index 7: sum 3*28 + 8 = 92, r 8; flags:
  // -EINVAL (0xfea); too many: 0xff9.
  assert.deepEqual(retvals.slice(0, 5), [35005, 92008, 0, 0xfea, 0xff9]);
});
