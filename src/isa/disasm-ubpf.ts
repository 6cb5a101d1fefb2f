/**
 * Disassembler to the uBPF syntax that asm-ubpf.ts reads back: parseUbpf(disassembleUbpf(p))
 * encodes to the same bytes as p, for every encoding classify accepts, and for callx.
 *
 * Jumps and local calls whose target is an instruction of the program get a label `L<slot>`
 * (named by the target's slot, so a reader can match it with raw offsets); any other target is
 * written as a signed relative offset (`+3`, `-40`).
 */
import { branchTarget, classify, lddwValue, slotOffsets, type Insn } from './insn.js';
import { ALU, CLASS, JMP, PSEUDO_NAMES, SIZE_SUFFIX, SRC } from './opcodes.js';

const CALLX_CODE = CLASS.JMP | JMP.CALL | SRC.X;

/** Small numbers read best in decimal, bit patterns in hex. */
function imm(n: number): string {
  return Math.abs(n) <= 0xffff ? String(n) : '0x' + (n >>> 0).toString(16);
}

function imm64(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  return s >= -0xffffn && s <= 0xffffn ? String(s) : '0x' + v.toString(16);
}

const reg = (r: number): string => `%r${r}`;

function mem(r: number, off: number): string {
  if (off === 0) return `[${reg(r)}]`;
  return `[${reg(r)}${off > 0 ? '+' : '-'}${Math.abs(off)}]`;
}

/** The shape the assembler gives `call %rN`: the only malformed encoding with a spelling. */
function isCallx(insn: Insn): boolean {
  return insn.code === CALLX_CODE && insn.src === 0 && insn.off === 0 && insn.imm === 0;
}

/**
 * One instruction at `slot`. `labelAt` names a target slot, or returns undefined to have the target
 * written as a relative offset. Throws classify's EDECODE error for a malformed encoding.
 */
export function formatUbpfInsn(insn: Insn, slot: number, labelAt?: (target: number) => string | undefined): string {
  if (isCallx(insn)) return `call ${reg(insn.dst)}`;
  const to = (delta: number): string => labelAt?.(slot + 1 + delta) ?? (delta >= 0 ? `+${delta}` : String(delta));
  const f = classify(insn, slot);
  const sfx = (bytes: number): string => SIZE_SUFFIX[bytes]!;
  switch (f.kind) {
    case 'alu': {
      const name = f.op.op === ALU.MOV && f.op.off !== 0 ? `${f.op.name}${f.is64 ? 64 : 32}` : f.op.name + (f.is64 ? '' : '32');
      return `${name} ${reg(insn.dst)}, ${f.useReg ? reg(insn.src) : imm(insn.imm)}`;
    }
    case 'neg':
      return `neg${f.is64 ? '' : '32'} ${reg(insn.dst)}`;
    case 'end':
      return `${f.order}${f.width} ${reg(insn.dst)}`;
    case 'jcond':
      return `${f.cond.name}${f.is32 ? '32' : ''} ${reg(insn.dst)}, ${f.useReg ? reg(insn.src) : imm(insn.imm)}, ${to(insn.off)}`;
    case 'ja':
      return f.long ? `ja32 ${to(insn.imm)}` : `ja ${to(insn.off)}`;
    case 'call':
      if (f.callKind === 'helper') return `call ${imm(insn.imm)}`;
      if (f.callKind === 'local') return `call local ${to(insn.imm)}`;
      return `call runtime ${imm(insn.imm)}${insn.off !== 0 ? `, ${insn.off}` : ''}`;
    case 'exit':
      return 'exit';
    case 'lddw':
      return `lddw ${reg(insn.dst)}, ${f.pseudo !== 0 ? PSEUDO_NAMES[f.pseudo] + ' ' : ''}${imm64(lddwValue(insn))}`;
    case 'ldpkt':
      return f.mode === 'abs' ? `ldabs${sfx(f.size)} ${imm(insn.imm)}` : `ldind${sfx(f.size)} ${reg(insn.src)}, ${imm(insn.imm)}`;
    case 'ldx':
      return `ldx${f.signed ? 's' : ''}${sfx(f.size)} ${reg(insn.dst)}, ${mem(insn.src, insn.off)}`;
    case 'st':
      return `st${sfx(f.size)} ${mem(insn.dst, insn.off)}, ${imm(insn.imm)}`;
    case 'stx':
      return `stx${sfx(f.size)} ${mem(insn.dst, insn.off)}, ${reg(insn.src)}`;
    case 'atomic':
      return `lock ${f.op.name}${f.size === 4 ? '32' : ''} ${mem(insn.dst, insn.off)}, ${reg(insn.src)}`;
  }
}

/** The whole program, one instruction per line, with a label line before each jump target. */
export function disassembleUbpf(insns: Insn[]): string {
  const offsets = slotOffsets(insns);
  const starts = new Set(offsets);
  const targets = new Set<number>();
  insns.forEach((insn, i) => {
    if (isCallx(insn)) return;
    const t = branchTarget(insn, classify(insn, offsets[i]), offsets[i]!);
    if (t !== undefined && starts.has(t)) targets.add(t);
  });
  const labelAt = (t: number): string | undefined => (targets.has(t) ? `L${t}` : undefined);
  const lines: string[] = [];
  insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    if (targets.has(slot)) lines.push(`L${slot}:`);
    lines.push(formatUbpfInsn(insn, slot, labelAt));
  });
  return lines.map((l) => l + '\n').join('');
}
