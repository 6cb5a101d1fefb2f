/**
 * Helper calls (check_helper_call / check_func_arg): the helper exists and the program type may call
 * it; each argument matches its kind in the helper's prototype (a map pointer, a key or value sized by
 * that map, memory followed by its size, the context...); then r0 gets the return kind and r1-r5 are
 * clobbered. Ringbuf records are references the path must release before it exits.
 */
import type { HelperArgKind, HelperDef, HelperRegistry } from '../helpers/registry.js';
import { findProgType } from '../progtypes/table.js';
import { Scalar } from './scalar.js';
import { type Env, BPF_MAX_VAR_OFF, checkMemAccess, checkPacket } from './pointers.js';
import { checkStackBounds, helperWrite } from './stack.js';
import { NOT_INIT, type Reg, type VState, forEachReg, regTypeStr, unknownScalar } from './state.js';

const MEM_TYPES_ = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';
const KEY_TYPES = MEM_TYPES_;
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

const fail = (env: Env, msg: string): Error => env.log.fail('EACCES', msg, env.pc);
const helperName = (d: HelperDef): string => (d.name.startsWith('bpf_') ? d.name : `bpf_${d.name}`);

const isNull = (r: Reg): boolean => r.t === 'scalar' && r.v.isConst() && r.v.value === 0n;

/** Memory a helper reads or writes through argument register `regno` (check_helper_mem_access). */
function helperMem(env: Env, st: VState, regno: number, size: number, write: boolean): void {
  const frame = st.frames[st.frames.length - 1]!;
  const r = frame.regs[regno]!;
  if (r.t === 'fp') {
    const off = r.off + Number(BigInt.asIntN(64, r.var.smin));
    const hi = r.off + Number(BigInt.asIntN(64, r.var.smax));
    checkStackBounds(env.log, regno, off, size, 'helper', env.pc);
    if (hi !== off) checkStackBounds(env.log, regno, hi, size, 'helper', env.pc);
    if (write) helperWrite(st.frames[r.frame]!, off, hi - off + size);
    return;
  }
  if (size === 0) return;
  if (r.t === 'pkt' || r.t === 'pkt_meta') return checkPacket(env, regno, r, r.off, size);
  checkMemAccess(env, st, regno, 0, size, write ? 'write' : 'read');
}

function expectPtr(env: Env, regno: number, r: Reg, ok: readonly string[], expected: string): void {
  if (!ok.includes(r.t) || ((r.t === 'map_value' || r.t === 'mem') && r.nullable)) {
    throw fail(env, `R${regno} type=${regTypeStr(r)} expected=${expected}`);
  }
}

const KEYISH = ['fp', 'pkt', 'pkt_meta', 'map_value', 'mem'];
const MEMISH = [...KEYISH, 'mem'];

