/**
 * The compiler: a prepared program (vm/interpreter.ts: checked, with its helpers resolved) becomes
 * one WebAssembly module. What each instruction means comes from isa/insn.ts `classify` (the forms
 * the interpreter runs) and isa/semantics.ts defines the results; test/jit-*.test.ts hold the JIT
 * to both, instruction by instruction and on whole programs.
 *
 * Shape of the module:
 *  - every function of the program (the entry and each bpf-to-bpf call target) is a wasm function
 *    taking r0-r9, the budget left and the call depth, and returning r0-r5 and the budget left, so
 *    r6-r9 and r10 of the caller survive a call as the ISA says, in the caller's locals;
 *  - registers are i64 locals; gotos become `br`s through the nesting of cfg.ts;
 *  - the budget: each basic block subtracts its length from a local; when it would go below zero
 *    the run leaves for the interpreter at that block (status DEOPT), which then stops at exactly
 *    the instruction the budget runs out on, so counts and errors are the interpreter's;
 *  - memory: see emitAddress. Stack accesses at constant offsets from a read-only r10 go straight
 *    to the frame; everything else is checked against the region table (layout.ts) through a small
 *    cache of the last region per base register, access size and kind (RegionCache), so a loop
 *    over one buffer checks each access with one subtraction and one compare;
 *  - helpers, faults and region mapping are calls out to JavaScript through the context's table
 *    (runtime-abi.ts; BigInt arguments, the JS API's i64 mapping); a verified program's map
 *    lookups first ask the lookup cache in linear memory, then rt.lookup (compiledLookup).
 */
import { BpfError } from '../errors.js';
import { ALU, type AluOpInfo } from '../isa/opcodes.js';
import { branchTarget, lddwValue, slotOffsets, type Insn, type InsnForm } from '../isa/insn.js';
import { MAX_CALL_FRAMES, MAX_TAIL_CALLS, STACK_SIZE, type PreparedProgram } from '../vm/interpreter.js';
import { LOW_BASE, RESIDENT_TAG, TAG_BASE } from '../vm/memory.js';
import { MEMORY_MAX_PAGES, RESIDENT_BASE, SHARED_MEMORY } from '../vm/resident.js';
import { IX_ADDR, IX_K1, IX_K2, IX_MASK, IX_SHIFT, IX_SLOT, IX_SLOTS, IX_VALID } from '../maps/resident-index.js';
import { ACCESS } from '../verifier/proven.js';
import { buildCfg, functionBlocks, reversePostorder, stackify, type Cfg, type Construct, type Nesting } from './cfg.js';
import {
  CTRL, C_CTX, C_CTXW, C_VALW, C_CUR, C_DEPTH, C_FP0, C_BASE, C_FRAMES, C_GEN, C_LEFT, C_MARKED, C_LOOKUPR0, C_LOOPFULL, C_MAXDEPTH, C_PC, C_PKTW, C_REGS, C_STATUS,
  C_TAILMISS, C_TAILR0, C_TAILS, ENTRY_SIZE, E_BASE, EACH, C_EACH, FAIL, LOOP, FRAME_RECORD, F_BASE, F_PROG, F_REGS, F_RET, INITIAL_PAGES, K_GEN, K_KEY, K_MAP, K_R0, LOOKUPS,
  LOOKUP_ENTRIES, LOOKUP_SIZE, LOW_ENTRY, LOW_INDEX, MAP_INDEX, WRITTEN, STACKS, STATUS, TABLE,
} from './layout.js';
import { CACHED_LOOKUP_TYPES, UNCACHED_LOOKUP_TYPES, isKernelHelper, writesMemory } from './helper-effects.js';
import { BPF_MAX_LOOPS } from '../helpers/callbacks.js';
import { ERRNO } from '../helpers/errno.js';
import { Code } from './wasm/code.js';
import { encodeModule, type FuncDef, type FuncType } from './wasm/encoder.js';
import { RT, RT_TYPES, TAIL_CALL_HELPER } from './runtime-abi.js';
import { supportFunctions } from './support-code.js';
import { OP, type ValType } from './wasm/opcodes.js';

/** A compiled program: the module and what the runtime and the dump need to know about it. */
export interface JitProgram {
  readonly module: WebAssembly.Module;
  readonly bytes: Uint8Array;
  /** The module's functions (imports excluded) with where their bodies start and the slot of each part. */
  readonly functions: readonly JitFunction[];
  /** Wall-clock time of compile(): code generation plus WebAssembly.Module. */
  readonly compileNs: number;
  /** The part of compileNs spent making the bytes (the rest is V8 compiling them). */
  readonly codegenNs: number;
  readonly slots: number;
  /**
   * Some packet accesses are compiled without a check (the verifier proved them): a run must have
   * the packet in the low window, mapped before the code starts.
   */
  readonly directPacket: boolean;
  /**
   * The same for the context: a run must have its context mapped (C_CTX) before the code starts,
   * at least ctxExtent bytes of it, writable if ctxWrites (else the interpreter runs it and faults
   * where it should, as on a short context a caller built).
   */
  readonly directCtx: boolean;
  /** Some accesses through stack pointers other than r10 compile without a check. */
  readonly directStack: boolean;
  /**
   * Some accesses through map value (or ring buffer record) pointers compile without a check: the
   * regions of the global data the program's lddw point at (valueTags, upper halves) must be
   * mapped before the code runs, and a value or record a helper returns as soon as it does.
   */
  readonly directValues: boolean;
  readonly valueTags: readonly number[];
  /** Calls of bpf_map_lookup_elem compiled with the lookup cache (FunctionCompiler.compiledLookup). */
  readonly cachedLookups: number;
  /** Calls of bpf_loop the code runs itself (FunctionCompiler.inlineLoop). */
  readonly inlinedLoops: number;
  /**
   * A run may write the stack: a store or an atomic (through a pointer the verifier did not prove
   * to point elsewhere), or a helper that writes memory. Otherwise the frames stay zeroed from run
   * to run, unless a tail call's target writes them (jit/context.ts enter).
   */
  readonly writesStack: boolean;
  readonly ctxExtent: number;
  readonly ctxWrites: boolean;
  /**
   * The code checks the budget. Verified programs' code only counts: a run of one with a budget
   * below UNLIMITED_BUDGET goes to the interpreter.
   */
  readonly budgeted: boolean;
}

export interface JitFunction {
  readonly name: string;
  /** eBPF slot of the function's entry, or -1 for the module's own support functions. */
  readonly slot: number;
  readonly bodyStart: number;
  /** [offset from bodyStart, eBPF slot] where the code of each instruction starts. */
  readonly marks: readonly [number, number][];
}

export type CompileResult = { ok: true; jit: JitProgram } | { ok: false; reason: string };

const I64x = (n: number): ValType[] => new Array<ValType>(n).fill('i64');
/** Every BPF function: r0..r9, budget left, depth -> r0..r5, budget left. */
const BPF_FN: FuncType = { params: [...I64x(11), 'i32'], results: I64x(7) };

/** The type index of BPF_FN in every module (after the runtime's), for tail calls through the table. */
const BPF_FN_TYPE = RT_TYPES.length;
/**
 * Regions one helper call of an inlined bpf_loop callback is taken to add at most (a value, a
 * record: one each), with room to spare: the loop checks the region table has that much.
 */
const REGIONS_PER_HELPER = 16;

/** A bpf_loop (or, `each`, bpf_for_each_map_elem) call the code runs itself, and its callback's slot. */
interface LoopSite {
  callback: number;
  each: boolean;
}
/** A tail-call site's cache: generation, map address halves, index, target's table entry (globals). */
const TC_GEN = 0, TC_LO = 1, TC_HI = 2, TC_INDEX = 3, TC_ENTRY = 4, TC_SIZE = 5;

// Locals of a BPF function.
const L_LEFT = 10, L_DEPTH = 11, L_R10 = 12, L_FRAME = 13, L_DPC = 14, L_A = 15, L_T = 17, L_T2 = 18, L_T3 = 19, L_PKT = 20, L_CTX = 21, L_FP0 = 22;
const FIXED_LOCALS: ValType[] = ['i64', 'i32', 'i32', 'i64', 'i32', 'i64', 'i64', 'i32', 'i32', 'i32', 'i32'];
const reg = (r: number): number => (r === 10 ? L_R10 : r);
const LOOKUP_BITS = Math.log2(LOOKUP_ENTRIES);

/**
 * The cache of one base register for one access size and kind: the region of the last address it
 * was used with, as `start` (the address of its first byte), `base` (where the copy is) and `lim`,
 * the number of offsets from `start` at which such an access fits (0: nothing cached). The check
 * is then one subtraction and one unsigned compare: `address - start < lim`, an address below
 * `start` wrapping to a huge offset.
 */
interface RegionCache {
  start: number;
  base: number;
  lim: number;
}

type Label = 'deopt' | 'if' | Construct;

