/**
 * The kernel/LLVM assembly syntax: the disassembler against llvm-objdump (on clang's output and on a
 * sweep of the encoding space), the assembler against everything the disassembler, objdump and
 * bpftool print, byte-exact round trips, and the errors for bad text and bad encodings.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKernel } from '../src/isa/asm-kernel.js';
import { disassembleKernel, formatKernelInsn } from '../src/isa/disasm-kernel.js';
import { helperId, helperName } from '../src/isa/helper-names.js';
import { decode, encode, type Insn } from '../src/isa/insn.js';
import { BpfError } from '../src/errors.js';
import { readElf64, SHF, SHT, STT, type ElfFile, type ElfSection } from '../src/elf/elf64.js';
import { sweep } from './support/kernel-syntax-forms.js';
import { assembleWithLlvm, C_DIR, compileC, listingLines, noLlvm, objdump, objectFromBytes, removeTempDir, tempDir } from './support/tools.js';

after(removeTempDir);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const asm = (text: string): string => hex(encode(parseKernel(text)));
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function uniqueValid(): Insn[] {
  const seen = new Set<string>();
  return sweep().valid.filter((i) => {
    const k = hex(encode([i]));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The spelling of each form, as bytes <-> canonical text.

const GOLDEN: [string, string][] = [
  ['r0 = 1', 'b700000001000000'],
  ['r1 += -4', '07010000fcffffff'],
  ['r1 = r2', 'bf21000000000000'],
  ['w1 += w2', '0c21000000000000'],
  ['w0 = -2147483648', 'b400000000000080'],
  ['r1 -= r2', '1f21000000000000'],
  ['r1 *= r2', '2f21000000000000'],
  ['r1 /= r2', '3f21000000000000'],
  ['r1 s/= r2', '3f21010000000000'],
  ['w1 s/= 7', '3401010007000000'],
  ['r1 %= r2', '9f21000000000000'],
  ['r1 s%= r2', '9f21010000000000'],
  ['r1 |= r2', '4f21000000000000'],
  ['r1 &= r2', '5f21000000000000'],
  ['r1 <<= 3', '6701000003000000'],
  ['r1 >>= 3', '7701000003000000'],
  ['r1 s>>= 3', 'c701000003000000'],
  ['w1 s>>= w3', 'cc31000000000000'],
  ['r1 ^= r2', 'af21000000000000'],
  ['r1 = -r1', '8701000000000000'],
  ['w1 = -w1', '8401000000000000'],
  ['r1 = (s8)r2', 'bf21080000000000'],
  ['r1 = (s16)r2', 'bf21100000000000'],
  ['r1 = (s32)r2', 'bf21200000000000'],
  ['w1 = (s8)w2', 'bc21080000000000'],
  ['r1 = be16 r1', 'dc01000010000000'],
  ['r1 = le32 r1', 'd401000020000000'],
  ['r1 = be64 r1', 'dc01000040000000'],
  ['r1 = bswap64 r1', 'd701000040000000'],
  ['r1 = 78187493520 ll', '18010000907856340000000012000000'],
  ['r1 = -1 ll', '18010000ffffffff00000000ffffffff'],
  ['goto +5', '0500050000000000'],
  ['goto -1', '0500ffff00000000'],
  ['gotol +70000', '0600000070110100'],
  ['if r1 == r2 goto +1', '1d21010000000000'],
  ['if w1 != 3 goto -2', '5601feff03000000'],
  ['if r1 s> 16 goto +2', '6501020010000000'],
  ['if r1 > r2 goto +0', '2d21000000000000'],
  ['if r1 >= -8 goto +0', '35010000f8ffffff'],
  ['if r1 < r2 goto +0', 'ad21000000000000'],
  ['if w1 <= w2 goto +0', 'be21000000000000'],
  ['if r1 s>= 0 goto +0', '7501000000000000'],
  ['if r1 s< r2 goto +0', 'cd21000000000000'],
  ['if r1 s<= 0 goto +0', 'd501000000000000'],
  ['if r1 & r2 goto +1', '4d21010000000000'],
  ['if w1 & 4 goto +1', '4601010004000000'],
  ['r2 = *(u8 *)(r1 + 12)', '71120c0000000000'],
  ['r2 = *(u16 *)(r1 - 4)', '6912fcff00000000'],
  ['r2 = *(u32 *)(r1 + 0)', '6112000000000000'],
  ['r2 = *(u64 *)(r1 + 32767)', '7912ff7f00000000'],
  ['r2 = *(s8 *)(r1 + 0)', '9112000000000000'],
  ['r2 = *(s16 *)(r1 - 4)', '8912fcff00000000'],
  ['r2 = *(s32 *)(r1 - 32768)', '8112008000000000'],
  ['*(u32 *)(r10 - 4) = r1', '631afcff00000000'],
  ['*(u8 *)(r10 - 1) = r1', '731affff00000000'],
  ['*(u64 *)(r10 - 8) = 5', '7a0af8ff05000000'],
  ['*(u16 *)(r1 + 2) = -1', '6a010200ffffffff'],
  ['lock *(u64 *)(r1 + 0) += r2', 'db21000000000000'],
  ['lock *(u32 *)(r1 + 8) |= r2', 'c321080040000000'],
  ['lock *(u64 *)(r1 + 0) &= r2', 'db21000050000000'],
  ['lock *(u64 *)(r1 + 0) ^= r2', 'db210000a0000000'],
  ['r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)', 'db21000001000000'],
  ['r2 = atomic_fetch_and((u32 *)(r1 - 8), r2)', 'c321f8ff51000000'],
  ['r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)', 'db21000041000000'],
  ['r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)', 'db210000a1000000'],
  ['r2 = xchg_64(r1 + 0, r2)', 'db210000e1000000'],
  ['r2 = xchg32_32(r1 + 4, r2)', 'c3210400e1000000'],
  ['r0 = cmpxchg_64(r1 + 0, r0, r2)', 'db210000f1000000'],
  ['r0 = cmpxchg32_32(r1 + 0, r0, r2)', 'c3210000f1000000'],
  ['r1 = map[id:5]', '1811000005000000' + '0000000000000000'],
  ['r1 = map[id:5][0]+8', '1821000005000000' + '0000000008000000'],
  ['r1 = btf_id[7]', '1831000007000000' + '0000000000000000'],
  ['r1 = subprog[+3]', '1841000003000000' + '0000000000000000'],
  ['r1 = subprog[-3]', '18410000fdffffff' + '0000000000000000'],
  ['r1 = map[idx:2]', '1851000002000000' + '0000000000000000'],
  ['r1 = map[idx:2]+8', '1861000002000000' + '0000000008000000'],
  ['r1 = map[id:4294967295]', '18110000ffffffff' + '0000000000000000'],
  ['ld_pseudo r1, 1, 5, 8', '1811000005000000' + '0000000008000000'],
  ['ld_pseudo r1, 4, -3, -1', '18410000fdffffff' + '00000000ffffffff'],
  ['r0 = *(u8 *)skb[12]', '300000000c000000'],
  ['r0 = *(u16 *)skb[r3]', '4830000000000000'],
  ['r0 = *(u32 *)skb[r3 + 4]', '4030000004000000'],
  ['r0 = *(u32 *)skb[r3 - 4]', '40300000fcffffff'],
  ['call 1', '8500000001000000'],
  ['call -3', '85000000fdffffff'],
  ['call pc+4', '8510000004000000'],
  ['call pc-3', '85100000fdffffff'],
  ['call kernel-function#1234', '85200000d2040000'],
  ['call kernel-function#1234[off:3]', '85200300d2040000'],
  ['exit', '9500000000000000'],
];

test('each form has one canonical spelling that assembles to its bytes and back', () => {
  for (const [text, bytes] of GOLDEN) {
    assert.equal(asm(text), bytes, `assembling '${text}'`);
    const insns = decode(Buffer.from(bytes, 'hex'));
    assert.equal(formatKernelInsn(insns[0]!, 0), text, `disassembling ${bytes}`);
  }
});

test('alu32 spelling uses w registers for narrow loads, stores and atomics; both spellings assemble', () => {
  const pairs: [string, string][] = [
    ['r2 = *(u32 *)(r1 + 0)', 'w2 = *(u32 *)(r1 + 0)'],
    ['r2 = *(u8 *)(r1 + 0)', 'w2 = *(u8 *)(r1 + 0)'],
    ['r2 = *(u64 *)(r1 + 0)', 'r2 = *(u64 *)(r1 + 0)'],
    ['r2 = *(s16 *)(r1 + 0)', 'r2 = *(s16 *)(r1 + 0)'],
    ['*(u16 *)(r1 + 2) = r3', '*(u16 *)(r1 + 2) = w3'],
    ['lock *(u32 *)(r1 + 0) += r2', 'lock *(u32 *)(r1 + 0) += w2'],
    ['r2 = atomic_fetch_add((u32 *)(r1 + 0), r2)', 'w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)'],
    ['r2 = xchg32_32(r1 + 0, r2)', 'w2 = xchg32_32(r1 + 0, w2)'],
    ['r0 = cmpxchg32_32(r1 + 0, r0, r2)', 'w0 = cmpxchg32_32(r1 + 0, w0, w2)'],
    ['lock *(u64 *)(r1 + 0) += r2', 'lock *(u64 *)(r1 + 0) += r2'],
  ];
  for (const [plain, alu32] of pairs) {
    const insn = parseKernel(plain)[0]!;
    assert.equal(formatKernelInsn(insn, 0, { alu32: true }), alu32);
    assert.equal(asm(alu32), asm(plain), alu32);
  }
});

// ---------------------------------------------------------------------------------------------
// Round trips over the whole encoding space.

test('every valid encoding round-trips byte for byte through its text', (t) => {
  const { valid } = sweep();
  let n = 0;
  for (const insn of valid) {
    const bytes = hex(encode([insn]));
    for (const alu32 of [false, true]) {
      const text = formatKernelInsn(insn, 0, { alu32 });
      let back: string;
      try {
        back = asm(text);
      } catch (e) {
        assert.fail(`'${text}' (${bytes}) does not assemble: ${(e as Error).message}`);
      }
      assert.equal(back, bytes, `'${text}'`);
      n++;
    }
  }
  assert.ok(valid.length > 15000, `only ${valid.length} valid encodings in the sweep`);
  t.diagnostic(`${valid.length} valid encodings, ${n} round trips`);
});

test('whole listings round-trip in both layouts, with and without raw bytes and labels', (t) => {
  const program = uniqueValid();
  const bytes = hex(encode(program));
  const variants: Parameters<typeof disassembleKernel>[1][] = [
    { style: 'plain' },
    { style: 'plain', alu32: true },
    { style: 'objdump' },
    { style: 'objdump', alu32: true },
    { style: 'objdump', rawBytes: false },
    { style: 'plain', numericTargets: true },
    { style: 'plain', symbols: new Map([[0, 'f'], [7, 'g']]) },
    // Names the assembler cannot take as labels (odd characters, used twice) become comments.
    { style: 'plain', symbols: new Map([[0, 'f'], [7, 'a-b'], [9, 'f'], [11, 'ok']]) },
  ];
  for (const opts of variants) {
    const text = disassembleKernel(program, opts);
    assert.equal(hex(encode(parseKernel(text, 'listing.s'))), bytes, JSON.stringify(opts));
  }
  t.diagnostic(`${program.length} instructions per listing, ${variants.length} layouts`);
});

test('lddw round-trips every pseudo source with every imm and imm2', () => {
  let n = 0;
  for (const insn of sweep().valid.filter((i) => i.code === 0x18)) {
    assert.equal(asm(formatKernelInsn(insn, 0)), hex(encode([insn])));
    n++;
  }
  for (const [v, text] of [
    [-(2n ** 63n), 'r1 = -9223372036854775808 ll'],
    [2n ** 63n - 1n, 'r1 = 9223372036854775807 ll'],
    [0x1234567890n, 'r1 = 78187493520 ll'],
  ] as const) {
    const insn = parseKernel(text)[0]!;
    assert.equal(BigInt.asIntN(64, (BigInt(insn.imm2! >>> 0) << 32n) | BigInt(insn.imm >>> 0)), v);
    assert.equal(formatKernelInsn(insn, 0), text);
  }
  assert.equal(asm('r1 = 0x1234567890 ll'), asm('r1 = 78187493520 ll'));
  assert.equal(asm('r1 = 0xffffffffffffffff ll'), asm('r1 = -1 ll'));
  assert.equal(asm('ld_pseudo r1, 1, 5'), asm('r1 = map[id:5]'));
  assert.ok(n >= 7 * 3 * 6 * 5);
});

// ---------------------------------------------------------------------------------------------
// Malformed encodings.

test('every malformed encoding makes the disassembler raise the classify error with its slot', (t) => {
  const { malformed } = sweep();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // 676k throws; their stacks are not what is tested
  try {
    for (const { insn, reason } of malformed) {
      assert.throws(
        () => formatKernelInsn(insn, 7),
        (e: unknown) => e instanceof BpfError && e.code === 'EDECODE' && e.message.startsWith('insn 7: ') && e.message.includes(reason),
      );
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  const bad = malformed[0]!.insn;
  const program: Insn[] = [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, parseKernel('r1 = 5 ll')[0]!, bad];
  assert.throws(() => disassembleKernel(program), /^BpfError: insn 3: /);
  assert.throws(() => disassembleKernel(program, { style: 'objdump' }), (e: unknown) => e instanceof BpfError && e.place.insn === 3);
  t.diagnostic(`${malformed.length} malformed encodings`);
});

// ---------------------------------------------------------------------------------------------
// Against llvm-objdump.

if (noLlvm) console.log(`# kernel-syntax: skipping the llvm-objdump comparisons: ${noLlvm}`);

/**
 * Where our text departs from LLVM 14's on purpose (its text loses a field, or LLVM 14 predates the
 * instruction and misreads it), by the reason; undefined where the two must agree.
 */
