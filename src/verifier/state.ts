/**
 * The verifier's abstract state (the kernel's bpf_reg_state / bpf_func_state / bpf_verifier_state):
 * what each register holds, each frame's 512-byte stack in 8-byte slots, the call frames and the
 * references a path holds. States are plain data, copied at branches; `regSafe` / `stateIncludes`
 * are the subsumption test of pruning and `regsEqual` the exact one of loop detection.
 */
import { Scalar } from './scalar.js';
import type { Btf } from '../btf/index.js';
import type { Marks } from './precision.js';

export const MAX_BPF_STACK = 512;
export const SLOTS = MAX_BPF_STACK / 8;
export const MAX_CALL_FRAMES = 8;

/** A pointer's offset: a constant part (`off`) and a variable part (`var`, a scalar). */
export interface PtrOff {
  off: number;
  var: Scalar;
}

export type Reg =
  | { t: 'not_init' }
  /** `delta`: linked to the registers of the same id, this much above them (see linked-regs.ts). */
  | { t: 'scalar'; v: Scalar; id: number; delta?: number }
  | ({ t: 'ctx' } & PtrOff)
  | ({ t: 'fp'; frame: number } & PtrOff)
  | { t: 'map_ptr'; map: number }
  /** `ptrToMap`: a lookup in a map of maps, which is the inner map (index) once checked for NULL. */
  | ({ t: 'map_value'; map: number; id: number; nullable: boolean; ptrToMap?: number } & PtrOff)
  | ({ t: 'pkt' | 'pkt_meta'; id: number; range: number } & PtrOff)
  | { t: 'pkt_end' }
  | ({ t: 'mem'; size: number; id: number; nullable: boolean; ringbuf: boolean } & PtrOff)
  | { t: 'func'; target: number }
  /** A kernel object typed by BTF (tracing programs, btf-ptr.ts): struct `typeId` of `btf`. */
  | ({ t: 'btf_id'; btf: Btf; typeId: number; trusted?: boolean } & PtrOff);

export type PtrReg = Exclude<Reg, { t: 'not_init' } | { t: 'scalar' }>;

export const NOT_INIT: Reg = { t: 'not_init' };
export const scalarReg = (v: Scalar, id = 0): Reg => ({ t: 'scalar', v, id });
export const unknownScalar = (): Reg => scalarReg(Scalar.unknown());
export const ZERO_OFF = (): PtrOff => ({ off: 0, var: Scalar.const(0n) });

/** The kernel's reg_type_str. */
export function regTypeStr(r: Reg): string {
  switch (r.t) {
    case 'not_init': return '?';
    case 'scalar': return 'scalar';
    case 'fp': return 'fp';
    case 'map_value': return r.nullable ? 'map_value_or_null' : 'map_value';
    case 'mem': return (r.ringbuf ? 'ringbuf_' : '') + 'mem' + (r.nullable ? '_or_null' : '');
    case 'btf_id': return r.trusted ? 'trusted_ptr_' : 'ptr_';
    default: return r.t;
  }
}

export const isPtr = (r: Reg): r is PtrReg => r.t !== 'not_init' && r.t !== 'scalar';

/** One byte of a stack slot: invalid (never written), misc (data), zero. */
export type StackByte = 'i' | 'm' | 'z';

export interface StackSlot {
  bytes: StackByte[];
  /** A register spilled by an aligned store at the slot's start, and its size in bytes. */
  spill?: Reg;
  spillSize?: number;
}

export interface Frame {
  regs: Reg[];
  stack: StackSlot[];
  /** The slot of the call instruction that made this frame (-1 for the entry). */
  callsite: number;
  /** The first slot of the function this frame runs (calls.ts: stack depth per function). */
  subprog?: number;
  /** A callback run by a helper (bpf_loop...): its return value range is checked, it returns to the call. */
  callback?: boolean;
  /** Callback iterations run so far from the helper call this frame is at (the kernel's callback_depth). */
  cbDepth?: number;
  /** The widened entry states of callback iterations past the unrolled ones (callbacks.ts). */
  cbWidened?: VState[];
  /** The state that entered the previous callback iteration from this call (callbacks.ts). */
  cbPrev?: VState;
}