/** The wasm operation of each ALU operation and jump condition that maps onto one directly. */
const ALU64_OPS: Record<number, number> = {
  [ALU.ADD]: OP.i64_add, [ALU.SUB]: OP.i64_sub, [ALU.MUL]: OP.i64_mul, [ALU.OR]: OP.i64_or, [ALU.AND]: OP.i64_and,
  [ALU.XOR]: OP.i64_xor, [ALU.LSH]: OP.i64_shl, [ALU.RSH]: OP.i64_shr_u, [ALU.ARSH]: OP.i64_shr_s,
};
const ALU32_OPS: Record<number, number> = {
  [ALU.ADD]: OP.i32_add, [ALU.SUB]: OP.i32_sub, [ALU.MUL]: OP.i32_mul, [ALU.OR]: OP.i32_or, [ALU.AND]: OP.i32_and,
  [ALU.XOR]: OP.i32_xor, [ALU.LSH]: OP.i32_shl, [ALU.RSH]: OP.i32_shr_u, [ALU.ARSH]: OP.i32_shr_s,
};
const JMP64_OPS: Record<string, number> = {
  jeq: OP.i64_eq, jne: OP.i64_ne, jgt: OP.i64_gt_u, jge: OP.i64_ge_u, jlt: OP.i64_lt_u, jle: OP.i64_le_u,
  jsgt: OP.i64_gt_s, jsge: OP.i64_ge_s, jslt: OP.i64_lt_s, jsle: OP.i64_le_s,
};
const JMP32_OPS: Record<string, number> = {
  jeq: OP.i32_eq, jne: OP.i32_ne, jgt: OP.i32_gt_u, jge: OP.i32_ge_u, jlt: OP.i32_lt_u, jle: OP.i32_le_u,
  jsgt: OP.i32_gt_s, jsge: OP.i32_ge_s, jslt: OP.i32_lt_s, jsle: OP.i32_le_s,
};
const LOAD_U: Record<number, number> = { 1: OP.i64_load8_u, 2: OP.i64_load16_u, 4: OP.i64_load32_u, 8: OP.i64_load };
const LOAD_S: Record<number, number> = { 1: OP.i64_load8_s, 2: OP.i64_load16_s, 4: OP.i64_load32_s };
const STORE: Record<number, number> = { 1: OP.i64_store8, 2: OP.i64_store16, 4: OP.i64_store32, 8: OP.i64_store };

/** Whether any instruction writes r10 (the kernel's verifier forbids it; unverified programs may). */
export function writesR10(insns: readonly Insn[], forms: readonly InsnForm[]): boolean {
  return forms.some((f, i) => {
    const x = insns[i]!;
    switch (f.kind) {
      case 'alu': case 'neg': case 'end': case 'lddw': case 'ldx': return x.dst === 10;
      case 'atomic': return f.op.fetch && (f.op.fetchName === 'cmpxchg' ? false : x.src === 10);
      default: return false;
    }
  });
}

class FunctionCompiler {
  readonly code: Code;
  readonly locals: ValType[] = [...FIXED_LOCALS];
  private readonly labels: Label[] = [];
  private readonly caches = new Map<number, RegionCache>();
  private nesting!: Nesting;
  /** Each block's position in the emitted order (-1: not in this function). */
  private pos = new Int32Array(0);
  /** Budget checkpoints: block -> instructions the budget must cover from there. */
  private need = new Map<number, number>();

  constructor(
    private readonly m: ModuleCompiler,
    private readonly entrySlot: number,
  ) {
    // About 25 bytes of wasm an instruction: one buffer from the start rather than doublings.
    this.code = new Code(Math.min(m.prog.slots * 32 + 256, 1 << 16));
  }

  private local(t: ValType): number {
    this.locals.push(t);
    return 12 + this.locals.length - 1;
  }

  private cacheOf(r: number, size: number, write: boolean): RegionCache {
    const key = r * 32 + size * 2 + (write ? 1 : 0);
    let c = this.caches.get(key);
    if (c === undefined) {
      c = { start: this.local('i64'), base: this.local('i32'), lim: this.local('i64') };
      this.caches.set(key, c);
    }
    return c;
  }

  private depthOf(target: Label): number {
    const i = this.labels.lastIndexOf(target);
    if (i < 0) throw new Error('jit: branch target is not an enclosing label');
    return this.labels.length - 1 - i;
  }

  compile(): string | undefined {
    const { cfg } = this.m;
    const entryBlock = cfg.blockAtSlot[this.entrySlot]!;
    // Program order first (what a compiler emitted), else reverse postorder. The code starts with
    // the first block, so program order serves only when the entry comes first in it (a function
    // may reach blocks before its entry, when a jump goes back across the function's start).
    let order = functionBlocks(cfg, entryBlock);
    let n = order[0] === entryBlock ? stackify(cfg, order) : 'the entry is not first in program order';
    if (typeof n === 'string') {
      order = reversePostorder(cfg, entryBlock);
      n = stackify(cfg, order);
      if (typeof n === 'string') return n;
    }
    this.nesting = n;
    this.pos = new Int32Array(cfg.blocks.length).fill(-1);
    order.forEach((b, i) => { this.pos[b] = i; });
    if (this.m.budgeted) this.need = this.checkpoints(order);
    else this.traces(order);
    const c = this.code;
    // Prologue: this frame's place in linear memory and r10.
    c.get(L_DEPTH).i32(9).op(OP.i32_shl).i32(STACKS).op(OP.i32_add).set(L_FRAME);
    c.i32(CTRL).load(OP.i64_load, C_FP0).get(L_DEPTH).op(OP.i64_extend_i32_u).i64(32).op(OP.i64_shl).op(OP.i64_add).set(L_R10);
    this.loadPacketBase();
    this.loadContextBase();
    this.loadStackTag();
    c.block();
    this.labels.push('deopt');
    // Constructs still open that close at each position: one left after the innermost closed is
    // a nesting error.
    const closing = new Int32Array(order.length + 1);
    for (let p = 0; p <= order.length; p++) {
      for (;;) {
        const top = this.labels[this.labels.length - 1]!;
        if (typeof top === 'object' && top.close === p) {
          c.end();
          this.labels.pop();
          closing[p]--;
        } else break;
      }
      if (closing[p] !== 0) return 'the nesting of blocks is inconsistent';
      if (p === order.length) break;
      for (const k of n.opens[p]!) {
        if (k.kind === 'loop') c.loop();
        else c.block();
        this.labels.push(k);
        closing[k.close]++;
      }
      this.emitBlock(order[p]!);
    }
    if (this.labels.length !== 1) return 'unclosed blocks';
    c.unreachable();
    c.end();
    this.labels.pop();
    // The way out for a run that leaves the compiled code: registers, place and budget to CTRL.
    for (let r = 0; r <= 10; r++) c.i32(CTRL).get(reg(r)).store(OP.i64_store, C_REGS + 8 * r);
    c.i32(CTRL).get(L_DPC).store(OP.i32_store, C_PC);
    c.i32(CTRL).get(L_DEPTH).store(OP.i32_store, C_DEPTH);
    c.i32(CTRL).get(L_LEFT).store(OP.i64_store, C_LEFT);
    this.results();
    return undefined;
  }

  /** Push the function's results: r0..r5 and the budget left. */
  private results(): void {
    for (let r = 0; r <= 5; r++) this.code.get(r);
    this.code.get(L_LEFT);
  }

  /** Leave through the deopt tail with `slot` as the place to resume. */
  private leave(slot: number): void {
    this.code.i32(slot).set(L_DPC).br(this.depthOf('deopt'));
  }

  private openIf(): void {
    this.code.if();
    this.labels.push('if');
  }
  private closeIf(): void {
    this.code.end();
    this.labels.pop();
  }

  /** After a call out of the compiled code: leave if it asked to (status not DONE), resuming at `next`. */
  private checkStatus(next: number): void {
    const c = this.code;
    c.i32(CTRL).load(OP.i32_load, C_STATUS);
    this.openIf();
    this.leave(next);
    this.closeIf();
  }

  /** Forget every cached region: a helper may have moved or dropped them. */
  private invalidateCaches(): void {
    for (const k of this.caches.values()) this.code.i64(0).set(k.lim);
    this.loadPacketBase();
    this.loadContextBase();
  }

  /**
   * L_PKT: the low window's place in linear memory minus LOW_BASE, so that a packet address's lower
   * half plus L_PKT is where its byte is. The runtime keeps the low window mapped while a program
   * with direct packet accesses runs (context.ts ensureLow), also after helpers that replace it.
   */
  private loadPacketBase(): void {
    if (!this.m.directPacket) return;
    this.code.i32(0).load(OP.i32_load, TABLE + LOW_ENTRY + E_BASE).i32(LOW_BASE).op(OP.i32_sub).set(L_PKT);
  }

  /** L_CTX: where the run's context is in linear memory (the runtime maps it first: ensureCtx). */
  private loadContextBase(): void {
    if (this.m.directCtx) this.code.i32(CTRL).load(OP.i32_load, C_CTX).set(L_CTX);
  }

  /** L_FP0: the upper half of frame 0's addresses, for direct accesses through stack pointers. */
  private loadStackTag(): void {
    if (this.m.directStack) this.code.i32(CTRL).load(OP.i32_load, C_FP0 + 4).set(L_FP0);
  }

