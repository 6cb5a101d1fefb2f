/**
 * The reference interpreter. A program is first prepared: every encoding checked (isa/insn.ts
 * `validateProgram`), then flattened into typed arrays indexed by slot so the run loop does no
 * decoding. Registers are pairs of 32-bit halves (see pair64.ts and bench/ for why).
 *
 * Faults (bad memory access, budget exhausted, call depth) are BpfErrors naming the instruction;
 * nothing a program does can raise a host exception or run forever.
 */
import type { ProvenFacts } from '../verifier/proven.js';
import { BpfError } from '../errors.js';
import { PSEUDO_NAMES, cls, type AluOpInfo, type AtomicOpInfo } from '../isa/opcodes.js';
import { type Insn, type InsnForm, slotOffsets, totalSlots, validateProgram, branchTarget } from '../isa/insn.js';
import { HelperRegistry, type HelperDef, type HelperCall, type RunServices, type TailCallTarget } from '../helpers/registry.js';
import { Memory, Region } from './memory.js';
import type { RunOptions, RunResult } from './api.js';
import { P, toBig, fromBig, mul64, lsh64, rsh64, arsh64, udiv64, umod64, sdivmod64, bswap16, bswap32 } from './pair64.js';

export const DEFAULT_BUDGET = 1_000_000;
/**
 * The budget of a verified program's run in the VM when none is asked for: none, in effect, as in
 * the kernel (the verifier proved the program ends). The count of executed instructions stays exact.
 */
export const UNLIMITED_BUDGET = Number.MAX_SAFE_INTEGER;
export const STACK_SIZE = 512;
export const MAX_CALL_FRAMES = 8;

/** Code of the sentinel slot placed after the last instruction (0x00 is no valid instruction). */
const FELL_OFF = 0x00;

/**
 * A program checked and flattened for execution. `ops` holds four words per slot, so the run loop
 * reads one array: code | dst << 8 | src << 12 | aux << 16 (aux: signedness of div/mod, movsx
 * width, byte-swap order), then the memory offset or absolute jump/call target, then the low and
 * high halves of the 64-bit immediate (imm sign-extended, or lddw's second imm).
 */
export class PreparedProgram {
  readonly ops: Int32Array;
  readonly helpers: (HelperDef | undefined)[];
  readonly atomics: (AtomicOpInfo | undefined)[];
  readonly aluInfo: (AluOpInfo | undefined)[];
  readonly slots: number;
  /** What the verifier proved about it, when it was verified (the JIT uses it). */
  proven: ProvenFacts | undefined = undefined;

  constructor(readonly insns: readonly Insn[], readonly forms: readonly InsnForm[], helpers: HelperRegistry, file?: string) {
    const n = totalSlots(insns);
    this.slots = n;
    const size = n + 1; // one sentinel slot, whose code FELL_OFF stops a run that falls off the end
    const ops = (this.ops = new Int32Array(size * 4));
    this.helpers = new Array(size).fill(undefined);
    this.atomics = new Array(size).fill(undefined);
    this.aluInfo = new Array(size).fill(undefined);
    const offsets = slotOffsets(insns);
    insns.forEach((insn, i) => {
      const s = offsets[i]!;
      const form = forms[i]!;
      const where = `${file ? file + ': ' : ''}insn ${s}`;
      let aux = 0;
      let immHi = insn.imm >> 31;
      switch (form.kind) {
        case 'alu':
          aux = form.op.off;
          this.aluInfo[s] = form.op;
          break;
        case 'end':
          aux = form.order === 'le' ? 0 : 1;
          break;
        case 'lddw':
          if (form.pseudo !== 0) {
            throw new BpfError('EREJECT', `${where}: lddw with src=${form.pseudo} (${PSEUDO_NAMES[form.pseudo]}) needs a loader that resolves maps and functions; it cannot run on its own`, { insn: s, file });
          }
          immHi = insn.imm2 ?? 0;
          break;
        case 'call':
          if (form.callKind === 'kfunc') {
            throw new BpfError('EREJECT', `${where}: calls to kernel functions (kfunc, BTF id ${insn.imm}) are not available in the VM`, { insn: s, file });
          }
          if (form.callKind === 'helper') {
            const h = helpers.get(insn.imm);
            if (!h) throw new BpfError('EREJECT', `${where}: invalid func unknown#${insn.imm}: no helper with id ${insn.imm} is registered`, { insn: s, file });
            this.helpers[s] = h;
          }
          break;
        case 'atomic':
          this.atomics[s] = form.op;
          break;
        default:
          break;
      }
      const p = s * 4;
      ops[p] = insn.code | (insn.dst << 8) | (insn.src << 12) | (aux << 16);
      ops[p + 1] = branchTarget(insn, form, s) ?? insn.off;
      ops[p + 2] = insn.imm;
      ops[p + 3] = immHi;
    });
    ops[n * 4] = FELL_OFF;
  }
}

export interface InterpreterOptions {
  helpers?: HelperRegistry;
  file?: string;
}

/** Observes each instruction before it executes (the debugger's and `--trace`'s hook). */
export type TraceFn = (pc: number, lo: Int32Array, hi: Int32Array, frame: number) => void;

