/**
 * Helper calls (check_helper_call / check_func_arg in the kernel): the helper exists, the program
 * type may call it and the license allows it; each argument matches its kind in the helper's
 * prototype (a map pointer, a key or value sized by that map, memory followed by its size, the
 * context...); the map suits the helper (map-compat.ts); then r0 gets the return kind and r1-r5 are
 * clobbered. Ringbuf records are references the path must release; bpf_spin_lock is held until
 * unlocked; bpf_loop and bpf_for_each_map_elem schedule their callback (callbacks.ts).
 * Messages and errnos are the kernel's.
 */
import type { HelperArgKind, HelperRegistry } from '../helpers/registry.js';
import { HELPER_COUNT, helperName as uapiHelperName } from '../isa/helper-names.js';
import { findProgType } from '../progtypes/table.js';
import { MAP_FLAGS, MAP_TYPE } from '../maps/types.js';
import type { VerifierErrno } from './log.js';
import { Scalar } from './scalar.js';
import { tnumToString } from './tnum.js';
import { type Env, checkPacket } from './pointers.js';
import { helperWrite } from './stack.js';
import { NOT_INIT, type Reg, type VState, cloneState, forEachReg, regTypeStr, scalarReg, unknownScalar } from './state.js';
import { CHANGES_PKT_DATA, type HelperProto, verifierOnlyProto } from './helper-protos.js';
import { ELIDE_NULL_MAP_TYPES, FOR_EACH_MAP_TYPES, PROG_READONLY_MAP_TYPES, mapHelperCompatible } from './map-compat.js';
import { type CallCtx, checkResourceLeak, funcExit } from './calls.js';
import { callbackEntry } from './callbacks.js';
import { Marks } from './precision.js';

/** __BPF_FUNC_MAX_ID (of Linux 6.18, as the UAPI list in isa/helper-names.ts): ids at or above it are "invalid func". */
export const BPF_FUNC_MAX_ID = HELPER_COUNT;
const BPF_MAX_VAR_SIZ = 1n << 29n;
const MAX_ERRNO = 4095n;
/** Helpers whose result is at most the size argument (bytes copied) or a negative errno. */
const RET_UP_TO_SIZE = new Set(['get_stack', 'get_task_stack', 'probe_read_str', 'probe_read_kernel_str', 'probe_read_user_str']);

/** What a call does besides changing the current state: states to explore later, a new pc. */
export interface CallOutcome {
  forks: VState[];
  /** Where the path goes on instead of the next slot ('done': it ends). */
  next?: number | 'done';
  /** Scalars whose exact bounds the checks relied on (precision.ts marks them back along the path). */
  precise?: Marks;
}

/** The kernel's func_id_name with its bpf_ prefix. */
export function funcIdName(id: number): string {
  if (id < 0 || id >= BPF_FUNC_MAX_ID) return 'unknown';
  if (id === 0) return 'bpf_unspec';
  return uapiHelperName(id) ?? 'bpf_unknown';
}

const fail = (env: Env, msg: string, errno: VerifierErrno = 'EACCES'): Error => env.log.fail(errno, msg, env.pc);
const isNull = (r: Reg): boolean => r.t === 'scalar' && r.v.isConst() && r.v.value === 0n;
const s64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** The register kinds an argument kind takes (compatible_reg_types), as the kernel names them. */
const MEM_TYPES = ['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value', 'mem', 'ringbuf_mem', 'buf', 'trusted_ptr_'];
const COMPATIBLE: Partial<Record<HelperArgKind, readonly string[]>> = {
  const_map_ptr: ['map_ptr'],
  ptr_to_map_key: MEM_TYPES,
  ptr_to_map_value: MEM_TYPES,
  ptr_to_uninit_map_value: MEM_TYPES,
  ptr_to_mem: MEM_TYPES,
  ptr_to_mem_or_null: MEM_TYPES,
  ptr_to_writable_mem_or_null: MEM_TYPES,
  ptr_to_uninit_mem: MEM_TYPES,
  const_size: ['scalar'],
  const_size_or_zero: ['scalar'],
  const_alloc_size_or_zero: ['scalar'],
  ptr_to_ctx: ['ctx'],
  ptr_to_stack: ['fp'],
  ptr_to_stack_or_null: ['fp'],
  ptr_to_func: ['func'],
  ptr_to_const_str: ['map_value'],
  ptr_to_spin_lock: ['map_value', 'ptr_'],
  ptr_to_ringbuf_mem_release: ['ringbuf_mem'],
};
const MAYBE_NULL = new Set<HelperArgKind>(['ptr_to_mem_or_null', 'ptr_to_writable_mem_or_null', 'ptr_to_stack_or_null']);
/** Memory the helper writes (MEM_WRITE): stack bytes it reaches become initialised. */
const WRITES = new Set<HelperArgKind>(['ptr_to_uninit_mem', 'ptr_to_uninit_map_value', 'ptr_to_writable_mem_or_null']);

