/**
 * A seeded generator of random XDP programs that are valid by construction (the kernel's verifier
 * must accept every one of them), for the differential tests of test/differential: the same program
 * runs in Linux (BPF_PROG_TEST_RUN) and in tsbpf's VM and the results must agree.
 *
 * Shape of a program (registers: r9 = packet start, r10 = frame pointer, r0-r8 scalars):
 *   r2 = ctx->data; r3 = ctx->data_end; r9 = r2; r2 += PKT_NEED; if r2 > r3 goto short
 *   r0..r8 = constants; the stack slots fp-8..fp-STACK_SLOTS*8 = registers/immediates
 *   body: ALU/ALU64 (every op, div/mod by registers that may be zero, sdiv/smod, movsx, bswap/le/be,
 *         neg, shifts), lddw, loads/stores (stack and packet, sign-extending loads too), atomics on
 *         the stack, forward conditional jumps (JMP/JMP32, reg/imm, every condition), bounded loops,
 *         bpf-to-bpf calls to subprograms (which read r1-r5 and return r0; r6-r9 are preserved)
 *   epilogue: r0..r8 stored into the packet at DUMP_OFF, the stack slots folded into r0, exit
 *   short:   r0 = constant; exit
 *   subprograms
 * So the whole register file reaches data_out and r0's lower half is the retval.
 */
import { encode, isLddw, lddwFromValue, slotCount, type Insn } from '../../src/isa/insn.js';
import { ALU, ATOMIC, CLASS, JMP, MODE, SIZE, SRC } from '../../src/isa/opcodes.js';
import { rng, type Rng } from './rng.js';

/** Bytes the random loads and stores may touch: packet[0, PKT_AREA). */
export const PKT_AREA = 64;
/** Where the epilogue stores r0..r8 (9 x 8 bytes). */
export const DUMP_OFF = PKT_AREA;
/** The packet bytes a program needs (else it takes the short path). */
export const PKT_NEED = DUMP_OFF + 9 * 8;
/** Plain slots fp-8..fp-8*STACK_SLOTS: loads and stores. */
const STACK_SLOTS = 8;
/** Atomic slots below them: atomics and loads only (see initAtomicSlots). */
const ATOMIC_SLOTS = 4;
const SUB_STACK_SLOTS = 4;
const SUB_ATOMIC_SLOTS = 2;

export const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/** A program being built: instructions with symbolic jump/call targets resolved at the end. */
export class Builder {
  readonly items: { insn: Insn; target?: string; call?: boolean }[] = [];
  private readonly labels = new Map<string, number>();
  private n = 0;
  fresh(p: string): string {
    return `${p}${this.n++}`;
  }
  emit(insn: Insn): void {
    this.items.push({ insn });
  }
  jump(insn: Insn, target: string): void {
    this.items.push({ insn, target });
  }
  call(target: string): void {
    this.items.push({ insn: ins(CLASS.JMP | JMP.CALL, 0, 1), target, call: true });
  }
  label(name: string): void {
    this.labels.set(name, this.items.length);
  }
  resolve(): Insn[] {
    const slots: number[] = [];
    let s = 0;
    for (const it of this.items) {
      slots.push(s);
      s += slotCount(it.insn);
    }
    slots.push(s);
    return this.items.map((it, i) => {
      if (it.target === undefined) return it.insn;
      const at = this.labels.get(it.target);
      if (at === undefined) throw new Error(`generator: label ${it.target} is not defined`);
      const rel = slots[at]! - (slots[i]! + 1);
      return it.call ? { ...it.insn, imm: rel } : { ...it.insn, off: rel };
    });
  }
}

const INTERESTING32 = [0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000, -1, -2, -8, -31, -32, -63, -64];
const INTERESTING64 = [0n, 1n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xffffffff00000000n, 0x80000000n, 0x7fffffffn, 0xffffffff80000000n];

interface Scope {
  /** Registers holding scalars that may be read and written. */
  regs: number[];
  /** Registers that must not be written here (a loop counter). */
  noWrite: Set<number>;
  stackSlots: number;
  /** Slots below the plain ones that only atomics write. */
  atomicSlots: number;
  packet: boolean;
  depth: number;
  inLoop: boolean;
  /** Subprogram labels main may call. */
  subs: string[];
  /** Instructions still allowed in this function (keeps programs and verifier work bounded). */
  budget: { left: number };
}

