/** The interpreter's run-time rules: memory faults, budget, frames, counting, legacy packet loads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUbpf } from '../src/isa/asm-ubpf.js';
import { run } from '../src/vm/interpreter.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { BpfError } from '../src/errors.js';
import type { Insn } from '../src/isa/insn.js';

const asm = (text: string): Insn[] => parseUbpf(text, 't.s');

function fails(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BpfError, `not a BpfError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

test('a read past the top of the stack faults, naming the insn, address and region', () => {
  fails(() => run(asm('mov %r0, 1\nldxdw %r0, [%r10]\nexit')), 'EFAULT', /insn 1: invalid read of 8 bytes at 0x[0-9a-f]{16}: offset 512 is outside stack frame 0 \(512 bytes\)/);
});

test('a write below the stack frame faults', () => {
  fails(() => run(asm('stdw [%r10-520], 1\nmov %r0, 0\nexit')), 'EFAULT', /insn 0: invalid write of 8 bytes at 0x[0-9a-f]+: 8 bytes before the start of stack frame 0/);
});

test('a read past the input block faults; within it works', () => {
  const mem = Uint8Array.from([1, 2, 3, 4]);
  assert.equal(run(asm('ldxw %r0, [%r1]\nexit'), { mem }).r0, 0x04030201n);
  fails(() => run(asm('ldxw %r0, [%r1+1]\nexit'), { mem }), 'EFAULT', /invalid read of 4 bytes.*offset 1 is outside input \(4 bytes\)/);
});

test('an address no region owns faults cleanly; NULL is named as such', () => {
  fails(() => run(asm('mov %r1, 0\nldxb %r0, [%r1]\nexit')), 'EFAULT', /at 0x0000000000000000: NULL pointer dereference/);
  fails(() => run(asm('lddw %r1, 0x123400000010\nldxb %r0, [%r1]\nexit')), 'EFAULT', /not inside any memory region/);
});

test('an infinite loop stops at the instruction budget', () => {
  fails(() => run(asm('mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit')), 'ELIMIT', /budget of 1000000 exhausted/);
  fails(() => run(asm('loop:\nja loop\nexit'), { budget: 50 }), 'ELIMIT', /budget of 50 exhausted/);
});

test('instruction count: lddw counts once and exit counts', () => {
  const r = run(asm('lddw %r0, 0x1122334455667788\nmov %r1, 1\nexit'));
  assert.equal(r.insns, 3);
  assert.equal(r.r0, 0x1122334455667788n);
});

test('a program may not fall off its end', () => {
  // validateProgram accepts it (a jump could skip the end); the run stops with a clear error.
  fails(() => run(asm('mov %r0, 1')), 'EFAULT', /fell off the end/);
});

test('jumps outside the program are rejected before running', () => {
  const prog: Insn[] = [{ code: 0x05, dst: 0, src: 0, off: 5, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }];
  fails(() => run(prog), 'EREJECT', /insn 0: jump out of range: target 6/);
});

test('recursion deeper than 8 frames is stopped', () => {
  fails(() => run(asm('call local f\nexit\nf:\ncall local f\nexit')), 'ELIMIT', /call stack is too deep/);
});

test('r6-r9 survive a bpf-to-bpf call and each frame gets its own stack', () => {
  const r = run(asm(`
    mov %r6, 6
    stdw [%r10-8], 42
    call local f
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
  f:
    mov %r6, 100
    stdw [%r10-8], 7
    ldxdw %r0, [%r10-8]
    exit`));
  assert.equal(r.r0, 7n + 42n + 6n);
});

test('an unknown helper is refused before running; a registered one is called with r1-r5', () => {
  fails(() => run(asm('call 99\nexit')), 'EREJECT', /unknown#99/);
  const helpers = new HelperRegistry([{ id: 1, name: 'sum', args: [], ret: 'integer', impl: (_c, a, b, c, d, e) => a + b + c + d + e }]);
  const r = run(asm('mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit'), { helpers });
  assert.equal(r.r0, 15n);
});

test('a throwing helper becomes an EHELPER error naming it', () => {
  const helpers = new HelperRegistry([{ id: 7, name: 'boom', args: [], ret: 'integer', impl: () => { throw new Error('nope'); } }]);
  fails(() => run(asm('call 7\nexit'), { helpers }), 'EHELPER', /helper boom#7 failed: nope/);
});

test('stores into the input block are visible after the run', () => {
  const r = run(asm('stw [%r1+0], 0x01020304\nmov %r0, 0\nexit'), { mem: new Uint8Array(4) });
  assert.deepEqual([...r.mem], [4, 3, 2, 1]);
});

test('legacy packet loads are big-endian and end the program with 0 when out of range', () => {
  const mem = Uint8Array.from([0x12, 0x34, 0x56, 0x78]);
  const ldabsh = (imm: number): Insn => ({ code: 0x28, dst: 0, src: 0, off: 0, imm });
  const exit: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
  assert.equal(run([ldabsh(1), exit], { mem }).r0, 0x3456n);
  const r = run([ldabsh(3), { code: 0xb7, dst: 0, src: 0, off: 0, imm: 9 }, exit], { mem });
  assert.equal(r.r0, 0n);
  assert.equal(r.insns, 1);
});

test('lddw with a map pseudo source needs the loader', () => {
  fails(() => run([{ code: 0x18, dst: 1, src: 1, off: 0, imm: 3, imm2: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]), 'EREJECT', /map_fd.*needs a loader/);
});
