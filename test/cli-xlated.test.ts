/**
 * The `prog dump xlated` printer against the kernel's own spelling (kernel/bpf/disasm.c with
 * bpftool's callbacks), instruction form by instruction form. The forms a kernel prints for
 * clang output were compared with `bpftool prog dump xlated` on Linux 6.18.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../src/isa/asm.js';
import { slotOffsets, type Insn } from '../src/isa/insn.js';
import { PSEUDO } from '../src/isa/opcodes.js';
import { formatXlatedInsn, xlatedJson, xlatedText } from '../src/cli/xlated.js';

const CASES: [string, string][] = [
  ['r0 = 1', '(b7) r0 = 1'],
  ['r2 += -4', '(07) r2 += -4'],
  ['r2 = r10', '(bf) r2 = r10'],
  ['w2 -= w1', '(1c) w2 -= w1'],
  ['w2 ^= -86', '(a4) w2 ^= -86'],
  ['r8 s>>= 2', '(c7) r8 s>>= 2'],
  ['r1 = -r1', '(87) r1 = -r1'],
  ['w1 = -w1', '(84) w1 = -w1'],
  ['r1 = be16 r1', '(dc) r1 = be16 r1'],
  ['r1 = le32 r1', '(d4) r1 = le32 r1'],
  ['r1 = bswap64 r1', '(d7) r1 = bswap64 r1'],
  ['r1 = (s8)r2', '(bf) r1 = (s8)r2'],
  ['r1 s/= r2', '(3f) r1 s/= r2'],
  ['w1 s%= 3', '(94) w1 s%= 3'],
  ['if r0 == 0 goto +1', '(15) if r0 == 0x0 goto pc+1'],
  ['if w2 > -7 goto +3', '(26) if w2 > 0xfffffff9 goto pc+3'],
  ['if r1 s< r2 goto -2', '(cd) if r1 s< r2 goto pc-2'],
  ['if w1 & w3 goto +0', '(4e) if w1 & w3 goto pc+0'],
  ['goto +35', '(05) goto pc+35'],
  ['gotol +70000', '(06) gotol pc+70000'],
  ['call 1', '(85) call bpf_map_lookup_elem#1'],
  ['call 6', '(85) call bpf_trace_printk#6'],
  ['call 100000', '(85) call unknown#100000'],
  ['call pc+9', '(85) call pc+9'],
  ['exit', '(95) exit'],
  ['r1 = 0x62610000003c ll', '(18) r1 = 0x62610000003c'],
  ['r1 = -1 ll', '(18) r1 = 0xffffffffffffffff'],
  ['r0 = *(u8 *)skb[23]', '(30) r0 = *(u8 *)skb[23]'],
  ['r0 = *(u16 *)skb[r3 + 4]', '(48) r0 = *(u16 *)skb[r3 + 4]'],
  ['r1 = *(u64 *)(r1 + 32)', '(79) r1 = *(u64 *)(r1 +32)'],
  ['r3 = *(s16 *)(r2 - 6)', '(89) r3 = *(s16 *)(r2 -6)'],
  ['*(u32 *)(r10 - 4) = r1', '(63) *(u32 *)(r10 -4) = r1'],
  ['*(u64 *)(r10 - 8) = 0', '(7a) *(u64 *)(r10 -8) = 0'],
  ['lock *(u64 *)(r1 + 0) += r2', '(db) lock *(u64 *)(r1 +0) += r2'],
  ['lock *(u32 *)(r1 + 8) |= r2', '(c3) lock *(u32 *)(r1 +8) |= r2'],
  ['r8 = atomic_fetch_add((u64 *)(r1 + 0), r8)', '(db) r8 = atomic64_fetch_add((u64 *)(r1 +0), r8)'],
  ['r2 = atomic_fetch_and((u32 *)(r1 + 0), r2)', '(c3) r2 = atomic_fetch_and((u32 *)(r1 +0), r2)'],
  ['r3 = xchg_64(r1 + 0, r3)', '(db) r3 = atomic64_xchg((u64 *)(r1 +0), r3)'],
  ['r0 = cmpxchg_64(r1 + 0, r0, r2)', '(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)'],
];

test('each instruction form prints as the kernel prints it', () => {
  for (const [src, want] of CASES) {
    const [insn] = assemble(src + '\n', 'case.s', 'kernel');
    assert.equal(formatXlatedInsn(insn!, 0), want, src);
  }
  const lddw = (src: number, imm: number, imm2 = 0): Insn => ({ code: 0x18, dst: 1, src, off: 0, imm, imm2 });
  assert.equal(formatXlatedInsn(lddw(PSEUDO.MAP_FD, 3), 0), '(18) r1 = map[id:3]');
  assert.equal(formatXlatedInsn(lddw(PSEUDO.MAP_VALUE, 3, 16), 0), '(18) r1 = map[id:3][0]+16');
  assert.equal(formatXlatedInsn(lddw(PSEUDO.FUNC, 5), 0), '(18) r1 = subprog[+5]');
});

test('listings: index column, prototypes and source lines, linum, JSON', () => {
  const insns = assemble('r0 = 0\nr1 = 0x1 ll\nexit\n', 'l.s', 'kernel');
  assert.deepEqual(slotOffsets(insns), [0, 1, 3]);
  const src = {
    insns,
    lineInfo: [{ insnOff: 0, fileName: '/src/a.c', line: 3, col: 5, lineText: '\tint x = 0;' }, { insnOff: 3, fileName: '/src/a.c', line: 0, col: 0, lineText: '' }],
    funcProtos: [{ slot: 0, proto: 'int f(void * ctx)' }],
  };
  assert.equal(xlatedText(src, false), 'int f(void * ctx):\n; int x = 0;\n   0: (b7) r0 = 0\n   1: (18) r1 = 0x1\n; \n   3: (95) exit\n');
  assert.equal(xlatedText(src, true),
    'int f(void * ctx):\n; int x = 0; [file:/src/a.c line_num:3 line_col:5]\n   0: (b7) r0 = 0\n   1: (18) r1 = 0x1\n;  [file:/src/a.c line_num:0 line_col:0]\n   3: (95) exit\n');
  assert.deepEqual(xlatedJson(src, true), [
    { proto: 'int f(void * ctx)', src: 'int x = 0;', file: '/src/a.c', line_num: 3, line_col: 5, disasm: '(b7) r0 = 0' },
    { disasm: '(18) r1 = 0x1' },
    { src: '', file: '/src/a.c', disasm: '(95) exit' },
  ]);
});
