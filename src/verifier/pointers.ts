/**
 * Pointers: what a load or store through each kind of pointer may touch (check_mem_access and its
 * per-kind checks: ctx, stack, map value, packet, memory) and the arithmetic allowed on pointers
 * (adjust_ptr_min_max_vals). Messages are the kernel's.
 */
import { MAP_FLAGS, type MapSpec } from '../maps/types.js';
import { type ContextLayout, fieldAt } from '../progtypes/context.js';
import { ctxAccessOk } from './ctx-access.js';
import { type BtfCtx, btfCtxLoad, btfPtrAccess } from './btf-ptr.js';
import { ALU, type AluOpInfo } from '../isa/opcodes.js';
import { Scalar, S64_MIN, scalarAlu } from './scalar.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumToString, type Tnum } from './tnum.js';
import type { VerifierLog } from './log.js';
import { type Frame, type PtrOff, type Reg, type VState, regTypeStr, scalarReg, unknownScalar } from './state.js';
import { BPF_MAX_VAR_OFF, checkStackBounds, spillSizeProblem, stackRead, stackWrite, type Access } from './stack.js';

/** What the checks need to know about the program being verified. */
export interface Env {
  log: VerifierLog;
  /** The program's maps by index, then the inner-map templates of its maps of maps. */
  maps: readonly MapSpec[];
  /** For a map of maps (by index): the index in `maps` of its inner-map template. */
  innerOf: ReadonlyMap<number, number>;
  ctx: ContextLayout;
  progType: string;
  /** The expected attach type, where it changes what the program may do (xdp/devmap, cgroup_skb/egress). */
  attachType?: string;
  /** The slot being checked. */
  pc: number;
  nextId(): number;
  /** tp_btf programs: the context typed by the kernel's BTF (btf-ptr.ts). */
  btfCtx?: BtfCtx;
  /** The license is GPL compatible (reading kernel structs through BTF pointers needs it). */
  gpl?: boolean;
  /** Where map `i`'s value holds a bpf_spin_lock (from BTF; calls.ts). */
  lockOff?: (map: number) => number | undefined;
}

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

/** A tnum as check_ptr_alignment prints it: a known value as a number, else `(value; mask)`. */
const tnumShort = (t: Tnum): string => (t.mask === 0n ? BigInt.asIntN(64, t.value).toString() : tnumToString(t));