  /**
   * The budget. Every block subtracts its length from the budget left; a checkpoint (the entry, a
   * loop header, the block after a call) first makes sure that what is left covers the longest way
   * to the next checkpoint (`need`), else the run leaves for the interpreter at `slot`, which then
   * stops at exactly the instruction the budget runs out on. So counts and errors are the
   * interpreter's, with one test per loop round instead of one per block.
   */
  private budget(slot: number, count: number, need: number | undefined): void {
    const c = this.code;
    // A verified program runs without a budget (UNLIMITED_BUDGET): it is only counted.
    if (need !== undefined && this.m.budgeted) {
      c.get(L_LEFT).i64(need).op(OP.i64_lt_s);
      this.openIf();
      c.i32(CTRL).i32(STATUS.DEOPT).store(OP.i32_store, C_STATUS);
      this.leave(slot);
      this.closeIf();
    }
    c.get(L_LEFT).i64(count).op(OP.i64_sub).set(L_LEFT);
  }

  /** Checkpoints of the budget and, for each, the most instructions until the next one. */
  private checkpoints(order: readonly number[]): Map<number, number> {
    const { cfg, forms } = this.m;
    const pos = this.pos;
    const check = new Set<number>([order[0]!]);
    for (const [h] of this.nesting.loopAt) check.add(order[h]!);
    for (const b of order) {
      const blk = cfg.blocks[b]!;
      const last = forms[blk.last]!;
      if (last.kind === 'call' && last.callKind === 'local' && b + 1 < pos.length && pos[b + 1]! >= 0) check.add(b + 1);
    }
    // Longest way from each block to a checkpoint or an exit, over forward edges (order is a DAG order).
    const far = new Int32Array(cfg.blocks.length);
    for (let i = order.length - 1; i >= 0; i--) {
      const b = order[i]!;
      const blk = cfg.blocks[b]!;
      let next = 0;
      const via = (s: number): void => {
        const ps = pos[s]!;
        if (ps < 0 || ps <= i || check.has(s)) return;
        next = Math.max(next, far[s]!);
      };
      if (blk.target !== undefined) via(blk.target);
      if (blk.falls) {
        if (b + 1 < cfg.blocks.length) via(b + 1);
        else next = Math.max(next, 1); // falling off the end counts as one more
      }
      far[b] = blk.count + next;
    }
    const out = new Map<number, number>();
    for (const b of check) out.set(b, far[b]!);
    return out;
  }

  /**
   * Code without a budget only counts, and counts a trace at once: a block ending in a conditional
   * jump and the block it falls into next, when that has no other way in, are counted together at
   * the first, and the jump that leaves early gives back what it skipped. A loop of two blocks (a
   * test, then the body) then counts once a round. A trace ends at a block that calls out (the
   * count must be exact where a run can leave the code) or ends otherwise.
   */
  private traces(order: readonly number[]): void {
    const { cfg, forms } = this.m;
    const n = cfg.blocks.length;
    const preds = new Int32Array(n);
    for (const b of order) {
      const blk = cfg.blocks[b]!;
      if (blk.target !== undefined) preds[blk.target]++;
      if (blk.falls && b + 1 < n) preds[b + 1]++;
    }
    this.counted = new Int32Array(n);
    this.rest = new Int32Array(n);
    const joins = (b: number): boolean => {
      const blk = cfg.blocks[b]!;
      return forms[blk.last]!.kind === 'jcond' && blk.falls && b + 1 < n && blk.target !== b + 1
        && this.pos[b + 1] === this.pos[b]! + 1 && preds[b + 1] === 1;
    };
    for (let p = 0; p < order.length; p++) {
      const head = order[p]!;
      if (p > 0 && joins(order[p - 1]!)) continue;
      let end = head;
      while (joins(end)) end++;
      let total = 0;
      for (let b = end; b >= head; b--) {
        this.rest[b] = total;
        total += cfg.blocks[b]!.count;
      }
      this.counted[head] = total;
    }
  }

  /** For code without a budget: instructions counted at each block (traces), and given back when leaving a trace after it. */
  private counted: Int32Array | undefined;
  private rest = new Int32Array(0);

  private emitBlock(b: number): void {
    const { cfg, insns, forms, slots } = this.m;
    const blk = cfg.blocks[b]!;
    const counted = this.counted === undefined ? blk.count : this.counted[b]!;
    if (counted !== 0 || this.need.has(b)) this.budget(blk.slot, counted, this.need.get(b));
    for (let i = blk.first; i <= blk.last; i++) {
      this.code.mark(slots[i]!);
      this.emitInsn(insns[i]!, forms[i]!, slots[i]!, b);
    }
    if (blk.falls && b + 1 < cfg.blocks.length && this.pos[b + 1] !== this.pos[b]! + 1) {
      this.code.br(this.depthOf(this.jumpLabel(b, b + 1)));
    }
    if (blk.falls && b === cfg.blocks.length - 1) {
      // Off the end: as the interpreter, which counts the missing instruction first.
      const end = this.m.prog.slots;
      this.code.i32(FAIL.FALLOFF).i32(end - 1).i32(RT.FAIL).callIndirect(RT.FAIL).unreachable();
    }
  }

  private jumpLabel(fromBlock: number, target: number): Construct {
    const pf = this.pos[fromBlock]!, pt = this.pos[target]!;
    const k = pt <= pf ? this.nesting.loopAt.get(pt) : this.nesting.blockTo.get(pt);
    if (!k) throw new Error(`jit: no label for the jump from block ${fromBlock} to ${target}`);
    return k;
  }

  // ---- operands ----
  private src64(x: Insn, useReg: boolean): void {
    if (useReg) this.code.get(reg(x.src));
    else this.code.i64(x.imm);
  }
  private src32(x: Insn, useReg: boolean): void {
    if (useReg) this.code.get(reg(x.src)).op(OP.i32_wrap_i64);
    else this.code.i32(x.imm);
  }

  private emitInsn(x: Insn, f: InsnForm, slot: number, block: number): void {
    const c = this.code;
    const d = reg(x.dst);
    switch (f.kind) {
      case 'alu':
        if (f.is64) this.alu64(x, f.op, f.useReg, d);
        else this.alu32(x, f.op, f.useReg, d);
        return;
      case 'neg':
        if (f.is64) c.i64(0).get(d).op(OP.i64_sub).set(d);
        else c.i32(0).get(d).op(OP.i32_wrap_i64).op(OP.i32_sub).op(OP.i64_extend_i32_u).set(d);
        return;
      case 'end':
        this.byteOrder(f.order, f.width, d);
        return;
      case 'lddw':
        c.i64(lddwValue(x)).set(d);
        return;
      case 'jcond': {
        const k = this.jumpLabel(block, this.m.cfg.blockAtSlot[branchTarget(x, f, slot)!]!);
        this.condition(x, f);
        const rest = this.counted === undefined ? 0 : this.rest[block]!;
        if (rest === 0) {
          c.brIf(this.depthOf(k));
          return;
        }
        // Leaving the trace here: the blocks after this one were counted and did not run.
        this.openIf();
        c.get(L_LEFT).i64(rest).op(OP.i64_add).set(L_LEFT).br(this.depthOf(k));
        this.closeIf();
        return;
      }
      case 'ja': {
        const k = this.jumpLabel(block, this.m.cfg.blockAtSlot[branchTarget(x, f, slot)!]!);
        c.br(this.depthOf(k));
        return;
      }
      case 'exit':
        this.results();
        c.ret();
        return;
      case 'call':
        if (f.callKind === 'helper') this.helperCall(slot);
        else this.localCall(x, f, slot);
        return;
      case 'ldpkt':
        if (f.mode === 'ind') c.get(reg(x.src)).op(OP.i32_wrap_i64).i32(x.imm).op(OP.i32_add);
        else c.i32(x.imm);
        c.i32(f.size).i32(slot).i32(RT.LDPKT).callIndirect(RT.LDPKT).set(0);
        this.checkStatus(slot + 1);
        return;
      case 'ldx': {
        const op = (f.signed ? LOAD_S : LOAD_U)[f.size]!;
        const off = this.emitAddress(x.src, x.off, f.size, false, slot);
        c.load(op, off).set(d);
        return;
      }
      case 'st':
      case 'stx': {
        const op = STORE[f.size]!;
        const off = this.emitAddress(x.dst, x.off, f.size, true, slot);
        if (f.kind === 'stx') c.get(reg(x.src));
        else c.i64(x.imm);
        c.store(op, off);
        return;
      }
      case 'atomic':
        this.atomic(x, f, slot);
        return;
    }
  }

