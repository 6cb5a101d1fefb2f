/**
 * The verifier's abstract state (the kernel's bpf_reg_state / bpf_func_state / bpf_verifier_state):
 * what each register holds, each frame's 512-byte stack in 8-byte slots, the call frames and the
 * references a path holds. States are plain data, copied at branches; `regSafe` / `stateIncludes`
 * are the subsumption test of pruning and `regsEqual` the exact one of loop detection.
 */
import { Scalar } from './scalar.js';

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
  | { t: 'scalar'; v: Scalar; id: number }
  | ({ t: 'ctx' } & PtrOff)
  | ({ t: 'fp'; frame: number } & PtrOff)
  | { t: 'map_ptr'; map: number }
  /** `ptrToMap`: a lookup in a map of maps, which is the inner map (index) once checked for NULL. */
  | ({ t: 'map_value'; map: number; id: number; nullable: boolean; ptrToMap?: number } & PtrOff)
  | ({ t: 'pkt' | 'pkt_meta'; id: number; range: number } & PtrOff)
  | { t: 'pkt_end' }
  | ({ t: 'mem'; size: number; id: number; nullable: boolean; ringbuf: boolean } & PtrOff)
  | { t: 'func'; target: number };

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
}

export interface VState {
  frames: Frame[];
  pc: number;
  /** Acquired references (ringbuf records): id -> allocating slot. */
  refs: Map<number, number>;
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
    frames: s.frames.map((f) => ({
      callsite: f.callsite,
      regs: f.regs.slice(),
      stack: f.stack.map((sl) => ({ bytes: sl.bytes.slice(), spill: sl.spill, spillSize: sl.spillSize })),
    })),
  };
}

/** Every register and spilled register of every frame, for id-wide updates. */
export function forEachReg(s: VState, fn: (r: Reg) => Reg): void {
  for (const f of s.frames) {
    for (let i = 0; i < f.regs.length; i++) f.regs[i] = fn(f.regs[i]!);
    for (const sl of f.stack) if (sl.spill) sl.spill = fn(sl.spill);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison for pruning

type IdMap = Map<number, number>;

function idOk(old: number, cur: number, m: IdMap): boolean {
  if (old === 0 && cur === 0) return true;
  if (old === 0 || cur === 0) return false;
  const seen = m.get(old);
  if (seen === undefined) { m.set(old, cur); return true; }
  return seen === cur;
}

const scalarEq = (a: Scalar, b: Scalar): boolean =>
  a.var.value === b.var.value && a.var.mask === b.var.mask && a.smin === b.smin && a.smax === b.smax &&
  a.umin === b.umin && a.umax === b.umax && a.s32min === b.s32min && a.s32max === b.s32max &&
  a.u32min === b.u32min && a.u32max === b.u32max;

/** Is every concrete state `cur` describes also described by `old` (regsafe)? `exact`: identical. */
export function regSafe(old: Reg, cur: Reg, m: IdMap, exact: boolean): boolean {
  if (old.t === 'not_init') return exact ? cur.t === 'not_init' : true;
  if (old.t !== cur.t) return false;
  if (old.t === 'scalar') {
    const c = cur as typeof old;
    return exact ? scalarEq(old.v, c.v) : old.v.includes(c.v);
  }
  const o = old as Record<string, unknown>, c = cur as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const a = o[k], b = c[k];
    if (k === 'id') { if (!idOk(a as number, b as number, m)) return false; continue; }
    if (k === 'range') { if (exact ? a !== b : (a as number) > (b as number)) return false; continue; }
    if (a instanceof Scalar) { if (!scalarEq(a, b as Scalar)) return false; continue; }
    if (a !== b) return false;
  }
  return true;
}

function slotSafe(old: StackSlot, cur: StackSlot, m: IdMap, exact: boolean): boolean {
  if (old.spill) {
    if (!cur.spill || cur.spillSize !== old.spillSize) {
      // A spilled unknown scalar is as good as initialized bytes.
      return !exact && old.spill.t === 'scalar' && old.spillSize === 8 && old.spill.v.includes(Scalar.unknown()) &&
        cur.bytes.every((b) => b !== 'i');
    }
    return regSafe(old.spill, cur.spill, m, exact);
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

/** states_equal: `old` (already verified safe) covers `cur`; or with `exact`, they are the same. */
export function stateCovers(old: VState, cur: VState, exact: boolean): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  if (old.refs.size !== cur.refs.size) return false;
  const m: IdMap = new Map();
  for (let fi = 0; fi < old.frames.length; fi++) {
    const a = old.frames[fi]!, b = cur.frames[fi]!;
    if (a.callsite !== b.callsite) return false;
    for (let r = 0; r < 11; r++) if (!regSafe(a.regs[r]!, b.regs[r]!, m, exact)) return false;
    for (let s = 0; s < SLOTS; s++) if (!slotSafe(a.stack[s]!, b.stack[s]!, m, exact)) return false;
  }
  return true;
}
