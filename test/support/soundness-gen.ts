/**
 * Random programs for the verifier's soundness test (test/verifier-soundness.test.ts). Unlike
 * differential-gen.ts, whose programs are valid by construction, these aim at the verifier's
 * proofs: memory accesses through every kind of pointer (packet behind `data + K > data_end`
 * checks, map values from lookups, the stack at constant and variable offsets, context fields),
 * pointer arithmetic with scalars bounded by branches (every condition, 64 and 32-bit), spills
 * and fills of pointers, bounded loops. Offsets and bounds are drawn around the edges of what can
 * be proven, so a good share of programs is rejected, and `mutate` changes accepted programs a
 * little (a constant, an offset, a comparison, a width, an instruction deleted or swapped, a
 * jump retargeted) to probe just past what the verifier accepted.
 *
 * Register use: r6 = ctx, r7 = packet data, r8 = data_end, r9 = a map value (after a lookup),
 * r0-r5 scratch (each snippet sets what it reads, except where reading a stale value is the test).
 */
import { isLddw, type Insn } from '../../src/isa/insn.js';
import { ALU, CLASS, JMP, MODE, PSEUDO, SIZE, SRC } from '../../src/isa/opcodes.js';
import type { MapSpec } from '../../src/maps/types.js';
import { Builder, deleteInsn, ins } from './differential-gen.js';
import type { Rng } from './rng.js';

export type SoundProgType = 'xdp' | 'sched_cls';

export interface SoundProgram {
  type: SoundProgType;
  insns: Insn[];
  maps: MapSpec[];
  /** How it was made: 'gen' or the mutations applied, for the failure report. */
  origin: string;
}

const SIZES = [SIZE.B, SIZE.H, SIZE.W, SIZE.DW] as const;
const CONDS = [JMP.JEQ, JMP.JNE, JMP.JGT, JMP.JGE, JMP.JLT, JMP.JLE, JMP.JSGT, JMP.JSGE, JMP.JSLT, JMP.JSLE, JMP.JSET];

/** Context offsets per type: the packet fields and some scalar fields (read, and writable ones). */
const CTX = {
  xdp: { data: 0, dataEnd: 4, meta: 8, size: 24, scalars: [12, 16], writable: [] as number[] },
  sched_cls: { data: 76, dataEnd: 80, meta: 140, size: 192, scalars: [0, 8, 32, 44, 48, 52, 56], writable: [8, 32, 44, 48, 52, 56, 60, 64] },
} as const;

const HELPER = { lookup: 1, update: 2, prandom: 7 } as const;