  /**
   * Leave the linear-memory address of `base + off` on the stack (an i32) and return the constant
   * offset the load or store must add. The access is checked: outside every region, past the end
   * of one, or a write to a read-only one ends in rt.map, which throws the interpreter's EFAULT.
   */
  private emitAddress(base: number, off: number, size: number, write: boolean, slot: number): number {
    const c = this.code;
    const kinds = this.m.access(slot);
    if (off >= 0 && kinds === ACCESS.CTX) {
      // The verifier proved the base is the context pointer itself (no offset) and the field inside
      // the type's context; the runtime checks the run's context is that large (ctxExtent).
      this.m.noteCtx(off + size, write);
      if (write) c.i32(CTRL).i32(1).store(OP.i32_store8, C_CTXW);
      c.get(L_CTX);
      return off;
    }
    if (kinds === ACCESS.PACKET) {
      // The verifier proved the access inside the packet on every path: no check.
      if (write) c.i32(CTRL).i32(1).store(OP.i32_store8, C_PKTW);
      c.get(reg(base)).op(OP.i32_wrap_i64).get(L_PKT).op(OP.i32_add);
      if (off >= 0) return off;
      c.i32(off).op(OP.i32_add);
      return 0;
    }
    if (kinds !== 0 && (kinds & ~(ACCESS.MAP_VALUE | ACCESS.RINGBUF)) === 0) {
      // The verifier proved a pointer to a map value, global data or a ring buffer record, and the
      // bytes inside it: its region's place in linear memory, from the table, plus the lower half.
      // The runtime maps every such region before the code can hold a pointer to it.
      this.m.directValues = true;
      c.get(reg(base)).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).i32(TAG_BASE).op(OP.i32_sub);
      if (write) {
        // Which region was written (WRITTEN), and that one was (C_VALW).
        const idx = (this.regionIndex ??= this.local('i32'));
        c.tee(idx).i32(1).store(OP.i32_store8, WRITTEN);
        c.i32(CTRL).i32(1).store(OP.i32_store8, C_VALW);
        c.get(idx);
      }
      c.i32(Math.log2(ENTRY_SIZE)).op(OP.i32_shl);
      c.load(OP.i32_load, TABLE + E_BASE).get(reg(base)).op(OP.i32_wrap_i64).op(OP.i32_add);
      if (off >= 0) return off;
      c.i32(off).op(OP.i32_add);
      return 0;
    }
    if (base === 10 && !this.m.r10Written) {
      const lo = STACK_SIZE + off;
      if (lo >= 0 && lo + size <= STACK_SIZE) {
        c.get(L_FRAME);
        return lo;
      }
    }
    if (kinds === ACCESS.STACK && STACKS + off >= 0) {
      // The verifier proved a pointer into a frame of the run and the bytes inside it. The frames
      // are consecutive regions, at STACKS in linear memory (and their regions are views of it):
      // the frame is the upper half minus frame 0's (L_FP0), the offset in it the lower half.
      c.get(reg(base)).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).get(L_FP0).op(OP.i32_sub).i32(9).op(OP.i32_shl);
      c.get(reg(base)).op(OP.i32_wrap_i64).op(OP.i32_add);
      return STACKS + off;
    }
    const k = this.cacheOf(base, size, write);
    c.get(reg(base));
    if (off !== 0) c.i64(off).op(OP.i64_add);
    c.tee(L_A).get(k.start).op(OP.i64_sub).tee(L_T).get(k.lim).op(OP.i64_ge_u);
    this.openIf();
    c.get(L_A).i32(size | (write ? 16 : 0)).i32(slot).call(this.m.refillIndex);
    c.set(k.lim).set(k.base).set(k.start);
    c.get(L_A).get(k.start).op(OP.i64_sub).set(L_T);
    this.closeIf();
    c.get(k.base).get(L_T).op(OP.i32_wrap_i64).op(OP.i32_add);
    return 0;
  }

  private atomic(x: Insn, f: Extract<InsnForm, { kind: 'atomic' }>, slot: number): void {
    const c = this.code;
    const wide = f.size === 8;
    const ld = wide ? OP.i64_load : OP.i64_load32_u;
    const st = wide ? OP.i64_store : OP.i64_store32;
    const off = this.emitAddress(x.dst, x.off, f.size, true, slot);
    c.set(L_T3);
    const s = reg(x.src);
    // old value -> L_T
    c.get(L_T3).load(ld, off).set(L_T);
    const name = f.op.fetchName;
    if (name === 'cmpxchg') {
      c.get(L_T);
      c.get(0);
      if (!wide) c.i64(0xffffffff).op(OP.i64_and);
      c.op(OP.i64_eq);
      this.openIf();
      c.get(L_T3).get(s).store(st, off);
      this.closeIf();
      c.get(L_T).set(0);
      return;
    }
    c.get(L_T3);
    if (name === 'xchg') c.get(s);
    else {
      c.get(L_T).get(s);
      c.op({ add: OP.i64_add, or: OP.i64_or, and: OP.i64_and, xor: OP.i64_xor }[name as 'add']);
    }
    c.store(st, off);
    if (f.op.fetch) c.get(L_T).set(s);
  }

  private condition(x: Insn, f: Extract<InsnForm, { kind: 'jcond' }>): void {
    const c = this.code;
    const op = f.cond.name;
    if (f.is32) {
      c.get(reg(x.dst)).op(OP.i32_wrap_i64);
      this.src32(x, f.useReg);
      if (op === 'jset') { c.op(OP.i32_and).i32(0).op(OP.i32_ne); return; }
      c.op(JMP32_OPS[op]!);
      return;
    }
    c.get(reg(x.dst));
    this.src64(x, f.useReg);
    if (op === 'jset') { c.op(OP.i64_and).i64(0).op(OP.i64_ne); return; }
    c.op(JMP64_OPS[op]!);
  }

  private alu64(x: Insn, info: AluOpInfo, useReg: boolean, d: number): void {
    const c = this.code;
    const s = ALU64_OPS[info.op];
    if (s !== undefined) {
      // wasm masks shift counts to 63 exactly as the ISA does.
      c.get(d);
      this.src64(x, useReg);
      c.op(s).set(d);
      return;
    }
    if (info.op === ALU.MOV) {
      if (info.off === 0) this.src64(x, useReg);
      else c.get(reg(x.src)).op({ 8: OP.i64_extend8_s, 16: OP.i64_extend16_s, 32: OP.i64_extend32_s }[info.off]!);
      c.set(d);
      return;
    }
    this.divmod(x, info, useReg, d, true);
  }

  private alu32(x: Insn, info: AluOpInfo, useReg: boolean, d: number): void {
    const c = this.code;
    const s = ALU32_OPS[info.op];
    if (s !== undefined) {
      c.get(d).op(OP.i32_wrap_i64);
      this.src32(x, useReg);
      c.op(s).op(OP.i64_extend_i32_u).set(d);
      return;
    }
    if (info.op === ALU.MOV) {
      this.src32(x, useReg);
      if (info.off === 8) c.op(OP.i32_extend8_s);
      else if (info.off === 16) c.op(OP.i32_extend16_s);
      c.op(OP.i64_extend_i32_u).set(d);
      return;
    }
    this.divmod(x, info, useReg, d, false);
  }

  /**
   * Division and modulo with RFC 9669's rules (isa/semantics.ts aluRef): by zero, div gives 0 and
   * mod keeps the dividend; signed INT_MIN / -1 wraps to INT_MIN (wasm would trap) and mod gives 0.
   */
  private divmod(x: Insn, info: AluOpInfo, useReg: boolean, d: number, wide: boolean): void {
    const c = this.code;
    const isMod = info.op === ALU.MOD;
    const signed = info.off === 1;
    const t: ValType = wide ? 'i64' : 'i32';
    const O = wide
      ? { eqz: OP.i64_eqz, eq: OP.i64_eq, sub: OP.i64_sub, div_u: OP.i64_div_u, div_s: OP.i64_div_s, rem_u: OP.i64_rem_u, rem_s: OP.i64_rem_s }
      : { eqz: OP.i32_eqz, eq: OP.i32_eq, sub: OP.i32_sub, div_u: OP.i32_div_u, div_s: OP.i32_div_s, rem_u: OP.i32_rem_u, rem_s: OP.i32_rem_s };
    const dst = (): void => {
      c.get(d);
      if (!wide) c.op(OP.i32_wrap_i64);
    };
    const konst = (v: number): void => {
      if (wide) c.i64(v);
      else c.i32(v);
    };
    const op = isMod ? (signed ? O.rem_s : O.rem_u) : signed ? O.div_s : O.div_u;
    if (!useReg) {
      const k = x.imm | 0;
      if (k === 0) {
        if (isMod) dst(); else konst(0);
      } else if (signed && k === -1) {
        if (isMod) konst(0); else { konst(0); dst(); c.op(O.sub); }
      } else {
        dst();
        konst(k);
        c.op(op);
      }
    } else {
      // The divisor in a temporary: L_T (i64) or L_T3 (i32).
      const tmp = wide ? L_T : L_T3;
      c.get(reg(x.src));
      if (!wide) c.op(OP.i32_wrap_i64);
      c.set(tmp);
      c.get(tmp).op(O.eqz);
      c.if(t);
      if (isMod) dst(); else konst(0);
      c.else();
      if (signed) {
        c.get(tmp);
        konst(-1);
        c.op(O.eq);
        c.if(t);
        if (isMod) konst(0); else { konst(0); dst(); c.op(O.sub); }
        c.else();
        dst();
        c.get(tmp).op(op);
        c.end();
      } else {
        dst();
        c.get(tmp).op(op);
      }
      c.end();
    }
    if (!wide) c.op(OP.i64_extend_i32_u);
    c.set(d);
  }

  private byteOrder(order: 'le' | 'be' | 'bswap', width: 16 | 32 | 64, d: number): void {
    const c = this.code;
    if (order === 'le') {
      if (width === 16) c.get(d).i64(0xffff).op(OP.i64_and).set(d);
      else if (width === 32) c.get(d).i64(0xffffffff).op(OP.i64_and).set(d);
      return;
    }
    if (width === 16) {
      // ((v & 0xff) << 8) | ((v >> 8) & 0xff)
      c.get(d).i64(0xff).op(OP.i64_and).i64(8).op(OP.i64_shl);
      c.get(d).i64(8).op(OP.i64_shr_u).i64(0xff).op(OP.i64_and).op(OP.i64_or).set(d);
      return;
    }
    const swap32 = (): void => {
      // the i32 on the stack, byte-reversed: (rotl(v, 8) & 0x00ff00ff) | (rotr(v, 8) & 0xff00ff00)
      c.set(L_T3);
      c.get(L_T3).i32(8).op(OP.i32_rotl).i32(0x00ff00ff).op(OP.i32_and);
      c.get(L_T3).i32(8).op(OP.i32_rotr).i32(0xff00ff00 | 0).op(OP.i32_and).op(OP.i32_or);
    };
    if (width === 32) {
      c.get(d).op(OP.i32_wrap_i64);
      swap32();
      c.op(OP.i64_extend_i32_u).set(d);
      return;
    }
    c.get(d).op(OP.i32_wrap_i64);
    swap32();
    c.op(OP.i64_extend_i32_u).i64(32).op(OP.i64_shl).set(L_T2);
    c.get(d).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64);
    swap32();
    c.op(OP.i64_extend_i32_u).get(L_T2).op(OP.i64_or).set(d);
  }

  private helperCall(slot: number): void {
    const c = this.code;
    const keySize = this.m.compiledLookup(slot);
    if (keySize !== 0) {
      this.compiledLookup(slot, Math.abs(keySize), keySize > 0);
      return;
    }
    const loop = this.m.loops.get(slot);
    if (loop !== undefined) {
      if (loop.each) this.inlineEach(slot, loop.callback);
      else this.inlineLoop(slot, loop.callback);
      return;
    }
    const isTail = this.m.prog.helpers[slot]!.id === TAIL_CALL_HELPER;
    const tail = isTail && this.entrySlot === 0 ? this.m.tailSite() : -1;
    if (tail >= 0) {
      // A cached tail call, else the helper (below).
      this.cachedTailCall(tail);
      c.else();
    }
    this.callHelper(slot);
    if (tail >= 0) {
      this.tailCall(tail);
      this.closeIf();
    } else if (isTail) {
      this.subprogramTailCall();
    }
    this.checkStatus(slot + 1);
    this.invalidateCaches();
  }

  /** r0 = the helper at `slot` called with the arguments its prototype has, or its implementation reads (trace_printk's varargs). */
  private callHelper(slot: number): void {
    const c = this.code;
    c.i32(slot);
    const h = this.m.prog.helpers[slot]!;
    const k = Math.min(5, Math.max(h.args.length, h.impl.length - 1));
    for (let r = 1; r <= k; r++) c.get(r);
    c.i32(RT.HELPER + k).callIndirect(RT.HELPER + k);
    c.set(0);
  }

  /**
   * bpf_map_lookup_elem of a map the verifier proved (ModuleCompiler.compiledLookup), with the key
   * read as the helper reads it, through rt.lookup. When `cached`, first the context's lookup
   * cache (LOOKUPS): the same map and key as a lookup made earlier in this generation give what
   * that lookup gave, without a call out. The runtime starts a new generation whenever a map may
   * have changed (a helper that writes, the end of an execution, dropped regions), so the answer
   * is the helper's; the value's region stays mapped from the lookup that filled the entry.
   */
  private compiledLookup(slot: number, keySize: number, cached: boolean): void {
    const c = this.code;
    const key = (this.lookupKey ??= this.local('i64'));
    const off = this.emitAddress(2, 0, keySize, false, slot);
    c.load(LOAD_U[keySize]!, off).set(key);
    const probe = this.m.probedLookup(slot);
    if (probe) this.probeLookup(slot, key);
    this.runtimeLookup(slot, key, cached);
    if (probe) this.closeIf();
  }

  /**
   * The start of a lookup in a hash map whose keys are in the resident window (MAP_INDEX of its
   * handle's region, set by the runtime, valid): the code walks the index itself (as
   * maps/resident-index.ts lays it out) and r0 is the value's address in the window, or 0. Leaves
   * an if open whose else the caller fills with the lookup through the runtime.
   */
  private probeLookup(insnSlot: number, key: number): void {
    const c = this.code;
    const [at, h, slot, a, n] = (this.probeLocals ??= [this.local('i32'), this.local('i32'), this.local('i32'), this.local('i32'), this.local('i32')]);
    // The handle's region index (the map pointer's upper half less TAG_BASE), four bytes an entry.
    c.get(1).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).i32(TAG_BASE).op(OP.i32_sub).i32(2).op(OP.i32_shl);
    c.load(OP.i32_load, MAP_INDEX).tee(at);
    this.andStart(() => c.get(at).load(OP.i32_load, IX_VALID));
    this.openIf();
    c.get(key).op(OP.i32_wrap_i64).get(key).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).i32(IX_K1).op(OP.i32_mul).op(OP.i32_xor);
    c.i32(IX_K2).op(OP.i32_mul).get(at).load(OP.i32_load, IX_SHIFT).op(OP.i32_shr_u).set(h);
    // At most every slot once: an index with no empty slot (which its upkeep never leaves) is
    // answered by the runtime, never walked forever.
    c.get(at).load(OP.i32_load, IX_MASK).set(n);
    c.block();
    c.loop();
    this.labels.push('if', 'if');
    // a = the slot's value address: 0 ends the walk (not found), 1 is a deleted element's.
    c.get(at).get(h).i32(Math.log2(IX_SLOT)).op(OP.i32_shl).op(OP.i32_add).tee(slot).load(OP.i32_load, IX_SLOTS + IX_ADDR).set(a);
    c.get(a).op(OP.i32_eqz);
    c.if();
    c.i64(0).set(0).br(2);
    c.end();
    c.get(a).i32(1).op(OP.i32_ne);
    c.get(slot).load(OP.i64_load, IX_SLOTS).get(key).op(OP.i64_eq).op(OP.i32_and);
    c.if();
    c.i64(BigInt(RESIDENT_TAG >>> 0) << 32n).get(a).i32(RESIDENT_BASE).op(OP.i32_sub).op(OP.i64_extend_i32_u).op(OP.i64_or).set(0).br(2);
    c.end();
    c.get(n).op(OP.i32_eqz);
    this.openIf();
    this.runtimeLookup(insnSlot, key, false);
    c.br(2);
    this.closeIf();
    c.get(n).i32(1).op(OP.i32_sub).set(n);
    c.get(h).i32(1).op(OP.i32_add).get(at).load(OP.i32_load, IX_MASK).op(OP.i32_and).set(h).br(0);
    c.end();
    c.end();
    this.labels.pop();
    this.labels.pop();
    c.else();
  }

  /**
   * bpf_map_lookup_elem through the runtime (rt.lookup), after the lookup cache when `cached`.
   */
  private runtimeLookup(slot: number, key: number, cached: boolean): void {
    const c = this.code;
    if (cached) {
      this.m.cachedLookups++;
      const entry = (this.lookupEntry ??= this.local('i32'));
      // Fibonacci hashing of key ^ map: the top bits pick the entry.
      c.get(key).get(1).op(OP.i64_xor).i64(0x9e3779b97f4a7c15n).op(OP.i64_mul).i64(64 - LOOKUP_BITS).op(OP.i64_shr_u);
      c.op(OP.i32_wrap_i64).i32(Math.log2(LOOKUP_SIZE)).op(OP.i32_shl).set(entry);
      c.get(entry).load(OP.i32_load, LOOKUPS + K_GEN).i32(CTRL).load(OP.i32_load, C_GEN).op(OP.i32_eq);
      c.get(entry).load(OP.i64_load, LOOKUPS + K_MAP).get(1).op(OP.i64_eq).op(OP.i32_and);
      c.get(entry).load(OP.i64_load, LOOKUPS + K_KEY).get(key).op(OP.i64_eq).op(OP.i32_and);
      this.openIf();
      c.get(entry).load(OP.i64_load, LOOKUPS + K_R0).set(0);
      c.else();
    }
    // rt.lookup: the map's handle and the key in halves, r0 back in CTRL (no BigInt either way).
    c.i32(slot);
    c.get(1).op(OP.i32_wrap_i64).get(1).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64);
    c.get(key).op(OP.i32_wrap_i64).get(key).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64);
    c.i32(RT.LOOKUP).callIndirect(RT.LOOKUP);
    c.i32(CTRL).load(OP.i64_load, C_LOOKUPR0).set(0);
    this.checkStatus(slot + 1);
    this.invalidateCaches();
    if (cached) {
      const entry = this.lookupEntry!;
      c.get(entry).i32(CTRL).load(OP.i32_load, C_GEN).store(OP.i32_store, LOOKUPS + K_GEN);
      c.get(entry).get(1).store(OP.i64_store, LOOKUPS + K_MAP);
      c.get(entry).get(key).store(OP.i64_store, LOOKUPS + K_KEY);
      c.get(entry).get(0).store(OP.i64_store, LOOKUPS + K_R0);
      this.closeIf();
    }
  }

  /**
   * bpf_loop(n, callback, ctx, flags) run by the code itself, with what the helper answers: -EINVAL
   * for flags, 0xfffffff9 (the kernel's inlined -E2BIG, 32 bits) for more than BPF_MAX_LOOPS,
   * else the iterations made. Each call of the callback gets a zeroed frame below this one and r0
   * 0, r1 the index, r2 ctx, the rest 0, as RunContext.callFunction gives it; its instructions are
   * not counted in the run's (nor are they by the helper). Only for a callback that cannot leave
   * the code mid-loop (ModuleCompiler.loopRegions: no tail call, no LD_ABS, its callees' neither);
   * one that calls helpers has rt.loop drop what its calls add to memory, and the helper runs the
   * loop when the region table has no room for a call's. Past the call depth the helper runs it
   * (the interpreter, from a fresh frame 0).
   */
  private inlineLoop(slot: number, callback: number): void {
    const c = this.code;
    const [n, i] = (this.loopLocals ??= [this.local('i64'), this.local('i64')]);
    c.get(4).op(OP.i64_eqz);
    this.openIf();
    c.get(1).i64(0xffffffff).op(OP.i64_and).tee(n).i64(BPF_MAX_LOOPS).op(OP.i64_gt_u);
    this.openIf();
    c.i64(0xfffffff9).set(0);
    c.else();
    // A callback that calls helpers needs room in the region table for what a call adds
    // (rt.loop START; the helper runs the loop otherwise), and each call's regions dropped after.
    const adds = this.m.loopAdds.get(callback)!;
    c.get(L_DEPTH).i32(MAX_CALL_FRAMES - 1).op(OP.i32_lt_u);
    if (adds >= 0) this.andStart(() => c.i32(LOOP.START).i32(adds).i32(RT.LOOP).callIndirect(RT.LOOP));
    this.openIf();
    c.i64(0).set(i);
    c.block();
    c.loop();
    this.labels.push('if', 'if');
    c.get(i).get(n).op(OP.i64_ge_u);
    c.if();
    c.get(n).set(0).br(2);
    c.end();
    this.callCallback(callback, () => {
      c.i64(0).get(i).get(3);
      for (let r = 3; r <= 9; r++) c.i64(0);
    });
    if (adds >= 0) {
      this.callbackStayed(slot);
      c.i32(CTRL).load(OP.i32_load, C_LOOPFULL);
      c.if();
      c.i32(LOOP.ROUND).i32(0).i32(RT.LOOP).callIndirect(RT.LOOP).op(OP.drop);
      c.end();
      c.get(L_T);
    }
    c.i64(0).op(OP.i64_ne);
    c.if();
    c.get(i).i64(1).op(OP.i64_add).set(0).br(2);
    c.end();
    c.get(i).i64(1).op(OP.i64_add).set(i).br(0);
    c.end();
    c.end();
    this.labels.pop();
    this.labels.pop();
    if (adds >= 0) c.i32(LOOP.END).i32(0).i32(RT.LOOP).callIndirect(RT.LOOP).op(OP.drop);
    c.else();
    this.callHelper(slot);
    this.checkStatus(slot + 1);
    this.closeIf();
    this.closeIf();
    c.else();
    c.i64(-ERRNO.EINVAL).set(0);
    this.closeIf();
    this.invalidateCaches();
  }

  /**
   * bpf_for_each_map_elem(map, callback, ctx, flags) run by the code itself, through the helper's
   * walk of the map (rt.each): each element's key and value mapped for a call of the callback with
   * a zeroed frame below this one, r1 the map, r2 the key, r3 the value, r4 ctx, and dropped after
   * it; a nonzero r0 stops the walk; r0 the elements visited. Nonzero flags, a map the code may not
   * walk, no room in the region table or the call depth reached: the helper.
   */
  private inlineEach(slot: number, callback: number): void {
    const c = this.code;
    const adds = Math.max(0, this.m.loopAdds.get(callback)!);
    const each = (what: number): void => void c.i32(what).i32(0).i32(0).i32(0).i32(RT.EACH).callIndirect(RT.EACH);
    c.get(4).op(OP.i64_eqz).get(L_DEPTH).i32(MAX_CALL_FRAMES - 1).op(OP.i32_lt_u).op(OP.i32_and);
    this.andStart(() => {
      c.i32(EACH.START).get(1).op(OP.i32_wrap_i64).get(1).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).i32(adds);
      c.i32(RT.EACH).callIndirect(RT.EACH);
    });
    this.openIf();
    c.block();
    c.loop();
    this.labels.push('if', 'if');
    each(EACH.NEXT);
    c.op(OP.i32_eqz).brIf(1);
    this.callCallback(callback, () => {
      c.i64(0).get(1).i32(CTRL).load(OP.i64_load, C_EACH).i32(CTRL).load(OP.i64_load, C_EACH + 8).get(3);
      for (let r = 5; r <= 9; r++) c.i64(0);
    });
    this.callbackStayed(slot);
    each(EACH.DONE);
    c.op(OP.drop);
    c.get(L_T).op(OP.i64_eqz).brIf(0);
    c.end();
    c.end();
    this.labels.pop();
    this.labels.pop();
    each(EACH.END);
    c.op(OP.i64_extend_i32_u).set(0);
    c.else();
    this.callHelper(slot);
    this.checkStatus(slot + 1);
    this.closeIf();
    this.invalidateCaches();
  }

  /** `&& start()` on the i32 condition on the stack, start() called only when the condition holds. */
  private andStart(start: () => void): void {
    const c = this.code;
    c.if('i32');
    start();
    c.else();
    c.i32(0);
    c.end();
  }

  /**
   * Call a loop's callback with a zeroed frame below this one, r0-r9 as `args` pushes them; leaves
   * its r0 on the stack (its instructions are not counted in the run's).
   */
  private callCallback(callback: number, args: () => void): void {
    const c = this.code;
    this.calleeFrame();
    args();
    c.get(L_LEFT).get(L_DEPTH).i32(1).op(OP.i32_add).call(this.m.functionIndex(callback));
    for (let k = 0; k < 6; k++) c.op(OP.drop);
  }

  /**
   * After a call of a callback that calls helpers, its r0 (taken into L_T): it cannot have left the
   * code (no tail call, no LD_ABS, room for its regions); one that did is a JIT bug, reported.
   */
  private callbackStayed(slot: number): void {
    const c = this.code;
    c.set(L_T);
    c.i32(CTRL).load(OP.i32_load, C_STATUS);
    c.if();
    c.i32(FAIL.LOOP).i32(slot).i32(RT.FAIL).callIndirect(RT.FAIL).unreachable();
    c.end();
  }

  private lookupKey: number | undefined;
  private regionIndex: number | undefined;
  /** inlineLoop's count and index (a function's loops never nest: a callback is a function of its own). */
  private loopLocals: [number, number] | undefined;
  private lookupEntry: number | undefined;
  /** probeLookup's index address, hash, slot address, value address and slots left to walk. */
  private probeLocals: [number, number, number, number, number] | undefined;

  /**
   * A tail call the helper accepted, from the entry function: call the target's entry function
   * with every register as it is (the interpreter carries them over, the stack frame too) and
   * return what it returns. Wasm frames nest (no return_call in Node 20), at most 33 deep.
   * When the target cannot be called so (not compiled, or needing what this run has not mapped),
   * the run leaves with the tail call pending (checkStatus). From a subprogram: subprogramTailCall.
   */
  private tailCall(g: number): void {
    const c = this.code;
    this.enterTarget();
    this.fillTailCache(g, L_T3);
    this.callTarget(L_T3);
    this.closeIf();
    c.else();
    // An empty slot is worth remembering too (as entry -1): the chain's end is a tail call that fails.
    c.i32(CTRL).load(OP.i32_load, C_TAILMISS);
    this.openIf();
    c.i32(-1).set(L_T3);
    this.fillTailCache(g, L_T3);
    this.closeIf();
    this.closeIf();
  }

  /** Open two ifs: a tail call was asked for, and rt.enter put its target's entry function (L_T3) in the table. */
  private enterTarget(): void {
    const c = this.code;
    c.i32(CTRL).load(OP.i32_load, C_STATUS).i32(STATUS.TAIL).op(OP.i32_eq);
    this.openIf();
    c.get(L_DEPTH).i32(RT.ENTER).callIndirect(RT.ENTER).tee(L_T3).i32(0).op(OP.i32_ge_s);
    this.openIf();
  }

  /**
   * A tail call the helper accepted, from a subprogram: the target runs in this function's frame
   * and returns to this function's caller, as in the kernel (and the interpreter). rt.enter marked
   * the frames below with their program; back here, the caller's program runs again (C_CUR) and
   * its frame is no longer marked. A run that left the code inside the target leaves from here too,
   * with no record of this frame, which is the target's now.
   */
  private subprogramTailCall(): void {
    const c = this.code;
    this.enterTarget();
    for (let r = 0; r <= 9; r++) c.get(r);
    c.get(L_LEFT).get(L_DEPTH).get(L_T3).callIndirect(BPF_FN_TYPE);
    c.set(L_LEFT);
    for (let r = 5; r >= 0; r--) c.set(r);
    c.i32(CTRL).load(OP.i32_load, C_STATUS).op(OP.i32_eqz);
    c.if();
    c.get(L_DEPTH).i32(1).op(OP.i32_sub).i32(FRAME_RECORD).op(OP.i32_mul).set(L_T3);
    c.i32(CTRL).get(L_T3).load(OP.i32_load, CTRL + C_FRAMES + F_PROG).store(OP.i32_store, C_CUR);
    c.i32(CTRL).get(L_T3).load(OP.i32_load, CTRL + C_FRAMES + F_BASE).store(OP.i32_store, C_BASE);
    c.i32(CTRL).get(L_DEPTH).i32(1).op(OP.i32_sub).store(OP.i32_store, C_MARKED);
    c.end();
    this.results();
    c.ret();
    this.closeIf();
    this.closeIf();
  }

  /** Remember the map, index and entry (table index, or -1: empty) for the next time (cachedTailCall). */
  private fillTailCache(g: number, entry: number): void {
    const c = this.code;
    c.i32(CTRL).load(OP.i32_load, C_GEN).gset(g + TC_GEN);
    c.get(2).op(OP.i32_wrap_i64).gset(g + TC_LO);
    c.get(2).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).gset(g + TC_HI);
    c.get(3).op(OP.i32_wrap_i64).gset(g + TC_INDEX);
    c.get(entry).gset(g + TC_ENTRY);
  }

  /** Call the entry function at table index `local` with every register and return what it returns. */
  private callTarget(local: number): void {
    const c = this.code;
    for (let r = 0; r <= 9; r++) c.get(r);
    c.get(L_LEFT).get(L_DEPTH).get(local).callIndirect(BPF_FN_TYPE);
    c.ret();
  }

  /**
   * The fast path of a tail call: the same map and index as the last time at this call, in this
   * generation of the caches (the context starts a new one whenever the prog array or the table
   * may have changed: a map update, the end of an execution), and fewer than MAX_TAIL_CALLS made.
   * The target is then called straight away, with the helper's checks already passed, and the
   * count and the running program kept where the runtime reads them (C_TAILS, C_CUR).
   */
  private cachedTailCall(g: number): void {
    const c = this.code;
    c.gget(g + TC_GEN).i32(CTRL).load(OP.i32_load, C_GEN).op(OP.i32_eq);
    c.get(2).op(OP.i32_wrap_i64).gget(g + TC_LO).op(OP.i32_eq).op(OP.i32_and);
    c.get(2).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).gget(g + TC_HI).op(OP.i32_eq).op(OP.i32_and);
    c.get(3).op(OP.i32_wrap_i64).gget(g + TC_INDEX).op(OP.i32_eq).op(OP.i32_and);
    c.i32(CTRL).load(OP.i32_load, C_TAILS).i32(MAX_TAIL_CALLS).op(OP.i32_lt_u).op(OP.i32_and);
    this.openIf();
    c.i32(CTRL).i32(CTRL).load(OP.i32_load, C_TAILS).i32(1).op(OP.i32_add).store(OP.i32_store, C_TAILS);
    c.gget(g + TC_ENTRY).tee(L_T3).i32(0).op(OP.i32_ge_s);
    this.openIf();
    c.i32(CTRL).get(L_T3).store(OP.i32_store, C_CUR);
    c.i64(0).set(0);
    this.callTarget(L_T3);
    this.closeIf();
    // The slot was empty: the helper's failure, and the program goes on.
    c.i32(CTRL).load(OP.i64_load, C_TAILR0).set(0);
    // (the if stays open: helperCall's else is the helper call)
  }

  /** The callee's frame starts zeroed, as in the interpreter; remember how deep runs went. */
  private calleeFrame(): void {
    const c = this.code;
    c.get(L_FRAME).i32(STACK_SIZE).op(OP.i32_add).i32(0).i32(STACK_SIZE).memoryFill();
    c.i32(CTRL).load(OP.i32_load, C_MAXDEPTH).get(L_DEPTH).op(OP.i32_le_u);
    c.if();
    c.i32(CTRL).get(L_DEPTH).i32(1).op(OP.i32_add).store(OP.i32_store, C_MAXDEPTH);
    c.end();
  }

  private localCall(x: Insn, f: InsnForm, slot: number): void {
    const c = this.code;
    const target = branchTarget(x, f, slot)!;
    c.get(L_DEPTH).i32(MAX_CALL_FRAMES - 1).op(OP.i32_ge_u);
    this.openIf();
    // A program nests MAX_CALL_FRAMES frames from the one it started in (C_BASE); deeper than
    // linear memory's frames (below frames tail calls from subprograms left) the interpreter
    // makes the call, the instruction given back to the count.
    c.get(L_DEPTH).i32(1).op(OP.i32_add).i32(CTRL).load(OP.i32_load, C_BASE).op(OP.i32_sub).i32(MAX_CALL_FRAMES).op(OP.i32_ge_s);
    c.if();
    c.i32(FAIL.CALL_DEPTH).i32(slot).i32(RT.FAIL).callIndirect(RT.FAIL).unreachable();
    c.end();
    c.i32(CTRL).i32(STATUS.DEOPT).store(OP.i32_store, C_STATUS);
    c.get(L_LEFT).i64(1).op(OP.i64_add).set(L_LEFT);
    this.leave(slot);
    this.closeIf();
    this.calleeFrame();
    for (let r = 0; r <= 9; r++) c.get(r);
    c.get(L_LEFT).get(L_DEPTH).i32(1).op(OP.i32_add);
    c.call(this.m.functionIndex(target));
    c.set(L_LEFT);
    for (let r = 5; r >= 0; r--) c.set(r);
    this.loadPacketBase();
    this.loadContextBase();
    // The callee left the compiled code: record this frame for the interpreter and leave too.
    c.i32(CTRL).load(OP.i32_load, C_STATUS);
    this.openIf();
    c.get(L_DEPTH).i32(FRAME_RECORD).op(OP.i32_mul).set(L_T3);
    c.get(L_T3).i32(slot + 1).store(OP.i32_store, CTRL + C_FRAMES + F_RET);
    for (let r = 6; r <= 9; r++) c.get(L_T3).get(r).store(OP.i64_store, CTRL + C_FRAMES + F_REGS + 8 * (r - 6));
    this.results();
    c.ret();
    this.closeIf();
    this.invalidateCaches();
    // The interpreter gives the caller its frame pointer back whatever r10 held.
    if (this.m.r10Written) {
      c.i32(CTRL).load(OP.i64_load, C_FP0).get(L_DEPTH).op(OP.i64_extend_i32_u).i64(32).op(OP.i64_shl).op(OP.i64_add).set(L_R10);
    }
  }
}