export interface GenOptions {
  /** Approximate number of body operations of main. */
  size?: number;
}

export interface GeneratedProgram {
  insns: Insn[];
  seed: number;
}

class Gen {
  /** The subprograms main calls (only those are emitted: an uncalled one is unreachable code). */
  readonly called = new Set<string>();
  constructor(private readonly r: Rng, private readonly b: Builder) {}

  pick<T>(a: readonly T[]): T {
    return a[this.r.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.r.next() / 0x100000000 < p;
  }
  imm32(): number {
    return this.chance(0.6) ? this.pick(INTERESTING32) : (this.r.next() | 0);
  }
  imm64(): bigint {
    return this.chance(0.4) ? this.pick(INTERESTING64) : this.r.u64();
  }
  src(s: Scope): number {
    return this.pick(s.regs);
  }
  dst(s: Scope): number | undefined {
    const w = s.regs.filter((r) => !s.noWrite.has(r));
    return w.length ? this.pick(w) : undefined;
  }

  /** dst = a random constant (mov, mov32 or lddw). */
  setConst(d: number): void {
    const k = this.r.int(3);
    if (k === 0) this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, d, 0, 0, this.imm32()));
    else if (k === 1) this.b.emit(ins(CLASS.ALU | ALU.MOV | SRC.K, d, 0, 0, this.imm32()));
    else this.b.emit(lddwFromValue(d, this.imm64()));
  }

  alu(s: Scope): void {
    const d = this.dst(s);
    if (d === undefined) return;
    const cls = this.chance(0.5) ? CLASS.ALU64 : CLASS.ALU;
    const wide = cls === CLASS.ALU64;
    const kind = this.r.int(20);
    if (kind === 0) {
      this.b.emit(ins(cls | ALU.NEG | SRC.K, d));
      return;
    }
    if (kind === 1) {
      // movsx: ALU64 from 8/16/32 bits, ALU from 8/16.
      const off = wide ? this.pick([8, 16, 32]) : this.pick([8, 16]);
      this.b.emit(ins(cls | ALU.MOV | SRC.X, d, this.src(s), off));
      return;
    }
    if (kind === 2) {
      const width = this.pick([16, 32, 64]);
      if (wide) this.b.emit(ins(CLASS.ALU64 | ALU.END | SRC.K, d, 0, 0, width)); // bswap
      else this.b.emit(ins(CLASS.ALU | ALU.END | (this.chance(0.5) ? SRC.X : SRC.K), d, 0, 0, width)); // be / le
      return;
    }
    if (kind === 3) {
      this.b.emit(lddwFromValue(d, this.imm64()));
      return;
    }
    const ops: [number, number][] = [
      [ALU.ADD, 0], [ALU.SUB, 0], [ALU.MUL, 0], [ALU.DIV, 0], [ALU.DIV, 1], [ALU.OR, 0], [ALU.AND, 0],
      [ALU.LSH, 0], [ALU.RSH, 0], [ALU.MOD, 0], [ALU.MOD, 1], [ALU.XOR, 0], [ALU.MOV, 0], [ALU.ARSH, 0],
    ];
    const [op, off] = this.pick(ops);
    const useReg = this.chance(0.55);
    if (useReg) {
      this.b.emit(ins(cls | op | SRC.X, d, this.src(s), off));
      return;
    }
    let imm = this.imm32();
    if (op === ALU.LSH || op === ALU.RSH || op === ALU.ARSH) imm = this.r.int(wide ? 64 : 32);
    if ((op === ALU.DIV || op === ALU.MOD) && imm === 0) imm = this.pick([1, -1, 3, 7, -7]);
    this.b.emit(ins(cls | op | SRC.K, d, 0, off, imm));
  }

  /** A load or store of `size` bytes at base+off (aligned on the stack). */
  mem(s: Scope): void {
    const onPacket = s.packet && this.chance(0.4);
    const size = this.pick([1, 2, 4, 8]);
    const sz = { 1: SIZE.B, 2: SIZE.H, 4: SIZE.W, 8: SIZE.DW }[size]!;
    let base: number, off: number;
    if (onPacket) {
      base = 9;
      off = this.r.int(PKT_AREA - size + 1);
    } else {
      base = 10;
      off = -(s.stackSlots * 8) + size * this.r.int((s.stackSlots * 8) / size);
    }
    const k = this.r.int(4);
    if ((k === 0 || k === 1) && !onPacket && s.atomicSlots && this.chance(0.3)) {
      off = -((s.stackSlots + s.atomicSlots) * 8) + size * this.r.int((s.atomicSlots * 8) / size);
    }
    if (k === 0 || k === 1) {
      const d = this.dst(s);
      if (d === undefined) return;
      const sx = size !== 8 && this.chance(0.35);
      this.b.emit(ins(CLASS.LDX | (sx ? MODE.MEMSX : MODE.MEM) | sz, d, base, off));
    } else if (k === 2) {
      this.b.emit(ins(CLASS.STX | MODE.MEM | sz, base, this.src(s), off));
    } else {
      this.b.emit(ins(CLASS.ST | MODE.MEM | sz, base, 0, off, this.imm32()));
    }
  }

  atomic(s: Scope): void {
    const wide = this.chance(0.5);
    const size = wide ? 8 : 4;
    const off = -((s.stackSlots + s.atomicSlots) * 8) + size * this.r.int((s.atomicSlots * 8) / size);
    const op = this.pick([ATOMIC.ADD, ATOMIC.OR, ATOMIC.AND, ATOMIC.XOR]);
    const fetch = this.chance(0.5);
    const kind = this.r.int(6);
    let imm: number;
    if (kind === 0) imm = ATOMIC.XCHG;
    else if (kind === 1) imm = ATOMIC.CMPXCHG;
    else imm = op | (fetch ? ATOMIC.FETCH : 0);
    const writes = imm & ATOMIC.FETCH;
    // A fetching op writes its source register (cmpxchg writes r0): none may be read-only here.
    let src: number | undefined = writes ? this.dst(s) : this.src(s);
    if (src === undefined) return;
    if (imm === ATOMIC.CMPXCHG && (s.noWrite.has(0) || !s.regs.includes(0))) return;
    if (imm === ATOMIC.CMPXCHG && src === 0 && this.chance(0.7)) src = this.dst(s)!;
    this.b.emit(ins(CLASS.STX | MODE.ATOMIC | (wide ? SIZE.DW : SIZE.W), 10, src, off, imm));
  }

  /** if (cond) skip a block: forward, every condition, JMP or JMP32, reg or imm. */
  branch(s: Scope): void {
    const conds = [JMP.JEQ, JMP.JGT, JMP.JGE, JMP.JSET, JMP.JNE, JMP.JSGT, JMP.JSGE, JMP.JLT, JMP.JLE, JMP.JSLT, JMP.JSLE];
    const cls = this.chance(0.5) ? CLASS.JMP : CLASS.JMP32;
    const op = this.pick(conds);
    const end = this.b.fresh('skip');
    const a = this.src(s);
    if (this.chance(0.5)) this.b.jump(ins(cls | op | SRC.X, a, this.src(s)), end);
    else this.b.jump(ins(cls | op | SRC.K, a, 0, 0, this.imm32()), end);
    this.block({ ...s, depth: s.depth + 1 }, 1 + this.r.int(5));
    if (this.chance(0.25)) {
      // An else arm: the then-arm jumps over it.
      const done = this.b.fresh('done');
      this.b.jump(ins(CLASS.JMP | JMP.JA), done);
      this.b.label(end);
      this.block({ ...s, depth: s.depth + 1 }, 1 + this.r.int(4));
      this.b.label(done);
    } else {
      this.b.label(end);
    }
  }

  /** c = 0; do { body } while (++c < bound) */
  loop(s: Scope): void {
    const counters = s.regs.filter((r) => r >= 6 && r <= 8 && !s.noWrite.has(r));
    if (!counters.length) return;
    const c = this.pick(counters);
    const bound = 1 + this.r.int(4);
    const head = this.b.fresh('loop');
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, c, 0, 0, 0));
    this.b.label(head);
    const noWrite = new Set(s.noWrite);
    noWrite.add(c);
    this.block({ ...s, noWrite, depth: s.depth + 1, inLoop: true }, 1 + this.r.int(5));
    this.b.emit(ins((this.chance(0.5) ? CLASS.ALU64 : CLASS.ALU) | ALU.ADD | SRC.K, c, 0, 0, 1));
    const cls = this.chance(0.5) ? CLASS.JMP : CLASS.JMP32;
    const form = this.r.int(4);
    if (form === 0) this.b.jump(ins(cls | JMP.JLT | SRC.K, c, 0, 0, bound), head);
    else if (form === 1) this.b.jump(ins(cls | JMP.JNE | SRC.K, c, 0, 0, bound), head);
    else if (form === 2) this.b.jump(ins(cls | JMP.JLE | SRC.K, c, 0, 0, bound - 1), head);
    else this.b.jump(ins(cls | JMP.JSLT | SRC.K, c, 0, 0, bound), head);
  }

  /** A call of a subprogram: r1-r5 are set first (arguments) and again after (the call clobbers them). */
  callSub(s: Scope): void {
    if (!s.subs.length || s.noWrite.has(0)) return;
    for (let r = 1; r <= 5; r++) if (s.noWrite.has(r)) return;
    if (this.chance(0.3)) this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 1 + this.r.int(5), this.src(s)));
    const sub = this.pick(s.subs);
    this.called.add(sub);
    this.b.call(sub);
    this.reinitArgs(s);
  }

  reinitArgs(s: Scope): void {
    const keep = s.regs.filter((r) => r === 0 || r >= 6);
    for (let r = 1; r <= 5; r++) {
      if (this.chance(0.5)) this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, r, this.pick(keep)));
      else this.setConst(r);
    }
  }

  op(s: Scope): void {
    s.budget.left--;
    const w = this.r.int(100);
    if (w < 45) this.alu(s);
    else if (w < 65) this.mem(s);
    else if (w < 73) this.atomic(s);
    else if (w < 86 && s.depth < 3 && s.budget.left > 3) this.branch(s);
    else if (w < 91 && s.depth === 0 && !s.inLoop && s.budget.left > 3) this.loop(s);
    else if (w < 96) this.callSub(s);
    else this.alu(s);
  }

  block(s: Scope, n: number): void {
    for (let i = 0; i < n && s.budget.left > 0; i++) this.op(s);
  }

  initStack(slots: number, regs: number[], from = 1): void {
    for (let i = from; i < from + slots; i++) {
      if (this.chance(0.5)) this.b.emit(ins(CLASS.STX | MODE.MEM | SIZE.DW, 10, this.pick(regs), -8 * i));
      else this.b.emit(ins(CLASS.ST | MODE.MEM | SIZE.DW, 10, 0, -8 * i, this.imm32()));
    }
  }

  /**
   * The atomic slots: initialised, then an atomic add without fetch, after which the verifier
   * knows nothing of their contents (STACK_MISC). Linux 6.18's verifier mis-tracks precision
   * through an atomic fetch from a slot holding a known constant (backtracking marks the source
   * register precise instead of the slot), prunes a reachable path as already explored and drops
   * its instructions as dead code: the kernel then computes what BPF semantics do not say
   * (found by this generator: seeds 109870, 314592 with the first version). Atomics never see such
   * a slot here, and plain stores never make one again.
   */
  initAtomicSlots(from: number, slots: number, regs: number[]): void {
    this.initStack(slots, regs, from);
    for (let i = from; i < from + slots; i++) {
      this.b.emit(ins(CLASS.STX | MODE.ATOMIC | SIZE.DW, 10, this.pick(regs), -8 * i, ATOMIC.ADD));
    }
  }
}