class Gen {
  readonly b = new Builder();
  readonly ctx: (typeof CTX)[SoundProgType];
  constructor(readonly r: Rng, readonly type: SoundProgType, readonly valueSize: number) {
    this.ctx = CTX[type];
  }
  pick<T>(a: readonly T[]): T {
    return a[this.r.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.r.next() / 0x100000000 < p;
  }
  /** A number near `n`: mostly n, n±1, n±size, sometimes anything small. */
  near(n: number, spread = 8): number {
    const k = this.r.int(10);
    if (k < 4) return n;
    if (k < 8) return n + this.r.int(2 * spread + 1) - spread;
    return this.r.int(4 * spread + 1) - spread;
  }
  cond(): number {
    return this.pick(CONDS);
  }
  jcls(): number {
    return this.chance(0.7) ? CLASS.JMP : CLASS.JMP32;
  }

  /** r<d> = some unknown scalar: a packet byte, a map value field, a context field, a random number. */
  scalar(d: number): void {
    const k = this.r.int(5);
    if (k === 0) this.b.emit(ins(CLASS.LDX | MODE.MEM | this.pick(SIZES), d, 7, this.r.int(16)));
    else if (k === 1) this.b.emit(ins(CLASS.LDX | MODE.MEM | this.pick([SIZE.B, SIZE.H, SIZE.W]), d, 9, this.near(0, 4)));
    else if (k === 2) this.b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.W, d, 6, this.pick(this.ctx.scalars)));
    else if (k === 3 && d !== 0) {
      this.b.emit(ins(CLASS.JMP | JMP.CALL, 0, 0, 0, HELPER.prandom));
      this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, d, 0));
    } else this.b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.B, d, 7, this.r.int(8)));
  }

  /** Bound r<d> (an unknown scalar) by a mask, a shift or a branch to `skip`. */
  bound(d: number, limit: number, skip: string): void {
    const k = this.r.int(6);
    if (k === 0) this.b.emit(ins(CLASS.ALU64 | ALU.AND | SRC.K, d, 0, 0, this.pick([1, 3, 7, 15, 31, 63, 0xff, limit])));
    else if (k === 1) this.b.emit(ins(this.pick([CLASS.ALU64, CLASS.ALU]) | ALU.RSH | SRC.K, d, 0, 0, this.pick([56, 58, 60, 24, 28, 4])));
    else if (k === 2) {
      // if d > limit (or its signed / 32-bit / >= forms) goto skip
      this.b.jump(ins(this.jcls() | this.pick([JMP.JGT, JMP.JGE, JMP.JSGT, JMP.JSGE]) | SRC.K, d, 0, 0, this.near(limit, 4)), skip);
    } else if (k === 3) {
      // if d < limit goto ok; goto skip; ok: (the bound on the other side of the branch)
      const ok = this.b.fresh('ok');
      this.b.jump(ins(this.jcls() | this.pick([JMP.JLT, JMP.JLE, JMP.JSLT, JMP.JSLE]) | SRC.K, d, 0, 0, this.near(limit, 4)), ok);
      this.b.jump(ins(CLASS.JMP | JMP.JA), skip);
      this.b.label(ok);
    } else if (k === 4) {
      // Two-sided: signed lower bound, then an upper one.
      this.b.jump(ins(this.jcls() | JMP.JSLT | SRC.K, d, 0, 0, this.near(0, 2)), skip);
      this.b.jump(ins(this.jcls() | JMP.JSGT | SRC.K, d, 0, 0, this.near(limit, 4)), skip);
    } else {
      // Against a register holding the limit.
      this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 5, 0, 0, this.near(limit, 4)));
      this.b.jump(ins(this.jcls() | this.pick([JMP.JGT, JMP.JGE, JMP.JSGT]) | SRC.X, d, 5), skip);
    }
  }

  /** A load or store of r<src>/an immediate through r<base> + off. */
  access(base: number, off: number, reg = 4): void {
    const sz = this.pick(SIZES);
    const k = this.r.int(3);
    if (k === 0) this.b.emit(ins(CLASS.LDX | MODE.MEM | sz, reg, base, off));
    else if (k === 1) this.b.emit(ins(CLASS.STX | MODE.MEM | sz, base, this.pick([0, 1, 2, 3, 4, 5]), off));
    else this.b.emit(ins(CLASS.ST | MODE.MEM | sz, base, 0, off, this.r.next() | 0));
  }

  pktGuard(): void {
    const k = this.near(this.pick([8, 14, 20, 34, 40, 54, 64]), 4);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 1, 7));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 1, 0, 0, k));
    const v = this.r.int(4);
    if (v === 0) this.b.jump(ins(CLASS.JMP | JMP.JGT | SRC.X, 1, 8), 'out');
    else if (v === 1) this.b.jump(ins(CLASS.JMP | JMP.JLT | SRC.X, 8, 1), 'out');
    else if (v === 2) this.b.jump(ins(CLASS.JMP | JMP.JGE | SRC.X, 1, 8), 'out');
    else {
      const ok = this.b.fresh('ok');
      this.b.jump(ins(CLASS.JMP | this.pick([JMP.JLE, JMP.JLT]) | SRC.X, 1, 8), ok);
      this.b.jump(ins(CLASS.JMP | JMP.JA), 'out');
      this.b.label(ok);
    }
  }

  pktAccess(): void {
    this.access(7, this.near(this.pick([0, 8, 12, 20, 30, 40, 56]), 6));
  }

  pktVar(): void {
    const skip = this.b.fresh('skip');
    this.scalar(2);
    this.bound(2, this.pick([7, 15, 31, 63, 255]), skip);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 3, 7));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 3, 2));
    const k = this.near(8, 4);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 1, 3));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 1, 0, 0, k));
    this.b.jump(ins(CLASS.JMP | this.pick([JMP.JGT, JMP.JGE]) | SRC.X, 1, 8), skip);
    this.access(3, this.near(0, 6));
    this.b.label(skip);
  }

  lookup(): void {
    const skip = this.b.fresh('skip');
    const map = this.r.int(2);
    if (this.chance(0.6)) this.b.emit(ins(CLASS.ST | MODE.MEM | SIZE.W, 10, 0, -4, this.r.int(6)));
    else {
      this.scalar(2);
      this.b.emit(ins(CLASS.STX | MODE.MEM | SIZE.W, 10, 2, -4));
    }
    this.b.emit({ code: CLASS.LD | MODE.IMM | SIZE.DW, dst: 1, src: PSEUDO.MAP_IDX, off: 0, imm: map, imm2: 0 });
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 2, 10));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 2, 0, 0, this.near(-4, 2)));
    this.b.emit(ins(CLASS.JMP | JMP.CALL, 0, 0, 0, HELPER.lookup));
    if (this.chance(0.85)) this.b.jump(ins(CLASS.JMP | JMP.JEQ | SRC.K, 0, 0, 0, 0), skip);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 9, 0));
    const vs = map === 0 ? this.valueSize : 16;
    for (let i = 0, n = 1 + this.r.int(3); i < n; i++) {
      if (this.chance(0.5)) this.access(this.pick([0, 9]), this.near(this.r.int(vs), 4));
      else this.mapVar(vs, skip);
    }
    this.b.label(skip);
  }

  mapVar(vs: number, skip: string): void {
    this.scalar(2);
    this.bound(2, this.near(vs - 8, 4), skip);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 3, 9));
    if (this.chance(0.8)) this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 3, 2));
    else this.b.emit(ins(CLASS.ALU64 | ALU.SUB | SRC.X, 3, 2));
    this.access(3, this.near(0, 4));
  }

  stackVar(): void {
    const skip = this.b.fresh('skip');
    this.scalar(2);
    this.bound(2, this.pick([7, 15, 31]), skip);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 3, 10));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 3, 0, 0, this.near(-32, 8)));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 3, 2));
    if (this.chance(0.5)) this.b.emit(ins(CLASS.ST | MODE.MEM | SIZE.B, 3, 0, this.near(0, 2), 7));
    else this.b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.B, 4, 3, this.near(0, 2)));
    this.b.label(skip);
  }

  stackConst(): void {
    const off = -8 * (1 + this.r.int(8)) + (this.chance(0.2) ? this.near(0, 4) : 0);
    this.access(10, this.chance(0.1) ? this.near(-512, 8) : off);
  }

  spillFill(): void {
    const slot = -8 * (5 + this.r.int(4));
    this.b.emit(ins(CLASS.STX | MODE.MEM | SIZE.DW, 10, this.pick([7, 7, 9, 6]), slot));
    if (this.chance(0.25)) this.b.emit(ins(CLASS.ST | MODE.MEM | this.pick([SIZE.W, SIZE.B]), 10, 0, slot + this.pick([0, 4]), 0));
    this.b.emit(ins(CLASS.LDX | MODE.MEM | this.pick([SIZE.DW, SIZE.DW, SIZE.W]), 4, 10, slot));
    this.access(4, this.near(0, 4), 5);
  }

  ctxAccess(): void {
    if (this.chance(0.7)) {
      this.b.emit(ins(CLASS.LDX | MODE.MEM | this.pick(SIZES), 4, 6, this.chance(0.7) ? this.pick(this.ctx.scalars) : this.r.int(this.ctx.size + 8)));
    } else {
      const off = this.ctx.writable.length && this.chance(0.7) ? this.pick(this.ctx.writable) : this.r.int(this.ctx.size);
      this.b.emit(ins(CLASS.STX | MODE.MEM | this.pick([SIZE.W, SIZE.W, SIZE.DW, SIZE.B]), 6, 4, off));
    }
  }

  ptrArith(): void {
    // A pointer moved by a bounded scalar, then by its negation: back where it was, if the verifier tracks it.
    const skip = this.b.fresh('skip');
    this.scalar(2);
    this.bound(2, this.pick([3, 7, 15]), skip);
    const base = this.pick([7, 9, 10]);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 3, base));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 3, 2));
    this.b.emit(ins(CLASS.ALU64 | this.pick([ALU.SUB, ALU.SUB, ALU.ADD]) | SRC.X, 3, 2));
    this.access(3, base === 10 ? -8 * (1 + this.r.int(4)) : this.near(0, 4));
    this.b.label(skip);
  }

  loop(): void {
    const head = this.b.fresh('loop'), done = this.b.fresh('done');
    const n = Math.max(1, this.near(6, 4));
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 5, 0, 0, 0));
    this.b.label(head);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 3, 7));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 3, 5));
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 1, 3));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 1, 0, 0, this.near(1, 1)));
    this.b.jump(ins(CLASS.JMP | JMP.JGT | SRC.X, 1, 8), done);
    this.b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.B, 4, 3, 0));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.K, 5, 0, 0, 1));
    this.b.jump(ins(this.jcls() | this.pick([JMP.JLT, JMP.JNE, JMP.JSLT]) | SRC.K, 5, 0, 0, n), head);
    this.b.label(done);
  }

  /**
   * r3 = A on one side of a branch, B on the other; after the join r3 moves a pointer. The join is
   * where pruning can merge the two sides: only precision keeps them apart when B is out of bounds.
   */
  joinUse(): void {
    const skip = this.b.fresh('skip'), other = this.b.fresh('else'), join = this.b.fresh('join');
    this.scalar(2);
    // Enough instructions and jumps before the join for the first side to leave a state there.
    for (let i = 0, n = 3 + this.r.int(4); i < n; i++) this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 5, 0, 0, i));
    this.b.jump(ins(this.jcls() | this.cond() | SRC.K, 2, 0, 0, this.near(10, 8)), other);
    const base = this.pick([10, 10, 9, 7]);
    const small = base === 10 ? -8 * (1 + this.r.int(4)) : this.r.int(8);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 3, 0, 0, small));
    this.b.jump(ins(CLASS.JMP | JMP.JA), join);
    this.b.label(other);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 3, 0, 0, this.chance(0.5) ? small : this.near(small + 64, 64)));
    this.b.label(join);
    this.b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 4, base));
    this.b.emit(ins(CLASS.ALU64 | ALU.ADD | SRC.X, 4, 3));
    this.access(4, 0, 5);
    this.b.label(skip);
  }

  snippet(): void {
    if (this.chance(0.12)) return this.joinUse();
    const k = this.r.int(100);
    if (k < 14) this.pktGuard();
    else if (k < 26) this.pktAccess();
    else if (k < 36) this.pktVar();
    else if (k < 54) this.lookup();
    else if (k < 62) this.stackVar();
    else if (k < 68) this.stackConst();
    else if (k < 76) this.spillFill();
    else if (k < 84) this.ctxAccess();
    else if (k < 93) this.ptrArith();
    else this.loop();
  }
}