class ModuleCompiler {
  readonly insns: readonly Insn[];
  readonly forms: readonly InsnForm[];
  readonly slots: number[];
  readonly cfg: Cfg;
  readonly r10Written: boolean;
  /** ProvenFacts.access of a verified program: accesses only through the packet or the context compile without a check. */
  private readonly proven: Uint8Array | undefined;
  /** Whether any access is compiled as a direct packet access (the runtime must map the packet first). */
  readonly directPacket: boolean;
  /** The same for the context. */
  readonly directCtx: boolean;
  /** Whether some access goes through a stack pointer without a check (L_FP0 is loaded). */
  readonly directStack: boolean;
  /** Whether the code checks the budget (not for verified programs, which run without one). */
  readonly budgeted: boolean;
  private readonly fnIndex = new Map<number, number>();
  /** Defined functions (there are no function imports): 0 the exported run, 1 refill, then the BPF functions. */
  readonly refillIndex = 1;
  private readonly firstBpf = 2;

  constructor(readonly prog: PreparedProgram) {
    this.insns = prog.insns;
    this.forms = prog.forms;
    this.slots = slotOffsets(prog.insns);
    const targets = prog.insns.map((x, i) => branchTarget(x, prog.forms[i]!, this.slots[i]!));
    const candidates = this.loopCandidates();
    const callbacks = new Set([...candidates.values()].map((l) => l.callback));
    let cfg = buildCfg(prog.insns, prog.forms, this.slots, targets, [...callbacks]);
    for (const [site, l] of candidates) {
      const regions = this.loopRegions(cfg, l.callback);
      if (regions === undefined) candidates.delete(site);
      else this.loopAdds.set(l.callback, regions);
    }
    // (Callbacks that do not qualify are not made functions of their own: a leaner module.)
    const kept = new Set([...candidates.values()].map((l) => l.callback));
    if (kept.size !== callbacks.size) cfg = buildCfg(prog.insns, prog.forms, this.slots, targets, [...kept]);
    this.cfg = cfg;
    this.loops = candidates;
    this.r10Written = writesR10(prog.insns, prog.forms);
    this.budgeted = prog.proven === undefined;
    const access = prog.proven?.access;
    this.proven = access;
    this.directPacket = access !== undefined && access.some((a) => a === ACCESS.PACKET);
    this.directCtx = access !== undefined && access.some((a) => a === ACCESS.CTX);
    // (Accesses through r10 itself go straight to the frame: only other stack pointers count.)
    this.directStack = access !== undefined && prog.forms.some((f, i) => {
      const x = prog.insns[i]!;
      // (A map lookup's access is its key's, in r2.)
      const base = f.kind === 'ldx' ? x.src : f.kind === 'st' || f.kind === 'stx' || f.kind === 'atomic' ? x.dst : f.kind === 'call' ? 2 : 10;
      return base !== 10 && access[this.slots[i]!] === ACCESS.STACK;
    });
    this.cfg.functions.forEach((s, k) => this.fnIndex.set(s, this.firstBpf + k));
  }

