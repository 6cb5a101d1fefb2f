import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { parseUbpf } from '../src/isa/asm-ubpf.js';
import { disassembleUbpf, formatUbpfInsn } from '../src/isa/disasm-ubpf.js';
import { conformanceProgram, parseConformanceFile, type ConformanceCase } from '../src/isa/conformance-file.js';
import { encode, lddwFromValue, validateProgram, type Insn } from '../src/isa/insn.js';
import { enumerateValidInsns, expectedFormKeys } from './support/ubpf-enumerate.js';

import { CONFORMANCE_DIR } from './support/paths.js';

// The suite is read in place, next to the repository; without it these tests say why they skip.
const NO_CONFORMANCE = existsSync(CONFORMANCE_DIR) ? false : `no conformance vectors at ${CONFORMANCE_DIR}`;

function conformanceCases(): ConformanceCase[] {
  const files = readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.data')).sort();
  return files.map((f) => parseConformanceFile(readFileSync(join(CONFORMANCE_DIR, f), 'utf8'), f));
}

const hex = (insns: readonly Insn[]): string => Buffer.from(encode(insns)).toString('hex');

function assertRoundTrip(p: Insn[], what: string): void {
  const text = disassembleUbpf(p);
  let back: Insn[];
  try {
    back = parseUbpf(text);
  } catch (e) {
    assert.fail(`${what}: disassembly does not assemble: ${(e as Error).message}\n${text}`);
  }
  assert.equal(hex(back), hex(p), `${what}: round trip changed the bytes\n${text}`);
}

/** One assembled instruction, for checking encodings. */
function one(text: string): Insn {
  const p = parseUbpf(text);
  assert.equal(p.length, 1);
  return p[0]!;
}

test('every conformance file parses; only callx.data is rejected, by classify, naming callx', { skip: NO_CONFORMANCE }, () => {
  const cases = conformanceCases();
  assert.ok(cases.length > 0, `no .data files in ${CONFORMANCE_DIR}`);
  let accepted = 0;
  for (const c of cases) {
    const p = conformanceProgram(c);
    if (c.name === 'callx.data') {
      assert.throws(() => validateProgram(p, c.name), (e: unknown) => e instanceof BpfError && /callx/.test(e.message));
      continue;
    }
    validateProgram(p, c.name);
    assert.equal(typeof c.result, 'bigint', `${c.name} has a result`);
    accepted++;
  }
  assert.equal(accepted, cases.length - 1);
});

test('lddw.data: the -- raw words and the -- asm text give the same program', { skip: NO_CONFORMANCE }, () => {
  const c = conformanceCases().find((k) => k.name === 'lddw.data')!;
  assert.ok(c.raw && c.asm);
  assert.equal(hex(parseUbpf(c.asm)), hex(conformanceProgram(c)));
  assert.equal(hex(conformanceProgram(c)), '1800000088776655000000004433221195000000' + '00000000');
});

test('every conformance program survives disassemble -> assemble byte for byte', { skip: NO_CONFORMANCE }, () => {
  let n = 0;
  for (const c of conformanceCases()) {
    assertRoundTrip(conformanceProgram(c), c.name);
    n++;
  }
  assert.ok(n > 300);
});

test('every valid instruction form of the opcode table round-trips, fields at their limits', () => {
  const all = enumerateValidInsns();
  const seen = new Set(all.map((x) => x.key));
  const expected = expectedFormKeys();
  assert.deepEqual([...expected].filter((k) => !seen.has(k)), [], 'forms the enumeration missed');
  assert.deepEqual([...seen].filter((k) => !expected.has(k)), [], 'forms outside the table');
  for (const { insn } of all) {
    const text = formatUbpfInsn(insn, 0);
    let back: Insn[];
    try {
      back = parseUbpf(text);
    } catch (e) {
      assert.fail(`'${text}' does not assemble: ${(e as Error).message}`);
    }
    assert.equal(hex(back), hex([insn]), `'${text}'`);
  }
  // The same instructions as one program, where some jumps now land on instructions and get labels.
  assertRoundTrip(all.map((x) => x.insn), 'enumerated program');
});