function departure(insn: Insn, alu32: boolean): string | undefined {
  const cls = insn.code & 7;
  if ((cls === 4 || cls === 7) && insn.off !== 0) return 'sdiv/smod/movsx (LLVM 14 ignores off)';
  if (insn.code === 0x85 && insn.src !== 0) return 'local and kfunc calls (LLVM prints call N)';
  if (insn.code === 0x18 && insn.src !== 0) return 'pseudo lddw (LLVM prints ld_pseudo without imm2)';
  if ((insn.code & 0xe7) === 0x40 && insn.imm !== 0) return 'ld_ind imm (LLVM drops it)';
  if (!alu32 && insn.code === 0xc3 && insn.imm !== 0) return '32-bit atomics other than add (LLVM 14 needs alu32)';
  return undefined;
}

/** Our objdump line in objdump's terms: a local call's `pc+N <sym>` is objdump's `call N`. */
const asObjdump = (line: string): string => squash(line.replace(/call pc([+-])(\d+)(?: <[^>]*>)?$/, (_, s, n) => `call ${s === '-' ? '-' : ''}${n}`));

test('the sweep disassembles exactly as llvm-objdump prints it, where LLVM 14 knows the instruction', { skip: noLlvm }, (t) => {
  const program = uniqueValid();
  const obj = objectFromBytes(encode(program));
  for (const alu32 of [false, true]) {
    const theirs = listingLines(objdump(obj, '.text', alu32));
    const ours = disassembleKernel(program, { style: 'objdump', alu32, symbols: new Map([[0, 'f']]) }).split('\n');
    assert.equal(squash(ours[0]!), squash(theirs[0]!));
    const skipped = new Map<string, number>();
    let same = 0;
    program.forEach((insn, i) => {
      const mine = ours[i + 1]!;
      const llvm = theirs[i + 1]!;
      const why = llvm.endsWith('<unknown>') ? 'unknown to LLVM 14 (v4, jset)' : departure(insn, alu32);
      if (why) skipped.set(why, (skipped.get(why) ?? 0) + 1);
      else {
        assert.equal(squash(mine), squash(llvm));
        same++;
      }
    });
    assert.ok(same > 12000, `only ${same} instructions compared`);
    t.diagnostic(`alu32=${alu32}: ${same} identical to llvm-objdump; not compared: ${[...skipped].map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  }
});

const C_FILES = readdirSync(C_DIR).filter((f) => /^syntax_.*\.c$/.test(f)).sort();

/** Sections holding BPF code, in file order. */
function codeSections(elf: ElfFile): ElfSection[] {
  return elf.sections.filter((s) => s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0 && s.data.length > 0);
}

/** Function and label symbols of a section by slot, as objdump uses them (functions first). */
function slotSymbols(elf: ElfFile, section: ElfSection): Map<number, string> {
  const out = new Map<number, string>();
  const mine = elf.symbolsIn(section.index).filter((s) => s.name !== '' && (s.type === STT.FUNC || s.type === STT.NOTYPE));
  for (const s of [...mine.filter((s) => s.type === STT.FUNC), ...mine.filter((s) => s.type !== STT.FUNC)]) {
    if (s.value % 8 === 0 && !out.has(s.value / 8)) out.set(s.value / 8, s.name);
  }
  return out;
}

/**
 * Compare our objdump layout of every code section of an object with llvm-objdump's, with and
 * without raw bytes, and check that llvm-objdump's text and our plain text assemble back to the
 * section. Returns the number of lines compared.
 */
function matchObjdump(path: string, elf: ElfFile, alu32: boolean): number {
  let lines = 0;
  for (const section of codeSections(elf)) {
    const program = decode(section.data);
    const symbols = slotSymbols(elf, section);
    for (const rawBytes of [true, false]) {
      const llvm = objdump(path, section.name, alu32, rawBytes ? [] : ['--no-show-raw-insn']);
      const theirs = listingLines(llvm).filter((l) => l !== '');
      const mine = disassembleKernel(program, { style: 'objdump', alu32, symbols, rawBytes }).split('\n').filter((l) => l !== '');
      assert.equal(mine.length, theirs.length, `${section.name}: line count`);
      mine.forEach((l, i) => assert.equal(asObjdump(l), squash(theirs[i]!), `${section.name} line ${i}`));
      lines += mine.length;
      // Without the bytes, objdump's `call N` cannot say whether it is a local call.
      if (rawBytes) assert.equal(hex(encode(parseKernel(llvm, `${section.name}.objdump`))), hex(section.data), `${section.name}: objdump text`);
    }
    const plain = disassembleKernel(program, { alu32, symbols });
    assert.equal(hex(encode(parseKernel(plain))), hex(section.data), `${section.name}: plain text`);
  }
  return lines;
}

test('clang programs: our listing equals llvm-objdump -d line by line, and both assemble back', { skip: noLlvm }, async (t) => {
  let lines = 0;
  let sections = 0;
  for (const file of C_FILES) {
    const cpus = /_v3\.c$/.test(file) ? ['v3'] : ['v1', 'v2', 'v3'];
    for (const cpu of cpus) {
      await t.test(`${file} -mcpu=${cpu}`, () => {
        const { path, bytes } = compileC(join(C_DIR, file), join(tempDir(), `${file.replace(/\.c$/, '')}-${cpu}.o`), ['-target', 'bpf', `-mcpu=${cpu}`]);
        const elf = readElf64(bytes, path);
        // v3 objects are alu32 code, which objdump only reads right with --mattr=+alu32.
        for (const alu32 of cpu === 'v3' ? [true] : [false, true]) lines += matchObjdump(path, elf, alu32);
        sections += codeSections(elf).length;
        // The whole object with relocations and source lines interleaved, as people paste it.
        const all = codeSections(elf).map((sec) => hex(sec.data)).join('');
        assert.equal(hex(encode(parseKernel(objdump(path, undefined, cpu === 'v3', ['-r', '-S'])))), all, '-drS of the object');
      });
    }
  }
  assert.ok(sections >= 20, `only ${sections} sections`);
  t.diagnostic(`${C_FILES.length} C files, ${sections} code sections, ${lines} listing lines identical to llvm-objdump`);
});

test('LLVM 14 assembly: llvm-mc and parseKernel make the same bytes, and the listing matches objdump', { skip: noLlvm }, (t) => {
  const file = join(C_DIR, 'syntax_llvm14.s');
  const obj = assembleWithLlvm(file);
  const elf = readElf64(readFileSync(obj), obj);
  const text = codeSections(elf).find((s) => s.name === '.text')!;
  const ours = parseKernel(readFileSync(file, 'utf8'), 'syntax_llvm14.s');
  assert.equal(hex(encode(ours)), hex(text.data));
  const lines = matchObjdump(obj, elf, true);
  t.diagnostic(`${ours.length} instructions, ${lines} listing lines identical to llvm-objdump`);
});

// ---------------------------------------------------------------------------------------------
// What the assembler accepts.

test('labels: forward, backward, on the same line, and the number winning over the <comment>', () => {
  const text = `
start:
    r0 = 0
loop: r0 += 1
    if r0 < 10 goto loop
    if w0 == 10 goto done
    goto -1 <nowhere>
    gotol done
    call fn
    goto pc+1
done:
    exit
fn:
    exit
`;
  const insns = parseKernel(text);
  assert.deepEqual(insns.map((i) => [i.off, i.imm]), [
    [0, 0], [0, 1], [-2, 10], [4, 10], [-1, 0], [0, 2], [0, 2], [1, 0], [0, 0], [0, 0],
  ]);
  assert.equal(insns[6]!.src, 1);
  // Labels count slots: an lddw takes two.
  assert.equal(asm('r1 = 1 ll\nL:\ngoto L'), asm('r1 = 1 ll\ngoto -1'));
});

test('plain listings branch to labels, so they stay right when instructions are inserted', () => {
  const original = parseKernel('r0 = 0\nif r1 == 0 goto +3\nr0 = 1 ll\ncall pc+1\nexit\nr0 += 1\nexit');
  const text = disassembleKernel(original);
  assert.equal(text, [
    'prog:', '\tr0 = 0', '\tif r1 == 0 goto L5', '\tr0 = 1 ll', '\tcall subprog_6', 'L5:', '\texit',
    'subprog_6:', '\tr0 += 1', '\texit', '',
  ].join('\n'));
  const edited = parseKernel(text.replace('\tr0 = 1 ll\n', '\tr0 = 1 ll\n\tr0 *= 3\n'));
  assert.equal(asm(disassembleKernel(edited, { numericTargets: true })), asm('r0 = 0\nif r1 == 0 goto +4\nr0 = 1 ll\nr0 *= 3\ncall pc+1\nexit\nr0 += 1\nexit'));
  assert.equal(
    disassembleKernel(original, { style: 'objdump', rawBytes: false }),
    [
      '0000000000000000 <prog>:', '       0:\tr0 = 0', '       1:\tif r1 == 0 goto +3 <L5>', '       2:\tr0 = 1 ll',
      '       4:\tcall pc+1 <subprog_6>', '', '0000000000000028 <L5>:', '       5:\texit', '',
      '0000000000000030 <subprog_6>:', '       6:\tr0 += 1', '       7:\texit', '',
    ].join('\n'),
  );
});

test('llvm-objdump output assembles, with and without raw bytes; the bytes supply what call N hides', () => {
  const listing = `
prog.o:\tfile format elf64-bpf

Disassembly of section .text:

0000000000000000 <f>:
       0:\tb7 00 00 00 01 00 00 00\tr0 = 1
       1:\t18 01 00 00 90 78 56 34 00 00 00 00 12 00 00 00\tr1 = 78187493520 ll
       3:\t85 10 00 00 ff ff ff ff\tcall -1
       4:\t55 01 01 00 00 00 00 00\tif r1 != 0 goto +1 <LBB0_2>
       5:\t95 00 00 00 00 00 00 00\texit

0000000000000030 <LBB0_2>:
       6:\t48 30 00 00 04 00 00 00\tr0 = *(u16 *)skb[r3]
       7:\t95 00 00 00 00 00 00 00\texit
`;
  const insns = parseKernel(listing);
  assert.equal(insns[2]!.src, 1, 'call -1 with bytes 85 10: a local call');
  assert.equal(insns[5]!.imm, 4, 'skb[r3] with bytes imm 4');
  const noRaw = listing.replace(/\t([0-9a-f]{2} )+[0-9a-f]{2}\t/g, '\t');
  assert.equal(parseKernel(noRaw)[2]!.src, 0, 'without the bytes call -1 is a helper call');
  assert.throws(() => parseKernel('  0:\tb7 00 00 00 02 00 00 00\tr0 = 1', 'x.s'), /^BpfError: x\.s:1: the raw bytes b7 00 00 00 02 00 00 00 do not match/);
  // What LLVM 14 cannot print, its bytes still say: jset, gotol, and the malformed stay malformed.
  assert.equal(asm('  0:\t4d 21 01 00 00 00 00 00\t<unknown>\n  1:\t06 00 00 00 05 00 00 00\t<unknown>'), asm('if r1 & r2 goto +1\ngotol +5'));
  assert.throws(() => parseKernel('  0:\t8d 03 00 00 00 00 00 00\t<unknown>'), /line 1: callx/);
  assert.throws(() => parseKernel('  0:\t18 01 00 00 00 00 00 00\t<unknown>'), /line 1: the raw bytes 18 01 .* are not an instruction: insn 0: lddw is the last slot/);
});

test('bpftool xlated and verifier-log lines assemble', () => {
  const dump = `
int xdp_prog(struct xdp_md * ctx):
; int key = 0;
   0: (b7) r1 = 0
   1: (63) *(u32 *)(r10 -4) = r1
   2: (bf) r2 = r10
   3: (07) r2 += -4
   4: (18) r1 = map[id:5]
   6: (85) call bpf_map_lookup_elem#1
   7: (15) if r0 == 0x0 goto pc+2
   8: (61) r1 = *(u32 *)(r0 +0)
   9: (18) r2 = 0xffffffff00000001
  11: (05) goto pc-3
  12: (18) r3 = map[id:5][0]+8
  14: (56) if w1 != 0xfffffff8 goto pc+0
  15: (c3) r2 = atomic_fetch_add((u32 *)(r1 +0), r2)
  16: (db) r0 = atomic64_cmpxchg((u64 *)(r1 -8), r0, r2)
  17: (db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)
  18: (50) r0 = *(u8 *)skb[r3 + 0]
  19: (85) call pc+1
  20: (95) exit
  21: (85) call kernel-function#77
  22: (95) exit
`;
  const insns = parseKernel(dump, 'dump.txt');
  const expected = `
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = map[id:5]
    call 1
    if r0 == 0 goto +2
    r1 = *(u32 *)(r0 + 0)
    r2 = -4294967295 ll
    goto -3
    r3 = map[id:5][0]+8
    if w1 != -8 goto +0
    r2 = atomic_fetch_add((u32 *)(r1 + 0), r2)
    r0 = cmpxchg_64(r1 - 8, r0, r2)
    r2 = xchg_64(r1 + 0, r2)
    r0 = *(u8 *)skb[r3]
    call pc+1
    exit
    call kernel-function#77
    exit`;
  assert.equal(hex(encode(insns)), asm(expected));
  assert.throws(() => parseKernel('  0: (b7) r0 = r1', 'dump.txt'), /dump\.txt:1: opcode \(b7\) does not match the instruction, which is \(bf\)/);
});

test('helpers by name, with or without bpf_, and by kernel name#id', () => {
  const ids: [string, number][] = [
    ['map_lookup_elem', 1], ['map_update_elem', 2], ['map_delete_elem', 3], ['probe_read', 4], ['ktime_get_ns', 5],
    ['trace_printk', 6], ['get_prandom_u32', 7], ['get_smp_processor_id', 8], ['skb_store_bytes', 9],
    ['l3_csum_replace', 10], ['l4_csum_replace', 11], ['tail_call', 12],
  ];
  for (const [name, id] of ids) {
    assert.equal(helperId(name), id);
    assert.equal(helperName(id), `bpf_${name}`);
    assert.equal(asm(`call ${name}`), asm(`call ${id}`));
    assert.equal(asm(`call bpf_${name}`), asm(`call ${id}`));
  }
  assert.equal(asm('call bpf_whatever_the_kernel_calls_it#77'), asm('call 77'));
  assert.equal(asm('call bpf_map_lookup_elem#185024'), asm('call 1'), 'bpftool xlated: name#address');
  assert.equal(asm('fn:\n  call bpf_map_lookup_elem\n  call fn'), asm('call 1\ncall pc-2'));
  assert.equal(helperName(0), undefined);
});

test('comments: ; and // anywhere, # at a line start or after a blank', () => {
  assert.equal(asm('# header\nr0 = 1 ; one\nr0 += 2 // two\nr0 -= 3 # three\n; r0 = 9\nexit'), asm('r0 = 1\nr0 += 2\nr0 -= 3\nexit'));
});

test('accepted variations of spacing and numbers', () => {
  assert.equal(asm('r1=*(u32*)(r2+0x10)'), asm('r1 = *(u32 *)(r2 + 16)'));
  assert.equal(asm('*(u64 *)(r10 -8) = r1'), asm('*(u64 *)(r10 - 8) = r1'));
  assert.equal(asm('r1 = 0xffffffff'), asm('r1 = -1'));
  assert.equal(asm('if r1 s>-1 goto 3'), asm('if r1 s> -1 goto +3'));
  assert.equal(asm('r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)'), asm('r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)'));
});

// ---------------------------------------------------------------------------------------------
// What it rejects.

const BAD: [string, RegExp][] = [
  ['r0 = 1\nfoo r1', /^t\.s:2: unknown instruction 'foo'/],
  ['r11 = 1', /^t\.s:1: bad register 'r11': registers are r0\.\.r10/],
  ['w12 += 1', /^t\.s:1: bad register 'w12'/],
  ['r1 = rx', /^t\.s:1: unknown value 'rx'/],
  ['r1 += rx', /^t\.s:1: expected a register or immediate, found 'rx'/],
  ['if rx == 1 goto +1', /^t\.s:1: expected the register to compare, found 'rx'/],
  ['*(u32 *)(r10 + 32768) = r1', /^t\.s:1: offset 32768 is out of range \(-32768\.\.32767\)/],
  ['r1 = *(u8 *)(r2 - 32769)', /^t\.s:1: offset -32769 is out of range/],
  ['goto +32768', /^t\.s:1: goto offset 32768 is out of range/],
  ['r1 = 4294967296', /^t\.s:1: immediate 4294967296 is out of the 32-bit range \(write '4294967296 ll'/],
  ['r1 += -2147483649', /^t\.s:1: immediate -2147483649 is out of the 32-bit range/],
  ['if r1 == 0x100000000 goto +1', /^t\.s:1: immediate 4294967296 is out of the 32-bit range/],
  ['r1 = 18446744073709551616 ll', /^t\.s:1: immediate 18446744073709551616 is out of the 64-bit range/],
  ['goto nowhere', /^t\.s:1: undefined label 'nowhere'/],
  ['call nothing_known', /^t\.s:1: unknown helper name or undefined label 'nothing_known'/],
  ['exit\nr0 = 1 2', /^t\.s:2: unexpected '2' after the instruction/],
  ['exit now', /^t\.s:1: unexpected 'now' after the instruction/],
  ['r1 = r2 ll', /^t\.s:1: unexpected 'll' after the instruction/],
  ['w1 += r2', /^t\.s:1: 'w1' and 'r2' mix 64-bit and 32-bit registers/],
  ['r1 = -r2', /^t\.s:1: negation: 'r2' must be the same register as 'r1'/],
  ['w1 = *(u64 *)(r2 + 0)', /^t\.s:1: a 64-bit load needs a 64-bit register r1/],
  ['r1 = *(u32 *)(w2 + 0)', /^t\.s:1: the address register must be a 64-bit register r2/],
  ['r1 = *(u128 *)(r2 + 0)', /^t\.s:1: unknown access type 'u128'/],
  ['w1 = (s32)w2', /^t\.s:1: movsx32 is only defined for BPF_ALU64/],
  ['r1 = 5 ll\nL: L: exit', /^t\.s:2: label 'L' is already defined on line 2/],
  ['r2 = atomic_fetch_nand((u64 *)(r1 + 0), r2)', /^t\.s:1: unknown value 'atomic_fetch_nand'/],
  ['r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)', /^t\.s:1: atomic_fetch_add: 'r3' must be the same register as 'r2'/],
  ['r1 = cmpxchg_64(r1 + 0, r0, r2)', /^t\.s:1: cmpxchg writes r0, not 'r1'/],
  ['lock *(u64 *)(r1 + 0) -= r2', /^t\.s:1: unknown atomic operator '-='/],
  ['callx r3', /^t\.s:1: callx \(an indirect call\) is not supported/],
  ['r1 = *(u8 *)skb[1]', /^t\.s:1: legacy packet loads always write r0/],
  ['if r1 =< r2 goto +1', /^t\.s:1: unknown comparison '='/],
  ['r1 @= 3', /^t\.s:1: unexpected character '@'/],
  ['r1 = 12abc', /^t\.s:1: bad number '12abc'/],
  ['r1 = map[fd:3]', /^t\.s:1: expected map\[id:N\] or map\[idx:N\], found map\[fd/],
  ['if r1 > 1', /^t\.s:1: expected 'goto' at the end of the line/],
  ['r1 +=', /^t\.s:1: expected a register or immediate at the end of the line/],
  ['  3:\t<unknown>', /^t\.s:1: objdump could not decode this instruction and its raw bytes are not shown/],
  ['\t.text\nf:\n\t.byte 1, 2', /^t\.s:3: data directive '\.byte' is not supported/],
  ['  3:\t07 01 00\tr1 += 1', /^t\.s:1: expected 8 or 16 raw bytes, found 3/],
  ['L:\nr1 = 1\ngoto L\n' + 'r0 = 0\n'.repeat(40000) + 'goto L', /^t\.s:40004: goto to 'L' is -40003 slots away, beyond the 16-bit offset \(use gotol\)/],
];

test('bad input is a BpfError EASM naming file:line and the reason, never a crash', () => {
  for (const [text, why] of BAD) {
    assert.throws(
      () => parseKernel(text, 't.s'),
      (e: unknown) => {
        assert.ok(e instanceof BpfError, `${JSON.stringify(text.slice(0, 60))}: not a BpfError: ${String(e)}`);
        assert.equal(e.code, 'EASM');
        assert.match(e.message, why, JSON.stringify(text.slice(0, 60)));
        return true;
      },
    );
  }
  assert.throws(() => parseKernel('r0 = 1\nr99 = 1'), /^BpfError: line 2: bad register 'r99'/);
});

test('garbage of every kind never escapes as anything but EASM', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['r1', 'w2', '=', '+=', 's>', '*', '(', ')', 'u32', '[', ']', '0x', '12', '-', '+', 'goto', 'if', 'call', 'lock', 'map', 'id', ':', ',', 'll', '#', 'pc', 'skb', '<', '>', 'exit', 'xchg_64', 'L'];
  for (let k = 0; k < 3000; k++) {
    const line = Array.from({ length: 1 + rand(8) }, () => pieces[rand(pieces.length)]).join(rand(2) ? ' ' : '');
    try {
      parseKernel(line);
    } catch (e) {
      assert.ok(e instanceof BpfError && e.code === 'EASM', `${JSON.stringify(line)}: ${String(e)}`);
    }
  }
});