  /**
   * JitProgram.writesStack: a store or an atomic, unless the verifier proved its base a pointer
   * into something else than a stack frame, or a helper that writes memory. (A tail call's target
   * counts for itself: the context learns of it when the target is entered.)
   */
  private writesStack(): boolean {
    return this.forms.some((f, i) => {
      const slot = this.slots[i]!;
      if (f.kind === 'st' || f.kind === 'stx' || f.kind === 'atomic') {
        const kinds = this.access(slot);
        return kinds === 0 || (kinds & (ACCESS.STACK | ACCESS.MEM)) !== 0;
      }
      const h = f.kind === 'call' && f.callKind === 'helper' ? this.prog.helpers[slot] : undefined;
      return h !== undefined && h.id !== TAIL_CALL_HELPER && writesMemory(h);
    });
  }

  /** The verified calls of the kernel's bpf_loop and bpf_for_each_map_elem whose callback is known. */
  private loopCandidates(): Map<number, LoopSite> {
    const out = new Map<number, LoopSite>();
    const p = this.prog.proven;
    if (p === undefined) return out;
    this.prog.forms.forEach((f, i) => {
      const slot = this.slots[i]!;
      if (f.kind !== 'call' || f.callKind !== 'helper') return;
      const h = this.prog.helpers[slot];
      const cb = p.callback[slot]!;
      if (h === undefined || cb < 0) return;
      const each = isKernelHelper(h, 'bpf_for_each_map_elem');
      if (each || isKernelHelper(h, 'bpf_loop')) out.set(slot, { callback: cb, each });
    });
    return out;
  }

