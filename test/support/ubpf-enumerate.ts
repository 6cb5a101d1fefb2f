/**
 * A systematic set of instructions for round-trip tests: every opcode byte crossed with boundary
 * values of each field, kept when classify accepts it, plus the list of instruction forms the opcode
 * table defines, so a test can check that the enumeration reached all of them.
 */
import { classifyOrReason, type Insn, type InsnForm } from '../../src/isa/insn.js';
import { ALU, ALU_OPS, ATOMIC_OPS, END_WIDTHS, JMP_CONDS, LDDW_CODE, PSEUDO_NAMES } from '../../src/isa/opcodes.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const REGS = [0, 1, 10];
// 2 is the kfunc call kind; lddw takes every pseudo source 0..6.
const SRCS = [0, 1, 2, 10];
const LDDW_SRCS = [0, 1, 2, 3, 4, 5, 6];
// 8/16/32 are the movsx widths, 1 the signed div/mod marker.
const OFFS = [0, 1, -1, 8, 16, 32, -32768, 32767];
// 16/32/64 are byte-swap widths; the rest are the atomic operation codes.
const IMMS = [0, 1, -1, 16, 32, 64, INT32_MIN, INT32_MAX, ...ATOMIC_OPS.map((a) => a.imm)];
const IMM2S = [0, 1, -1, INT32_MIN, INT32_MAX, 0x12345678];

export function formKey(f: InsnForm): string {
  switch (f.kind) {
    case 'alu': return `alu ${f.is64 ? 64 : 32} ${f.op.name} ${f.useReg ? 'x' : 'k'}`;
    case 'neg': return `neg ${f.is64 ? 64 : 32}`;
    case 'end': return `end ${f.order} ${f.width}`;
    case 'jcond': return `jcond ${f.is32 ? 32 : 64} ${f.cond.name} ${f.useReg ? 'x' : 'k'}`;
    case 'ja': return `ja ${f.long ? 'long' : 'short'}`;
    case 'call': return `call ${f.callKind}`;
    case 'exit': return 'exit';
    case 'lddw': return `lddw ${f.pseudo}`;
    case 'ldpkt': return `ldpkt ${f.mode} ${f.size}`;
    case 'ldx': return `ldx ${f.size} ${f.signed ? 's' : 'u'}`;
    case 'st': return `st ${f.size}`;
    case 'stx': return `stx ${f.size}`;
    case 'atomic': return `atomic ${f.size} ${f.op.name}`;
  }
}

/** Every form the opcode table defines, keyed as formKey does. */
export function expectedFormKeys(): Set<string> {
  const keys = new Set<string>();
  for (const w of [32, 64]) {
    keys.add(`neg ${w}`);
    for (const a of ALU_OPS) {
      if (a.op === ALU.NEG) continue;
      const movsx = a.op === ALU.MOV && a.off !== 0;
      if (movsx && a.off === 32 && w === 32) continue;
      keys.add(`alu ${w} ${a.name} x`);
      if (!movsx) keys.add(`alu ${w} ${a.name} k`);
    }
    for (const j of JMP_CONDS) for (const s of ['x', 'k']) keys.add(`jcond ${w} ${j.name} ${s}`);
  }
  for (const width of END_WIDTHS) for (const order of ['le', 'be', 'bswap']) keys.add(`end ${order} ${width}`);
  for (const k of ['ja long', 'ja short', 'call helper', 'call local', 'call kfunc', 'exit']) keys.add(k);
  for (const p of Object.keys(PSEUDO_NAMES)) keys.add(`lddw ${p}`);
  for (const size of [1, 2, 4]) {
    keys.add(`ldpkt abs ${size}`).add(`ldpkt ind ${size}`).add(`ldx ${size} s`);
  }
  for (const size of [1, 2, 4, 8]) keys.add(`ldx ${size} u`).add(`st ${size}`).add(`stx ${size}`);
  for (const size of [4, 8]) for (const a of ATOMIC_OPS) keys.add(`atomic ${size} ${a.name}`);
  return keys;
}

/** Each accepted instruction with its form key. */
export function enumerateValidInsns(): { insn: Insn; key: string }[] {
  const out: { insn: Insn; key: string }[] = [];
  for (let code = 0; code < 256; code++) {
    for (const dst of REGS) for (const src of code === LDDW_CODE ? LDDW_SRCS : SRCS) for (const off of OFFS) for (const imm of IMMS) {
      for (const imm2 of code === LDDW_CODE ? IMM2S : [undefined]) {
        const insn: Insn = imm2 === undefined ? { code, dst, src, off, imm } : { code, dst, src, off, imm, imm2 };
        const f = classifyOrReason(insn);
        if (typeof f !== 'string') out.push({ insn, key: formKey(f) });
      }
    }
  }
  return out;
}