export interface VState {
  frames: Frame[];
  pc: number;
  /** Acquired references (ringbuf records): id -> allocating slot. */
  refs: Map<number, number>;
  /** The bpf_spin_lock held (helpers-check.ts): the map value's id, or undefined. */
  lock?: number;
}

export const emptySlot = (): StackSlot => ({ bytes: ['i', 'i', 'i', 'i', 'i', 'i', 'i', 'i'] });

export function newFrame(callsite: number, frameNo: number): Frame {
  const regs: Reg[] = Array.from({ length: 11 }, () => NOT_INIT);
  regs[10] = { t: 'fp', frame: frameNo, ...ZERO_OFF() };
  return { regs, stack: Array.from({ length: SLOTS }, emptySlot), callsite };
}

export function cloneState(s: VState): VState {
  return {
    pc: s.pc,
    refs: new Map(s.refs),
    ...(s.lock !== undefined ? { lock: s.lock } : {}),
    frames: s.frames.map((f) => ({
      callsite: f.callsite,
      ...(f.subprog !== undefined ? { subprog: f.subprog } : {}),
      ...(f.callback ? { callback: true } : {}),
      ...(f.cbDepth ? { cbDepth: f.cbDepth } : {}),
      ...(f.cbWidened ? { cbWidened: f.cbWidened } : {}),
      ...(f.cbPrev ? { cbPrev: f.cbPrev } : {}),
      regs: f.regs.slice(),
      // Slots are never changed in place (stack.ts writes copies), so states can share them.
      stack: f.stack.slice(),
    })),
  };
}