export interface ExecOptions extends RunOptions {
  trace?: TraceFn;
  /** Regions the caller set up (context, packet...); r1 gets `r1` when given instead of the input block. */
  memory?: Memory;
  r1?: bigint;
  r2?: bigint;
  /** r3..r5 at entry (bpf_loop and for_each_map_elem callbacks get up to four arguments). */
  r3?: bigint;
  r4?: bigint;
  r5?: bigint;
  /** The slot to start at (a callback's first instruction); 0 by default. */
  entry?: number;
  /** Where LD_ABS/LD_IND read; the whole input block from offset 0 by default. */
  packet?: PacketView;
  /** The runtime's services, handed to helpers (maps, environment, context). */
  services?: RunServices;
  /**
   * Runs on this one set-up (default 1; the JIT's repeat, jit/context.ts). After a run that called
   * a helper, `between(mark)` drops what the run added to `memory` from `mark` on and resets the
   * caller's per-run state before the next.
   */
  repeat?: number;
  between?: (mark: number) => void;
}

/** SKF_NET_OFF and SKF_LL_OFF: LD_ABS offsets from these bases reach the network and link headers. */
export const SKF_NET_OFF = -0x100000;
export const SKF_LL_OFF = -0x200000;

/**
 * The packet as the legacy LD_ABS/LD_IND instructions see it: offsets from `data` (where the
 * program type's data starts: L2 for tc, L3 for a socket filter), or from the network or link
 * header through the SKF_* bases; `end` bounds every read. All are offsets within `region`.
 */
export interface PacketView {
  region: Region;
  data: number;
  end: number;
  mac: number;
  net: number;
}

/** Tail calls one run may make (the kernel's MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALLS = 33;

export function prepare(insns: readonly Insn[], opts: InterpreterOptions = {}): PreparedProgram {
  const forms = validateProgram(insns, opts.file);
  return new PreparedProgram(insns, forms, opts.helpers ?? new HelperRegistry(), opts.file);
}

/**
 * What helpers see of the running program. Made on a run's first helper call, and a class rather
 * than closures over the run loop's variables: a variable captured by a closure lives in a heap
 * context, and `pc` would then be written to memory on every instruction.
 */
export class CallContext implements HelperCall {
  pc = 0;
  stop = false;
  tail: PreparedProgram | undefined = undefined;
  tailCalls = 0;
  /** (The JIT keeps one per context and points it at each run's memory and services.) */
  constructor(public memory: Memory, public services: RunServices | undefined) {}
  exit(): void {
    this.stop = true;
  }
  tailCall(target: TailCallTarget): void {
    if (!(target instanceof PreparedProgram)) throw new Error('tail call target is not a prepared program');
    this.tail = target;
  }
}

/*
 * Per-run allocations are pooled, because a short program (a packet filter runs ~40 instructions,
 * ~150 ns) would otherwise spend most of its time allocating. Typed arrays over 64 bytes live
 * outside the V8 heap and cost 200-400 ns each to create:
 *  - the stack frames of runs that make their own Memory: eight 512-byte regions over one buffer,
 *    zeroed with one fill before each use, so a run sees exactly the fresh zeroed stacks it would
 *    otherwise get (a set whose regions were tampered with, bytes replaced or made read-only, is
 *    dropped). A caller-supplied Memory gets new stacks, since the caller may keep looking at it;
 *  - the register file of untraced runs (a tracer gets views of it, which it may keep).
 * A run inside a run (a helper calling execute) simply takes another set from the pool.
 */
export interface StackSet {
  readonly buffer: Uint8Array;
  readonly views: readonly Uint8Array[];
  readonly regions: readonly Region[];
}
const MAX_POOLED = 4;
const stackPool: StackSet[] = [];
const regPool: Int32Array[] = [];
const STACK_NAMES = Array.from({ length: MAX_CALL_FRAMES }, (_, f) => `stack frame ${f}`);
const NO_INPUT = new Uint8Array(0);

function intact(set: StackSet): boolean {
  for (let f = 0; f < MAX_CALL_FRAMES; f++) {
    const r = set.regions[f]!;
    if (r.bytes !== set.views[f] || !r.writable) return false;
  }
  return true;
}

/** Add the stack frame regions to `memory`: a pooled set (returned) when the memory is the run's own. */
function addStacks(memory: Memory, own: boolean): StackSet | undefined {
  const first = memory.regions.length;
  if (!own && memory.reuseStacks) {
    // A runtime that truncates its memory after each run starts every run at the same index:
    // its stacks can be kept per start index and zeroed, instead of allocated (~5 µs a run).
    let byFirst = keptStacks.get(memory);
    if (byFirst === undefined) keptStacks.set(memory, (byFirst = new Map()));
    let set = byFirst.get(first);
    if (set !== undefined && intact(set)) set.buffer.fill(0);
    else byFirst.set(first, (set = newStackSet(first)));
    for (const r of set.regions) memory.regions.push(r);
    return undefined;
  }
  if (!own || first !== 1) {
    for (let f = 0; f < MAX_CALL_FRAMES; f++) memory.add(STACK_NAMES[f]!, 'stack', new Uint8Array(STACK_SIZE));
    return undefined;
  }
  let set = stackPool.pop();
  if (set !== undefined && intact(set)) {
    set.buffer.fill(0);
  } else {
    set = newStackSet(first);
  }
  for (const r of set.regions) memory.regions.push(r);
  return set;
}

const keptStacks = new WeakMap<Memory, Map<number, StackSet>>();

function newStackSet(first: number): StackSet {
  const buffer = new Uint8Array(STACK_SIZE * MAX_CALL_FRAMES);
  const views = STACK_NAMES.map((_, f) => buffer.subarray(f * STACK_SIZE, (f + 1) * STACK_SIZE));
  return { buffer, views, regions: views.map((v, f) => new Region(first + f, STACK_NAMES[f]!, 'stack', v, true)) };
}

