/**
 * The control-flow checks that run before any state is explored (check_subprogs, then check_cfg in
 * kernel/bpf/verifier.c): functions, jump ranges, then a depth-first walk from slot 0 over every edge
 * (fallthrough, jump, call into the callee and return to the next slot, function pointers). After the
 * walk, a slot never reached is "unreachable", a reached second half of an lddw is a jump into its
 * middle.
 *
 * Loops: a back-edge (an edge to a slot still on the walk's stack) is refused only for loaders that
 * are not bpf_capable, as the kernel does; for privileged loads (the default) its target is recorded
 * as a loop head and the loop is left to state exploration, which is where the kernel finds that a
 * loop such as `goto -1` never ends ("infinite loop detected at insn N"). A call back into a function
 * still on the walk (recursion) is such an edge too: Linux 6.18 lets it through here and refuses it in
 * exploration ("the call stack of 9 frames is too deep", E2BIG); test/verifier-cfg.test.ts checks both.
 */
import type { Insn } from '../isa/insn.js';
import { JMP, opOf } from '../isa/opcodes.js';
import { MSG, VerifierLog } from './log.js';
import {
  type Slot, type Subprog, calleeOf, checkSubprogs, findSubprogStarts, isJmpClass, isLdimm64, isPseudoCall,
  isPseudoFunc, jumpTarget, toSlots,
} from './subprogs.js';

export interface CfgOptions {
  /** The loader is bpf_capable (CAP_BPF or root): bounded loops are allowed. Default true. */
  privileged?: boolean;
  /** Log to append to (a fresh level-1 log by default). */
  log?: VerifierLog;
}

export interface Cfg {
  /** Functions in slot order; subprogs[0] is the entry. */
  subprogs: Subprog[];
  /** Targets of back-edges found by the walk, sorted: where state exploration must watch for loops. */
  loopHeads: number[];
  /** The back-edges themselves, in the order the walk found them. */
  backEdges: { from: number; to: number }[];
  /** Successors of each slot (a call: the next slot, then the callee); [] for an exit and an lddw's second slot. */
  succ: number[][];
  /** The slots, as the kernel numbers them (an lddw takes two). */
  slots: Slot[];
  /** The log the checks wrote to. */
  log: VerifierLog;
}

// Edge kinds and slot states of the walk, as the kernel encodes them.
const FALLTHROUGH = 1;
const BRANCH = 2;
const DISCOVERED = 0x10;
const EXPLORED = 0x20;

const DONE = 0;
const KEEP = 1;

/** The edges out of a slot in the order the kernel's visit_insn pushes them. */
function edges(s: Slot, t: number): { to: number; kind: number }[] {
  if (isPseudoFunc(s) || isPseudoCall(s)) {
    const next = t + (isLdimm64(s) ? 2 : 1);
    return [{ to: next, kind: FALLTHROUGH }, { to: calleeOf(s, t), kind: BRANCH }];
  }
  if (!isJmpClass(s)) return [{ to: t + (isLdimm64(s) ? 2 : 1), kind: FALLTHROUGH }];
  const op = opOf(s.code);
  if (op === JMP.EXIT) return [];
  if (op === JMP.CALL) return [{ to: t + 1, kind: FALLTHROUGH }];
  if (op === JMP.JA) return [{ to: jumpTarget(s, t), kind: FALLTHROUGH }];
  return [{ to: t + 1, kind: FALLTHROUGH }, { to: jumpTarget(s, t), kind: BRANCH }];
}

/**
 * Check the program's functions and control flow as the kernel does before exploring states; return
 * the functions, the loop heads and the successor lists, or throw a VerifierError whose log ends with
 * the kernel's message (errno EINVAL for every refusal here, E2BIG for too many functions).
 */
export function analyzeCfg(insns: readonly Insn[] | readonly Slot[], opts: CfgOptions = {}): Cfg {
  const log = opts.log ?? new VerifierLog();
  const privileged = opts.privileged ?? true;
  const slots = isSlotArray(insns) ? insns.slice() : toSlots(insns as readonly Insn[]);
  const n = slots.length;
  if (n === 0) throw log.fail('EINVAL', MSG.lastInsnNotExit());

  const subprogs = checkSubprogs(slots, findSubprogStarts(slots, log), log);

  const succ: number[][] = slots.map((s, t) => edges(s, t).map((e) => e.to));
  // The second half of an lddw has no edges of its own: it is only ever reached by a bad jump.
  slots.forEach((s, t) => {
    if (isLdimm64(s) && t + 1 < n) succ[t + 1] = [];
  });

  const state = new Uint8Array(n);
  const backEdges: { from: number; to: number }[] = [];
  const stack: number[] = [0];
  state[0] = DISCOVERED;

  // One edge t -> w of kind e (the kernel's push_insn).
  const push = (t: number, w: number, e: number): number => {
    if (state[t]! >= (DISCOVERED | e)) return DONE;
    if (w < 0 || w >= n) throw log.fail('EINVAL', MSG.jumpOutOfRange(t, w), t);
    if (state[w] === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack.push(w);
      return KEEP;
    }
    if ((state[w]! & 0xf0) === DISCOVERED) {
      if (!privileged) throw log.fail('EINVAL', MSG.backEdge(t, w), t);
      backEdges.push({ from: t, to: w });
      return DONE;
    }
    state[t] = DISCOVERED | e;
    return DONE;
  };

  while (stack.length > 0) {
    const t = stack[stack.length - 1]!;
    // The second slot of an lddw (code 0, a plain load class) falls through, as in the kernel.
    const es = edges(slots[t]!, t);
    let r = DONE;
    for (const e of es) {
      r = push(t, e.to, e.kind);
      if (r !== DONE) break;
    }
    if (r === DONE) {
      state[t] = EXPLORED;
      stack.pop();
    }
  }

  for (let i = 0; i < n; i++) {
    if (state[i] !== EXPLORED) throw log.fail('EINVAL', MSG.unreachableInsn(i), i);
    if (isLdimm64(slots[i]!)) {
      if (i + 1 < n && state[i + 1] !== 0) throw log.fail('EINVAL', MSG.jumpIntoLdimm64(i), i);
      i++;
    }
  }

  const loopHeads = [...new Set(backEdges.map((b) => b.to))].sort((a, b) => a - b);
  return { subprogs, loopHeads, backEdges, succ, slots, log };
}

function isSlotArray(x: readonly Insn[] | readonly Slot[]): x is readonly Slot[] {
  // An Insn has dst; a Slot does not.
  return x.length > 0 && !('dst' in x[0]!);
}