/** The kernel's name for a register's kind (`ringbuf_mem`, `map_value_or_null`...). */
function kindOf(r: Reg, stripNull: boolean): string {
  const s = regTypeStr(r);
  return stripNull ? s.replace(/_or_null$/, '') : s;
}

/** check_reg_type: `R1 type=scalar expected=map_ptr`. */
function checkRegType(env: Env, regno: number, r: Reg, kind: HelperArgKind): void {
  const ok = COMPATIBLE[kind];
  if (!ok) return;
  if (ok.includes(kindOf(r, MAYBE_NULL.has(kind)))) return;
  throw fail(env, `R${regno} type=${regTypeStr(r)} expected=${ok.join(', ')}`);
}

/** check_func_arg_reg_off: pointers that must not be offset when passed (ctx, map pointers...). */
function checkArgRegOff(env: Env, regno: number, r: Reg, kind: HelperArgKind): void {
  if (kind === 'ptr_to_ringbuf_mem_release' && r.t === 'mem') {
    if (!r.var.isConst() || r.var.value !== 0n || r.off !== 0) {
      throw fail(env, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, 'EINVAL');
    }
  }
  if (r.t === 'ctx') {
    if (r.off !== 0) throw fail(env, `dereference of modified ${regTypeStr(r)} ptr R${regno} off=${r.off} disallowed`);
    if (!r.var.isConst() || r.var.value !== 0n) {
      throw fail(env, `variable ${regTypeStr(r)} access var_off=${tnumToString(r.var.var)} disallowed`);
    }
  }
}

/**
 * check_helper_mem_access: `size` bytes at the pointer in `regno`, read or written by the helper.
 * Stack bytes a helper writes become data.
 */
export function helperMemAccess(env: Env, st: VState, regno: number, size: number, write: boolean, zeroOk: boolean): void {
  const r = st.frames[st.frames.length - 1]!.regs[regno]!;
  if (size === 0 && !zeroOk) throw fail(env, 'invalid zero-sized read');
  switch (r.t) {
    case 'pkt':
    case 'pkt_meta':
      if (size === 0) return;
      return checkPacket(env, regno, r, r.off, size);
    case 'map_value': {
      const m = env.maps[r.map]!;
      // check_map_access_type: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG maps.
      if ((write && m.flags & MAP_FLAGS.RDONLY_PROG) || (!write && m.flags & MAP_FLAGS.WRONLY_PROG)) {
        throw fail(env, `${write ? 'write into' : 'read from'} map forbidden, value_size=${m.valueSize} off=${r.off + s64(r.var.smin)} size=${size}`);
      }
    }
      return regionAccess(env, regno, r.off, r.var, size, env.maps[r.map]!.valueSize, zeroOk,
        (o) => `invalid access to map value, value_size=${env.maps[r.map]!.valueSize} off=${o} size=${size}`);
    case 'mem':
      return regionAccess(env, regno, r.off, r.var, size, r.size, zeroOk, (o) => `invalid access to memory, mem_size=${r.size} off=${o} size=${size}`);
    case 'fp':
      return stackRange(env, st, regno, r, size, write);
    default:
      if (zeroOk && size === 0 && isNull(r)) return;
      throw fail(env, `R${regno} type=${regTypeStr(r)} expected=fp`);
  }
}

