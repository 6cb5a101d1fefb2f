/**
 * Pointers: what a load or store through each kind of pointer may touch (check_mem_access and its
 * per-kind checks: ctx, stack, map value, packet, memory) and the arithmetic allowed on pointers
 * (adjust_ptr_min_max_vals). Messages are the kernel's.
 */
import type { MapSpec } from '../maps/types.js';
import { type ContextLayout, contextAccessAllowed, fieldAt } from '../progtypes/context.js';
import { ALU, type AluOpInfo } from '../isa/opcodes.js';
import { Scalar, S64_MIN, scalarAlu } from './scalar.js';
import { tnumToString } from './tnum.js';
import type { VerifierLog } from './log.js';
import { type Frame, type PtrOff, type Reg, type VState, regTypeStr, scalarReg, unknownScalar } from './state.js';
import { checkStackBounds, stackRead, stackWrite, type Access } from './stack.js';

/** What the checks need to know about the program being verified. */
export interface Env {
  log: VerifierLog;
  /** The program's maps by index, then the inner-map templates of its maps of maps. */
  maps: readonly MapSpec[];
  /** For a map of maps (by index): the index in `maps` of its inner-map template. */
  innerOf: ReadonlyMap<number, number>;
  ctx: ContextLayout;
  progType: string;
  /** The slot being checked. */
  pc: number;
  nextId(): number;
}

export const BPF_MAX_VAR_OFF = 1n << 29n;
const MAX_PACKET_OFF = 0xffff;
const fail = (env: Env, msg: string): Error => env.log.fail('EACCES', msg, env.pc);

/** Program types that may write packet data directly (may_access_direct_pkt_data for writes). */
const PKT_WRITERS = new Set(['xdp', 'sched_cls', 'sched_act', 'lwt_xmit', 'sk_skb', 'sk_msg']);