/** A random program, valid by construction, from `seed`. */
export function generateProgram(seed: number, opts: GenOptions = {}): GeneratedProgram {
  const r = rng(seed);
  const b = new Builder();
  const g = new Gen(r, b);
  const size = opts.size ?? 12 + r.int(40);
  const nSubs = g.chance(0.5) ? 1 + r.int(2) : 0;
  const subs = Array.from({ length: nSubs }, (_, i) => `sub${i}`);
  // Prologue: the packet bounds check, r9 = data.
  b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.W, 2, 1, 0)); // r2 = ctx->data
  b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.W, 3, 1, 4)); // r3 = ctx->data_end
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 9, 2));
  b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 2, 0, 0, PKT_NEED));
  b.jump(ins(CLASS.JMP | JMP.JGT | SRC.X, 2, 3), 'short');
  const regs = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  for (const d of regs) g.setConst(d);
  g.initStack(STACK_SLOTS, regs);
  g.initAtomicSlots(STACK_SLOTS + 1, ATOMIC_SLOTS, regs);
  const main: Scope = { regs, noWrite: new Set(), stackSlots: STACK_SLOTS, atomicSlots: ATOMIC_SLOTS, packet: true, depth: 0, inLoop: false, subs, budget: { left: size } };
  g.block(main, size);
  // Epilogue: every register into the packet, the stack folded into r0.
  for (const d of regs) b.emit(ins(CLASS.STX | MODE.MEM | SIZE.DW, 9, d, DUMP_OFF + 8 * d));
  for (let i = 1; i <= STACK_SLOTS + ATOMIC_SLOTS; i++) {
    b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.DW, 1, 10, -8 * i));
    b.emit(ins(CLASS.ALU64 | ALU.MUL | SRC.K, 0, 0, 0, 0x01000193));
    b.emit(ins(CLASS.ALU64 | ALU.XOR | SRC.X, 0, 1));
  }
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 1, 0));
  b.emit(ins(CLASS.ALU64 | ALU.RSH | SRC.K, 1, 0, 0, 32));
  b.emit(ins(CLASS.ALU64 | ALU.XOR | SRC.X, 0, 1));
  b.emit(ins(CLASS.JMP | JMP.EXIT));
  b.label('short');
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 0, 0, 0, g.imm32()));
  b.emit(ins(CLASS.JMP | JMP.EXIT));
  // Subprograms: read r1-r5, set their own r0, r6-r8 and stack, return r0.
  for (const name of subs) {
    if (!g.called.has(name)) continue;
    b.label(name);
    for (const d of [0, 6, 7, 8]) g.setConst(d);
    g.initStack(SUB_STACK_SLOTS, regs);
    g.initAtomicSlots(SUB_STACK_SLOTS + 1, SUB_ATOMIC_SLOTS, regs);
    const sub: Scope = { regs, noWrite: new Set(), stackSlots: SUB_STACK_SLOTS, atomicSlots: SUB_ATOMIC_SLOTS, packet: false, depth: 1, inLoop: false, subs: [], budget: { left: 4 + r.int(10) } };
    g.block(sub, sub.budget.left);
    b.emit(ins(CLASS.JMP | JMP.EXIT));
  }
  return { insns: b.resolve(), seed };
}

