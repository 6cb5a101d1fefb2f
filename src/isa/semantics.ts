/**
 * The reference semantics of every value-computing instruction, on unsigned 64-bit BigInts, with the
 * edge cases RFC 9669 fixes: division by zero gives 0, modulo by zero keeps the dividend, shift
 * counts are masked to 63 (or 31), 32-bit results are zero-extended, INT_MIN / -1 wraps.
 *
 * This file is the definition. The interpreter's fast paths (32-bit halves) and the JIT are tested
 * against it on every operation, so they cannot drift from it.
 */
import { ALU, JMP, type AluOpInfo, type AtomicOpInfo, type JmpCondInfo } from './opcodes.js';

export const U64 = (1n << 64n) - 1n;
export const U32 = 0xffffffffn;

export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);

/** Sign-extend the low `bits` bits of v to an unsigned 64-bit value. */
export function sext(v: bigint, bits: number): bigint {
  return u64(BigInt.asIntN(bits, v));
}

/** An immediate (signed 32-bit) as the 64-bit operand it stands for: sign-extended. */
export function immOperand(imm: number): bigint {
  return u64(BigInt(imm | 0));
}

function sdivTrunc(a: bigint, b: bigint): bigint {
  // BigInt division truncates toward zero, as the RFC's signed division does.
  return a / b;
}

/**
 * dst = dst OP src for ALU (32-bit, is64=false) and ALU64. Inputs are unsigned 64-bit values (for
 * 32-bit ops only the low halves matter); the result is unsigned 64-bit, zero-extended for ALU.
 */
export function aluRef(info: AluOpInfo, is64: boolean, dst: bigint, src: bigint): bigint {
  const bits = is64 ? 64 : 32;
  const mask = is64 ? U64 : U32;
  const a = dst & mask;
  const b = src & mask;
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  let r: bigint;
  switch (info.op) {
    case ALU.ADD: r = a + b; break;
    case ALU.SUB: r = a - b; break;
    case ALU.MUL: r = a * b; break;
    case ALU.DIV:
      if (b === 0n) r = 0n;
      else r = info.off === 1 ? sdivTrunc(sa, sb) : a / b;
      break;
    case ALU.MOD:
      if (b === 0n) r = a;
      else r = info.off === 1 ? sa % sb : a % b; // BigInt % takes the dividend's sign, like C
      break;
    case ALU.OR: r = a | b; break;
    case ALU.AND: r = a & b; break;
    case ALU.XOR: r = a ^ b; break;
    case ALU.LSH: r = a << (b & BigInt(bits - 1)); break;
    case ALU.RSH: r = a >> (b & BigInt(bits - 1)); break;
    case ALU.ARSH: r = sa >> (b & BigInt(bits - 1)); break;
    case ALU.MOV:
      r = info.off === 0 ? b : BigInt.asIntN(info.off, src);
      break;
    default:
      throw new Error(`aluRef: not a binary ALU op: ${info.name}`);
  }
  return BigInt.asUintN(bits, r);
}

export function negRef(is64: boolean, dst: bigint): bigint {
  return is64 ? u64(-dst) : u32(-(dst & U32));
}

function swapBytes(v: bigint, bytes: number): bigint {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
}

/**
 * Byte-order conversion. The host of the BPF program is little-endian (as on x86 and arm64 Linux),
 * so `le` only truncates and `be`/`bswap` reverse the low `width` bits; all zero-extend the result.
 */
export function endRef(order: 'le' | 'be' | 'bswap', width: 16 | 32 | 64, v: bigint): bigint {
  const mask = (1n << BigInt(width)) - 1n;
  if (order === 'le') return v & mask;
  return swapBytes(v & mask, width / 8);
}

export function jcondRef(cond: JmpCondInfo, is32: boolean, a: bigint, b: bigint): boolean {
  const bits = is32 ? 32 : 64;
  const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (cond.op) {
    case JMP.JEQ: return ua === ub;
    case JMP.JNE: return ua !== ub;
    case JMP.JGT: return ua > ub;
    case JMP.JGE: return ua >= ub;
    case JMP.JLT: return ua < ub;
    case JMP.JLE: return ua <= ub;
    case JMP.JSET: return (ua & ub) !== 0n;
    case JMP.JSGT: return sa > sb;
    case JMP.JSGE: return sa >= sb;
    case JMP.JSLT: return sa < sb;
    case JMP.JSLE: return sa <= sb;
    default: throw new Error(`jcondRef: not a condition: ${cond.name}`);
  }
}

export interface AtomicResult {
  /** The value written back to memory. */
  mem: bigint;
  /** The register that receives the old value (src for fetch ops, r0 for cmpxchg), or -1. */
  fetchInto: 'src' | 'r0' | 'none';
  /** The old memory value, zero-extended; what the fetch register receives. */
  old: bigint;
}

/** One atomic read-modify-write on a `size`-byte word holding `old`. */
export function atomicRef(op: AtomicOpInfo, size: 4 | 8, old: bigint, src: bigint, r0: bigint): AtomicResult {
  const mask = size === 8 ? U64 : U32;
  const o = old & mask, s = src & mask;
  switch (op.fetchName) {
    case 'add': return { mem: (o + s) & mask, old: o, fetchInto: op.fetch ? 'src' : 'none' };
    case 'or': return { mem: o | s, old: o, fetchInto: op.fetch ? 'src' : 'none' };
    case 'and': return { mem: o & s, old: o, fetchInto: op.fetch ? 'src' : 'none' };
    case 'xor': return { mem: o ^ s, old: o, fetchInto: op.fetch ? 'src' : 'none' };
    case 'xchg': return { mem: s, old: o, fetchInto: 'src' };
    case 'cmpxchg': return { mem: o === (r0 & mask) ? s : o, old: o, fetchInto: 'r0' };
    default: throw new Error(`atomicRef: unknown op ${op.name}`);
  }
}