test('generated labels: forward and backward jumps across lddw, local calls, ja32', () => {
  const src = `
    mov %r0, 0
  top:
    lddw %r1, 0x1122334455667788
    jeq %r0, 3, done
    add %r0, 1
    ja top
    call local fn
    ja32 done
  done:
    exit
  fn:
    mov %r0, 7
    exit`;
  const p = parseUbpf(src);
  const text = disassembleUbpf(p);
  assert.match(text, /^L1:$/m);
  assert.match(text, /^jeq %r0, 3, L8$/m);
  assert.match(text, /^ja L1$/m);
  assert.match(text, /^call local L9$/m);
  assert.match(text, /^ja32 L8$/m);
  assert.equal(p[2]!.off, 4);
  assert.equal(p[4]!.off, -5);
  assert.equal(p[5]!.imm, 2);
  assert.equal(p[6]!.imm, 0);
  assertRoundTrip(p, 'labels');
  // Targets outside the program keep numeric offsets.
  assert.equal(disassembleUbpf(parseUbpf('ja +5\nexit')), 'ja +5\nexit\n');
  assert.equal(formatUbpfInsn(one('jsgt32 %r1, %r2, -3'), 10), 'jsgt32 %r1, %r2, -3');
});

test('a jump to exit goes to the first exit of the program unless a label named exit exists', () => {
  const p = parseUbpf('exit\nmov %r0, 1\njne %r0, 0, exit\nexit');
  assert.equal(p[2]!.off, -3);
  const q = parseUbpf('ja exit\nexit\nexit:\nexit');
  assert.equal(q[0]!.off, 1);
  assert.equal(parseUbpf('ja exit\nmov %r0, 0\nexit')[0]!.off, 1);
});

test('encodings of the forms the conformance files use', () => {
  const cases: [string, Partial<Insn>][] = [
    ['add %r0, 1', { code: 0x07, dst: 0, imm: 1 }],
    ['add32 %r0, %r1', { code: 0x0c, dst: 0, src: 1 }],
    ['sdiv %r0, %r1', { code: 0x3f, off: 1 }],
    ['smod32 %r0, 3', { code: 0x94, off: 1, imm: 3 }],
    ['neg32 %r3', { code: 0x84, dst: 3 }],
    ['movsx832 %r0, %r1', { code: 0xbc, src: 1, off: 8 }],
    ['movsx1632 %r4, %r3', { code: 0xbc, dst: 4, src: 3, off: 16 }],
    ['movsx864 %r6, %r5', { code: 0xbf, dst: 6, src: 5, off: 8 }],
    ['movsx3264 %r0, %r9', { code: 0xbf, src: 9, off: 32 }],
    ['be16 %r0', { code: 0xdc, imm: 16 }],
    ['le64 %r0', { code: 0xd4, imm: 64 }],
    ['swap32 %r0', { code: 0xd7, imm: 32 }],
    ['bswap32 %r0', { code: 0xd7, imm: 32 }],
    ['mov32 %r0, 0xffffffff', { code: 0xb4, imm: -1 }],
    ['mov %r0, 0x80000000', { code: 0xb7, imm: -0x80000000 }],
    ['mov %r0, -0x10', { code: 0xb7, imm: -16 }],
    ['jeq %r1, %r2, +3', { code: 0x1d, dst: 1, src: 2, off: 3 }],
    ['jset32 %r1, 0x10, -1', { code: 0x46, dst: 1, imm: 16, off: -1 }],
    ['ja32 +70000', { code: 0x06, imm: 70000 }],
    ['call 5', { code: 0x85, src: 0, imm: 5 }],
    ['call %r2', { code: 0x8d, dst: 2, src: 0, imm: 0 }],
    ['call runtime 7, 2', { code: 0x85, src: 2, imm: 7, off: 2 }],
    ['ldxh %r0, [%r1+2]', { code: 0x69, src: 1, off: 2 }],
    ['ldxdw %r0, [%r1]', { code: 0x79, src: 1, off: 0 }],
    ['ldxsw %r0, [%r10-4]', { code: 0x81, src: 10, off: -4 }],
    ['stdw [%r10-8], 0x1', { code: 0x7a, dst: 10, off: -8, imm: 1 }],
    ['stxb [%r10 - 1], %r1', { code: 0x73, dst: 10, src: 1, off: -1 }],
    ['lock add [%r10-8], %r1', { code: 0xdb, dst: 10, src: 1, off: -8, imm: 0x00 }],
    ['lock fetch xor32 [%r10-4], %r3', { code: 0xc3, src: 3, off: -4, imm: 0xa1 }],
    ['lock xchg32 [%r10-8], %r1', { code: 0xc3, imm: 0xe1 }],
    ['lock cmpxchg [%r10-8], %r1', { code: 0xdb, imm: 0xf1 }],
    ['ldabsh 12', { code: 0x28, imm: 12 }],
    ['ldindw %r3, 4', { code: 0x40, src: 3, imm: 4 }],
  ];
  for (const [text, want] of cases) {
    const got = one(text);
    for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof Insn], v, `${text}: ${k}`);
  }
  assert.equal(hex(parseUbpf('lddw %r0, -1')), hex([lddwFromValue(0, -1n)]));
  assert.equal(hex(parseUbpf('lddw %r2, 0xFFFFFFFF80000000')), hex([lddwFromValue(2, 0xffffffff80000000n)]));
  assert.equal(hex(parseUbpf('lddw %r2, 18446744073709551615')), hex([lddwFromValue(2, -1n)]));
  assert.equal(hex(parseUbpf('lddw %r1, map_fd 3')), hex([lddwFromValue(1, 3n, 1)]));
});

