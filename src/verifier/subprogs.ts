/**
 * Subprograms, as the kernel finds them before anything else is checked (add_subprog_and_kfunc and
 * check_subprogs in kernel/bpf/verifier.c): function 0 starts at slot 0, every bpf-to-bpf call
 * (`call pc+N`, src 1) and every function pointer (`r1 = subprog[+N]`, lddw src 4) starts another at
 * its target; each function ends one slot before the next begins. Then no jump may leave its function
 * and no function may fall through its end.
 *
 * Everything here counts in slots, like the kernel: an lddw is two slots, its second one has code 0.
 * The checks read the raw opcode fields, not `classify`: they run before the kernel looks at what an
 * instruction means, so a malformed encoding is the business of a later pass.
 */
import type { Insn } from '../isa/insn.js';
import { CALL_KIND, CLASS, JMP, LDDW_CODE, PSEUDO, cls, opOf } from '../isa/opcodes.js';
import { MSG, type VerifierLog } from './log.js';

/** One 8-byte slot's fields; the second slot of an lddw has code 0 and the upper immediate. */
export interface Slot {
  code: number;
  src: number;
  off: number;
  imm: number;
}

/** A function: slots `start` .. `end - 1`. */
export interface Subprog {
  start: number;
  end: number;
}

/** The kernel's BPF_MAX_SUBPROGS. */
export const MAX_SUBPROGS = 256;

const JA_CODE = CLASS.JMP | JMP.JA;
const JA32_CODE = CLASS.JMP32 | JMP.JA;
const EXIT_CODE = CLASS.JMP | JMP.EXIT;
const CALL_CODE = CLASS.JMP | JMP.CALL;

/** The program as the kernel sees it: one entry per 8-byte slot. */
export function toSlots(insns: readonly Insn[]): Slot[] {
  const out: Slot[] = [];
  for (const i of insns) {
    out.push({ code: i.code, src: i.src, off: i.off, imm: i.imm });
    if (i.code === LDDW_CODE) out.push({ code: 0, src: 0, off: 0, imm: i.imm2 ?? 0 });
  }
  return out;
}

export const isLdimm64 = (s: Slot): boolean => s.code === LDDW_CODE;
/** `r = subprog[+N]`: a function pointer (bpf_pseudo_func). */
export const isPseudoFunc = (s: Slot): boolean => s.code === LDDW_CODE && s.src === PSEUDO.FUNC;
/** `call pc+N`: a bpf-to-bpf call (bpf_pseudo_call). */
export const isPseudoCall = (s: Slot): boolean => s.code === CALL_CODE && s.src === CALL_KIND.LOCAL;
export const isJmpClass = (s: Slot): boolean => cls(s.code) === CLASS.JMP || cls(s.code) === CLASS.JMP32;
export const isExit = (s: Slot): boolean => s.code === EXIT_CODE;
export const isJa = (s: Slot): boolean => s.code === JA_CODE || s.code === JA32_CODE;
export const isCall = (s: Slot): boolean => cls(s.code) === CLASS.JMP && opOf(s.code) === JMP.CALL;
/** A jump-class slot that is a jump (not a call or an exit, in either class), as check_subprogs sees it. */
export const isJumpish = (s: Slot): boolean => isJmpClass(s) && opOf(s.code) !== JMP.EXIT && opOf(s.code) !== JMP.CALL;

/** The slot a jump lands on: `gotol` keeps its offset in imm, every other jump in off. */
export function jumpTarget(s: Slot, at: number): number {
  return at + 1 + (s.code === JA32_CODE ? s.imm : s.off);
}

/** The slot a local call or function pointer names. */
export const calleeOf = (s: Slot, at: number): number => at + 1 + s.imm;

/**
 * The function starts, sorted (add_subprog_and_kfunc): slot 0 and every call or function-pointer
 * target. A target outside the program is refused here, before any other check.
 */
export function findSubprogStarts(slots: readonly Slot[], log: VerifierLog): number[] {
  const starts = new Set<number>();
  const add = (off: number): void => {
    if (off < 0 || off >= slots.length) throw log.fail('EINVAL', MSG.callToInvalidDestination());
    if (starts.has(off)) return;
    if (starts.size >= MAX_SUBPROGS) throw log.fail('E2BIG', MSG.tooManySubprograms());
    starts.add(off);
  };
  add(0);
  slots.forEach((s, i) => {
    if (isPseudoFunc(s) || isPseudoCall(s)) add(calleeOf(s, i));
  });
  const sorted = [...starts].sort((a, b) => a - b);
  sorted.forEach((start, i) => log.verbose(MSG.funcStart(i, start)));
  return sorted;
}

/**
 * check_subprogs: every jump stays inside its function, and each function's last slot is an exit or
 * an unconditional jump. Calls and exits are not jumps here; the callee was checked by findSubprogStarts.
 */
export function checkSubprogs(slots: readonly Slot[], starts: readonly number[], log: VerifierLog): Subprog[] {
  const subprogs: Subprog[] = starts.map((start, i) => ({ start, end: starts[i + 1] ?? slots.length }));
  let cur = 0;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const fn = subprogs[cur]!;
    if (isJumpish(s)) {
      const to = jumpTarget(s, i);
      if (to < fn.start || to >= fn.end) throw log.fail('EINVAL', MSG.jumpOutOfRange(i, to), i);
    }
    if (i === fn.end - 1) {
      if (!isExit(s) && !isJa(s)) throw log.fail('EINVAL', MSG.lastInsnNotExit(), i);
      cur++;
    }
  }
  return subprogs;
}
