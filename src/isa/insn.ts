/**
 * The instruction type, the byte codec and `classify`, the single function that says what an encoding
 * means or why it is malformed. Everything that interprets instructions goes through `classify`.
 */
import { BpfError } from '../errors.js';
import {
  ALU, ATOMIC_OPS, CALL_KIND, CLASS, JMP, LDDW_CODE, MAX_REG, MODE, SIZE, SIZE_BYTES, SRC,
  type AluOpInfo, type AtomicOpInfo, type JmpCondInfo,
  cls, findAluOp, findAtomicOp, findJmpCond, modeOf, opOf, sizeOf, srcOf,
} from './opcodes.js';

/**
 * One logical instruction. `lddw` is one Insn that occupies two 8-byte slots; its upper 32 bits are
 * in `imm2`. Jump and call offsets are always counted in slots, as in the encoding.
 */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** Only for lddw: the imm of the second slot (upper half of the 64-bit constant). */
  imm2?: number;
}

export const INSN_SIZE = 8;

export function isLddw(insn: Insn): boolean {
  return insn.code === LDDW_CODE;
}

export function slotCount(insn: Insn): 1 | 2 {
  return isLddw(insn) ? 2 : 1;
}

/** The 64-bit constant of an lddw, as an unsigned BigInt. */
export function lddwValue(insn: Insn): bigint {
  return (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(insn.imm >>> 0);
}

export function lddwFromValue(dst: number, value: bigint, src = 0): Insn {
  const v = BigInt.asUintN(64, value);
  return { code: LDDW_CODE, dst, src, off: 0, imm: Number(v & 0xffffffffn) | 0, imm2: Number(v >> 32n) | 0 };
}

/** The slot index at which each instruction starts. */
export function slotOffsets(insns: readonly Insn[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const i of insns) {
    out.push(s);
    s += slotCount(i);
  }
  return out;
}

export function totalSlots(insns: readonly Insn[]): number {
  let s = 0;
  for (const i of insns) s += slotCount(i);
  return s;
}

function decodeError(slot: number, why: string, file?: string): BpfError {
  return new BpfError('EDECODE', `${file ? file + ': ' : ''}insn ${slot}: ${why}`, { insn: slot, file });
}

/** Decode raw little-endian instructions. Malformed encodings are rejected with the slot index and why. */
export function decode(bytes: Uint8Array, file?: string): Insn[] {
  if (bytes.length % INSN_SIZE !== 0) {
    throw new BpfError(
      'EDECODE',
      `${file ? file + ': ' : ''}program is ${bytes.length} bytes, not a multiple of 8: truncated after insn ${Math.floor(bytes.length / INSN_SIZE)}`,
      { file },
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / INSN_SIZE;
  const out: Insn[] = [];
  for (let s = 0; s < n; s++) {
    const o = s * INSN_SIZE;
    const regs = dv.getUint8(o + 1);
    const insn: Insn = {
      code: dv.getUint8(o),
      dst: regs & 0x0f,
      src: regs >> 4,
      off: dv.getInt16(o + 2, true),
      imm: dv.getInt32(o + 4, true),
    };
    if (insn.code === LDDW_CODE) {
      if (s + 1 >= n) throw decodeError(s, 'lddw is the last slot: its second half is missing', file);
      const o2 = o + INSN_SIZE;
      const c2 = dv.getUint8(o2), r2 = dv.getUint8(o2 + 1), off2 = dv.getInt16(o2 + 2, true);
      if (c2 !== 0 || r2 !== 0 || off2 !== 0) {
        throw decodeError(s + 1, 'second slot of lddw must have opcode, registers and offset zero', file);
      }
      insn.imm2 = dv.getInt32(o2 + 4, true);
      s++;
    }
    out.push(insn);
  }
  return out;
}

/** Encode instructions as little-endian bytes (the inverse of decode). */
export function encode(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(totalSlots(insns) * INSN_SIZE);
  const dv = new DataView(bytes.buffer);
  let o = 0;
  for (const i of insns) {
    dv.setUint8(o, i.code & 0xff);
    dv.setUint8(o + 1, ((i.src & 0x0f) << 4) | (i.dst & 0x0f));
    dv.setInt16(o + 2, i.off, true);
    dv.setInt32(o + 4, i.imm | 0, true);
    o += INSN_SIZE;
    if (isLddw(i)) {
      dv.setInt32(o + 4, (i.imm2 ?? 0) | 0, true);
      o += INSN_SIZE;
    }
  }
  return bytes;
}

/** What an instruction means, after its encoding has been checked. */
export type InsnForm =
  | { kind: 'alu'; is64: boolean; op: AluOpInfo; useReg: boolean }
  | { kind: 'neg'; is64: boolean }
  | { kind: 'end'; order: 'le' | 'be' | 'bswap'; width: 16 | 32 | 64 }
  | { kind: 'jcond'; is32: boolean; cond: JmpCondInfo; useReg: boolean }
  | { kind: 'ja'; long: boolean }
  | { kind: 'call'; callKind: 'helper' | 'local' | 'kfunc' }
  | { kind: 'exit' }
  | { kind: 'lddw'; pseudo: number }
  | { kind: 'ldpkt'; mode: 'abs' | 'ind'; size: 1 | 2 | 4 }
  | { kind: 'ldx'; size: 1 | 2 | 4 | 8; signed: boolean }
  | { kind: 'st'; size: 1 | 2 | 4 | 8 }
  | { kind: 'stx'; size: 1 | 2 | 4 | 8 }
  | { kind: 'atomic'; size: 4 | 8; op: AtomicOpInfo };

/** Thrown by classify: the reason only; callers add the instruction index. */
class Malformed extends Error {}
const bad = (why: string): never => {
  throw new Malformed(why);
};

function hex(n: number): string {
  return '0x' + (n & 0xff).toString(16).padStart(2, '0');
}

function checkRegs(insn: Insn, useSrc: boolean): void {
  if (insn.dst > MAX_REG) bad(`invalid dst register r${insn.dst}`);
  if (useSrc && insn.src > MAX_REG) bad(`invalid src register r${insn.src}`);
}

function classifyAlu(insn: Insn, is64: boolean): InsnForm {
  const op = opOf(insn.code);
  const useReg = srcOf(insn.code) === SRC.X;
  const what = is64 ? 'BPF_ALU64' : 'BPF_ALU';
  checkRegs(insn, useReg);
  if (op === ALU.END) {
    if (insn.src !== 0 || insn.off !== 0) bad(`${what} byte swap uses reserved fields (src/off must be 0)`);
    if (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) bad(`byte swap width ${insn.imm} is not 16, 32 or 64`);
    if (is64) {
      if (useReg) bad('BPF_ALU64 | BPF_END | BPF_X is reserved');
      return { kind: 'end', order: 'bswap', width: insn.imm as 16 | 32 | 64 };
    }
    return { kind: 'end', order: useReg ? 'be' : 'le', width: insn.imm as 16 | 32 | 64 };
  }
  if (op === ALU.NEG) {
    if (useReg || insn.src !== 0 || insn.off !== 0 || insn.imm !== 0) bad(`${what} neg uses reserved fields`);
    return { kind: 'neg', is64 };
  }
  const info = findAluOp(op, insn.off);
  if (!info) {
    if (op === 0xe0 || op === 0xf0) bad(`unknown ALU operation ${hex(insn.code)}`);
    if (op === ALU.MOV && !(insn.off === 8 || insn.off === 16 || insn.off === 32))
      bad(`mov offset ${insn.off} is not 0 or a sign-extension width 8, 16 or 32`);
    if (op === ALU.DIV || op === ALU.MOD) bad(`${op === ALU.DIV ? 'div' : 'mod'} offset ${insn.off} is not 0 (unsigned) or 1 (signed)`);
    bad(`${what} uses reserved fields (offset ${insn.off} must be 0)`);
  }
  const ai = info as AluOpInfo;
  if (ai.op === ALU.MOV && ai.off !== 0) {
    if (!useReg) bad('sign-extending mov (movsx) takes a register source');
    if (!is64 && ai.off === 32) bad('movsx32 is only defined for BPF_ALU64');
  }
  if (useReg && insn.imm !== 0) bad(`${what} with a register source uses reserved field imm (${insn.imm})`);
  if (!useReg && insn.src !== 0) bad(`${what} with an immediate source uses reserved field src (r${insn.src})`);
  return { kind: 'alu', is64, op: ai, useReg };
}

function classifyJmp(insn: Insn, is32: boolean): InsnForm {
  const op = opOf(insn.code);
  const useReg = srcOf(insn.code) === SRC.X;
  if (op === JMP.JA) {
    if (useReg || insn.src !== 0 || insn.dst !== 0) bad('BPF_JA uses reserved fields');
    if (is32) {
      if (insn.off !== 0) bad('gotol (BPF_JMP32 | BPF_JA) uses reserved field off; its target is in imm');
      return { kind: 'ja', long: true };
    }
    if (insn.imm !== 0) bad('BPF_JA uses reserved field imm');
    return { kind: 'ja', long: false };
  }
  if (op === JMP.CALL) {
    if (is32) bad('BPF_JMP32 | BPF_CALL is reserved');
    if (useReg) bad(`callx (call %r${insn.dst || insn.imm}) is not part of RFC 9669 and the kernel rejects it: indirect calls are not allowed`);
    if (insn.dst !== 0) bad('BPF_CALL uses reserved field dst');
    if (insn.src === CALL_KIND.HELPER) {
      if (insn.off !== 0) bad('BPF_CALL to a helper uses reserved field off');
      return { kind: 'call', callKind: 'helper' };
    }
    if (insn.src === CALL_KIND.LOCAL) {
      if (insn.off !== 0) bad('bpf-to-bpf BPF_CALL uses reserved field off');
      return { kind: 'call', callKind: 'local' };
    }
    if (insn.src === CALL_KIND.KFUNC) return { kind: 'call', callKind: 'kfunc' };
    return bad(`BPF_CALL src ${insn.src} is not 0 (helper), 1 (local) or 2 (kfunc)`);
  }
  if (op === JMP.EXIT) {
    if (is32) bad('BPF_JMP32 | BPF_EXIT is reserved');
    if (useReg || insn.src !== 0 || insn.dst !== 0 || insn.off !== 0 || insn.imm !== 0) bad('BPF_EXIT uses reserved fields');
    return { kind: 'exit' };
  }
  const cond = findJmpCond(op);
  if (!cond) return bad(`unknown jump operation ${hex(insn.code)}`);
  checkRegs(insn, useReg);
  if (useReg && insn.imm !== 0) bad(`conditional jump with a register source uses reserved field imm (${insn.imm})`);
  if (!useReg && insn.src !== 0) bad(`conditional jump with an immediate source uses reserved field src (r${insn.src})`);
  return { kind: 'jcond', is32, cond, useReg };
}

function classifyLoadStore(insn: Insn): InsnForm {
  const c = cls(insn.code);
  const mode = modeOf(insn.code);
  const size = SIZE_BYTES[sizeOf(insn.code)]!;
  if (c === CLASS.LD) {
    if (insn.code === LDDW_CODE) {
      if (insn.dst > MAX_REG) bad(`invalid dst register r${insn.dst}`);
      if (insn.off !== 0) bad('lddw uses reserved field off');
      if (insn.src > 6) bad(`lddw src ${insn.src} is not a known pseudo source (0..6)`);
      return { kind: 'lddw', pseudo: insn.src };
    }
    if (mode === MODE.ABS || mode === MODE.IND) {
      if (size === 8) bad('BPF_LD_[ABS|IND] with size DW is reserved');
      if (insn.dst !== 0 || insn.off !== 0) bad('BPF_LD_[ABS|IND] uses reserved fields (dst/off must be 0)');
      if (mode === MODE.ABS && insn.src !== 0) bad('BPF_LD_ABS uses reserved field src');
      if (mode === MODE.IND && insn.src > MAX_REG) bad(`invalid src register r${insn.src}`);
      return { kind: 'ldpkt', mode: mode === MODE.ABS ? 'abs' : 'ind', size: size as 1 | 2 | 4 };
    }
    return bad(`unknown BPF_LD opcode ${hex(insn.code)}`);
  }
  checkRegs(insn, c !== CLASS.ST);
  if (c === CLASS.LDX) {
    if (mode !== MODE.MEM && mode !== MODE.MEMSX) bad(`unknown BPF_LDX mode in opcode ${hex(insn.code)}`);
    if (mode === MODE.MEMSX && size === 8) bad('sign-extending load of 8 bytes (BPF_MEMSX | BPF_DW) is reserved');
    if (insn.imm !== 0) bad('BPF_LDX uses reserved field imm');
    return { kind: 'ldx', size, signed: mode === MODE.MEMSX };
  }
  if (c === CLASS.ST) {
    if (mode !== MODE.MEM) bad(`unknown BPF_ST mode in opcode ${hex(insn.code)}`);
    if (insn.src !== 0) bad('BPF_ST uses reserved field src');
    return { kind: 'st', size };
  }
  // STX
  if (mode === MODE.MEM) {
    if (insn.imm !== 0) bad('BPF_STX uses reserved field imm');
    return { kind: 'stx', size };
  }
  if (mode === MODE.ATOMIC) {
    if (size !== 4 && size !== 8) bad(`atomic operations need size W or DW, not ${size} bytes`);
    const op = findAtomicOp(insn.imm);
    if (!op) bad(`unknown atomic operation imm 0x${(insn.imm >>> 0).toString(16)} (known: ${ATOMIC_OPS.map((a) => '0x' + a.imm.toString(16)).join(', ')})`);
    return { kind: 'atomic', size: size as 4 | 8, op: op as AtomicOpInfo };
  }
  return bad(`unknown BPF_STX mode in opcode ${hex(insn.code)}`);
}

/** The reason an encoding is malformed, or its meaning. Does not check jump targets. */
export function classifyOrReason(insn: Insn): InsnForm | string {
  try {
    switch (cls(insn.code)) {
      case CLASS.ALU: return classifyAlu(insn, false);
      case CLASS.ALU64: return classifyAlu(insn, true);
      case CLASS.JMP: return classifyJmp(insn, false);
      case CLASS.JMP32: return classifyJmp(insn, true);
      default: return classifyLoadStore(insn);
    }
  } catch (e) {
    if (e instanceof Malformed) return e.message;
    throw e;
  }
}

export function classify(insn: Insn, slot = -1, file?: string): InsnForm {
  const r = classifyOrReason(insn);
  if (typeof r === 'string') throw decodeError(slot, `${r} (opcode ${hex(insn.code)})`, file);
  return r;
}

/** The slot a jump or local call lands on, or undefined for instructions that do not transfer control. */
export function branchTarget(insn: Insn, form: InsnForm, slot: number): number | undefined {
  if (form.kind === 'jcond') return slot + 1 + insn.off;
  if (form.kind === 'ja') return slot + 1 + (form.long ? insn.imm : insn.off);
  if (form.kind === 'call' && form.callKind === 'local') return slot + 1 + insn.imm;
  return undefined;
}

/**
 * Check every encoding and every jump target: a target outside the program or in the middle of an
 * lddw is an error naming the instruction.
 */
export function validateProgram(insns: readonly Insn[], file?: string): InsnForm[] {
  if (insns.length === 0) throw new BpfError('EREJECT', `${file ? file + ': ' : ''}program is empty`, { file });
  const offsets = slotOffsets(insns);
  const total = totalSlots(insns);
  const starts = new Set(offsets);
  const forms: InsnForm[] = [];
  insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    const form = classify(insn, slot, file);
    const t = branchTarget(insn, form, slot);
    if (t !== undefined) {
      const what = form.kind === 'call' ? 'call' : 'jump';
      if (t < 0 || t >= total) {
        throw new BpfError('EREJECT', `${file ? file + ': ' : ''}insn ${slot}: ${what} out of range: target ${t} is outside the program (0..${total - 1})`, { insn: slot, file });
      }
      if (!starts.has(t)) {
        throw new BpfError('EREJECT', `${file ? file + ': ' : ''}insn ${slot}: ${what} into the middle of an lddw at insn ${t}`, { insn: slot, file });
      }
    }
    forms.push(form);
  });
  return forms;
}

export { CLASS, SIZE };