test('comments, blank lines, indentation and a label before an instruction on the same line', () => {
  const p = parseUbpf('# header\n\n  start: mov %r0, 1 # one\n\tjne %r0, 1, start   # loop\n  exit\n');
  assert.equal(p.length, 3);
  assert.equal(p[1]!.off, -2);
});

function assertAsmError(text: string, reason: RegExp, line = 1): void {
  for (const file of [undefined, 'prog.s']) {
    assert.throws(
      () => parseUbpf(text, file),
      (e: unknown) => {
        assert.ok(e instanceof BpfError, `not a BpfError: ${String(e)}`);
        assert.equal(e.code, 'EASM');
        assert.ok(e.message.startsWith(file ? `${file}:${line}: ` : `line ${line}: `), e.message);
        assert.match(e.message, reason);
        return true;
      },
      `${JSON.stringify(text)} should fail with ${reason}`,
    );
  }
}

test('bad assembly is an EASM error naming the line and the reason', () => {
  assertAsmError('mov %r0, 1\nfrob %r0', /unknown mnemonic 'frob'/, 2);
  assertAsmError('mov %r11, 1', /bad register '%r11'/);
  assertAsmError('mov %rx, 1', /bad register '%rx'/);
  assertAsmError('mov r1, 1', /bad register 'r1'.*%r1/);
  assertAsmError('add %r1, r2', /bad register 'r2'/);
  assertAsmError('ldxw %r0, [%r1+32768]', /offset \+32768 is out of range/);
  assertAsmError('stb [%r10-32769], 1', /offset -32769 is out of range/);
  assertAsmError('jeq %r1, 0, +40000', /offset \+40000 is out of range/);
  assertAsmError('mov %r0, 0x100000000', /immediate 0x100000000 is out of 32-bit range/);
  assertAsmError('mov32 %r0, -2147483649', /out of 32-bit range/);
  assertAsmError('lddw %r0, 0x10000000000000000', /out of 64-bit range/);
  assertAsmError('mov %r0, 12abc', /bad immediate '12abc'/);
  assertAsmError('exit\nja nowhere', /undefined label 'nowhere'/, 2);
  assertAsmError('ja exit\nmov %r0, 0', /undefined label 'exit'/);
  assertAsmError('a:\nexit\na: exit', /duplicate label 'a' \(first defined on line 1\)/, 3);
  assertAsmError('mov %r0, 1 2', /unexpected '2' after operand '1'/);
  assertAsmError('exit now', /exit: unexpected extra operand 'now'/);
  assertAsmError('add %r0, %r1, %r2', /unexpected extra operand '%r2'/);
  assertAsmError('ldxw %r0, [%r1] junk', /unexpected 'junk'/);
  assertAsmError('add %r0', /add: missing operand/);
  assertAsmError('jeq %r0, 1', /jeq: missing operand/);
  assertAsmError('mov %r0,', /missing operand/);
  assertAsmError('call', /call: missing operand/);
  assertAsmError('call local', /call local: missing operand/);
  assertAsmError('lock', /lock: missing atomic operation/);
  assertAsmError('lock sub [%r10-8], %r1', /unknown atomic operation 'sub'/);
  assertAsmError('ldxw %r0, %r1', /expected a memory operand/);
  assertAsmError('ja 3', /bad jump target '3'.*\+3/);
  assertAsmError('movsx864 %r0, 5', /bad register|expected a register/);
  assertAsmError('movsx3232 %r0, %r1', /unknown mnemonic/);
  assertAsmError('start: mov %r0, 0\n' + 'mov %r0, 0\n'.repeat(40000) + 'jeq %r0, 0, start', /out of range.*16 bits/, 40002);
});