/** A random program from `r`. */
export function generateSoundProgram(r: Rng): SoundProgram {
  const type: SoundProgType = r.int(2) === 0 ? 'xdp' : 'sched_cls';
  const valueSize = [8, 12, 16, 24, 48][r.int(5)]!;
  const g = new Gen(r, type, valueSize);
  const b = g.b;
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.X, 6, 1));
  b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.W, 7, 6, g.ctx.data));
  b.emit(ins(CLASS.LDX | MODE.MEM | SIZE.W, 8, 6, g.ctx.dataEnd));
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 9, 0, 0, 0));
  for (let i = 0; i < 5; i++) b.emit(ins(CLASS.ST | MODE.MEM | SIZE.DW, 10, 0, -8 * (i + 1), r.next() | 0));
  // Most programs start with a packet check, so packet accesses after it have a chance.
  if (g.chance(0.8)) g.pktGuard();
  for (let i = 0, n = 3 + r.int(8); i < n; i++) g.snippet();
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 0, 0, 0, r.int(4)));
  b.emit(ins(CLASS.JMP | JMP.EXIT));
  b.label('out');
  b.emit(ins(CLASS.ALU64 | ALU.MOV | SRC.K, 0, 0, 0, 2));
  b.emit(ins(CLASS.JMP | JMP.EXIT));
  const maps: MapSpec[] = [
    { type: 'array', name: 'arr', keySize: 4, valueSize, maxEntries: 4, flags: 0 },
    { type: 'hash', name: 'hash', keySize: 4, valueSize: 16, maxEntries: 8, flags: 0 },
  ];
  return { type, insns: b.resolve(), maps, origin: 'gen' };
}