/** A random frame: mostly long enough for the program's packet area, sometimes too short. */
export function randomFrame(r: Rng): Uint8Array {
  const len = r.int(10) === 0 ? 14 + r.int(PKT_NEED - 14) : PKT_NEED + r.int(64);
  const f = r.bytes(len);
  if (r.int(4) === 0) for (let i = 0; i < Math.min(len, PKT_AREA); i += 1 + r.int(8)) f[i] = [0, 0xff, 0x80, 0x7f][r.int(4)]!;
  return f;
}

export const programBytes = (insns: readonly Insn[]): Uint8Array => encode(insns);

/**
 * Delete instruction `i` (any slot count), fixing every jump and call that crosses it; a jump to
 * `i` then lands on what follows. Undefined when a jump would have to point into the deleted slot
 * range in a way that cannot be fixed (it never does: targets move to the next instruction).
 */
export function deleteInsn(insns: readonly Insn[], i: number): Insn[] {
  const slots: number[] = [];
  let s = 0;
  for (const x of insns) {
    slots.push(s);
    s += slotCount(x);
  }
  const at = slots[i]!;
  const width = slotCount(insns[i]!);
  const out: Insn[] = [];
  insns.forEach((x, j) => {
    if (j === i) return;
    const cls = x.code & 7;
    const isCall = x.code === (CLASS.JMP | JMP.CALL) && x.src === 1;
    const isJump = (cls === CLASS.JMP || cls === CLASS.JMP32) && !isLddw(x) && x.code !== (CLASS.JMP | JMP.EXIT) && !(x.code === (CLASS.JMP | JMP.CALL));
    if (!isCall && !isJump) {
      out.push(x);
      return;
    }
    const from = slots[j]!;
    const rel = isCall ? x.imm : x.off;
    const to = from + 1 + rel;
    const nFrom = from > at ? from - width : from;
    const nTo = to > at ? to - width : to;
    const nRel = nTo - (nFrom + 1);
    out.push(isCall ? { ...x, imm: nRel } : { ...x, off: nRel });
  });
  return out;
}