  /**
   * Whether the callback starting at `entry` can run in an inlined bpf_loop, and what one call of
   * it may add to memory: -1 when it calls no helper, else a bound on the regions its helper calls
   * (its callees' too) add, REGIONS_PER_HELPER each: the loop then leaves them to the helper when
   * the region table has not that much room. Not inlined (undefined): one that could leave the code
   * mid-loop or add regions without a bound (callHelpers).
   */
  private loopRegions(cfg: Cfg, entry: number): number | undefined {
    const helpers = this.callHelpers(cfg, entry, new Set());
    if (helpers === undefined) return undefined;
    return helpers === 0 ? -1 : helpers * REGIONS_PER_HELPER;
  }

  /**
   * The helper calls one call of the function at `entry` makes at most, through its bpf-to-bpf
   * calls too; undefined when it reads the packet through LD_ABS, makes a tail call (the run would
   * leave the code mid-loop), calls helpers inside a loop of its own (no bound), or calls itself.
   */
  private callHelpers(cfg: Cfg, entry: number, active: Set<number>): number | undefined {
    const b0 = cfg.blockAtSlot[entry];
    if (b0 === undefined || b0 < 0 || active.has(entry)) return undefined;
    active.add(entry);
    let helpers = 0, cyclic = false;
    for (const b of functionBlocks(cfg, b0)) {
      const blk = cfg.blocks[b]!;
      if (blk.target !== undefined && blk.target <= b) cyclic = true;
      for (let i = blk.first; i <= blk.last; i++) {
        const f = this.forms[i]!;
        if (f.kind === 'ldpkt') return undefined;
        if (f.kind !== 'call') continue;
        const slot = this.slots[i]!;
        if (f.callKind === 'local') {
          const inner = this.callHelpers(cfg, branchTarget(this.insns[i]!, f, slot)!, active);
          if (inner === undefined) return undefined;
          helpers += inner;
          continue;
        }
        const h = f.callKind === 'helper' ? this.prog.helpers[slot] : undefined;
        if (h === undefined || h.id === TAIL_CALL_HELPER) return undefined;
        helpers++;
      }
    }
    active.delete(entry);
    return cyclic && helpers > 0 ? undefined : helpers;
  }