export function checkHelperCall(env: Env, st: VState, id: number, helpers: HelperRegistry): void {
  const def = helpers.get(id);
  if (!def) throw env.log.fail('EINVAL', `invalid func unknown#${id}`, env.pc);
  const pt = findProgType(env.progType);
  if (pt && !pt.helpers.includes(id)) throw env.log.fail('EINVAL', `program of this type cannot use helper ${helperName(def)}#${id}`, env.pc);
  const frame = st.frames[st.frames.length - 1]!;
  const regs = frame.regs;
  let map: number | undefined;
  let allocSize = 0;
  let release: number | undefined;
  const args = def.args;
  for (let i = 0; i < args.length; i++) {
    const regno = i + 1;
    const kind: HelperArgKind = args[i]!;
    const r = regs[regno]!;
    if (r.t === 'not_init') throw env.log.fail('EACCES', `R${regno} !read_ok`, env.pc);
    switch (kind) {
      case 'anything':
        break;
      case 'const_map_ptr':
        if (r.t !== 'map_ptr') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=map_ptr`);
        map = r.map;
        break;
      case 'ptr_to_map_key':
      case 'ptr_to_map_value':
      case 'ptr_to_uninit_map_value': {
        expectPtr(env, regno, r, KEYISH, KEY_TYPES);
        if (map === undefined) throw fail(env, 'invalid map_ptr to access map->key');
        const m = env.maps[map]!;
        helperMem(env, st, regno, kind === 'ptr_to_map_key' ? m.keySize : m.valueSize, kind === 'ptr_to_uninit_map_value');
        break;
      }
      case 'ptr_to_mem':
      case 'ptr_to_uninit_mem':
      case 'ptr_to_mem_or_null':
      case 'ptr_to_writable_mem_or_null':
        if (kind.endsWith('_or_null') && isNull(r)) break;
        expectPtr(env, regno, r, MEMISH, MEM_TYPES);
        break;
      case 'const_size':
      case 'const_size_or_zero': {
        if (r.t !== 'scalar') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=scalar`);
        const v = r.v;
        if (v.smin < 0n) throw fail(env, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
        if (v.umin === 0n && kind === 'const_size') {
          throw fail(env, `R${regno} invalid zero-sized read: u64=[${v.umin},${v.umax}]`);
        }
        if (v.umax >= BPF_MAX_VAR_OFF) throw fail(env, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
        const prev = regs[regno - 1]!;
        const pk = args[i - 1];
        if (isNull(prev) && pk?.endsWith('_or_null')) break;
        helperMem(env, st, regno - 1, Number(v.umax), pk === 'ptr_to_uninit_mem' || pk === 'ptr_to_writable_mem_or_null');
        break;
      }
      case 'const_alloc_size_or_zero':
        if (r.t !== 'scalar') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=scalar`);
        if (!r.v.isConst()) throw fail(env, `R${regno} is not a known constant'`);
        allocSize = Number(r.v.value);
        break;
      case 'ptr_to_ctx':
        if (r.t !== 'ctx') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=ctx`);
        if (r.off !== 0) throw fail(env, `dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
        break;
      case 'ptr_to_stack':
      case 'ptr_to_stack_or_null':
        if (kind === 'ptr_to_stack_or_null' && isNull(r)) break;
        if (r.t !== 'fp') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=fp`);
        break;
      case 'ptr_to_func':
        if (r.t !== 'func') throw fail(env, `R${regno} type=${regTypeStr(r)} expected=func`);
        break;
      case 'ptr_to_const_str':
      case 'ptr_to_spin_lock':
        expectPtr(env, regno, r, ['map_value'], 'map_value');
        break;
      case 'ptr_to_ringbuf_mem_release':
        if (r.t !== 'mem' || !r.ringbuf || r.nullable) throw fail(env, `R${regno} type=${regTypeStr(r)} expected=ringbuf_mem`);
        if (r.off !== 0 || !r.var.isConst() || r.var.value !== 0n) {
          throw fail(env, `R${regno} must have zero offset when passed to release func`);
        }
        release = r.id;
        break;
    }
  }
  if (release !== undefined) {
    st.refs.delete(release);
    forEachReg(st, (x) => (x.t === 'mem' && x.id === release ? unknownScalar() : x));
  }
  for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
  switch (def.ret) {
    case 'integer': regs[0] = unknownScalar(); break;
    case 'void': regs[0] = NOT_INIT; break;
    case 'ptr_to_map_value_or_null': {
      const inner = map === undefined ? undefined : env.innerOf.get(map);
      regs[0] = { t: 'map_value', map: map ?? 0, id: env.nextId(), nullable: true, off: 0, var: Scalar.const(0n), ...(inner !== undefined ? { ptrToMap: inner } : {}) };
      break;
    }
    case 'ptr_to_mem_or_null':
    case 'ptr_to_ringbuf_mem_or_null': {
      const id = env.nextId();
      const ringbuf = def.ret === 'ptr_to_ringbuf_mem_or_null';
      regs[0] = { t: 'mem', size: allocSize, id, nullable: true, ringbuf, off: 0, var: Scalar.const(0n) };
      if (ringbuf) st.refs.set(id, env.pc);
      break;
    }
  }
}
