/**
 * bpf-to-bpf calls (check_func_call, setup_func_entry, prepare_func_exit and check_max_stack_depth
 * in the kernel): a static function runs in a new frame (8 frames at most) with r1-r5 of its caller
 * and returns r0; a global function (BTF linkage global, global-funcs.ts) is checked once on its own
 * and its callers only against its BTF argument types. Each function's stack depth is the deepest
 * byte any path touched; after exploration the depths along every call chain must fit in 512 bytes
 * (each rounded to 16, as with the JIT), and a function that tail-calls may sit under at most 256.
 */
import type { VerifyOptions } from './verify.js';
import type { Cfg } from './cfg.js';
import type { Env } from './pointers.js';
import { type Slot, calleeOf, isPseudoCall, isPseudoFunc } from './subprogs.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES, NOT_INIT, type VState, newFrame, regTypeStr, unknownScalar } from './state.js';
import { gplCompatible } from './helper-protos.js';
import { type GlobalFunc, checkGlobalCallArgs, globalEntryState, globalFuncsOf, spinLockOffsetOf } from './global-funcs.js';
import { callbackReturn } from './callbacks.js';

export interface CallCtx {
  gpl: boolean;
  slots: readonly Slot[];
  /** Function starts (slots), sorted; [0] is the entry. */
  starts: readonly number[];
  /** Global functions by start slot (from BTF func info). */
  globals: ReadonlyMap<number, GlobalFunc>;
  /** Deepest stack byte (a positive count) each function touched, by start slot. */
  depth: Map<number, number>;
  /** Functions that call bpf_tail_call, by start slot. */
  tailCallers: Set<number>;
  /** Global functions called so far, in call order, and those already verified. */
  calledGlobals: number[];
  verifiedGlobals: Set<number>;
  /** The function frame 0 runs: 0 for the program, a global function's start while it is checked. */
  root: number;
  /** The bpf_spin_lock offset in map `i`'s value, from its BTF (undefined: none). */
  spinLockOff(map: number): number | undefined;
}

export function newCallCtx(env: Env, opts: VerifyOptions, cfg: Cfg): CallCtx {
  // Without BTF func info the JIT cannot keep the tail-call count across subprogram frames.
  if (opts.program && opts.program.funcInfo.length === 0) {
    cfg.slots.forEach((s, i) => {
      if (s.code === TAIL_CALL.code && s.src === 0 && s.imm === TAIL_CALL.imm && i >= (cfg.subprogs[1]?.start ?? Infinity)) {
        throw env.log.fail('EINVAL', 'tail_call is not allowed in subprogs without BTF');
      }
    });
  }
  const license = opts.program?.license ?? opts.object?.license ?? 'GPL';
  const globals = globalFuncsOf(opts, cfg);
  const lockOffs = new Map<number, number | undefined>();
  return {
    gpl: gplCompatible(license),
    slots: cfg.slots,
    starts: cfg.subprogs.map((s) => s.start),
    globals,
    depth: new Map(),
    tailCallers: new Set(),
    calledGlobals: [],
    verifiedGlobals: new Set(),
    root: 0,
    spinLockOff(map: number): number | undefined {
      if (!lockOffs.has(map)) lockOffs.set(map, spinLockOffsetOf(opts, map));
      return lockOffs.get(map);
    },
  };
}

/** `call bpf_tail_call`. */
const TAIL_CALL = { code: 0x85, imm: 12 };

const fail = (env: Env, msg: string, errno: 'EACCES' | 'EINVAL' | 'E2BIG' = 'EACCES'): Error => env.log.fail(errno, msg, env.pc);

/** Record how deep every frame's stack has been written (update_stack_depth). */
export function noteStackDepths(calls: CallCtx, st: VState): void {
  for (const f of st.frames) {
    const fn = f.subprog ?? calls.root;
    let deepest = calls.depth.get(fn) ?? 0;
    for (let spi = 0; spi < f.stack.length; spi++) {
      const sl = f.stack[spi]!;
      const used = sl.spill !== undefined || sl.bytes.some((b) => b !== 'i');
      if (!used) continue;
      const first = sl.spill ? 0 : sl.bytes.findIndex((b) => b !== 'i');
      deepest = Math.max(deepest, MAX_BPF_STACK - (spi * 8 + first));
      break;
    }
    calls.depth.set(fn, deepest);
  }
}

