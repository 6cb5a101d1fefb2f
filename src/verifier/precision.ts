/**
 * Precision tracking (the kernel's mark_chain_precision / backtrack_insn / propagate_precision).
 *
 * Pruning compares a new state with one explored to the end. Most scalars never decide anything
 * (an accumulator, a hash): for those, any value is as good as any other, and requiring the same
 * bounds would keep loop iterations and the two sides of every branch apart. A scalar is *precise*
 * when some check on a path below a state read its bounds: an offset added to a pointer, a helper's
 * size argument, a branch the bounds decided, a callback's return value. Only precise scalars are
 * compared by value; the others just have to be scalars.
 *
 * When a check needs register r precise, the instructions of the path are walked backwards from
 * there (the path's history, then each ancestor checkpoint's) and the need moves to what r was
 * computed from: `r = s` moves it to s, `r += s` adds s, `r = K` or a load from memory ends it, a
 * fill from the stack moves it to the stack slot and the spill that filled the slot moves it to the
 * spilled register. Each checkpoint passed on the way records what was still needed there: those
 * are its precise registers and slots. The walk stops when nothing is left to find or a checkpoint
 * already had it all. Where the walk cannot follow (a callback entered from a helper), every scalar
 * of every checkpoint above is made precise instead, as the kernel's mark_all_scalars_precise does.
 *
 * History entries are numbers: slot + 2^20 * depth + 2^24 * extra. `extra` is, for a load or store
 * through a stack pointer at a constant offset, 1 + frame * 64 + slot index; for a conditional jump
 * on linked scalars (same id), the mask of the top frame's registers linked to its operands, with
 * bit 11 set when the link also reaches stack slots or other frames.
 */
import type { Insn, InsnForm } from '../isa/insn.js';
import { SLOTS, MAX_CALL_FRAMES, type Reg, type VState } from './state.js';

const PC_SPAN = 2 ** 20;
const DEPTH_SPAN = 2 ** 4;
const EXTRA_UNIT = PC_SPAN * DEPTH_SPAN;
/** In a jump's link mask: the link reaches stack slots or other frames (backtracking gives up there). */
export const LINK_FAR = 1 << 11;

export const histEntry = (pc: number, depth: number, extra = 0): number => pc + PC_SPAN * depth + EXTRA_UNIT * extra;

/** The slot index (0 = fp-512, 63 = fp-8) of a frame-relative byte offset, as stack.ts numbers slots. */
export const spiOf = (off: number): number => Math.floor((SLOTS * 8 + off) / 8);
export const stackExtra = (frame: number, spi: number): number => 1 + frame * SLOTS + spi;

/** Precise registers and stack slots per frame. */
export class Marks {
  readonly regs = new Int32Array(MAX_CALL_FRAMES);
  /** Slot bits: slots 0-31 in lo, 32-63 in hi. */
  readonly lo = new Int32Array(MAX_CALL_FRAMES);
  readonly hi = new Int32Array(MAX_CALL_FRAMES);
  /** Every scalar counts as precise (the walk could not follow the path). */
  all = false;

  hasSlot(f: number, spi: number): boolean {
    return spi < 32 ? (this.lo[f]! & (1 << spi)) !== 0 : (this.hi[f]! & (1 << (spi - 32))) !== 0;
  }
  setSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! |= 1 << spi;
    else this.hi[f]! |= 1 << (spi - 32);
  }
  clearSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! &= ~(1 << spi);
    else this.hi[f]! &= ~(1 << (spi - 32));
  }
  isEmpty(): boolean {
    for (let f = 0; f < MAX_CALL_FRAMES; f++) if (this.regs[f] || this.lo[f] || this.hi[f]) return false;
    return true;
  }
  clearFrame(f: number): void {
    this.regs[f] = 0;
    this.lo[f] = 0;
    this.hi[f] = 0;
  }
  /** Does this hold all of `o`? */
  covers(o: Marks): boolean {
    if (this.all) return true;
    for (let f = 0; f < MAX_CALL_FRAMES; f++) {
      if ((o.regs[f]! & ~this.regs[f]!) || (o.lo[f]! & ~this.lo[f]!) || (o.hi[f]! & ~this.hi[f]!)) return false;
    }
    return true;
  }
  add(o: Marks): void {
    for (let f = 0; f < MAX_CALL_FRAMES; f++) {
      this.regs[f]! |= o.regs[f]!;
      this.lo[f]! |= o.lo[f]!;
      this.hi[f]! |= o.hi[f]!;
    }
  }
}

/** What backtracking needs of a checkpoint (verify.ts's Checkpoint has these). */
export interface PrecisionNode {
  st: VState;
  parent: PrecisionNode | undefined;
  /** The instructions run from the parent checkpoint to this one. */
  hist: readonly number[];
  marks: Marks | undefined;
}

/** The program's instructions by slot, for the walk. */
export interface PrecisionProgram {
  bySlot: readonly (Insn | undefined)[];
  forms: readonly (InsnForm | undefined)[];
}

const bit = (r: number): number => 1 << r;
const ARGS = 0b111110;
const CALLER_SAVED = 0b111111;

/**
 * Step back over one history entry. `need` is updated in place; `depth` is the frame count after
 * the entry ran. Returns the frame count before it ran, or -1 when the walk cannot go on.
 */