/** The kernel struct behind each map type (map_btf_id), named in map pointer access messages. */
const MAP_STRUCT: Partial<Record<string, string>> = {
  hash: 'bpf_htab', percpu_hash: 'bpf_htab', lru_hash: 'bpf_htab', lru_percpu_hash: 'bpf_htab', hash_of_maps: 'bpf_htab',
  array: 'bpf_array', percpu_array: 'bpf_array', prog_array: 'bpf_array', perf_event_array: 'bpf_array',
  array_of_maps: 'bpf_array', cgroup_array: 'bpf_array', ringbuf: 'bpf_ringbuf_map', queue: 'bpf_queue_stack',
  stack: 'bpf_queue_stack', lpm_trie: 'lpm_trie',
};

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
      // The stack is always checked for alignment: spill tracking works on aligned slots.
      if (!tnumIsAligned(tnumAdd(reg.var.var, tnumConst(BigInt(reg.off + insnOff))), size)) {
        throw fail(env, `misaligned stack access off ${tnumShort(reg.var.var)}+${reg.off}+${insnOff} size ${size}`);
      }
      checkStackBounds(env.log, regno, reg.var, reg.off + insnOff, size, access, env.pc);
      if (write) {
        const bad = spillSizeProblem(store?.reg, size);
        if (bad) throw fail(env, bad);
      }
      if (!reg.var.isConst()) {
        // Variable offset (allowed for privileged loaders): a write makes every byte it may reach data.
        const lo = reg.off + insnOff + s64n(reg.var.smin), hi = reg.off + insnOff + s64n(reg.var.smax);
        if (write) for (let o = lo; o < hi + size; o++) stackWrite(f, o, 1, undefined, undefined);
        return loadedScalar(size);
      }
      const off = reg.off + insnOff + s64n(reg.var.value);
      if (write) {
        stackWrite(f, off, size, store?.reg, store?.imm);
        return reg;
      }
      return stackRead(env.log, f, off, size, env.pc);
    }
    case 'ctx': {
      // __check_ptr_off_reg: the context is only accessed through its unmodified pointer.
      if (reg.off < 0) throw fail(env, `negative offset ctx ptr R${regno} off=${reg.off} disallowed`);
      if (reg.off !== 0) throw fail(env, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
      if (!reg.var.isConst() || reg.var.value !== 0n) {
        throw fail(env, `variable ctx access var_off=${tnumToString(reg.var.var)} disallowed`);
      }
      if (env.btfCtx) return btfCtxLoad(env, env.btfCtx, insnOff, size, write);
      if (!ctxAccessOk(env.progType, env.attachType, env.ctx, insnOff, size, write)) {
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
      // check_map_access_type: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG maps.
      if ((write && m.flags & MAP_FLAGS.RDONLY_PROG) || (!write && m.flags & MAP_FLAGS.WRONLY_PROG)) {
        throw fail(env, `${write ? 'write into' : 'read from'} map forbidden, value_size=${m.valueSize} off=${reg.off + insnOff} size=${size}`);
      }
      checkRegion(env, regno, reg, insnOff, size, m.valueSize,
        (o) => `invalid access to map value, value_size=${m.valueSize} off=${o} size=${size}`);
      // A bpf_spin_lock in the value is only for the lock helpers (check_map_access's field check).
      const lock = env.lockOff?.(reg.map);
      if (lock !== undefined && reg.off + insnOff + s64n(reg.var.smin) < lock + 4 && reg.off + insnOff + Number(reg.var.umax) + size > lock) {
        throw fail(env, 'bpf_spin_lock cannot be accessed directly by load/store');
      }
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
    case 'btf_id':
      return btfPtrAccess(env, regno, reg, insnOff, size, write, env.gpl ?? true);
    case 'map_ptr': {
      // check_ptr_to_map_access: a privileged program may read the kernel's struct of the map.
      const tname = MAP_STRUCT[env.maps[reg.map]!.type] ?? 'bpf_map';
      if (insnOff < 0) throw fail(env, `R${regno} is ${tname} invalid negative access: off=${insnOff}`);
      if (write) throw fail(env, `only read from ${tname} is supported`);
      return loadedScalar(size);
    }
    default:
      break;
  }
  throw fail(env, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
}

/**
 * An atomic operation's memory operand (check_atomic): never the context or a packet. A privileged
 * program may store a pointer with it (pointer leaks are allowed), as with a plain store.
 */
export function checkAtomicTarget(env: Env, dst: Reg, dstno: number): void {
  if (dst.t === 'ctx' || dst.t === 'pkt' || dst.t === 'pkt_meta' || dst.t === 'pkt_end') {
    throw fail(env, `BPF_ATOMIC stores into R${dstno} ${regTypeStr(dst)} is not allowed`);
  }
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

/** Kinds no arithmetic may touch (a map pointer only `+= 0`). */
const NO_ARITH = new Set(['map_ptr', 'pkt_end']);

/**
 * check_reg_sane_offset: a pointer's offsets, or a scalar about to become one, stay far from the
 * limits that would let offset arithmetic overflow. Returns the kernel's message, or undefined.
 */
function insaneOffset(r: Reg, kind: string): string | undefined {
  const v = r.t === 'scalar' ? r.v : 'var' in r ? r.var : undefined;
  const off = 'off' in r ? r.off : 0;
  if (!v) return undefined;
  const val = BigInt.asIntN(64, v.value);
  if (v.isConst() && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) return `math between ${kind} pointer and ${val} is not allowed`;
  if (off >= Number(BPF_MAX_VAR_OFF) || off <= -Number(BPF_MAX_VAR_OFF)) return `${kind} pointer offset ${off} is not allowed`;
  if (v.smin === S64_MIN) return `math between ${kind} pointer and register with unbounded min value is not allowed`;
  if (v.smin >= BPF_MAX_VAR_OFF || v.smin <= -BPF_MAX_VAR_OFF) return `value ${v.smin} makes ${kind} pointer be out of bounds`;
  return undefined;
}

const fitsS32 = (v: bigint): boolean => v === BigInt.asIntN(32, v);

/**
 * `dst op= src` where at least one is a pointer (adjust_reg_min_max_vals / adjust_ptr_min_max_vals),
 * for a privileged loader (pointer leaks allowed, no Spectre sanitation). `dstno` names the
 * destination register in messages.
 */
export function pointerAlu(env: Env, op: AluOpInfo, is64: boolean, dstno: number, dst: Reg, src: Reg): Reg {
  if (src.t !== 'scalar' && src.t !== 'not_init' && dst.t !== 'scalar') {
    // Two pointers: only their difference is allowed, and it is a number.
    if (op.op === ALU.SUB) return unknownScalar();
    throw fail(env, `R${dstno} pointer ${op.kernelOp} pointer prohibited`);
  }
  let ptr = dst, off = src;
  const reversed = dst.t === 'scalar';
  if (reversed) { ptr = src; off = dst; }
  if (off.t !== 'scalar' || ptr.t === 'scalar' || ptr.t === 'not_init') throw new Error('pointerAlu: operands');
  const s = off.v;
  // An offset with contradictory bounds comes from a dead branch: the result means nothing.
  if ((s.isConst() && (s.smin !== s.smax || s.umin !== s.umax)) || s.smin > s.smax || s.umin > s.umax) return unknownScalar();
  if (!is64) {
    // 32-bit arithmetic on a pointer gives a meaningless number; only subtraction is let through.
    if (op.op === ALU.SUB) return unknownScalar();
    throw fail(env, `R${dstno} 32-bit pointer arithmetic prohibited`);
  }
  const kind = regTypeStr(ptr);
  const nullable = (ptr.t === 'map_value' || ptr.t === 'mem') && ptr.nullable;
  if (nullable) throw fail(env, `R${dstno} pointer arithmetic on ${kind} prohibited, null-check it first`);
  if (NO_ARITH.has(ptr.t) && !(ptr.t === 'map_ptr' && s.isConst() && s.value === 0n && op.op === ALU.ADD)) {
    throw fail(env, `R${dstno} pointer arithmetic on ${kind} prohibited`);
  }
  // The kernel lets a function pointer move and refuses it only where it is used; tsbpf's function
  // pointers have no offset, so a moved one is refused here rather than called in the middle.
  if (ptr.t === 'func' && !(s.isConst() && s.value === 0n)) throw fail(env, `R${dstno} pointer arithmetic on ${kind} prohibited`);
  if (ptr.t === 'map_ptr' || ptr.t === 'pkt_end' || ptr.t === 'func') return ptr;
  const p = ptr as Extract<Reg, PtrOff>;
  const insane = insaneOffset(off, kind) ?? insaneOffset(p, kind);
  if (insane) throw env.log.fail('EINVAL', insane, env.pc);
  let next: Extract<Reg, PtrOff>;
  switch (op.op) {
    case ALU.ADD: case ALU.SUB: {
      const sub = op.op === ALU.SUB;
      if (sub && reversed) throw fail(env, `R${dstno} tried to subtract pointer from scalar`);
      if (sub && p.t === 'fp') throw fail(env, `R${dstno} subtraction from stack pointer prohibited`);
      const c = BigInt.asIntN(64, s.value);
      const fixed = BigInt(p.off) + (sub ? -c : c);
      if (s.isConst() && fitsS32(fixed)) {
        next = { ...p, off: Number(fixed) };
        break;
      }
      next = { ...p, var: scalarAlu(op, true, p.var, s) };
      if (next.t === 'pkt' || next.t === 'pkt_meta') {
        next.id = env.nextId();
        // Something of unknown size was added: what was proven against data_end no longer holds.
        if (!sub || s.smin < 0n) next.range = 0;
      }
      break;
    }
    case ALU.AND: case ALU.OR: case ALU.XOR:
      throw fail(env, `R${dstno} bitwise operator ${op.kernelOp} on pointer prohibited`);
    default:
      throw fail(env, `R${dstno} pointer arithmetic with ${op.kernelOp} operator prohibited`);
  }
  const after = insaneOffset(next, kind);
  if (after) throw env.log.fail('EINVAL', after, env.pc);
  return next;
}

/** The frame a stack pointer points into. */
export const frameOf = (st: VState, r: Extract<Reg, { t: 'fp' }>): Frame => st.frames[r.frame]!;