/** Every register and spilled register of every frame, for id-wide updates. */
export function forEachReg(s: VState, fn: (r: Reg) => Reg): void {
  for (const f of s.frames) {
    for (let i = 0; i < f.regs.length; i++) f.regs[i] = fn(f.regs[i]!);
    const stack = f.stack;
    for (let i = 0; i < stack.length; i++) {
      const sl = stack[i]!;
      if (!sl.spill) continue;
      const r = fn(sl.spill);
      if (r !== sl.spill) stack[i] = { bytes: sl.bytes, spill: r, spillSize: sl.spillSize };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison for pruning

type IdMap = Map<number, number>;

/** Pointer ids: zero only matches zero; others must map old -> cur consistently. */
function idOk(old: number, cur: number, m: IdMap): boolean {
  if (old === 0 && cur === 0) return true;
  if (old === 0 || cur === 0) return false;
  const seen = m.get(old);
  if (seen === undefined) { m.set(old, cur); return true; }
  return seen === cur;
}

let freshId = 0;

/**
 * Scalar ids (check_scalar_ids): registers linked in `old` must be linked the same way in `cur`.
 * An unlinked old register (id 0) asks nothing; an unlinked current one is a link of its own.
 */
function scalarIdOk(old: number, cur: number, m: IdMap): boolean {
  if (old === 0) return true;
  return idOk(old, cur === 0 ? --freshId : cur, m);
}

export const scalarEq = (a: Scalar, b: Scalar): boolean =>
  a.var.value === b.var.value && a.var.mask === b.var.mask && a.smin === b.smin && a.smax === b.smax &&
  a.umin === b.umin && a.umax === b.umax && a.s32min === b.s32min && a.s32max === b.s32max &&
  a.u32min === b.u32min && a.u32max === b.u32max;

/**
 * Is every concrete state `cur` describes also described by `old` (regsafe)? `exact`: identical.
 * A scalar that is not `precise` in `old` (no check below it read its bounds) covers any scalar.
 */
export function regSafe(old: Reg, cur: Reg, m: IdMap, exact: boolean, precise = true): boolean {
  if (old === cur && !exact) return true;
  if (old.t === 'not_init') return exact ? cur.t === 'not_init' : true;
  if (old.t !== cur.t) return false;
  if (old.t === 'scalar') {
    const c = cur as typeof old;
    if (exact) return scalarEq(old.v, c.v) && idOk(old.id, c.id, m) && old.delta === c.delta;
    if (!precise) return true;
    return old.v.includes(c.v) && scalarIdOk(old.id, c.id, m) && (old.id === 0 || old.delta === c.delta);
  }
  const o = old as Record<string, unknown>, c = cur as Record<string, unknown>;
  for (const k in o) {
    const a = o[k], b = c[k];
    if (k === 'id') { if (!idOk(a as number, b as number, m)) return false; continue; }
    if (k === 'range') { if (exact ? a !== b : (a as number) > (b as number)) return false; continue; }
    if (a instanceof Scalar) { if (a !== b && !scalarEq(a, b as Scalar)) return false; continue; }
    if (a !== b) return false;
  }
  return true;
}

function slotSafe(old: StackSlot, cur: StackSlot, m: IdMap, exact: boolean, precise: boolean): boolean {
  if (old === cur && !exact) return true;
  if (old.spill) {
    if (!cur.spill || cur.spillSize !== old.spillSize) {
      // A spilled scalar no check depended on, or an unknown one, is as good as initialized bytes.
      return !exact && old.spill.t === 'scalar' && old.spillSize === 8 && (!precise || old.spill.v.includes(Scalar.unknown())) &&
        (cur.spill ? cur.spill.t === 'scalar' : cur.bytes.every((b) => b !== 'i'));
    }
    return regSafe(old.spill, cur.spill, m, exact, precise);
  }
  for (let i = 0; i < 8; i++) {
    const a = old.bytes[i]!, b = cur.spill ? (cur.spillSize === 8 || i < cur.spillSize! ? 'm' : cur.bytes[i]!) : cur.bytes[i]!;
    if (exact) { if (a !== b || cur.spill) return false; continue; }
    if (a === 'i') continue;
    if (a === 'm' && b !== 'i') continue;
    if (a === 'z' && b === 'z') continue;
    return false;
  }
  return true;
}

/** What pruning knows of the explored state besides its registers and stack. */
export interface CoverInfo {
  /** Its precise scalars (precision.ts); without it every scalar is compared by value. */
  marks?: Marks;
  /** Per frame, the registers live there (bit r); a dead register is not compared. */
  live?: readonly number[];
}

/**
 * states_equal: `old` (already verified safe) covers `cur`; or with `exact`, they are the same
 * (the test for an infinite loop, which compares every register).
 */
export function stateCovers(old: VState, cur: VState, exact: boolean, info: CoverInfo = {}): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  if (old.refs.size !== cur.refs.size) return false;
  if ((old.lock === undefined) !== (cur.lock === undefined)) return false;
  const marks = exact ? undefined : info.marks;
  const allPrecise = exact || !marks || marks.all;
  const m: IdMap = new Map();
  // The top frame first: it changes most, so a difference shows soonest.
  for (let fi = old.frames.length - 1; fi >= 0; fi--) {
    const a = old.frames[fi]!, b = cur.frames[fi]!;
    if (a.callsite !== b.callsite) return false;
    // Another callback iteration is progress, not a loop (the kernel's callback_unroll_depth).
    if (exact && (a.cbDepth ?? 0) !== (b.cbDepth ?? 0)) return false;
    const live = exact ? -1 : info.live?.[fi] ?? -1;
    const pregs = allPrecise ? -1 : marks!.regs[fi]!;
    for (let r = 0; r < 11; r++) {
      if (!(live & (1 << r))) continue;
      if (!regSafe(a.regs[r]!, b.regs[r]!, m, exact, (pregs & (1 << r)) !== 0)) return false;
    }
    if (a.stack === b.stack && !exact) continue;
    for (let s = 0; s < SLOTS; s++) {
      if (!slotSafe(a.stack[s]!, b.stack[s]!, m, exact, allPrecise || marks!.hasSlot(fi, s))) return false;
    }
  }
  return true;
}
