/**
 * Callbacks of bpf_loop and bpf_for_each_map_elem (push_callback_call and the set_*_callback_state
 * functions in the kernel): the callback is a static function named by a function pointer
 * (`r2 = subprog[+N]`, which needs BTF func info); it runs in a new frame with the arguments the
 * helper gives it (bpf_loop: the index and the context pointer; for_each_map_elem: the map, a key
 * and a value of that map, the context pointer) and must return 0 or 1. Each iteration is a path
 * of its own that starts at the call and returns to it, so the next iteration sees what the one
 * before wrote through the context pointer; the caller goes on after the helper with r0 unknown.
 */
import type { MapSpec } from '../maps/types.js';
import type { Env } from './pointers.js';
import type { VerifyOptions } from './verify.js';
import { Scalar } from './scalar.js';
import { MAX_CALL_FRAMES, type Reg, type VState, cloneState, newFrame, scalarEq, scalarReg, stateCovers, unknownScalar } from './state.js';
import { funcLinkage } from './global-funcs.js';
import { outOfRange } from './return-check.js';

/**
 * Iterations of a callback explored exactly from one call (bpf_loop with a smaller count: all of
 * them). Later iterations are explored from widened states (see callbackEntry) where the kernel
 * widens only imprecise scalars.
 */
export const MAX_CALLBACK_ITERATIONS = 8;

/** Widened iterations tried before the callback's states must have converged. */
const MAX_WIDENED_ITERATIONS = 8;

/**
 * The kernel's widen_imprecise_scalars, approximated without precision marks: each scalar (register
 * or spill, any frame) that differs from the previous iteration's entry becomes unknown, and
 * known-zero stack bytes that were not zero before become data. What stayed the same stays exact.
 */
function widen(st: VState, prev: VState | undefined): VState {
  const w = cloneState(st);
  const changed = (a: Reg, b: Reg | undefined): boolean =>
    a.t === 'scalar' && !(b !== undefined && b.t === 'scalar' && scalarEq(a.v, b.v));
  w.frames.forEach((f, fi) => {
    const pf = prev?.frames[fi];
    f.regs = f.regs.map((r, i) => (changed(r, pf?.regs[i]) ? unknownScalar() : r));
    f.stack = f.stack.map((sl, i) => {
      const ps = pf?.stack[i];
      let out = sl;
      // A narrow spill stays as narrow: its fill is zero-extended.
      if (sl.spill && changed(sl.spill, ps?.spill)) {
        const size = sl.spillSize ?? 8;
        out = { ...out, spill: size >= 8 ? unknownScalar() : scalarReg(Scalar.urange(0n, (1n << BigInt(size * 8)) - 1n)) };
      }
      if (sl.bytes.some((b, k) => b === 'z' && ps?.bytes[k] !== 'z')) out = { ...out, bytes: sl.bytes.map((b, k) => (b === 'z' && ps?.bytes[k] !== 'z' ? 'm' : b)) };
      return out;
    });
  });
  return w;
}

/** check_ld_imm for `r = subprog[+N]`: the function must be described by BTF and static. */
export function checkFuncPointer(env: Env, opts: VerifyOptions, target: number): void {
  // Without the program as loaded (instructions only), its func info is unknown: nothing to check.
  if (!opts.program) return;
  const linkage = funcLinkage(opts, target);
  if (linkage === 'none') throw env.log.fail('EINVAL', 'missing btf func_info', env.pc);
  if (linkage === 'global') throw env.log.fail('EINVAL', 'callback function not static', env.pc);
}

/** The index in env.maps of a stand-in map whose values are map `i`'s keys (a key pointer as a value pointer). */
function keyMap(env: Env, i: number): number {
  const maps = env.maps as MapSpec[];
  const m = maps[i]!;
  const name = `${m.name}.key`;
  const found = maps.findIndex((x) => x.name === name);
  if (found >= 0) return found;
  return maps.push({ ...m, name, valueSize: m.keySize }) - 1;
}

/** The state that enters callback `target` of helper `helper` called in `st` (before r1-r5 are clobbered). */
export function callbackEntry(env: Env, st: VState, helper: string, target: number, map: number | undefined): VState | undefined {
  if (st.frames.length >= MAX_CALL_FRAMES) throw env.log.fail('E2BIG', `the call stack of ${st.frames.length + 1} frames is too deep`, env.pc);
  // Each return from the callback comes back to the call, which schedules the next iteration: bpf_loop
  // while iterations may remain, for_each_map_elem up to a bound (the kernel stops when the states
  // converge).
  const here = st.frames[st.frames.length - 1]!;
  const depth = here.cbDepth ?? 0;
  let seen = here.cbWidened ?? [];
  const prev = here.cbPrev;
  // The path going on after the helper starts afresh if it calls the helper again.
  here.cbDepth = 0;
  delete here.cbWidened;
  delete here.cbPrev;
  const n = here.regs[1]!;
  const counted = helper === 'loop' && n.t === 'scalar' && n.v.umax < BigInt(MAX_CALLBACK_ITERATIONS);
  if (counted && depth >= Number(n.v.umax)) return undefined;
  let cb: VState;
  if (depth < MAX_CALLBACK_ITERATIONS) cb = cloneState(st);
  else {
    // Past the unrolled iterations, the later ones are covered by widening: every scalar becomes
    // unknown and iterations go on until a widened entry state is covered by an earlier one (a
    // fixpoint), so no iteration the program may run is left unchecked.
    const w = widen(st, prev);
    if (seen.some((old) => stateCovers(old, w, false))) return undefined;
    if (seen.length >= MAX_WIDENED_ITERATIONS) throw env.log.fail('E2BIG', 'BPF program is too complex', env.pc);
    seen = [...seen, w];
    cb = cloneState(w);
  }
  const caller = cb.frames[cb.frames.length - 1]!;
  caller.cbDepth = depth + 1;
  if (seen.length) caller.cbWidened = seen;
  caller.cbPrev = cloneState(cb);
  const f = newFrame(env.pc, cb.frames.length);
  f.subprog = target;
  f.callback = true;
  const zero = (): { off: number; var: Scalar } => ({ off: 0, var: Scalar.const(0n) });
  if (helper === 'loop') {
    f.regs[1] = unknownScalar();
    f.regs[2] = caller.regs[3]!;
  } else if (map !== undefined) {
    f.regs[1] = caller.regs[1]!;
    f.regs[2] = { t: 'map_value', map: keyMap(env, map), id: 0, nullable: false, ...zero() } as Reg;
    f.regs[3] = { t: 'map_value', map, id: 0, nullable: false, ...zero() } as Reg;
    f.regs[4] = caller.regs[3]!;
  }
  cb.frames.push(f);
  cb.pc = target;
  return cb;
}

/** prepare_func_exit for a callback: r0 must be a scalar in [0, 1]. */
export function callbackReturn(env: Env, r0: Reg): void {
  if (r0.t !== 'scalar') throw env.log.fail('EACCES', 'R0 not a scalar value', env.pc);
  const bad = outOfRange(r0.v, 0, 1);
  if (bad) throw env.log.fail('EINVAL', `At callback return the register R0 ${bad}`, env.pc);
}