/**
 * The memory of one run: the caller's Memory or a new one, with the input block and the stack
 * frames added. Exported so that bench/bigint-interp.ts sets its runs up exactly like execute.
 */
export interface RunMemory {
  readonly memory: Memory;
  readonly input: Region;
  readonly stacks: StackSet | undefined;
}

export function openRunMemory(opts: ExecOptions): RunMemory {
  const memory = opts.memory ?? new Memory();
  const input = memory.add('input', 'input', opts.mem ?? NO_INPUT);
  return { memory, input, stacks: addStacks(memory, opts.memory === undefined) };
}

/** Return the run's pooled resources; the run's memory must not be used afterwards. */
export function closeRunMemory(run: RunMemory): void {
  if (run.stacks !== undefined && stackPool.length < MAX_POOLED) stackPool.push(run.stacks);
}

/** Run a prepared program once. */
export function execute(prog: PreparedProgram, opts: ExecOptions = {}): RunResult {
  const run = openRunMemory(opts);
  const traced = opts.trace !== undefined;
  const pooledRegs = traced ? undefined : regPool.pop();
  if (pooledRegs !== undefined) pooledRegs.fill(0);
  const R = pooledRegs ?? new Int32Array(22);
  try {
    return interpret(prog, opts, run.memory, run.input, R);
  } finally {
    closeRunMemory(run);
    if (!traced && regPool.length < MAX_POOLED) regPool.push(R);
  }
}

/** A run in progress: what the run loop needs, and its mutable state between slices. */
class Run {
  pc = 0;
  count = 0;
  frame = 0;
  /** Frames of the callers: return slot, r6-r9 (both halves), as a flat array; made on the first call. */
  saved: Int32Array | undefined = undefined;
  call: CallContext | undefined = undefined;
  /**
   * After a tail call from a subprogram: the program each caller's frame runs (by frame), which
   * the frame of the call no longer does. The target takes the place of the subprogram, and its
   * exit returns into the caller's program, as the kernel's JIT returns to the caller's code.
   */
  callers: (PreparedProgram | undefined)[] | undefined = undefined;
  /** The frame the running program started in (tail calls from subprograms leave frames below it), and each caller's, with `callers`. */
  base = 0;
  bases: number[] | undefined = undefined;
  /** Frames past the first MAX_CALL_FRAMES (callers left below by tail calls from subprograms), made when first reached. */
  deep: Region[] | undefined = undefined;
  readonly budget: number;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  constructor(
    public prog: PreparedProgram,
    readonly opts: ExecOptions,
    readonly memory: Memory,
    readonly input: Region,
    readonly R: Int32Array,
  ) {
    this.budget = opts.budget ?? DEFAULT_BUDGET;
    const traced = opts.trace !== undefined;
    this.lo = traced ? R.subarray(0, 11) : R;
    this.hi = traced ? R.subarray(11, 22) : R;
  }
}

/**
 * A tail call at `frame` replaces that frame's program: the frames below keep theirs (`prog`, which
 * started at run.base, unless set), and the target starts at `frame`.
 */
function keepCallers(run: Run, frame: number, prog: PreparedProgram): void {
  const callers = (run.callers ??= []);
  const bases = (run.bases ??= []);
  for (let f = 0; f < frame; f++) {
    if (callers[f] !== undefined) continue;
    callers[f] = prog;
    bases[f] = run.base;
  }
  run.base = frame;
}

/**
 * The region of stack frame `frame`, past the first MAX_CALL_FRAMES (which follow the input
 * block): a region of its own, made when first reached. In the kernel a tail call from a
 * subprogram keeps the frames below it, so runs nest deeper than one program may (MAX_CALL_FRAMES
 * each; at most MAX_TAIL_CALLS tail calls bound the whole).
 */
function deepFrame(run: Run, frame: number): Region {
  const deep = (run.deep ??= []);
  return (deep[frame - MAX_CALL_FRAMES] ??= run.memory.add(`stack frame ${frame}`, 'stack', new Uint8Array(STACK_SIZE)));
}

/** `saved` with room for the frame records of callers up to `frame`. */
function savedFor(saved: Int32Array | undefined, frame: number): Int32Array {
  const need = (frame + 1) * 9;
  if (saved !== undefined && saved.length >= need) return saved;
  const more = new Int32Array(Math.max(need, MAX_CALL_FRAMES * 9, 2 * (saved?.length ?? 0)));
  if (saved !== undefined) more.set(saved);
  return more;
}

/** Instructions per slice of the run loop (see runSlice): ~0.3 ms, so re-entering costs nothing. */
const SLICE = 1 << 16;

function interpret(prog: PreparedProgram, opts: ExecOptions, memory: Memory, input: Region, R: Int32Array): RunResult {
  const stack0 = memory.regions[input.index + 1]!;
  if (opts.r1 === undefined) { R[1] = 0; R[12] = input.tag; } else { fromBig(opts.r1); R[1] = P[0]!; R[12] = P[1]!; }
  if (opts.r2 === undefined) { R[2] = input.size | 0; R[13] = 0; } else { fromBig(opts.r2); R[2] = P[0]!; R[13] = P[1]!; }
  for (const [r, v] of [[3, opts.r3], [4, opts.r4], [5, opts.r5]] as const) {
    if (v !== undefined) { fromBig(v); R[r] = P[0]!; R[r + 11] = P[1]!; }
  }
  R[10] = STACK_SIZE; R[21] = stack0.tag;
  const run = new Run(prog, opts, memory, input, R);
  if (opts.entry !== undefined) {
    if (!Number.isInteger(opts.entry) || opts.entry < 0 || opts.entry >= prog.slots) {
      throw new BpfError('EINVAL', `entry point ${opts.entry} is outside the program (0..${prog.slots - 1})`);
    }
    run.pc = opts.entry;
  }
  for (;;) {
    const result = runSlice(run);
    if (result !== undefined) return result;
  }
}

