/**
 * The stack (check_stack_write / check_stack_read / check_stack_range_initialized): 512 bytes per
 * frame in 8-byte slots. An aligned store of a register at a slot's start spills it (the register
 * comes back whole on a matching load); any other store makes the bytes misc (zero for a constant 0).
 * A privileged loader may read bytes never written (allow_uninit_stack): they read as unknown data.
 */
import { Scalar } from './scalar.js';
import { tnumToString } from './tnum.js';
import { MAX_BPF_STACK, type Frame, type Reg, type StackByte, scalarReg, unknownScalar } from './state.js';
import type { VerifierLog } from './log.js';

/** The kernel's BPF_MAX_VAR_OFF: variable offsets beyond it are unbounded. */
export const BPF_MAX_VAR_OFF = 1n << 29n;

export type Access = 'read' | 'write' | 'helper';

/**
 * check_stack_access_within_bounds: `size` bytes at `off` (the instruction's offset plus the
 * pointer's fixed one) from a stack pointer whose variable part is `v`, all inside the 512-byte stack.
 * Starting below the stack is EACCES; ending above the frame pointer is EINVAL, as in the kernel.
 */
export function checkStackBounds(log: VerifierLog, regno: number, v: Scalar, off: number, size: number, access: Access, pc: number): void {
  const extra = access === 'helper' ? ' indirect access to' : access === 'read' ? ' read from' : ' write to';
  const known = v.isConst();
  let minOff: number, maxOff: number;
  if (known) {
    minOff = Number(BigInt.asIntN(64, v.value)) + off;
    maxOff = minOff + size;
  } else {
    if (v.smax >= BPF_MAX_VAR_OFF || v.smin <= -BPF_MAX_VAR_OFF) {
      throw log.fail('EACCES', `invalid unbounded variable-offset${extra} stack R${regno}`, pc);
    }
    minOff = Number(v.smin) + off;
    maxOff = Number(v.smax) + off + size;
  }
  let errno: 'EACCES' | 'EINVAL' | undefined;
  if (minOff < -MAX_BPF_STACK || minOff > -1) errno = 'EACCES';
  else if (maxOff > 0) errno = 'EINVAL';
  if (errno === undefined) return;
  if (known) throw log.fail(errno, `invalid${extra} stack R${regno} off=${off} size=${size}`, pc);
  throw log.fail(errno, `invalid variable-offset${extra} stack R${regno} var_off=${tnumToString(v.var)} off=${off} size=${size}`, pc);
}

/** Spilling a pointer takes a whole slot (check_stack_write_fixed_off): the message for a narrower store. */
export function spillSizeProblem(val: Reg | undefined, size: number): string | undefined {
  return val !== undefined && val.t !== 'scalar' && val.t !== 'not_init' && size !== 8 ? 'invalid size of register spill' : undefined;
}

const slotOf = (off: number): { spi: number; byte: number } => {
  const pos = MAX_BPF_STACK + off; // 0..511 from the bottom
  return { spi: Math.floor(pos / 8), byte: pos % 8 };
};

/** Mark bytes [off, off+size) written with data (`zero`: a known zero). A partial write clobbers a spill. */
export function writeBytes(f: Frame, off: number, size: number, zero: boolean): void {
  // Slots are shared between states (cloneState copies the slot array, not the slots): write a copy.
  let copied = -1;
  for (let i = 0; i < size; i++) {
    const { spi, byte } = slotOf(off + i);
    if (copied !== spi) {
      const o = f.stack[spi]!;
      f.stack[spi] = { bytes: o.bytes.slice(), spill: o.spill, spillSize: o.spillSize };
      copied = spi;
    }
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