  /** Globals of the tail-call caches: TC_SIZE a call site (cachedTailCall). */
  globals = 0;

  tailSite(): number {
    const g = this.globals;
    this.globals += TC_SIZE;
    return g;
  }

  cachedLookups = 0;
  directValues = false;

  /** The bytes of the context direct accesses reach, and whether any writes it. */
  ctxExtent = 0;
  ctxWrites = false;

  noteCtx(end: number, write: boolean): void {
    if (end > this.ctxExtent) this.ctxExtent = end;
    if (write) this.ctxWrites = true;
  }

  /**
   * The bpf_loop and bpf_for_each_map_elem calls the code runs itself (inlineLoop, inlineEach), by
   * slot: verified calls of the kernel's helpers whose callback is the same on every path and
   * cannot leave the code mid-loop (loopRegions).
   */
  readonly loops: Map<number, LoopSite>;
  /** By callback of `loops`: what a call of it may add to memory (loopRegions). */
  readonly loopAdds = new Map<number, number>();

  /**
   * The key size of a verified bpf_map_lookup_elem at `slot` compiled as rt.lookup (the map known
   * and holding values, the key of 1, 2, 4 or 8 bytes), negative when the lookup cache may not
   * answer it (an LRU map's lookup marks the element used), else 0: the helper is called.
   */
  compiledLookup(slot: number): number {
    const p = this.prog.proven;
    if (p === undefined || !isKernelHelper(this.prog.helpers[slot]!, 'bpf_map_lookup_elem')) return 0;
    const m = p.maps[p.helperMap[slot]!];
    if (m === undefined || LOAD_U[m.keySize] === undefined) return 0;
    return CACHED_LOOKUP_TYPES.has(m.type) ? m.keySize : UNCACHED_LOOKUP_TYPES.has(m.type) ? -m.keySize : 0;
  }

  /**
   * Whether the compiled lookup at `slot` first walks the map's resident key index (probeLookup):
   * a plain hash map (its lookup has no effect; LRU maps count the use), keys of 1, 2, 4 or 8 bytes.
   */
  probedLookup(slot: number): boolean {
    const p = this.prog.proven!;
    return p.maps[p.helperMap[slot]!]?.type === 'hash';
  }

  /** The kinds of pointer the verifier proved the access at `slot` goes through (0: not verified). */
  access(slot: number): number {
    return this.proven === undefined ? 0 : this.proven[slot]!;
  }

  functionIndex(slot: number): number {
    return this.fnIndex.get(slot)!;
  }

  compile(): CompileResult {
    const t0 = process.hrtime.bigint();
    const funcs: FuncDef[] = [...supportFunctions(this.functionIndex(0))];
    const meta: { name: string; slot: number; marks: [number, number][] }[] = [
      { name: 'run', slot: -1, marks: [] }, { name: 'refill', slot: -1, marks: [] },
    ];
    for (const s of this.cfg.functions) {
      const fc = new FunctionCompiler(this, s);
      const why = fc.compile();
      if (why !== undefined) return { ok: false, reason: `function at insn ${s}: ${why}` };
      const name = s === 0 ? 'main' : `fn_${s}`;
      funcs.push({ name, type: BPF_FN, locals: fc.locals, body: fc.code, ...(s === 0 ? { export: 'main' } : {}) });
      meta.push({ name, slot: s, marks: fc.code.marks });
    }
    const layout = encodeModule({
      types: [...RT_TYPES, BPF_FN], imports: [], funcs, globals: this.globals,
      table: { module: 'env', name: 'table', min: RT_TYPES.length },
      memory: { module: 'env', name: 'memory', minPages: INITIAL_PAGES, sharedMaxPages: SHARED_MEMORY ? MEMORY_MAX_PAGES : undefined },
    });
    const codegenNs = Number(process.hrtime.bigint() - t0);
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(layout.bytes);
    } catch (e) {
      throw new BpfError('EREJECT', `jit: the generated module is invalid (a JIT bug): ${(e as Error).message}`);
    }
    const compileNs = Number(process.hrtime.bigint() - t0);
    return {
      ok: true,
      jit: {
        module, bytes: layout.bytes, compileNs, codegenNs, slots: this.prog.slots, directPacket: this.directPacket, directCtx: this.directCtx, directStack: this.directStack, cachedLookups: this.cachedLookups, inlinedLoops: this.loops.size, writesStack: this.writesStack(), budgeted: this.budgeted,
        ctxExtent: this.ctxExtent, ctxWrites: this.ctxWrites, directValues: this.directValues, valueTags: this.directValues ? lddwTags(this.prog) : [],
        functions: meta.map((m, i) => ({ name: m.name, slot: m.slot, bodyStart: layout.bodyStart[i]!, marks: m.marks })),
      },
    };
  }
}

/** The distinct upper halves of the program's 64-bit immediates that could be region addresses. */
function lddwTags(prog: PreparedProgram): number[] {
  const tags = new Set<number>();
  prog.forms.forEach((f, i) => {
    if (f.kind !== 'lddw') return;
    const hi = Number(lddwValue(prog.insns[i]!) >> 32n) | 0;
    if (((hi - TAG_BASE) >>> 0) < LOW_INDEX) tags.add(hi);
  });
  return [...tags];
}

export function compile(prog: PreparedProgram): CompileResult {
  return new ModuleCompiler(prog).compile();
}