/**
 * Where another engine hands a run over (the JIT, when the budget runs out inside a block or a tail
 * call leaves a subprogram): registers r0-r10, the slot to continue at, instructions counted so
 * far, the call depth with each caller's return slot and r6-r9, and the tail calls made.
 */
export interface ResumeState {
  pc: number;
  count: number;
  frame: number;
  regs: readonly bigint[];
  saved: readonly { ret: number; regs: readonly bigint[] }[];
  tailCalls: number;
  /**
   * The program of each caller's frame (0..frame-1) when tail calls from subprograms put other
   * programs above them; undefined: `prog`'s.
   */
  callers?: readonly (PreparedProgram | undefined)[];
  /** The frame each of `callers` started in, and the one `prog` started in (0 when not given). */
  bases?: readonly number[];
  base?: number;
}

/** Continue a run in `memory`, whose stack frames follow `input` as openRunMemory lays them out. */
export function resume(prog: PreparedProgram, opts: ExecOptions, memory: Memory, input: Region, state: ResumeState): RunResult {
  const R = new Int32Array(22);
  state.regs.forEach((v, r) => { fromBig(v); R[r] = P[0]!; R[r + 11] = P[1]!; });
  const run = new Run(prog, opts, memory, input, R);
  run.pc = state.pc; run.count = state.count; run.frame = state.frame;
  run.base = state.base ?? 0;
  if (state.frame > 0) {
    const saved = savedFor(undefined, state.frame);
    state.saved.forEach((f, k) => {
      saved[k * 9] = f.ret;
      f.regs.forEach((v, j) => { fromBig(v); saved[k * 9 + 2 * j + 1] = P[0]!; saved[k * 9 + 2 * j + 2] = P[1]!; });
    });
    run.saved = saved;
    if (state.callers !== undefined) {
      run.callers = [...state.callers];
      run.bases = state.callers.map((_, f) => state.bases?.[f] ?? 0);
    }
  }
  const call = new CallContext(memory, opts.services);
  call.tailCalls = state.tailCalls;
  run.call = call;
  for (;;) {
    const result = runSlice(run);
    if (result !== undefined) return result;
  }
}

/*
 * The run loop: runs up to SLICE instructions, then returns undefined (its state saved in `run`),
 * or the result. Written for V8 (bench/ measures every choice; see bench/README.md):
 *  - one switch on the raw opcode, every valid encoding its own literal case: dense enough that
 *    V8 compiles it to a jump table (fewer than ~1/3 of the values in range and it would not);
 *  - the immediate (K) and register (X) forms are separate cases, so no operand is chosen at run time;
 *  - the instruction fields are read from one packed Int32Array (PreparedProgram.ops) and all
 *    registers live in one Int32Array R: fewer arrays live in the loop, fewer registers spilled;
 *  - no closure captures a loop variable (see CallContext);
 *  - a long run is cut into slices so that V8 re-enters this function often and soon runs its
 *    normally optimized code, not the on-stack-replacement code of the first entry (~20% slower).
 *    The slice limit is the budget check: no extra test per instruction.
 * R[r] is the low half of register r and R[r + 11] its high half. For the instruction at slot pc,
 * p = pc * 4 and w = ops[p] = code | dst << 8 | src << 12 | aux << 16; ops[p + 1] is the memory
 * offset or the jump target slot, ops[p + 2] and ops[p + 3] the low and high halves of imm.
 */