test('assembler never crashes on junk', () => {
  const junk = ['', ':', '::', '[', ']', '%', '%r', '[%r1', 'lock fetch', 'call %r', 'lddw %r0, map_fd', ',', 'mov ,,',
    'jeq %r1, %r2, %r3', 'ldxw %r0, [%r1+]', 'ldxw %r0, [%r1+-8]', 'stw [+8], 1', '\u0000', 'label: label2: exit'];
  for (const j of junk) {
    try {
      parseUbpf(j);
    } catch (e) {
      assert.ok(e instanceof BpfError && e.code === 'EASM', `${JSON.stringify(j)}: ${String(e)}`);
    }
  }
});

test('conformance file reader: sections, comments, raw precedence, result bases', () => {
  const text = [
    '# Copyright header',
    '-- c',
    'int main() { return i-- > 0; } # ignored',
    '-- asm',
    'mov %r0, 1 # comment',
    'exit',
    '-- raw',
    '0x00000002000000b7 # mov %r0, 2',
    '0x0000000000000095',
    '-- mem',
    'aa bb # two',
    'CC',
    '-- result',
    '0x2',
    '-- no register offset',
    'anything',
  ].join('\n');
  const c = parseConformanceFile(text, 't.data');
  assert.equal(c.name, 't.data');
  assert.deepEqual(c.raw, [0x00000002000000b7n, 0x95n]);
  assert.deepEqual([...c.mem], [0xaa, 0xbb, 0xcc]);
  assert.equal(c.result, 2n);
  assert.equal(conformanceProgram(c)[0]!.imm, 2, 'raw wins over asm');
  assert.equal(conformanceProgram({ ...c, raw: undefined })[0]!.imm, 1);
  assert.equal(parseConformanceFile('-- asm\nexit\n-- result\n10', 'd').result, 10n);
  assert.equal(parseConformanceFile('-- asm\nexit\n-- result\n-1', 'd').result, 2n ** 64n - 1n);
  const e = parseConformanceFile('-- asm\nexit\n-- error\nbad thing # why', 'd');
  assert.equal(e.error, 'bad thing');
  assert.equal(e.result, undefined);
  assert.equal(e.mem.length, 0);
});

test('conformance file reader: errors name the file and line', () => {
  const bad = (text: string, re: RegExp): void =>
    assert.throws(() => parseConformanceFile(text, 'x.data'), (e: unknown) => e instanceof BpfError && re.test(e.message));
  bad('-- asm\nexit\n-- bogus', /^x\.data:3: unknown section '-- bogus'/);
  bad('-- asm\nexit\n-- asm\nexit', /^x\.data:3: duplicate section/);
  bad('-- asm\nexit\n-- mem\nabc', /^x\.data:4: bad mem byte 'abc'/);
  bad('-- raw\n0x12345678123456789', /^x\.data:2: bad raw instruction word/);
  bad('-- asm\nexit\n-- result\nzz', /^x\.data:4: bad result 'zz'/);
  bad('-- result\n1', /no program/);
  // Assembly errors carry the line number within the whole file.
  const c = parseConformanceFile('# head\n-- asm\nmov %r0, 1\nfrob\n-- result\n1', 'y.data');
  assert.throws(() => conformanceProgram(c), /^BpfError: y\.data:4: unknown mnemonic 'frob'$/);
});
