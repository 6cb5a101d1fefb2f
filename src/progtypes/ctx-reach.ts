/**
 * How far into its context a program reads: the kernel's prog->aux->max_ctx_offset, which the
 * verifier records and BPF_PROG_TEST_RUN of a raw tracepoint checks ctx_size_in against.
 *
 * Until tsbpf's verifier records it, this is a small forward analysis of its own: which registers
 * (and 8-byte stack slots) hold the context pointer plus a known offset, through moves, constant
 * additions, spills and fills, joined over the control-flow graph; every load through such a
 * register counts. Calls clobber r1-r5 as in the kernel.
 */
import type { Insn } from '../isa/insn.js';
import { isLddw, slotOffsets } from '../isa/insn.js';

/** Register or stack slot state: the context plus an offset, or unknown. */
type Val = number | undefined;

interface State {
  regs: Val[];
  /** Stack slots (8-byte aligned offsets from r10) that hold a spilled context pointer. */
  stack: Map<number, number>;
}

const CLS_LDX = 0x01, CLS_STX = 0x03, CLS_ALU64 = 0x07, CLS_JMP = 0x05, CLS_JMP32 = 0x06;
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

function cloneState(s: State): State {
  return { regs: s.regs.slice(), stack: new Map(s.stack) };
}

function joinInto(into: State, from: State): boolean {
  let changed = false;
  for (let r = 0; r < 11; r++) {
    if (into.regs[r] !== undefined && into.regs[r] !== from.regs[r]) {
      into.regs[r] = undefined;
      changed = true;
    }
  }
  for (const [k, v] of into.stack) {
    if (from.stack.get(k) !== v) {
      into.stack.delete(k);
      changed = true;
    }
  }
  return changed;
}

/** The byte just past the furthest context read (0 when the program never reads its context). */
export function maxContextReach(insns: readonly Insn[]): number {
  const offsets = slotOffsets(insns);
  const bySlot = new Map<number, number>();
  offsets.forEach((s, i) => bySlot.set(s, i));
  const states: (State | undefined)[] = new Array(insns.length).fill(undefined);
  const entry: State = { regs: new Array(11).fill(undefined), stack: new Map() };
  entry.regs[1] = 0;
  states[0] = entry;
  const work: number[] = [0];
  let reach = 0;
  const flow = (to: number, s: State): void => {
    if (to < 0 || to >= insns.length) return;
    const have = states[to];
    if (have === undefined) {
      states[to] = cloneState(s);
      work.push(to);
    } else if (joinInto(have, s)) {
      work.push(to);
    }
  };
  let guard = 0;
  while (work.length > 0 && guard++ < 200_000) {
    const i = work.pop()!;
    const s = cloneState(states[i]!);
    const insn = insns[i]!;
    const cls = insn.code & 7;
    const next = i + 1;
    if (cls === CLS_LDX) {
      const size = SIZE_BYTES[insn.code & 0x18] ?? 8;
      const base = s.regs[insn.src];
      if (base !== undefined) reach = Math.max(reach, base + insn.off + size);
      const fromStack = insn.src === 10 && size === 8 ? s.stack.get(insn.off) : undefined;
      s.regs[insn.dst] = fromStack;
      flow(next, s);
      continue;
    }
    if (cls === CLS_STX && (insn.code & 0xe0) === 0x60) {
      if (insn.dst === 10) {
        const v = s.regs[insn.src];
        if (v !== undefined && (insn.code & 0x18) === 0x18) s.stack.set(insn.off, v);
        else s.stack.delete(insn.off);
      }
      flow(next, s);
      continue;
    }
    if (cls === CLS_ALU64) {
      const op = insn.code & 0xf0, k = (insn.code & 0x08) === 0;
      const d = s.regs[insn.dst];
      if (op === 0xb0) s.regs[insn.dst] = k ? undefined : s.regs[insn.src];
      else if (op === 0x00 && k && d !== undefined) s.regs[insn.dst] = d + insn.imm;
      else if (op === 0x10 && k && d !== undefined) s.regs[insn.dst] = d - insn.imm;
      else s.regs[insn.dst] = undefined;
      flow(next, s);
      continue;
    }
    if (cls === CLS_JMP || cls === CLS_JMP32) {
      const op = insn.code & 0xf0;
      if (op === 0x90) continue; // exit
      if (op === 0x80) {
        for (let r = 0; r <= 5; r++) s.regs[r] = undefined;
        flow(next, s);
        continue;
      }
      const target = bySlot.get(offsets[i]! + 1 + (op === 0x00 && cls === CLS_JMP32 ? insn.imm : insn.off));
      if (target !== undefined) flow(target, s);
      if (op !== 0x00) flow(next, s);
      continue;
    }
    // lddw, ALU32, ST and the rest: the destination no longer holds the context.
    if (isLddw(insn) || cls === 0x04 || cls === 0x00) s.regs[insn.dst] = undefined;
    flow(next, s);
  }
  return reach;
}