function runSlice(run: Run): RunResult | undefined {
  const { prog, opts, memory, input, R, budget, lo, hi } = run;
  const trace = opts.trace;
  const packet = opts.packet ?? { region: input, data: 0, end: input.size, mac: 0, net: 0 };
  const regions = memory.regions;
  const stack0 = regions[input.index + 1]!;
  const { ops, helpers } = prog;
  let { pc, count, frame, saved, call } = run;
  const limit = Math.min(budget, count + SLICE);

  for (;;) {
    if (++count > limit) {
      if (count > budget) {
        throw new BpfError('ELIMIT', `insn ${pc}: instruction budget of ${budget} exhausted (an infinite loop?)`, { insn: pc });
      }
      run.pc = pc; run.count = count - 1; run.frame = frame; run.saved = saved; run.call = call;
      return undefined;
    }
    if (trace !== undefined) trace(pc, lo, hi, frame);
    const p = pc << 2, w = ops[p]!, d = (w >> 8) & 15, s = (w >> 12) & 15;
    switch (w & 0xff) {
      // ---- ALU64 ----
      case 0x07: { const al = R[d]!, r = (al + ops[p + 2]!) | 0; R[d + 11] = (R[d + 11]! + ops[p + 3]! + ((r >>> 0) < (al >>> 0) ? 1 : 0)) | 0; R[d] = r; break; }
      case 0x0f: { const al = R[d]!, r = (al + R[s]!) | 0; R[d + 11] = (R[d + 11]! + R[s + 11]! + ((r >>> 0) < (al >>> 0) ? 1 : 0)) | 0; R[d] = r; break; }
      case 0x17: { const al = R[d]!, bl = ops[p + 2]!; R[d + 11] = (R[d + 11]! - ops[p + 3]! - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; R[d] = (al - bl) | 0; break; }
      case 0x1f: { const al = R[d]!, bl = R[s]!; R[d + 11] = (R[d + 11]! - R[s + 11]! - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; R[d] = (al - bl) | 0; break; }
      case 0x27: mul64(R[d]!, R[d + 11]!, ops[p + 2]!, ops[p + 3]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x2f: mul64(R[d]!, R[d + 11]!, R[s]!, R[s + 11]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x37: case 0x3f: case 0x97: case 0x9f: { // div, mod; sdiv, smod when aux = 1
        const c = w & 0xff, x = (c & 8) !== 0;
        const bl = x ? R[s]! : ops[p + 2]!, bh = x ? R[s + 11]! : ops[p + 3]!;
        const info = prog.aluInfo[pc]!;
        if (w >>> 16 !== 0) sdivmod64(info, c >= 0x90, R[d]!, R[d + 11]!, bl, bh);
        else if (c < 0x90) udiv64(info, R[d]!, R[d + 11]!, bl, bh);
        else umod64(info, R[d]!, R[d + 11]!, bl, bh);
        R[d] = P[0]!; R[d + 11] = P[1]!;
        break;
      }
      case 0x47: R[d] = R[d]! | ops[p + 2]!; R[d + 11] = R[d + 11]! | ops[p + 3]!; break;
      case 0x4f: R[d] = R[d]! | R[s]!; R[d + 11] = R[d + 11]! | R[s + 11]!; break;
      case 0x57: R[d] = R[d]! & ops[p + 2]!; R[d + 11] = R[d + 11]! & ops[p + 3]!; break;
      case 0x5f: R[d] = R[d]! & R[s]!; R[d + 11] = R[d + 11]! & R[s + 11]!; break;
      case 0x67: lsh64(R[d]!, R[d + 11]!, ops[p + 2]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x6f: lsh64(R[d]!, R[d + 11]!, R[s]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x77: rsh64(R[d]!, R[d + 11]!, ops[p + 2]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x7f: rsh64(R[d]!, R[d + 11]!, R[s]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0xc7: arsh64(R[d]!, R[d + 11]!, ops[p + 2]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0xcf: arsh64(R[d]!, R[d + 11]!, R[s]!); R[d] = P[0]!; R[d + 11] = P[1]!; break;
      case 0x87: { const al = R[d]!; R[d + 11] = (~R[d + 11]! + (al === 0 ? 1 : 0)) | 0; R[d] = (-al) | 0; break; }
      case 0xa7: R[d] = R[d]! ^ ops[p + 2]!; R[d + 11] = R[d + 11]! ^ ops[p + 3]!; break;
      case 0xaf: R[d] = R[d]! ^ R[s]!; R[d + 11] = R[d + 11]! ^ R[s + 11]!; break;
      case 0xb7: R[d] = ops[p + 2]!; R[d + 11] = ops[p + 3]!; break;
      case 0xbf: { // mov, or movsx8/16/32 (aux = the source width)
        const width = w >>> 16, bl = R[s]!;
        if (width === 0) { R[d] = bl; R[d + 11] = R[s + 11]!; }
        else if (width === 32) { R[d] = bl; R[d + 11] = bl >> 31; }
        else { const v = width === 8 ? (bl << 24) >> 24 : (bl << 16) >> 16; R[d] = v; R[d + 11] = v >> 31; }
        break;
      }
      case 0xd7: { // bswap16/32/64
        const width = ops[p + 2]!, al = R[d]!;
        if (width === 16) { R[d] = bswap16(al); R[d + 11] = 0; }
        else if (width === 32) { R[d] = bswap32(al); R[d + 11] = 0; }
        else { R[d] = bswap32(R[d + 11]!); R[d + 11] = bswap32(al); }
        break;
      }
      // ---- ALU (32-bit, the result zero-extended) ----
      case 0x04: R[d] = (R[d]! + ops[p + 2]!) | 0; R[d + 11] = 0; break;
      case 0x0c: R[d] = (R[d]! + R[s]!) | 0; R[d + 11] = 0; break;
      case 0x14: R[d] = (R[d]! - ops[p + 2]!) | 0; R[d + 11] = 0; break;
      case 0x1c: R[d] = (R[d]! - R[s]!) | 0; R[d + 11] = 0; break;
      case 0x24: R[d] = Math.imul(R[d]!, ops[p + 2]!); R[d + 11] = 0; break;
      case 0x2c: R[d] = Math.imul(R[d]!, R[s]!); R[d + 11] = 0; break;
      case 0x34: case 0x3c: { // div; sdiv when aux = 1
        const al = R[d]!, bl = (w & 8) !== 0 ? R[s]! : ops[p + 2]!;
        if (bl === 0) R[d] = 0;
        else R[d] = w >>> 16 === 0 ? ((al >>> 0) / (bl >>> 0)) | 0 : (al / bl) | 0;
        R[d + 11] = 0;
        break;
      }
      case 0x94: case 0x9c: { // mod; smod when aux = 1
        const al = R[d]!, bl = (w & 8) !== 0 ? R[s]! : ops[p + 2]!;
        if (bl !== 0) R[d] = w >>> 16 === 0 ? ((al >>> 0) % (bl >>> 0)) | 0 : (al % bl) | 0;
        R[d + 11] = 0;
        break;
      }
      case 0x44: R[d] = R[d]! | ops[p + 2]!; R[d + 11] = 0; break;
      case 0x4c: R[d] = R[d]! | R[s]!; R[d + 11] = 0; break;
      case 0x54: R[d] = R[d]! & ops[p + 2]!; R[d + 11] = 0; break;
      case 0x5c: R[d] = R[d]! & R[s]!; R[d + 11] = 0; break;
      case 0x64: R[d] = R[d]! << (ops[p + 2]! & 31); R[d + 11] = 0; break;
      case 0x6c: R[d] = R[d]! << (R[s]! & 31); R[d + 11] = 0; break;
      case 0x74: R[d] = R[d]! >>> (ops[p + 2]! & 31); R[d + 11] = 0; break;
      case 0x7c: R[d] = R[d]! >>> (R[s]! & 31); R[d + 11] = 0; break;
      case 0xc4: R[d] = R[d]! >> (ops[p + 2]! & 31); R[d + 11] = 0; break;
      case 0xcc: R[d] = R[d]! >> (R[s]! & 31); R[d + 11] = 0; break;
      case 0x84: R[d] = (-R[d]!) | 0; R[d + 11] = 0; break;
      case 0xa4: R[d] = R[d]! ^ ops[p + 2]!; R[d + 11] = 0; break;
      case 0xac: R[d] = R[d]! ^ R[s]!; R[d + 11] = 0; break;
      case 0xb4: R[d] = ops[p + 2]!; R[d + 11] = 0; break;
      case 0xbc: { // mov32, or movsx8/16 (aux = the source width)
        const width = w >>> 16, bl = R[s]!;
        R[d] = width === 0 ? bl : width === 8 ? (bl << 24) >> 24 : (bl << 16) >> 16;
        R[d + 11] = 0;
        break;
      }
      case 0xd4: { // le16/32/64: the host is little-endian, so only truncation
        const width = ops[p + 2]!;
        if (width === 16) { R[d] = R[d]! & 0xffff; R[d + 11] = 0; } else if (width === 32) R[d + 11] = 0;
        break;
      }
      case 0xdc: { // be16/32/64
        const width = ops[p + 2]!, al = R[d]!;
        if (width === 16) { R[d] = bswap16(al); R[d + 11] = 0; }
        else if (width === 32) { R[d] = bswap32(al); R[d + 11] = 0; }
        else { R[d] = bswap32(R[d + 11]!); R[d + 11] = bswap32(al); }
        break;
      }
      // ---- JMP: 64-bit compares; the high halves decide unless they are equal ----
      case 0x05: pc = ops[p + 1]!; continue;
      case 0x15: if (R[d] === ops[p + 2] && R[d + 11] === ops[p + 3]) { pc = ops[p + 1]!; continue; } break;
      case 0x1d: if (R[d] === R[s] && R[d + 11] === R[s + 11]) { pc = ops[p + 1]!; continue; } break;
      case 0x55: if (R[d] !== ops[p + 2] || R[d + 11] !== ops[p + 3]) { pc = ops[p + 1]!; continue; } break;
      case 0x5d: if (R[d] !== R[s] || R[d + 11] !== R[s + 11]) { pc = ops[p + 1]!; continue; } break;
      case 0x45: if ((R[d]! & ops[p + 2]!) !== 0 || (R[d + 11]! & ops[p + 3]!) !== 0) { pc = ops[p + 1]!; continue; } break;
      case 0x4d: if ((R[d]! & R[s]!) !== 0 || (R[d + 11]! & R[s + 11]!) !== 0) { pc = ops[p + 1]!; continue; } break;
      case 0x25: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (R[d]! >>> 0) > (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x2d: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (R[d]! >>> 0) > (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x35: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (R[d]! >>> 0) >= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x3d: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (R[d]! >>> 0) >= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xa5: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (R[d]! >>> 0) < (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xad: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (R[d]! >>> 0) < (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xb5: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (R[d]! >>> 0) <= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xbd: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (R[d]! >>> 0) <= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x65: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? ah > bh : (R[d]! >>> 0) > (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x6d: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? ah > bh : (R[d]! >>> 0) > (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x75: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? ah > bh : (R[d]! >>> 0) >= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0x7d: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? ah > bh : (R[d]! >>> 0) >= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xc5: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? ah < bh : (R[d]! >>> 0) < (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xcd: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? ah < bh : (R[d]! >>> 0) < (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xd5: { const ah = R[d + 11]!, bh = ops[p + 3]!; if (ah !== bh ? ah < bh : (R[d]! >>> 0) <= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      case 0xdd: { const ah = R[d + 11]!, bh = R[s + 11]!; if (ah !== bh ? ah < bh : (R[d]! >>> 0) <= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break; }
      // ---- JMP32: compares of the low halves ----
      case 0x06: pc = ops[p + 1]!; continue;
      case 0x16: if (R[d] === ops[p + 2]) { pc = ops[p + 1]!; continue; } break;
      case 0x1e: if (R[d] === R[s]) { pc = ops[p + 1]!; continue; } break;
      case 0x56: if (R[d] !== ops[p + 2]) { pc = ops[p + 1]!; continue; } break;
      case 0x5e: if (R[d] !== R[s]) { pc = ops[p + 1]!; continue; } break;
      case 0x46: if ((R[d]! & ops[p + 2]!) !== 0) { pc = ops[p + 1]!; continue; } break;
      case 0x4e: if ((R[d]! & R[s]!) !== 0) { pc = ops[p + 1]!; continue; } break;
      case 0x26: if ((R[d]! >>> 0) > (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0x2e: if ((R[d]! >>> 0) > (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0x36: if ((R[d]! >>> 0) >= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0x3e: if ((R[d]! >>> 0) >= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0xa6: if ((R[d]! >>> 0) < (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0xae: if ((R[d]! >>> 0) < (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0xb6: if ((R[d]! >>> 0) <= (ops[p + 2]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0xbe: if ((R[d]! >>> 0) <= (R[s]! >>> 0)) { pc = ops[p + 1]!; continue; } break;
      case 0x66: if (R[d]! > ops[p + 2]!) { pc = ops[p + 1]!; continue; } break;
      case 0x6e: if (R[d]! > R[s]!) { pc = ops[p + 1]!; continue; } break;
      case 0x76: if (R[d]! >= ops[p + 2]!) { pc = ops[p + 1]!; continue; } break;
      case 0x7e: if (R[d]! >= R[s]!) { pc = ops[p + 1]!; continue; } break;
      case 0xc6: if (R[d]! < ops[p + 2]!) { pc = ops[p + 1]!; continue; } break;
      case 0xce: if (R[d]! < R[s]!) { pc = ops[p + 1]!; continue; } break;
      case 0xd6: if (R[d]! <= ops[p + 2]!) { pc = ops[p + 1]!; continue; } break;
      case 0xde: if (R[d]! <= R[s]!) { pc = ops[p + 1]!; continue; } break;
      // ---- calls and exit ----
      case 0x85: {
        const helper = helpers[pc];
        if (helper !== undefined) {
          if (call === undefined) call = new CallContext(memory, opts.services);
          call.pc = pc;
          let r0: bigint;
          try {
            r0 = helper.impl(call, toBig(R[1]!, R[12]!), toBig(R[2]!, R[13]!), toBig(R[3]!, R[14]!), toBig(R[4]!, R[15]!), toBig(R[5]!, R[16]!));
          } catch (e) {
            if (e instanceof BpfError) throw e;
            throw new BpfError('EHELPER', `insn ${pc}: helper ${helper.name}#${helper.id} failed: ${(e as Error).message}`, { insn: pc });
          }
          fromBig(r0); R[0] = P[0]!; R[11] = P[1]!;
          if (call.stop) return { r0: toBig(R[0]!, R[11]!), insns: count, mem: input.bytes };
          if (call.tail !== undefined) {
            // Continue in the target program from its start: re-enter the loop with its arrays.
            if (frame > 0) keepCallers(run, frame, prog);
            run.prog = call.tail;
            call.tail = undefined;
            run.pc = 0; run.count = count; run.frame = frame; run.saved = saved; run.call = call;
            return undefined;
          }
          break;
        }
        // bpf-to-bpf call: save the return slot and the callee-saved registers, give the callee a fresh frame.
        if (frame + 1 >= MAX_CALL_FRAMES) {
          // A program nests MAX_CALL_FRAMES frames at most, counted from the one it started in.
          if (frame + 1 - run.base >= MAX_CALL_FRAMES) {
            throw new BpfError('ELIMIT', `insn ${pc}: the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`, { insn: pc });
          }
          saved = savedFor(saved, frame);
        }
        if (saved === undefined) saved = new Int32Array(MAX_CALL_FRAMES * 9);
        const b = frame * 9;
        saved[b] = pc + 1;
        for (let r = 6; r <= 9; r++) { saved[b + 2 * (r - 6) + 1] = R[r]!; saved[b + 2 * (r - 6) + 2] = R[r + 11]!; }
        frame++;
        const stack = frame < MAX_CALL_FRAMES ? regions[stack0.index + frame]! : deepFrame(run, frame);
        stack.bytes.fill(0);
        R[10] = STACK_SIZE; R[21] = stack.tag;
        pc = ops[p + 1]!;
        continue;
      }
      case 0x95: {
        if (frame === 0) return { r0: toBig(R[0]!, R[11]!), insns: count, mem: input.bytes };
        frame--;
        const b = frame * 9;
        pc = saved![b]!;
        for (let r = 6; r <= 9; r++) { R[r] = saved![b + 2 * (r - 6) + 1]!; R[r + 11] = saved![b + 2 * (r - 6) + 2]!; }
        R[10] = STACK_SIZE; R[21] = (frame < MAX_CALL_FRAMES ? regions[stack0.index + frame]! : deepFrame(run, frame)).tag;
        const back = run.callers?.[frame];
        if (back !== undefined) {
          // Back from a tail call's target into the program of the caller: its arrays.
          run.callers![frame] = undefined;
          run.base = run.bases![frame]!;
          run.prog = back;
          run.pc = pc; run.count = count; run.frame = frame; run.saved = saved; run.call = call;
          return undefined;
        }
        continue;
      }
      // ---- lddw ----
      case 0x18: R[d] = ops[p + 2]!; R[d + 11] = ops[p + 3]!; pc += 2; continue;
      // ---- LDX MEM / MEMSX: dst = *(size *)(src + off). (Memory.check is inlined by V8: doing
      // its work here measured no faster.) ----
      case 0x61: case 0x69: case 0x71: case 0x79: case 0x81: case 0x89: case 0x91: {
        const o = ops[p + 1]!, base = R[s]!;
        const al = (base + o) | 0;
        const ah = (R[s + 11]! + (o >> 31) + ((al >>> 0) < (base >>> 0) ? 1 : 0)) | 0;
        switch (w & 0xff) {
          case 0x79: { const a = memory.check(ah, al, 8, false, pc); R[d] = memory.dv.getInt32(a, true); R[d + 11] = memory.dv.getInt32(a + 4, true); break; }
          case 0x61: { const a = memory.check(ah, al, 4, false, pc); R[d] = memory.dv.getInt32(a, true); R[d + 11] = 0; break; }
          case 0x69: { const a = memory.check(ah, al, 2, false, pc); R[d] = memory.dv.getUint16(a, true); R[d + 11] = 0; break; }
          case 0x71: { const a = memory.check(ah, al, 1, false, pc); R[d] = memory.dv.getUint8(a); R[d + 11] = 0; break; }
          case 0x81: { const a = memory.check(ah, al, 4, false, pc); const v = memory.dv.getInt32(a, true); R[d] = v; R[d + 11] = v >> 31; break; }
          case 0x89: { const a = memory.check(ah, al, 2, false, pc); const v = memory.dv.getInt16(a, true); R[d] = v; R[d + 11] = v >> 31; break; }
          default: { const a = memory.check(ah, al, 1, false, pc); const v = memory.dv.getInt8(a); R[d] = v; R[d + 11] = v >> 31; break; }
        }
        break;
      }
      // ---- ST / STX MEM: *(size *)(dst + off) = imm or src ----
      case 0x62: case 0x6a: case 0x72: case 0x7a: case 0x63: case 0x6b: case 0x73: case 0x7b: {
        const o = ops[p + 1]!, base = R[d]!;
        const al = (base + o) | 0;
        const ah = (R[d + 11]! + (o >> 31) + ((al >>> 0) < (base >>> 0) ? 1 : 0)) | 0;
        const x = (w & 1) !== 0;
        const vl = x ? R[s]! : ops[p + 2]!, vh = x ? R[s + 11]! : ops[p + 3]!;
        switch (w & 0x18) {
          case 0x18: { const a = memory.check(ah, al, 8, true, pc); memory.dv.setInt32(a, vl, true); memory.dv.setInt32(a + 4, vh, true); break; }
          case 0x00: { const a = memory.check(ah, al, 4, true, pc); memory.dv.setInt32(a, vl, true); break; }
          case 0x08: { const a = memory.check(ah, al, 2, true, pc); memory.dv.setInt16(a, vl, true); break; }
          default: { const a = memory.check(ah, al, 1, true, pc); memory.dv.setInt8(a, vl); break; }
        }
        break;
      }
      // ---- STX ATOMIC (W, DW) ----
      case 0xc3: case 0xdb: {
        const o = ops[p + 1]!, base = R[d]!, size = (w & 0xff) === 0xdb ? 8 : 4;
        const al = (base + o) | 0;
        const ah = (R[d + 11]! + (o >> 31) + ((al >>> 0) < (base >>> 0) ? 1 : 0)) | 0;
        atomic(prog.atomics[pc]!, size, memory.check(ah, al, size, true, pc), memory.dv, s, R);
        break;
      }
      // ---- LD_ABS / LD_IND: big-endian packet loads; out of range ends the program with r0 = 0 ----
      case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50: {
        const c = w & 0xff;
        const size = c === 0x20 || c === 0x40 ? 4 : c === 0x28 || c === 0x48 ? 2 : 1;
        const base = c >= 0x40 ? R[s]! : 0;
        const k = (base + ops[p + 2]!) | 0;
        // Offsets count from data; the SKF_* bases reach the network and link headers.
        const o = k >= 0 ? packet.data + k : k >= SKF_NET_OFF ? packet.net + (k - SKF_NET_OFF) : k >= SKF_LL_OFF ? packet.mac + (k - SKF_LL_OFF) : -1;
        if (o < 0 || o + size > packet.end) { R[0] = 0; R[11] = 0; return { r0: 0n, insns: count, mem: input.bytes }; }
        const dv = packet.region.dv;
        R[0] = size === 4 ? dv.getInt32(o, false) : size === 2 ? dv.getUint16(o, false) : dv.getUint8(o);
        R[11] = 0;
        break;
      }
      default: {
        const c = w & 0xff;
        if (pc >= prog.slots) {
          throw new BpfError('EFAULT', `insn ${pc - 1}: execution fell off the end of the program (the last instruction is not exit or a jump)`, { insn: pc - 1 });
        }
        throw new BpfError('EREJECT', `insn ${pc}: opcode 0x${c.toString(16)} (class ${cls(c)}) cannot be executed`, { insn: pc });
      }
    }
    pc++;
  }
}

/** STX | ATOMIC on the word at `o` of `dv`, following isa/semantics.ts atomicRef. R: the register file. */
function atomic(op: AtomicOpInfo, size: 4 | 8, o: number, dv: DataView, s: number, R: Int32Array): void {
  const ol = dv.getInt32(o, true);
  const oh = size === 8 ? dv.getInt32(o + 4, true) : 0;
  const sl = R[s]!, sh = size === 8 ? R[s + 11]! : 0;
  let nl: number, nh: number;
  switch (op.fetchName) {
    case 'add': nl = (ol + sl) | 0; nh = (oh + sh + ((nl >>> 0) < (ol >>> 0) ? 1 : 0)) | 0; break;
    case 'or': nl = ol | sl; nh = oh | sh; break;
    case 'and': nl = ol & sl; nh = oh & sh; break;
    case 'xor': nl = ol ^ sl; nh = oh ^ sh; break;
    case 'xchg': nl = sl; nh = sh; break;
    default: { // cmpxchg: compare with r0, the old value always lands in r0
      const eq = ol === R[0]! && (size === 4 || oh === R[11]!);
      nl = eq ? sl : ol; nh = eq ? sh : oh;
      R[0] = ol; R[11] = oh;
      break;
    }
  }
  dv.setInt32(o, nl, true);
  if (size === 8) dv.setInt32(o + 4, nh, true);
  if (op.fetch && op.fetchName !== 'cmpxchg') { R[s] = ol; R[s + 11] = oh; }
}

/** Prepare and run in one step. */
export function run(insns: readonly Insn[], opts: ExecOptions & InterpreterOptions = {}): RunResult {
  return execute(prepare(insns, opts), opts);
}