/** A bpf-to-bpf call at `pc` (`call pc+imm`): the slot to go on at. */
export function enterCall(env: Env, st: VState, pc: number, imm: number, calls: CallCtx): number {
  const target = pc + 1 + imm;
  const caller = st.frames[st.frames.length - 1]!;
  const g = calls.globals.get(target);
  if (g) {
    if (st.lock !== undefined) {
      env.log.line('global function calls are not allowed while holding a lock,');
      throw fail(env, 'use static function instead', 'EINVAL');
    }
    const why = checkGlobalCallArgs(env, st, g);
    if (why !== undefined) {
      env.log.line(why);
      throw fail(env, `Caller passes invalid args into func#${g.index} ('${g.name}')`, 'EINVAL');
    }
    env.log.line(`Func#${g.index} ('${g.name}') is global and assumed valid.`);
    if (!calls.calledGlobals.includes(target)) calls.calledGlobals.push(target);
    for (let r = 0; r <= 5; r++) caller.regs[r] = NOT_INIT;
    if (!g.returnsVoid) caller.regs[0] = unknownScalar();
    return pc + 1;
  }
  if (st.frames.length >= MAX_CALL_FRAMES) throw fail(env, `the call stack of ${st.frames.length + 1} frames is too deep`, 'E2BIG');
  const callee = newFrame(pc, st.frames.length);
  callee.subprog = target;
  for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
  for (let r = 0; r <= 5; r++) caller.regs[r] = NOT_INIT;
  st.frames.push(callee);
  return target;
}

/**
 * check_resource_leak: at the program's exit or before a tail call, no lock may be held and no
 * reference left (references count only in frame 0: a subprogram may pass one back).
 */
export function checkResourceLeak(env: Env, st: VState, prefix: string, checkLock: boolean): void {
  if (checkLock && st.lock !== undefined) throw fail(env, `${prefix} cannot be used inside bpf_spin_lock-ed region`, 'EINVAL');
  if (st.frames.length > 1) return;
  if (st.refs.size === 0) return;
  for (const [id, at] of st.refs) env.log.line(`Unreleased reference id=${id} alloc_insn=${at}`);
  throw fail(env, `${prefix} would lead to reference leak`, 'EINVAL');
}

/** An exit: the slot the path goes on at, or 'done' when the path ends here. */
export function funcExit(env: Env, st: VState, calls: CallCtx): number | 'done' {
  noteStackDepths(calls, st);
  const top = st.frames[st.frames.length - 1]!;
  const r0 = top.regs[0]!;
  if (st.frames.length === 1) {
    checkResourceLeak(env, st, 'BPF_EXIT instruction in main prog', true);
    if (calls.root !== 0) {
      const g = calls.globals.get(calls.root)!;
      if (g.returnsVoid) return 'done';
      if (r0.t === 'not_init') throw fail(env, 'R0 !read_ok');
      if (r0.t !== 'scalar') throw fail(env, `At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0)})`, 'EINVAL');
      return 'done';
    }
    if (r0.t === 'not_init') throw fail(env, 'R0 !read_ok');
    return 'done';
  }
  if (r0.t === 'fp') throw fail(env, 'cannot return stack pointer to the caller', 'EINVAL');
  const callee = st.frames.pop()!;
  if (callee.callback) {
    // Back to the helper call, which may run the callback again (prepare_func_exit).
    callbackReturn(env, r0);
    return callee.callsite;
  }
  const caller = st.frames[st.frames.length - 1]!;
  caller.regs[0] = r0;
  for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
  return callee.callsite + 1;
}

/** The next called global function to check on its own, as its entry state; undefined when none is left. */
export function nextGlobal(env: Env, calls: CallCtx): VState | undefined {
  const start = calls.calledGlobals.find((s) => !calls.verifiedGlobals.has(s));
  if (start === undefined) return undefined;
  calls.verifiedGlobals.add(start);
  calls.root = start;
  const g = calls.globals.get(start)!;
  env.log.line(`Validating ${g.name}() func#${g.index}...`);
  return globalEntryState(env, g);
}

const round16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * check_max_stack_depth: walk every call chain from the entry (calls and callback pointers), adding
 * each function's depth.
 */
export function checkMaxStackDepth(env: Env, calls: CallCtx): void {
  const slots = calls.slots;
  const endOf = (start: number): number => calls.starts.find((s) => s > start) ?? slots.length;
  const walk = (fn: number, depthBefore: number, frame: number): void => {
    if (fn !== 0 && calls.tailCallers.has(fn) && depthBefore >= 256) {
      throw env.log.fail('EACCES', `tail_calls are not allowed when call stack of previous frames is ${depthBefore} bytes. Too large`);
    }
    const depth = depthBefore + round16(calls.depth.get(fn) ?? 0);
    if (depth > MAX_BPF_STACK) throw env.log.fail('EACCES', `combined stack size of ${frame + 1} calls is ${depth}. Too large`);
    for (let i = fn; i < endOf(fn); i++) {
      const s = slots[i]!;
      if (!isPseudoCall(s) && !isPseudoFunc(s)) continue;
      if (frame + 1 >= MAX_CALL_FRAMES) throw env.log.fail('E2BIG', `the call stack of ${frame + 1} frames is too deep !`);
      walk(calleeOf(s, i), depth, frame + 1);
    }
  };
  walk(0, 0, 0);
}