const s64n = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** check_mem_region_access: [off + var, + size) within memSize, the kernel's min/max checks. */
function checkRegion(env: Env, regno: number, p: PtrOff, insnOff: number, size: number, memSize: number, what: (off: number) => string): void {
  const off = p.off + insnOff;
  const v = p.var;
  const inside = (o: number): boolean => o >= 0 && size > 0 && o + size <= memSize;
  if (v.smin < 0n && (v.smin === S64_MIN || v.smin + BigInt(off) < 0n)) {
    throw fail(env, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  const lo = off + s64n(v.smin);
  if (!inside(lo)) {
    env.log.line(what(lo));
    throw fail(env, `R${regno} min value is outside of the allowed memory range`);
  }
  if (v.umax >= BPF_MAX_VAR_OFF) throw fail(env, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  const hi = off + Number(v.umax);
  if (!inside(hi)) {
    env.log.line(what(hi));
    throw fail(env, `R${regno} max value is outside of the allowed memory range`);
  }
}

/** A scalar of `size` bytes loaded from memory: unknown, zero-extended below 8 bytes. */
export const loadedScalar = (size: number): Reg =>
  size >= 8 ? unknownScalar() : scalarReg(Scalar.urange(0n, (1n << BigInt(size * 8)) - 1n));

/**
 * A load (`value` undefined) or store of `size` bytes at `insnOff` from register `regno`; returns the
 * register a load produces. `store` is the stored register (STX) or immediate (ST).
 */
export function checkMemAccess(
  env: Env, st: VState, regno: number, insnOff: number, size: number, access: Access,
  store?: { reg?: Reg; imm?: bigint },
): Reg {
  const frame = st.frames[st.frames.length - 1]!;
  const reg = frame.regs[regno]!;
  const write = access === 'write';
  switch (reg.t) {
    case 'fp': {
      const f = st.frames[reg.frame]!;
      if (!reg.var.isConst()) {
        // Variable offset (allowed for privileged loaders): every byte it may reach must be in bounds.
        const lo = reg.off + insnOff + s64n(reg.var.smin), hi = reg.off + insnOff + s64n(reg.var.smax);
        checkStackBounds(env.log, regno, lo, size, access, env.pc, tnumToString(reg.var.var));
        checkStackBounds(env.log, regno, hi, size, access, env.pc, tnumToString(reg.var.var));
        if (write) for (let o = lo; o <= hi; o++) stackWrite(f, o, 1, undefined, undefined);
        return loadedScalar(size);
      }
      const off = reg.off + insnOff + s64n(reg.var.value);
      checkStackBounds(env.log, regno, off, size, access, env.pc);
      if (off % size !== 0) {
        throw fail(env, `misaligned stack access off ${tnumToString(reg.var.var)}+${reg.off}+${insnOff} size ${size}`);
      }
      if (write) {
        stackWrite(f, off, size, store?.reg, store?.imm);
        return reg;
      }
      return stackRead(env.log, f, off, size, env.pc);
    }
    case 'ctx': {
      if (reg.off !== 0) throw fail(env, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
      if (!reg.var.isConst() || reg.var.value !== 0n) {
        throw fail(env, `variable ctx access var_off=${tnumToString(reg.var.var)} off=${insnOff} size=${size}`);
      }
      if (!contextAccessAllowed(env.ctx, insnOff, size, write)) {
        throw fail(env, `invalid bpf_context access off=${insnOff} size=${size}`);
      }
      if (write) return reg;
      const fld = fieldAt(env.ctx, insnOff);
      if (fld?.packet === 'data') return { t: 'pkt', id: 0, range: 0, off: 0, var: Scalar.const(0n) };
      if (fld?.packet === 'data_meta') return { t: 'pkt_meta', id: 0, range: 0, off: 0, var: Scalar.const(0n) };
      if (fld?.packet === 'data_end') return { t: 'pkt_end' };
      return loadedScalar(size);
    }
    case 'map_value': {
      if (reg.nullable) break;
      const m = env.maps[reg.map]!;
      checkRegion(env, regno, reg, insnOff, size, m.valueSize,
        (o) => `invalid access to map value, value_size=${m.valueSize} off=${o} size=${size}`);
      return write ? reg : loadedScalar(size);
    }
    case 'mem': {
      if (reg.nullable) break;
      checkRegion(env, regno, reg, insnOff, size, reg.size, (o) => `invalid access to memory, mem_size=${reg.size} off=${o} size=${size}`);
      return write ? reg : loadedScalar(size);
    }
    case 'pkt':
    case 'pkt_meta': {
      if (write && !PKT_WRITERS.has(env.progType)) throw fail(env, 'cannot write into packet');
      checkPacket(env, regno, reg, reg.off + insnOff, size);
      return write ? reg : loadedScalar(size);
    }
    default:
      break;
  }
  throw fail(env, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
}

/** check_packet_access: the fixed offset must lie within the range proven against data_end. */
export function checkPacket(env: Env, regno: number, reg: Extract<Reg, { t: 'pkt' | 'pkt_meta' }>, off: number, size: number): void {
  if (reg.var.smin < 0n) throw fail(env, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (!(off >= 0 && off + size <= reg.range)) {
    env.log.line(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})`);
    throw fail(env, `R${regno} offset is outside of the packet`);
  }
}

// ---------------------------------------------------------------------------------------------
// Pointer arithmetic

const NO_ARITH = new Set(['map_ptr', 'pkt_end', 'func']);

/**
 * `dst op= src` where at least one is a pointer (adjust_reg_min_max_vals / adjust_ptr_min_max_vals),
 * for a privileged loader. `dstno` names the destination register in messages.
 */
export function pointerAlu(env: Env, op: AluOpInfo, is64: boolean, dstno: number, dst: Reg, src: Reg): Reg {
  if (src.t !== 'scalar' && src.t !== 'not_init' && dst.t !== 'scalar') {
    if (op.op === ALU.SUB) return unknownScalar();
    throw fail(env, `R${dstno} pointer ${op.kernelOp} pointer prohibited`);
  }
  let ptr = dst, off = src;
  if (dst.t === 'scalar') {
    ptr = src; off = dst;
    if (op.op === ALU.SUB) throw fail(env, `R${dstno} tried to subtract pointer from scalar`);
  }
  if (off.t !== 'scalar' || ptr.t === 'scalar' || ptr.t === 'not_init') throw new Error('pointerAlu: operands');
  if (!is64) throw fail(env, `R${dstno} 32-bit pointer arithmetic prohibited`);
  const nullable = (ptr.t === 'map_value' || ptr.t === 'mem') && ptr.nullable;
  if (nullable) throw fail(env, `R${dstno} pointer arithmetic on ${regTypeStr(ptr)} prohibited, null-check it first`);
  if (NO_ARITH.has(ptr.t)) throw fail(env, `R${dstno} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
  if (op.op === ALU.AND || op.op === ALU.OR || op.op === ALU.XOR) {
    throw fail(env, `R${dstno} bitwise operator ${op.kernelOp} on pointer prohibited`);
  }
  if (op.op !== ALU.ADD && op.op !== ALU.SUB) throw fail(env, `R${dstno} pointer arithmetic with ${op.kernelOp} operator prohibited`);
  const p = ptr as Extract<Reg, PtrOff>;
  const s = off.v;
  if (s.isConst()) {
    const c = s64n(s.value) * (op.op === ALU.SUB ? -1 : 1);
    const next = { ...p, off: p.off + c } as Reg;
    return next;
  }
  const v = scalarAlu(op, true, p.var, s);
  const next = { ...p, var: v } as Reg;
  if (next.t === 'pkt' || next.t === 'pkt_meta') {
    next.id = env.nextId();
    next.range = 0;
    if (v.umax > BigInt(MAX_PACKET_OFF) && v.smin >= 0n) {
      // The kernel keeps such pointers but no access through them can be proven.
    }
  }
  return next;
}

/** The frame a stack pointer points into. */
export const frameOf = (st: VState, r: Extract<Reg, { t: 'fp' }>): Frame => st.frames[r.frame]!;
