/**
 * Linked scalars (the kernel's scalar ids with BPF_ADD_CONST, sync_linked_regs): `r2 = r1` gives both
 * registers one id, and `r2 += K` keeps the link with a known difference K. A bound a branch learns on
 * one register then holds, shifted by the difference, for every register linked to it. Clang relies
 * on this for checks like `if (len + 4 > max)` followed by a use of `len`.
 */
import { ALU, type AluOpInfo } from '../isa/opcodes.js';
import { Scalar, scalarAlu } from './scalar.js';
import { type Reg, type VState, forEachReg } from './state.js';

type ScalarReg = Extract<Reg, { t: 'scalar' }>;

const ADD: AluOpInfo = { op: ALU.ADD, off: 0, name: 'add', kernelOp: '+=', signed: false };
const S32_MAX = 0x7fffffffn;

/**
 * `dst op= src` on two scalars, keeping the link of `dst` only for a 64-bit addition of a constant
 * (once: a register that already has a difference loses its link, as in the kernel).
 */
export function scalarAluLinked(op: AluOpInfo, is64: boolean, dst: ScalarReg, src: ScalarReg): Reg {
  const v = scalarAlu(op, is64, dst.v, src.v);
  if (op.op === ALU.ADD && op.off === 0 && is64 && dst.id !== 0 && src.v.isConst()) {
    const k = src.v.value;
    if (dst.delta !== undefined || k > S32_MAX) return { t: 'scalar', v, id: 0 };
    return { t: 'scalar', v, id: dst.id, delta: Number(k) };
  }
  return { t: 'scalar', v, id: 0 };
}

/** Set register r of the top frame to `v`, and every register linked to it to `v` shifted by their difference. */
export function setLinkedScalar(st: VState, r: number, v: Scalar): void {
  const regs = st.frames[st.frames.length - 1]!.regs;
  const old = regs[r]!;
  if (old.t !== 'scalar') return;
  if (old.id === 0) {
    regs[r] = { ...old, v };
    return;
  }
  const base = old.delta ?? 0;
  forEachReg(st, (x) => {
    if (x.t !== 'scalar' || x.id !== old.id) return x;
    const d = (x.delta ?? 0) - base;
    // The difference is a 32-bit signed number added in 64 bits, as the kernel's fake register.
    return { ...x, v: d === 0 ? v : scalarAlu(ADD, true, v, Scalar.const(BigInt.asUintN(64, BigInt(d)))) };
  });
}
