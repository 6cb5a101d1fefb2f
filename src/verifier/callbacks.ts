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
import { MAX_CALL_FRAMES, type Reg, type VState, cloneState, newFrame, unknownScalar } from './state.js';
import { funcLinkage } from './global-funcs.js';

/**
 * Iterations of a callback explored from one call. The kernel goes on until the caller's state
 * stops changing (or bpf_loop's count is reached); this bound keeps exploration finite without the
 * kernel's widening of imprecise scalars.
 */
export const MAX_CALLBACK_ITERATIONS = 8;

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
  here.cbDepth = 0;
  const n = here.regs[1]!;
  const limit = helper === 'loop' && n.t === 'scalar' && n.v.umax < BigInt(MAX_CALLBACK_ITERATIONS) ? Number(n.v.umax) : MAX_CALLBACK_ITERATIONS;
  if (depth >= limit) return undefined;
  const cb = cloneState(st);
  const caller = cb.frames[cb.frames.length - 1]!;
  caller.cbDepth = depth + 1;
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
  const v = r0.v;
  if (v.smin >= 0n && v.smax <= 1n) return;
  const S64_MIN = -(1n << 63n), S64_MAX = (1n << 63n) - 1n;
  let desc = '';
  const smin = BigInt.asIntN(64, v.smin), smax = BigInt.asIntN(64, v.smax);
  if (smin > S64_MIN) desc += ` smin=${smin}`;
  if (smax < S64_MAX) desc += ` smax=${smax}`;
  if (!desc) desc = ' unknown scalar value';
  throw env.log.fail('EINVAL', `At callback return the register R0 has${desc} should have been in [0, 1]`, env.pc);
}
