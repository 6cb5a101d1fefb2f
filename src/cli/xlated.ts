/**
 * `bpftool prog dump xlated`: the kernel's disassembly (kernel/bpf/disasm.c, print_bpf_insn) with
 * bpftool's callbacks — `   7: (18) r1 = map[id:3]`, `  10: (15) if r0 == 0x0 goto pc+1`,
 * `   9: (85) call bpf_map_lookup_elem#1` — plus the function prototype line at each function
 * start and, from BTF line info, `; source text` lines (with `linum`: `[file:F line_num:N
 * line_col:C]`), in bpftool's plain and JSON forms. It differs from the LLVM syntax of
 * disasm-kernel.ts in spacing and number bases, which is why it is its own small printer.
 */
import { classify, slotOffsets, type Insn } from '../isa/insn.js';
import { helperName } from '../isa/helper-names.js';
import { PSEUDO } from '../isa/opcodes.js';
import type { JsonValue } from './json.js';

const LDST = ['u32', 'u16', 'u8', 'u64'];
const LDSX = ['s32', 's16', 's8', 's64'];
const sizeIdx = (code: number): number => (code >> 3) & 3;
const hex2 = (code: number): string => code.toString(16).padStart(2, '0');
const plus = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

function lddwText(insn: Insn): string {
  const imm = insn.imm >>> 0;
  const hi = (insn.imm2 ?? 0) >>> 0;
  switch (insn.src) {
    case PSEUDO.MAP_FD: return `map[id:${imm}]`;
    case PSEUDO.MAP_VALUE: return `map[id:${imm}][0]+${hi}`;
    case PSEUDO.MAP_IDX_VALUE: return `map[idx:${imm}]+${hi}`;
    case PSEUDO.FUNC: return `subprog[${plus(insn.imm)}]`;
    case PSEUDO.MAP_IDX: return `map[idx:${imm}]`;
    default: return `0x${((BigInt(hi) << 32n) | BigInt(imm)).toString(16)}`;
  }
}

/** One instruction as print_bpf_insn prints it, without the index: `(b7) r0 = 1`. */
export function formatXlatedInsn(insn: Insn, slot: number): string {
  const form = classify(insn, slot);
  const c = `(${hex2(insn.code)})`;
  const d = insn.dst;
  const s = insn.src;
  switch (form.kind) {
    case 'alu': {
      const r = form.is64 ? 'r' : 'w';
      const op = form.op.name.startsWith('movsx') ? '=' : form.op.kernelOp;
      if (form.useReg) return `${c} ${r}${d} ${op} ${form.op.name.startsWith('movsx') ? `(s${form.op.off})` : ''}${r}${s}`;
      return `${c} ${r}${d} ${op} ${insn.imm}`;
    }
    case 'neg': {
      const r = form.is64 ? 'r' : 'w';
      return `${c} ${r}${d} = -${r}${d}`;
    }
    case 'end': return `${c} r${d} = ${form.order}${form.width} r${d}`;
    case 'jcond': {
      const r = form.is32 ? 'w' : 'r';
      const rhs = form.useReg ? `${r}${s}` : `0x${(insn.imm >>> 0).toString(16)}`;
      return `${c} if ${r}${d} ${form.cond.kernelOp} ${rhs} goto pc${plus(insn.off)}`;
    }
    case 'ja': return form.long ? `${c} gotol pc${plus(insn.imm)}` : `${c} goto pc${plus(insn.off)}`;
    case 'call':
      if (form.callKind === 'local') return `${c} call pc${plus(insn.imm)}`;
      if (form.callKind === 'kfunc') return `${c} call kernel-function#${insn.imm}`;
      return `${c} call ${helperName(insn.imm) ?? 'unknown'}#${insn.imm}`;
    case 'exit': return `${c} exit`;
    case 'lddw': return `${c} r${d} = ${lddwText(insn)}`;
    case 'ldpkt':
      return form.mode === 'abs'
        ? `${c} r0 = *(${LDST[sizeIdx(insn.code)]} *)skb[${insn.imm}]`
        : `${c} r0 = *(${LDST[sizeIdx(insn.code)]} *)skb[r${s} + ${insn.imm}]`;
    case 'ldx': return `${c} r${d} = *(${(form.signed ? LDSX : LDST)[sizeIdx(insn.code)]} *)(r${s} ${plus(insn.off)})`;
    case 'st': return `${c} *(${LDST[sizeIdx(insn.code)]} *)(r${d} ${plus(insn.off)}) = ${insn.imm}`;
    case 'stx': return `${c} *(${LDST[sizeIdx(insn.code)]} *)(r${d} ${plus(insn.off)}) = r${s}`;
    case 'atomic': {
      const ty = LDST[sizeIdx(insn.code)];
      const addr = `(${ty} *)(r${d} ${plus(insn.off)})`;
      const w = form.size === 8 ? '64' : '';
      const op = form.op;
      if (!op.fetch) return `${c} lock *${addr} ${op.kernelOp} r${s}`;
      if (op.fetchName === 'cmpxchg') return `${c} r0 = atomic${w}_cmpxchg(${addr}, r0, r${s})`;
      if (op.fetchName === 'xchg') return `${c} r${s} = atomic${w}_xchg(${addr}, r${s})`;
      return `${c} r${s} = atomic${w}_fetch_${op.fetchName}(${addr}, r${s})`;
    }
  }
}

export interface XlatedLine {
  insnOff: number;
  fileName: string;
  line: number;
  col: number;
  lineText: string;
}

export interface XlatedSource {
  insns: readonly Insn[];
  /** Line-info records (kernel form: insnOff is a slot of `insns`). */
  lineInfo: readonly XlatedLine[];
  /** Function prototypes by start slot. */
  funcProtos: readonly { slot: number; proto: string }[];
}

/** bpftool's plain listing. */
export function xlatedText(src: XlatedSource, linum: boolean): string {
  const offsets = slotOffsets(src.insns);
  const lines = new Map<number, XlatedLine>();
  for (const l of src.lineInfo) if (!lines.has(l.insnOff)) lines.set(l.insnOff, l);
  const protos = new Map(src.funcProtos.map((f) => [f.slot, f.proto]));
  const out: string[] = [];
  src.insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    const proto = protos.get(slot);
    if (proto) out.push(`${proto}:`);
    const l = lines.get(slot);
    if (l) out.push(`; ${l.lineText.trimStart()}${linum ? ` [file:${l.fileName} line_num:${l.line} line_col:${l.col}]` : ''}`);
    out.push(`${String(slot).padStart(4)}: ${formatXlatedInsn(insn, slot)}`);
  });
  return out.join('\n') + (out.length ? '\n' : '');
}

/** bpftool's JSON listing: one object per instruction. */
export function xlatedJson(src: XlatedSource, linum: boolean): JsonValue {
  const offsets = slotOffsets(src.insns);
  const lines = new Map<number, XlatedLine>();
  for (const l of src.lineInfo) if (!lines.has(l.insnOff)) lines.set(l.insnOff, l);
  const protos = new Map(src.funcProtos.map((f) => [f.slot, f.proto]));
  return src.insns.map((insn, i) => {
    const slot = offsets[i]!;
    const o: { [k: string]: JsonValue } = {};
    const proto = protos.get(slot);
    if (proto) o.proto = proto;
    const l = lines.get(slot);
    if (l) {
      o.src = l.lineText.trimStart();
      if (linum) {
        o.file = l.fileName;
        if (l.line) o.line_num = l.line;
        if (l.col) o.line_col = l.col;
      }
    }
    o.disasm = formatXlatedInsn(insn, slot);
    return o;
  });
}