/** check_mem_region_access for helper memory: both ends of a variable offset inside [0, memSize). */
function regionAccess(env: Env, regno: number, off: number, v: Scalar, size: number, memSize: number, zeroOk: boolean, what: (o: number) => string): void {
  const inside = (o: number): boolean => (size > 0 || (size === 0 && zeroOk)) && o >= 0 && o + size <= memSize;
  if (v.smin < 0n && (v.smin <= -(1n << 31n) || s64(v.smin) + off < 0)) {
    throw fail(env, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  const lo = off + s64(v.smin);
  if (!inside(lo)) {
    env.log.line(what(lo));
    throw fail(env, `R${regno} min value is outside of the allowed memory range`);
  }
  if (v.umax >= 1n << 29n) throw fail(env, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  const hi = off + Number(v.umax);
  if (!inside(hi)) {
    env.log.line(what(hi));
    throw fail(env, `R${regno} max value is outside of the allowed memory range`);
  }
}

/**
 * check_stack_range_initialized as a privileged loader sees it: the bytes must lie in the frame
 * (uninitialised ones may be read: allow_uninit_stack); a write makes them data.
 */
function stackRange(env: Env, st: VState, regno: number, r: Extract<Reg, { t: 'fp' }>, size: number, write: boolean): void {
  const extra = write ? ' write to' : ' read from';
  let lo: number, hi: number;
  if (r.var.isConst()) {
    lo = r.off + s64(r.var.value);
    hi = lo + size;
  } else {
    if (s64(r.var.smax) >= 1 << 29 || s64(r.var.smin) <= -(1 << 29)) throw fail(env, `invalid unbounded variable-offset${extra} stack R${regno}`);
    lo = r.off + s64(r.var.smin);
    hi = r.off + s64(r.var.smax) + size;
  }
  let errno: VerifierErrno | undefined;
  if (lo < -512 || lo > -1) errno = 'EACCES';
  else if (hi > 0) errno = 'EINVAL';
  if (errno) {
    if (r.var.isConst()) throw fail(env, `invalid${extra} stack R${regno} off=${lo} size=${size}`, errno);
    throw fail(env, `invalid variable-offset${extra} stack R${regno} var_off=${tnumToString(r.var.var)} off=${r.off} size=${size}`, errno);
  }
  const f = st.frames[r.frame]!;
  if (write && size > 0) helperWrite(f, lo, hi - lo);
}

/** check_mem_size_reg: the size argument `regno` for the memory in `regno - 1`. */
function checkMemSize(env: Env, st: VState, regno: number, r: Reg, write: boolean, zeroOk: boolean, memNull: boolean): void {
  if (r.t !== 'scalar') return;
  const v = r.v;
  if (v.smin < 0n) throw fail(env, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
  if (v.umin === 0n && !zeroOk) {
    throw fail(env, `R${regno} invalid zero-sized read: u64=[${BigInt.asIntN(64, v.umin)},${BigInt.asIntN(64, v.umax)}]`);
  }
  if (v.umax >= BPF_MAX_VAR_SIZ) throw fail(env, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  if (memNull && v.umax === 0n) return;
  helperMemAccess(env, st, regno - 1, Number(v.umax), write, zeroOk);
}

function protoOf(id: number, helpers: HelperRegistry): HelperProto | undefined {
  return helpers.get(id) ?? verifierOnlyProto(id);
}

/** The value of a constant key on the stack (get_constant_map_key), or undefined. */
function constStackKey(st: VState, r: Reg, keySize: number): bigint | undefined {
  if (r.t !== 'fp' || !r.var.isConst()) return undefined;
  const off = r.off + s64(r.var.value);
  const pos = 512 + off;
  if (pos < 0 || pos >= 512) return undefined;
  const slot = st.frames[r.frame]!.stack[Math.floor(pos / 8)]!;
  const byte = pos % 8;
  let zeros = 0;
  for (let i = byte; i < 8 && slot.bytes[i] === 'z' && !slot.spill; i++) zeros++;
  if (zeros >= keySize) return 0n;
  if (byte !== 0 || !slot.spill || slot.spill.t !== 'scalar' || slot.spillSize !== keySize) return undefined;
  return slot.spill.v.isConst() ? slot.spill.v.value : undefined;
}

/**
 * Check a call of helper `id` in the current state and apply its effects. Returns the states the
 * call adds (a callback's first visit; the path after a tail call from a subprogram).
 */
export function checkHelperCall(env: Env, st: VState, id: number, helpers: HelperRegistry, calls: CallCtx): CallOutcome {
  const out: CallOutcome = { forks: [] };
  if (id < 0 || id >= BPF_FUNC_MAX_ID) throw fail(env, `invalid func ${funcIdName(id)}#${id}`, 'EINVAL');
  const pt = findProgType(env.progType);
  if (pt && !pt.helpers.includes(id)) throw fail(env, `program of this type cannot use helper ${funcIdName(id)}#${id}`, 'EINVAL');
  const def = protoOf(id, helpers);
  if (!def) throw fail(env, `tsbpf has no prototype for helper ${funcIdName(id)}#${id}, so it cannot check the call`, 'EINVAL');
  if (def.gplOnly && !calls.gpl) throw fail(env, 'cannot call GPL-restricted function from non-GPL compatible program', 'EINVAL');
  const name = funcIdName(id).slice(4);
  if (st.lock !== undefined && name !== 'spin_unlock') throw fail(env, 'function calls are not allowed while holding a lock', 'EINVAL');

  const frame = st.frames[st.frames.length - 1]!;
  const regs = frame.regs;
  let map: number | undefined;
  let allocSize = 0;
  let release: number | undefined;
  let constKey: bigint | undefined;
  let callback: number | undefined;
  let sizeMax: bigint | undefined;
  const args = def.args;
  const top = st.frames.length - 1;
  const need = new Marks();
  for (let i = 0; i < args.length; i++) {
    const regno = i + 1;
    const kind: HelperArgKind = args[i]!;
    const r = regs[regno]!;
    if (r.t === 'not_init') throw fail(env, `R${regno} !read_ok`);
    if (kind === 'anything') continue;
    if (r.t === 'scalar') need.regs[top]! |= 1 << regno;
    const nullOk = MAYBE_NULL.has(kind);
    if (!(isNull(r) && nullOk)) {
      checkRegType(env, regno, r, kind);
      checkArgRegOff(env, regno, r, kind);
    }
    switch (kind) {
      case 'const_map_ptr':
        if (r.t === 'map_ptr') map = r.map;
        break;
      case 'ptr_to_map_key': {
        const m = env.maps[map!]!;
        helperMemAccess(env, st, regno, m.keySize, false, false);
        if (ELIDE_NULL_MAP_TYPES.includes(m.type)) {
          constKey = constStackKey(st, r, m.keySize);
          // The key's value decides whether r0 may be NULL: the slot holding it must not be pruned over.
          if (constKey !== undefined && r.t === 'fp') need.setSlot(r.frame, Math.floor((512 + r.off + s64(r.var.value)) / 8));
        }
        break;
      }
      case 'ptr_to_map_value':
      case 'ptr_to_uninit_map_value':
        helperMemAccess(env, st, regno, env.maps[map!]!.valueSize, WRITES.has(kind), false);
        break;
      case 'const_size':
      case 'const_size_or_zero': {
        if (r.t === 'scalar') sizeMax = r.v.umax;
        const pk = args[i - 1]!;
        checkMemSize(env, st, regno, r, WRITES.has(pk), kind === 'const_size_or_zero', isNull(regs[regno - 1]!) && MAYBE_NULL.has(pk));
        break;
      }
      case 'const_alloc_size_or_zero':
        if (r.t !== 'scalar' || !r.v.isConst()) throw fail(env, `R${regno} is not a known constant'`);
        allocSize = Number(r.v.value);
        break;
      case 'ptr_to_func':
        if (r.t === 'func') callback = r.target;
        break;
      case 'ptr_to_const_str':
        if (r.t === 'map_value') checkConstStr(env, regno, r);
        break;
      case 'ptr_to_spin_lock':
        if (r.t === 'map_value') spinLock(env, st, regno, r, name === 'spin_lock', calls);
        break;
      case 'ptr_to_ringbuf_mem_release':
        if (r.t === 'mem') release = r.id;
        break;
      default:
        break;
    }
  }

  // record_func_map, record_func_key
  if (map !== undefined) {
    const m = env.maps[map]!;
    const readonly = PROG_READONLY_MAP_TYPES.includes(m.type) || (m.flags & 0x80) !== 0;
    if (readonly && ['map_delete_elem', 'map_update_elem', 'map_push_elem', 'map_pop_elem'].includes(name)) {
      throw fail(env, 'write into map forbidden');
    }
  }
  if (name === 'tail_call' && (map === undefined || env.maps[map]!.type !== 'prog_array')) {
    throw fail(env, 'expected prog array map for tail call', 'EINVAL');
  }

  if (release !== undefined) {
    if (!st.refs.has(release)) throw fail(env, `func ${funcIdName(id)}#${id} reference has not been acquired before`, 'EINVAL');
    st.refs.delete(release);
    forEachReg(st, (x) => (x.t === 'mem' && x.id === release ? unknownScalar() : x));
  }

  if (name === 'tail_call') {
    checkResourceLeak(env, st, 'tail_call', true);
    calls.tailCallers.add(frame.subprog ?? calls.root);
  }
  // bpf_loop's count bounds how many iterations of the callback are explored.
  if (name === 'loop' && regs[1]!.t === 'scalar') need.regs[top]! |= 1 << 1;
  if (!need.isEmpty()) out.precise = need;
  if (callback !== undefined && (name === 'loop' || name === 'for_each_map_elem')) {
    if (name === 'for_each_map_elem' && !FOR_EACH_MAP_TYPES.includes(env.maps[map!]!.type) && mapHelperCompatible(env.maps[map!]!.type, name)) {
      throw fail(env, 'callback function not allowed for map', 'ENOTSUPP');
    }
    const cbState = callbackEntry(env, st, name, callback, map);
    if (cbState) out.forks.push(cbState);
  }

  for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
  switch (def.ret) {
    case 'integer':
      // do_refine_retval_range: a string or stack copy returns at most its buffer's size, or -errno.
      regs[0] = RET_UP_TO_SIZE.has(name) && sizeMax !== undefined
        ? scalarReg(Scalar.srange(-MAX_ERRNO, sizeMax))
        : unknownScalar();
      break;
    case 'void': regs[0] = NOT_INIT; break;
    case 'ptr_to_map_value_or_null': {
      const m = env.maps[map!]!;
      const inner = env.innerOf.get(map!);
      const sure = name === 'map_lookup_elem' && constKey !== undefined && constKey < BigInt(m.maxEntries);
      const lockId = calls.spinLockOff(map!) !== undefined;
      regs[0] = {
        t: 'map_value', map: map!, id: sure ? (lockId ? env.nextId() : 0) : env.nextId(), nullable: !sure, off: 0, var: Scalar.const(0n),
        ...(inner !== undefined ? { ptrToMap: inner } : {}),
      };
      break;
    }
    case 'ptr_to_mem_or_null':
    case 'ptr_to_ringbuf_mem_or_null': {
      const ringbuf = def.ret === 'ptr_to_ringbuf_mem_or_null';
      // The kernel numbers the maybe-NULL pointer, then the reference it acquires: the record's id is the second.
      let rid = env.nextId();
      if (ringbuf) rid = env.nextId();
      regs[0] = { t: 'mem', size: allocSize, id: rid, nullable: true, ringbuf, off: 0, var: Scalar.const(0n) };
      if (ringbuf) st.refs.set(rid, env.pc);
      break;
    }
  }

  if (map !== undefined && !mapHelperCompatible(env.maps[map]!.type, name)) {
    throw fail(env, `cannot pass map_type ${MAP_TYPE[env.maps[map]!.type]} into func ${funcIdName(id)}#${id}`, 'EINVAL');
  }

  if (name === 'tail_call' && st.frames.length > 1) {
    // A tail call from a subprogram may return (the slot is empty): that path goes on after the
    // call; the path where it jumps leaves this function as if it returned.
    const after = cloneState(st);
    after.pc = env.pc + 1;
    out.forks.push(after);
    regs[0] = unknownScalar();
    clearPacketPointers(st);
    out.next = funcExit(env, st, calls);
    return out;
  }
  if (CHANGES_PKT_DATA.has(name)) clearPacketPointers(st);
  return out;
}

function clearPacketPointers(st: VState): void {
  forEachReg(st, (x) => (x.t === 'pkt' || x.t === 'pkt_meta' || x.t === 'pkt_end' ? unknownScalar() : x));
}

/** check_reg_const_str: a constant string in a read-only map value. */
function checkConstStr(env: Env, regno: number, r: Extract<Reg, { t: 'map_value' }>): void {
  const m = env.maps[r.map]!;
  if ((m.flags & 0x80) === 0) throw fail(env, `R${regno} does not point to a readonly map'`);
  if (!r.var.isConst()) throw fail(env, `R${regno} is not a constant address'`);
}

/** process_spin_lock: the lock must be the map value's bpf_spin_lock, taken once, released by the holder. */
function spinLock(env: Env, st: VState, regno: number, r: Extract<Reg, { t: 'map_value' }>, lock: boolean, calls: CallCtx): void {
  if (!r.var.isConst()) {
    throw fail(env, `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`, 'EINVAL');
  }
  const at = calls.spinLockOff(r.map);
  if (at === undefined) throw fail(env, `map '${env.maps[r.map]!.name}' has no valid bpf_spin_lock`, 'EINVAL');
  const off = r.off + s64(r.var.value);
  if (off !== at) throw fail(env, `off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${at}`, 'EINVAL');
  if (lock) {
    if (st.lock !== undefined) throw fail(env, 'Locking two bpf_spin_locks are not allowed', 'EINVAL');
    st.lock = r.id;
  } else {
    if (st.lock === undefined) throw fail(env, 'bpf_spin_unlock without taking a lock', 'EINVAL');
    if (st.lock !== r.id) throw fail(env, 'bpf_spin_unlock of different lock', 'EINVAL');
    st.lock = undefined;
  }
}
