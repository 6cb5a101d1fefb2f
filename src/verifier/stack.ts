/**
 * The stack (check_stack_write / check_stack_read / check_stack_range_initialized): 512 bytes per
 * frame in 8-byte slots. An aligned store of a register at a slot's start spills it (the register
 * comes back whole on a matching load); any other store makes the bytes misc (zero for a constant 0).
 * A privileged loader may read bytes never written (allow_uninit_stack): they read as unknown data.
 */
import { Scalar } from './scalar.js';
import { MAX_BPF_STACK, type Frame, type Reg, type StackByte, scalarReg, unknownScalar } from './state.js';
import type { VerifierLog } from './log.js';

export type Access = 'read' | 'write' | 'helper';

/** check_stack_access_within_bounds: bytes [lo, hi) (frame-relative, negative) inside the stack. */
export function checkStackBounds(log: VerifierLog, regno: number, off: number, size: number, access: Access, pc: number, varOff?: string): void {
  if (off >= 0 || off < -MAX_BPF_STACK || off + size > 0 || (size === 0 && access !== 'helper')) {
    const extra = access === 'helper' ? ' indirect access to' : access === 'read' ? ' read from' : ' write to';
    if (varOff !== undefined) throw log.fail('EACCES', `invalid variable-offset${extra} stack R${regno} var_off=${varOff} size=${size}`, pc);
    throw log.fail('EACCES', `invalid${extra} stack R${regno} off=${off} size=${size}`, pc);
  }
}

const slotOf = (off: number): { spi: number; byte: number } => {
  const pos = MAX_BPF_STACK + off; // 0..511 from the bottom
  return { spi: Math.floor(pos / 8), byte: pos % 8 };
};

/** Mark bytes [off, off+size) written with data (`zero`: a known zero). A partial write clobbers a spill. */
export function writeBytes(f: Frame, off: number, size: number, zero: boolean): void {
  for (let i = 0; i < size; i++) {
    const { spi, byte } = slotOf(off + i);
    const sl = f.stack[spi]!;
    if (sl.spill) {
      const sz = sl.spillSize!;
      const wasZero = sl.spill.t === 'scalar' && sl.spill.v.isConst() && sl.spill.v.value === 0n;
      for (let b = 0; b < sz; b++) sl.bytes[b] = wasZero ? 'z' : 'm';
      sl.spill = undefined;
      sl.spillSize = undefined;
    }
    sl.bytes[byte] = zero ? 'z' : 'm';
  }
}

/** A store of `size` bytes of `val` (undefined: the value of an immediate store, `imm`). */
export function stackWrite(f: Frame, off: number, size: number, val: Reg | undefined, imm?: bigint): void {
  const { spi, byte } = slotOf(off);
  const v: Reg | undefined = val ?? (imm !== undefined ? scalarReg(Scalar.const(BigInt.asUintN(size * 8, imm))) : undefined);
  if (byte === 0 && v && (size === 8 || v.t === 'scalar')) {
    const old = f.stack[spi]!;
    const bytes: StackByte[] = old.spill ? ['m', 'm', 'm', 'm', 'm', 'm', 'm', 'm'] : old.bytes.slice();
    for (let b = 0; b < size; b++) bytes[b] = 'm';
    f.stack[spi] = { bytes, spill: v.t === 'scalar' && size < 8 ? scalarReg(truncate(v.v, size)) : v, spillSize: size };
    return;
  }
  const zero = v !== undefined && v.t === 'scalar' && v.v.isConst() && v.v.value === 0n;
  writeBytes(f, off, size, zero);
}

function truncate(v: Scalar, size: number): Scalar {
  if (size >= 8) return v;
  const bits = BigInt(size * 8);
  if (v.isConst()) return Scalar.const(v.value & ((1n << bits) - 1n));
  if (v.umax < 1n << bits) return v;
  return Scalar.urange(0n, (1n << bits) - 1n);
}

/** A load of `size` bytes at `off`: the spilled register, known zero, or unknown data. */
export function stackRead(log: VerifierLog, f: Frame, off: number, size: number, pc: number): Reg {
  const { spi, byte } = slotOf(off);
  const sl = f.stack[spi]!;
  if (sl.spill && byte === 0) {
    if (size === sl.spillSize) return sl.spill;
    if (sl.spill.t !== 'scalar') throw log.fail('EACCES', 'invalid size of register fill', pc);
    if (size < sl.spillSize! ) return scalarReg(truncate(sl.spill.v, size));
  }
  if (sl.spill && sl.spill.t !== 'scalar' && size !== 8) throw log.fail('EACCES', 'invalid size of register fill', pc);
  let allZero = true;
  for (let i = 0; i < size; i++) {
    const s = slotOf(off + i);
    const t = f.stack[s.spi]!;
    const b: StackByte = t.spill && s.byte < t.spillSize! ? (t.spill.t === 'scalar' && t.spill.v.isConst() && t.spill.v.value === 0n ? 'z' : 'm') : t.bytes[s.byte]!;
    if (b !== 'z') allZero = false;
  }
  if (allZero) return scalarReg(Scalar.const(0n));
  return size === 8 ? unknownScalar() : scalarReg(Scalar.urange(0n, (1n << BigInt(size * 8)) - 1n));
}

/** Bytes a helper writes (ARG_PTR_TO_UNINIT_MEM and such) become data. */
export function helperWrite(f: Frame, off: number, size: number): void {
  writeBytes(f, off, size, false);
}