const isJump = (x: Insn): boolean => {
  const c = x.code & 7;
  return (c === CLASS.JMP || c === CLASS.JMP32) && x.code !== (CLASS.JMP | JMP.CALL) && x.code !== (CLASS.JMP | JMP.EXIT);
};

/** One small change to `p` (undefined when the drawn change does not apply). */
function mutateOnce(r: Rng, insns: Insn[]): { insns: Insn[]; what: string } | undefined {
  const i = r.int(insns.length);
  const x = insns[i]!;
  const c = x.code & 7;
  const put = (y: Insn, what: string): { insns: Insn[]; what: string } => {
    const out = insns.slice();
    out[i] = y;
    return { insns: out, what: `${what} at #${i}` };
  };
  const delta = (): number => [1, -1, 2, -2, 4, -4, 8, -8, 16, -16][r.int(10)]!;
  switch (r.int(7)) {
    case 0: // a constant
      if (isLddw(x) || x.code === (CLASS.JMP | JMP.CALL)) return undefined;
      if (((c === CLASS.ALU || c === CLASS.ALU64 || isJump(x)) && (x.code & SRC.X) === 0) || c === CLASS.ST) return put({ ...x, imm: x.imm + delta() }, 'imm');
      return undefined;
    case 1: // an offset of a memory access
      if (c === CLASS.LDX || c === CLASS.ST || c === CLASS.STX) return put({ ...x, off: x.off + delta() }, 'off');
      return undefined;
    case 2: // a comparison operator
      if (!isJump(x) || (x.code & 0xf0) === JMP.JA) return undefined;
      return put({ ...x, code: (x.code & 0x0f) | CONDS[r.int(CONDS.length)]! }, 'cond');
    case 3: // a width: JMP <-> JMP32, ALU64 <-> ALU, or a memory access size
      if (isJump(x) && (x.code & 0xf0) !== JMP.JA) return put({ ...x, code: x.code ^ (CLASS.JMP ^ CLASS.JMP32) }, 'jmp width');
      if ((c === CLASS.ALU || c === CLASS.ALU64) && (x.code & 0xf0) !== ALU.END) return put({ ...x, code: x.code ^ (CLASS.ALU ^ CLASS.ALU64) }, 'alu width');
      if (c === CLASS.LDX || c === CLASS.ST || c === CLASS.STX) return put({ ...x, code: (x.code & ~0x18) | SIZES[r.int(4)]! }, 'size');
      return undefined;
    case 4: // delete
      if (x.code === (CLASS.JMP | JMP.EXIT)) return undefined;
      return { insns: deleteInsn(insns, i), what: `delete #${i}` };
    case 5: { // swap with the next (neither a jump nor an lddw, so no offsets change)
      const y = insns[i + 1];
      if (!y || isJump(x) || isJump(y) || isLddw(x) || isLddw(y) || x.code === (CLASS.JMP | JMP.EXIT) || y.code === (CLASS.JMP | JMP.EXIT)) return undefined;
      const out = insns.slice();
      out[i] = y;
      out[i + 1] = x;
      return { insns: out, what: `swap #${i}` };
    }
    default: // retarget a jump
      if (!isJump(x)) return undefined;
      return put({ ...x, off: x.off + [1, -1, 2, -2, 3][r.int(5)]! }, 'retarget');
  }
}

/** `p` with one to three small changes. */
export function mutate(r: Rng, p: SoundProgram): SoundProgram {
  let insns = p.insns;
  const what: string[] = [];
  for (let n = 1 + r.int(3), tries = 0; what.length < n && tries < 20; tries++) {
    const m = mutateOnce(r, insns);
    if (!m) continue;
    insns = m.insns;
    what.push(m.what);
  }
  return { ...p, insns, origin: `${p.origin} + ${what.join(', ')}` };
}

/** A frame for a run: random bytes of a random length (an EtherType no stack parses further). */
export function soundFrame(r: Rng): Uint8Array {
  const len = r.int(4) === 0 ? 14 + r.int(20) : 14 + r.int(120);
  const f = r.bytes(len);
  f[12] = 0x88;
  f[13] = 0xb5;
  if (r.int(3) === 0) for (let i = 0; i < len; i += 1 + r.int(6)) f[i] = [0, 0xff, 0x80, 0x7f, 1][r.int(5)]!;
  return f;
}