function backOne(prog: PrecisionProgram, e: number, need: Marks, depth: number): number {
  const pc = e % PC_SPAN;
  const at = Math.floor(e / PC_SPAN) % DEPTH_SPAN;
  const extra = Math.floor(e / EXTRA_UNIT);
  const insn = prog.bySlot[pc]!;
  const form = prog.forms[pc]!;
  if (at > depth) {
    // Going back into a callee out of its exit: the caller's r0 is the callee's; r1-r5 were clobbered.
    if (form.kind !== 'exit') return -1;
    const caller = depth - 1, callee = at - 1;
    need.regs[callee] = need.regs[caller]! & 1;
    need.regs[caller]! &= ~CALLER_SAVED;
    return at;
  }
  if (at < depth) {
    // Going back out of a callee into the call that made it: its arguments are the caller's r1-r5.
    if (form.kind !== 'call' || form.callKind !== 'local' || depth !== at + 1) return -1;
    const caller = at - 1, callee = at;
    need.regs[caller]! |= need.regs[callee]! & ARGS;
    need.clearFrame(callee);
    return at;
  }
  const f = at - 1;
  const has = (r: number): boolean => (need.regs[f]! & bit(r)) !== 0;
  const set = (r: number): void => void (need.regs[f]! |= bit(r));
  const clear = (r: number): void => void (need.regs[f]! &= ~bit(r));
  const slot = extra > 0 ? { frame: Math.floor((extra - 1) / SLOTS), spi: (extra - 1) % SLOTS } : undefined;
  switch (form.kind) {
    case 'alu':
      if (!has(insn.dst)) break;
      if (form.op.name === 'mov' || form.op.name.startsWith('movsx')) {
        clear(insn.dst);
        if (form.useReg) set(insn.src);
      } else if (form.useReg) set(insn.src);
      break;
    case 'neg':
    case 'end':
      break;
    case 'lddw':
      clear(insn.dst);
      break;
    case 'ldx':
      if (!has(insn.dst)) break;
      clear(insn.dst);
      if (slot) need.setSlot(slot.frame, slot.spi);
      break;
    case 'stx':
    case 'st':
      if (!slot || !need.hasSlot(slot.frame, slot.spi)) break;
      if (form.size === 8) need.clearSlot(slot.frame, slot.spi);
      if (form.kind === 'stx') set(insn.src);
      break;
    case 'atomic': {
      const fetched = form.op.fetch ? (form.op.name === 'cmpxchg' ? 0 : insn.src) : -1;
      const wantsFetched = fetched >= 0 && has(fetched);
      if (fetched >= 0) clear(fetched);
      if (!slot) break;
      if (wantsFetched || need.hasSlot(slot.frame, slot.spi)) {
        need.setSlot(slot.frame, slot.spi);
        set(insn.src);
        if (form.op.name === 'cmpxchg') set(0);
      }
      break;
    }
    case 'ldpkt':
      need.regs[f]! &= ~CALLER_SAVED;
      break;
    case 'call':
      // A helper (or a global function, checked on its own): r0 is new, r1-r5 are clobbered.
      need.regs[f]! &= ~CALLER_SAVED;
      break;
    case 'jcond': {
      const links = extra & ~LINK_FAR;
      const ops = bit(insn.dst) | (form.useReg ? bit(insn.src) : 0);
      const group = (form.useReg || links ? ops : 0) | links;
      if (group && (need.regs[f]! & group)) {
        if (extra & LINK_FAR) return -1;
        need.regs[f]! |= group;
      }
      break;
    }
    case 'ja':
    case 'exit':
      break;
  }
  return at;
}

/** Make every scalar of `cp` and its ancestors precise (the walk lost track). */
function markAll(cp: PrecisionNode | undefined): void {
  for (; cp; cp = cp.parent) {
    if (cp.marks?.all) return;
    (cp.marks ??= new Marks()).all = true;
  }
}

/**
 * Backtrack `need` (precision needed at the current instruction, `depth` frames deep) over `hist`
 * (this path since its checkpoint `parent`) and on up through the ancestors.
 */
export function backtrack(prog: PrecisionProgram, need: Marks, depth: number, hist: readonly number[], parent: PrecisionNode | undefined): void {
  let h = hist;
  let cp = parent;
  for (;;) {
    for (let i = h.length - 1; i >= 0; i--) {
      depth = backOne(prog, h[i]!, need, depth);
      if (depth < 0) return markAll(cp);
      if (need.isEmpty()) return;
    }
    if (!cp) return;
    if (cp.st.frames.length !== depth) return markAll(cp);
    const m = (cp.marks ??= new Marks());
    if (m.covers(need)) return;
    m.add(need);
    h = cp.hist;
    cp = cp.parent;
  }
}

/** Precision of register `r` of frame index `f`, needed now. */
export function needReg(f: number, r: number): Marks {
  const m = new Marks();
  m.regs[f] = bit(r);
  return m;
}

/**
 * What `cur` must have precise because `old` (which it was pruned against) has: its precise
 * scalar registers and spilled scalars that are scalars in `cur` too.
 */
export function inherited(old: PrecisionNode, cur: VState): Marks | 'all' | undefined {
  const m = old.marks;
  if (!m) return undefined;
  if (m.all) return 'all';
  const out = new Marks();
  const isScalar = (r: Reg | undefined): boolean => r?.t === 'scalar';
  for (let f = 0; f < cur.frames.length; f++) {
    const fr = cur.frames[f]!;
    for (let r = 0; r < 11; r++) if (m.regs[f]! & bit(r) && isScalar(fr.regs[r])) out.regs[f]! |= bit(r);
    for (let s = 0; s < SLOTS; s++) if (m.hasSlot(f, s) && isScalar(fr.stack[s]?.spill)) out.setSlot(f, s);
  }
  return out.isEmpty() ? undefined : out;
}

export { markAll };
