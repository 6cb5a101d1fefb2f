/**
 * The verifier's entry point (the kernel's do_check): after the control-flow checks, a depth-first
 * walk over abstract states. Each instruction is checked and transfers the state; a conditional jump
 * the scalar domain cannot decide forks the state (the taken side waits on a stack, as push_stack
 * does). At prune points (jump targets, returns from calls) a state covered by one already explored
 * to the end is dropped, and a state identical to one still being explored is an infinite loop.
 */
import type { Insn } from '../isa/insn.js';
import { classifyOrReason, lddwValue, slotOffsets, type InsnForm } from '../isa/insn.js';
import { ALU, JMP, PSEUDO } from '../isa/opcodes.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { MapSpec } from '../maps/types.js';
import type { ObjectSpec, ProgramSpec } from '../elf/object.js';
import { progTypeInfo } from '../progtypes/table.js';
import { analyzeCfg } from './cfg.js';
import { type BranchMark, VerifierLog } from './log.js';
import { Scalar, aluImmProblem, scalarAlu, scalarBranch, scalarEnd, scalarNeg } from './scalar.js';
import { checkHelperCall } from './helpers-check.js';
import { returnValueProblem } from './return-check.js';
import { scalarAluLinked, setLinkedScalar } from './linked-regs.js';
import { checkMaxStackDepth, enterCall, funcExit, newCallCtx, nextGlobal, noteStackDepths } from './calls.js';
import { checkFuncPointer } from './callbacks.js';
import { btfCtxOf } from './btf-ptr.js';
import { type Env, checkAtomicTarget, checkMemAccess, loadedScalar, pointerAlu } from './pointers.js';
import {
  NOT_INIT, type Reg, type VState, cloneState, forEachReg, isPtr, newFrame, scalarReg,
  stateCovers, unknownScalar,
} from './state.js';
import { liveRegsBefore } from './print.js';
import { accessKind, MAP_LOOKUP_ELEM, MAP_NONE, MAP_UNSEEN, noteSame, type ProvenFacts } from './proven.js';
import {
  LINK_FAR, Marks, type PrecisionNode, backtrack, histEntry, inherited, markAll, needReg, spiOf, stackExtra,
} from './precision.js';

export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** The kernel's BPF_COMPLEXITY_LIMIT_JMP_SEQ: how many branch states may wait to be explored. */
const BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;
const MAX_STATES_PER_INSN = 64;

export interface VerifyOptions {
  /** The program type's name (PROG_TYPES), e.g. 'xdp', 'socket_filter'. */
  progType: string;
  /** The maps lddw MAP_IDX / MAP_IDX_VALUE refer to, by index. */
  maps: readonly MapSpec[];
  helpers: HelperRegistry;
  /** bpf_capable loader (the default and, for now, the only mode). */
  privileged?: true;
  logLevel?: number;
  /** The program as the object loader gave it: BTF func/line info, attach type, license, section. */
  program?: ProgramSpec;
  /** Its object: BTF (global functions, typed pointers), the maps' origins (.rodata known constants). */
  object?: ObjectSpec;
}

export interface VerifyResult {
  ok: true;
  log: VerifierLog;
  insnsProcessed: number;
  /** What the JIT may rely on (proven.ts). */
  proven: ProvenFacts;
}

interface Checkpoint extends PrecisionNode {
  st: VState;
  /** Paths still being explored below this state (the kernel's `branches`). */
  branches: number;
  parent: Checkpoint | undefined;
  /** Per frame, the registers live at this point (print.ts's liveRegsBefore): only those are compared. */
  live: number[];
  /** Pruning hits and misses, to drop states that never help (the kernel's eviction heuristic). */
  hit: number;
  miss: number;
}

/** The marks of a checkpoint no check has asked precision of (never changed). */
const NO_MARKS = new Marks();

/** Program types whose exit value the kernel checks against a range (check_return_code): r0 must be precise there. */
const NO_RETURN_RANGE = new Set(['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local']);

function finish(cp: Checkpoint | undefined): void {
  while (cp) {
    if (--cp.branches > 0) return;
    cp = cp.parent;
  }
}

const isZeroScalar = (r: Reg): boolean => r.t === 'scalar' && r.v.isConst() && r.v.value === 0n;

export function verifyProgram(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  // Level 0 (the default) keeps the messages only: tracing every instruction costs time.
  const log = new VerifierLog(opts.logLevel ?? 0);
  log.countStats();
  const cfg = analyzeCfg(insns, { log, privileged: true });
  const info = progTypeInfo(opts.progType);
  const offsets = slotOffsets(insns);
  const bySlot: (Insn | undefined)[] = [];
  const access = new Uint8Array(offsets.length === 0 ? 0 : offsets[offsets.length - 1]! + 2);
  const helperMap = new Int32Array(access.length).fill(MAP_UNSEEN);
  const callback = new Int32Array(access.length).fill(MAP_UNSEEN);
  const forms: (InsnForm | undefined)[] = [];
  insns.forEach((insn, i) => {
    const s = offsets[i]!;
    bySlot[s] = insn;
    const f = classifyOrReason(insn);
    if (typeof f === 'string') throw log.fail('EINVAL', `invalid insn at ${s}: ${f}`, s);
    forms[s] = f;
  });

  // Prune points where the kernel's check_cfg marks them: a conditional jump itself, the target of
  // an unconditional one, the slot after a call and a bpf-to-bpf call itself. Where they are decides
  // the slot "infinite loop detected at insn N" names.
  const prune = new Set<number>();
  cfg.succ.forEach((succ, s) => {
    const f = forms[s];
    if (!f) return;
    if (f.kind === 'jcond') prune.add(s);
    else if (f.kind === 'ja') prune.add(succ[0]!);
    else if (f.kind === 'call') {
      prune.add(s + 1);
      if (f.callKind === 'local') prune.add(s);
    }
  });

  let idGen = 0;
  // A lookup in a map of maps gives the inner map: its template gets an index after the program's maps.
  const maps = [...opts.maps];
  const innerOf = new Map<number, number>();
  opts.maps.forEach((m, i) => {
    if ((m.type === 'array_of_maps' || m.type === 'hash_of_maps') && m.inner) innerOf.set(i, maps.push(m.inner) - 1);
  });
  const env: Env = { log, maps, innerOf, ctx: info.context, progType: opts.progType, attachType: opts.program?.attachType, pc: 0, nextId: () => ++idGen };
  log.begin({ bySlot, forms, maps, helpers: opts.helpers, ...(opts.program ? { program: opts.program } : {}) });
  const fail = (msg: string, errno: 'EACCES' | 'EINVAL' | 'E2BIG' = 'EACCES'): Error => log.fail(errno, msg, env.pc);
  // Calls, global functions and stack depths (calls.ts); global functions are checked after the entry.
  const calls = newCallCtx(env, opts, cfg);
  env.gpl = calls.gpl;
  env.lockOff = (m) => calls.spinLockOff(m);
  const btfCtx = btfCtxOf(opts, calls.gpl);
  if (btfCtx) env.btfCtx = btfCtx;
  const nextRoot = (): boolean => {
    const st = nextGlobal(env, calls);
    if (st) work.push({ st, parent: undefined });
    return st !== undefined;
  };

  const init: VState = { frames: [newFrame(-1, 0)], pc: 0, refs: new Map() };
  init.frames[0]!.regs[1] = { t: 'ctx', off: 0, var: Scalar.const(0n) };
  const work: { st: VState; parent: Checkpoint | undefined; hist?: number[]; mark?: BranchMark }[] = [{ st: init, parent: undefined }];
  const visited = new Map<number, Checkpoint[]>();
  let processed = 0;
  let totalStates = 0;
  // Jumps processed, and the counts when the last state was kept (the kernel keeps a new state only
  // after 2 jumps and 8 instructions, and inside a loop being explored after 20 and 100).
  let jmps = 0, lastKeptJmps = 0, lastKeptInsns = 0;
  const liveAt = liveRegsBefore(bySlot, forms, opts.helpers).live;
  const prog = { bySlot, forms };
  /** Per frame of `st`, the registers live at its slot: a caller's live after its call returns, a callback's callers all. */
  const liveMasks = (st: VState): number[] => {
    const n = st.frames.length;
    const out: number[] = new Array<number>(n);
    out[n - 1] = liveAt.get(st.pc) ?? -1;
    for (let i = n - 2; i >= 0; i--) {
      const callee = st.frames[i + 1]!;
      out[i] = callee.callback ? -1 : (liveAt.get(callee.callsite + 1) ?? -1) & ~0x3f;
    }
    return out;
  };

  while (work.length > 0 || nextRoot()) {
    const item = work.pop()!;
    log.resume(item.mark);
    let cur = item.st;
    let parent = item.parent;
    // The instructions this path ran since `parent` (precision.ts walks them back).
    let hist: number[] = item.hist ?? [];
    /** Precision of registers `rs` of the top frame is needed at this instruction. */
    const needPrecise = (...rs: number[]): void => {
      const f = cur.frames.length - 1;
      for (const r of rs) if (cur.frames[f]!.regs[r]?.t === 'scalar') backtrack(prog, needReg(f, r), cur.frames.length, hist, parent);
    };
    path: for (;;) {
      const pc = cur.pc;
      env.pc = pc;
      if (++processed > BPF_COMPLEXITY_LIMIT_INSNS) throw fail(`BPF program is too large. Processed ${processed} insn`, 'E2BIG');
      if (prune.has(pc)) {
        const list = visited.get(pc) ?? [];
        let keep = jmps - lastKeptJmps >= 2 && processed - lastKeptInsns >= 8;
        // A long history since the last state would make each fork's copy and backtracking walk long:
        // keep a state then whatever the heuristics say (the kernel's jmp_history_cnt > 40).
        const force = jmps - lastKeptJmps > 40 || hist.length > 4096;
        for (let i = 0; i < list.length; i++) {
          const cp = list[i]!;
          if (cp.branches > 0) {
            if (stateCovers(cp.st, cur, true)) throw fail(`infinite loop detected at insn ${pc}`, 'EINVAL');
            // Inside a loop being explored, keep states less often.
            if (jmps - lastKeptJmps < 20 && processed - lastKeptInsns < 100) keep = false;
          } else if (stateCovers(cp.st, cur, false, { live: cp.live, marks: cp.marks ?? NO_MARKS })) {
            cp.hit++;
            // What the explored state needed precise, this path needs too (propagate_precision).
            const inh = inherited(cp, cur);
            if (inh === 'all') markAll(parent);
            else if (inh) backtrack(prog, inh, cur.frames.length, hist, parent);
            log.pruned(pc);
            noteStackDepths(calls, cur);
            finish(parent);
            break path;
          }
          if (keep) cp.miss++;
          // A state that keeps failing to prune is dropped (it stays the parent of its paths).
          if (cp.miss > cp.hit * 3 + 3) {
            list.splice(i, 1);
            i--;
          }
        }
        if (keep || force) {
          const cp: Checkpoint = { st: cloneState(cur), branches: 1, parent, hist, marks: undefined, live: liveMasks(cur), hit: 0, miss: 0 };
          if (list.length >= MAX_STATES_PER_INSN) list.splice(0, 1);
          list.push(cp);
          visited.set(pc, list);
          totalStates++;
          log.stateAdded(list.length - 1);
          parent = cp;
          hist = [];
          lastKeptJmps = jmps;
          lastKeptInsns = processed;
        }
      }
      log.insn(pc, cur, processed);
      const frame = cur.frames[cur.frames.length - 1]!;
      const regs = frame.regs;
      const insn = bySlot[pc]!;
      const form = forms[pc]!;
      const read = (r: number): Reg => {
        const v = regs[r]!;
        if (v.t === 'not_init') throw fail(`R${r} !read_ok`);
        return v;
      };
      const writable = (r: number): void => {
        if (r === 10) throw fail('frame pointer is read only');
      };
      let next = pc + 1;
      let entry = histEntry(pc, cur.frames.length);
      if (form.kind === 'ldx' || form.kind === 'stx' || form.kind === 'st' || form.kind === 'atomic') {
        const base = regs[form.kind === 'ldx' ? insn.src : insn.dst]!;
        access[pc]! |= accessKind(base);
        if (base.t === 'fp' && base.var.isConst()) {
          const off = base.off + insn.off + Number(BigInt.asIntN(64, base.var.value));
          if (off < 0 && off >= -512) entry = histEntry(pc, cur.frames.length, stackExtra(base.frame, spiOf(off)));
        }
      } else if (form.kind === 'jcond' || form.kind === 'ja' || form.kind === 'call' || form.kind === 'exit') jmps++;
      switch (form.kind) {
        case 'alu': {
          const src: Reg = form.useReg ? read(insn.src) : scalarReg(Scalar.const(BigInt(insn.imm)));
          if (form.op.op === ALU.MOV) {
            writable(insn.dst);
            if (src.t === 'scalar') {
              if (form.is64 && form.op.off === 0) {
                if (form.useReg && src.id === 0 && !src.v.isConst()) regs[insn.src] = { ...src, id: env.nextId() };
                regs[insn.dst] = form.useReg ? regs[insn.src]! : src;
              } else regs[insn.dst] = scalarReg(scalarAlu(form.op, form.is64, Scalar.unknown(), src.v));
            } else {
              regs[insn.dst] = form.is64 && form.op.off === 0 ? src : scalarReg(scalarAlu(form.op, form.is64, Scalar.unknown(), Scalar.unknown()));
            }
            break;
          }
          const dst = read(insn.dst);
          const badImm = form.useReg ? undefined : aluImmProblem(form.op, form.is64, insn.imm);
          if (badImm) throw fail(badImm, 'EINVAL');
          writable(insn.dst);
          if (dst.t === 'scalar' && src.t === 'scalar') regs[insn.dst] = scalarAluLinked(form.op, form.is64, dst, src);
          else {
            // The scalar moving a pointer decides where it points: its bounds must hold on any pruned path.
            if (dst.t === 'scalar') needPrecise(insn.dst);
            else if (form.useReg) needPrecise(insn.src);
            regs[insn.dst] = pointerAlu(env, form.op, form.is64, insn.dst, dst, src);
          }
          break;
        }
        case 'neg':
        case 'end': {
          const dst = read(insn.dst);
          writable(insn.dst);
          if (dst.t !== 'scalar') regs[insn.dst] = unknownScalar();
          else regs[insn.dst] = scalarReg(form.kind === 'neg' ? scalarNeg(form.is64, dst.v) : scalarEnd(form.order, form.width, dst.v));
          break;
        }
        case 'lddw': {
          writable(insn.dst);
          if (form.pseudo === PSEUDO.MAP_IDX || form.pseudo === PSEUDO.MAP_IDX_VALUE) {
            const m = opts.maps[insn.imm];
            if (!m) throw fail(`map index ${insn.imm} is out of range (${opts.maps.length} maps)`, 'EINVAL');
            regs[insn.dst] = form.pseudo === PSEUDO.MAP_IDX
              ? { t: 'map_ptr', map: insn.imm }
              : { t: 'map_value', map: insn.imm, id: 0, nullable: false, off: insn.imm2 ?? 0, var: Scalar.const(0n) };
          } else if (form.pseudo === PSEUDO.FUNC) {
            checkFuncPointer(env, opts, pc + 1 + insn.imm);
            regs[insn.dst] = { t: 'func', target: pc + 1 + insn.imm };
          } else if (form.pseudo === PSEUDO.IMM64) {
            regs[insn.dst] = scalarReg(Scalar.const(lddwValue(insn)));
          } else throw fail(`unsupported lddw pseudo source ${insn.src}`, 'EINVAL');
          next = pc + 2;
          break;
        }
        case 'ldx': {
          read(insn.src);
          writable(insn.dst);
          const v = checkMemAccess(env, cur, insn.src, insn.off, form.size, 'read');
          regs[insn.dst] = form.signed && v.t === 'scalar' ? scalarReg(scalarAlu({ op: ALU.MOV, off: form.size * 8, name: 'movsx', kernelOp: '', signed: true }, true, Scalar.unknown(), v.v)) : v;
          break;
        }
        case 'stx': {
          const v = read(insn.src);
          read(insn.dst);
          checkMemAccess(env, cur, insn.dst, insn.off, form.size, 'write', { reg: v });
          break;
        }
        case 'st': {
          read(insn.dst);
          checkMemAccess(env, cur, insn.dst, insn.off, form.size, 'write', { imm: BigInt(insn.imm) });
          break;
        }
        case 'atomic': {
          read(insn.src);
          read(insn.dst);
          if (form.op.name === 'cmpxchg') read(0);
          checkAtomicTarget(env, regs[insn.dst]!, insn.dst);
          checkMemAccess(env, cur, insn.dst, insn.off, form.size, 'read');
          checkMemAccess(env, cur, insn.dst, insn.off, form.size, 'write', {});
          if (form.op.fetch) regs[form.op.name === 'cmpxchg' ? 0 : insn.src] = loadedScalar(form.size);
          break;
        }
        case 'ldpkt': {
          if (regs[6]!.t !== 'ctx') throw fail('at the time of BPF_LD_ABS|IND R6 != pointer to skb', 'EINVAL');
          if (form.mode === 'ind') read(insn.src);
          for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
          regs[0] = loadedScalar(form.size);
          break;
        }
        case 'ja':
          next = pc + 1 + (form.long ? insn.imm : insn.off);
          break;
        case 'call': {
          if (form.callKind === 'helper') {
            // Sizes, flags, constants: a helper's checks read its scalar arguments' bounds.
            const def = opts.helpers.get(insn.imm);
            def?.args.forEach((k, i) => { if (k !== 'anything') needPrecise(i + 1); });
            const depth = cur.frames.length;
            const r1 = regs[1]!, r2 = regs[2]!;
            noteSame(helperMap, pc, r1.t === 'map_ptr' ? r1.map : MAP_NONE);
            noteSame(callback, pc, r2.t === 'func' ? r2.target : MAP_NONE);
            if (insn.imm === MAP_LOOKUP_ELEM) access[pc]! |= accessKind(regs[2]!);
            const out = checkHelperCall(env, cur, insn.imm, opts.helpers, calls);
            if (out.precise) backtrack(prog, out.precise, depth, hist, parent);
            for (const st of out.forks) {
              if (parent) parent.branches++;
              work.push({ st, parent, hist: [...hist, entry] });
            }
            if (out.next === 'done') {
              log.pathEnd();
              finish(parent);
              break path;
            }
            if (out.next !== undefined) next = out.next;
          } else if (form.callKind === 'local') {
            const depth = cur.frames.length;
            next = enterCall(env, cur, pc, insn.imm, calls);
            if (cur.frames.length > depth) log.call(cur);
          } else throw fail('calling kernel functions is not supported', 'EINVAL');
          break;
        }
        case 'exit': {
          // Only the program's own exit must return something: a subprogram may be void (the
          // kernel's prepare_func_exit copies R0 to the caller as it is, even uninitialised).
          const callee = cur.frames[cur.frames.length - 1]!;
          // A callback's return value and (for some program types) the program's are range-checked.
          if (callee.callback || (cur.frames.length === 1 && !NO_RETURN_RANGE.has(opts.progType))) needPrecise(0);
          const to = funcExit(env, cur, calls);
          if (to !== 'done') {
            next = to;
            log.ret(cur, callee, next);
            break;
          }
          const badRet = returnValueProblem(cur.frames[cur.frames.length - 1]!.regs[0]!, opts.progType, opts.program?.attachType);
          if (badRet) throw fail(badRet, 'EINVAL');
          log.pathEnd();
          finish(parent);
          break path;
        }
        case 'jcond': {
          const a = read(insn.dst);
          const b: Reg = form.useReg ? read(insn.src) : scalarReg(Scalar.const(form.is32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm)));
          const target = pc + 1 + insn.off;
          // Scalars linked to an operand are refined with it: backtracking must follow them.
          const links = linkMask(cur, a, b);
          if (links) entry = histEntry(pc, cur.frames.length, links);
          const taken = cloneState(cur);
          const outcome = branch(form, insn, a, b, cur, taken);
          // A branch decided by bounds, or a scalar compared with a pointer (a NULL check), depends on the scalars.
          if (outcome !== 'maybe' || a.t !== b.t) {
            if (a.t === 'scalar') needPrecise(insn.dst);
            if (b.t === 'scalar' && form.useReg) needPrecise(insn.src);
          }
          const mark = log.jump(pc, outcome, outcome === 'always' ? taken : cur);
          if (outcome === 'always') {
            cur = taken;
            next = target;
          } else if (outcome === 'maybe') {
            taken.pc = target;
            if (parent) parent.branches++;
            work.push({ st: taken, parent, hist: [...hist, entry], ...(mark ? { mark } : {}) });
            // push_stack: too many paths waiting to be explored is refused (with EFAULT, as the kernel returns it).
            if (work.length > BPF_COMPLEXITY_LIMIT_JMP_SEQ) throw log.fail('EFAULT', `The sequence of ${work.length} jumps is too complex.`, env.pc);
          }
          break;
        }
      }
      hist.push(entry);
      cur.pc = next;
    }
  }
  checkMaxStackDepth(env, calls);
  log.finish(processed);
  return { ok: true, log, insnsProcessed: processed, proven: { access, helperMap: helperMap.map((m) => (m < 0 ? MAP_NONE : m)), callback: callback.map((c) => (c < 0 ? MAP_NONE : c)), maps } };
}

type Outcome = 'always' | 'never' | 'maybe';

/**
 * The top frame's registers sharing a scalar id with `a` or `b` (the branch refines them all), with
 * LINK_FAR when a stack slot or another frame shares it too; 0 when no operand is linked.
 */
function linkMask(st: VState, a: Reg, b: Reg): number {
  const ids: number[] = [];
  if (a.t === 'scalar' && a.id) ids.push(a.id);
  if (b.t === 'scalar' && b.id) ids.push(b.id);
  if (!ids.length) return 0;
  let mask = 0;
  st.frames.forEach((f, fi) => {
    const top = fi === st.frames.length - 1;
    f.regs.forEach((r, i) => {
      if (r.t === 'scalar' && ids.includes(r.id)) mask |= top ? 1 << i : LINK_FAR;
    });
    for (const sl of f.stack) if (sl.spill?.t === 'scalar' && ids.includes(sl.spill.id)) mask |= LINK_FAR;
  });
  return mask;
}

/** Set a refined scalar in register r of the state's top frame, and in every register sharing its id. */
function setScalar(st: VState, r: number, v: Scalar): void {
  const regs = st.frames[st.frames.length - 1]!.regs;
  const old = regs[r]!;
  if (old.t !== 'scalar') return;
  setLinkedScalar(st, r, v);
}

/**
 * Refine `fall` (the fall-through state, modified in place) and `taken` (a copy) for `if a op b`.
 */
function branch(form: Extract<InsnForm, { kind: 'jcond' }>, insn: Insn, a: Reg, b: Reg, fall: VState, taken: VState): Outcome {
  const op = form.cond.op;
  if (a.t === 'scalar' && b.t === 'scalar') {
    const r = scalarBranch(form.cond, form.is32, a.v, b.v);
    if (r.taken !== 'never') {
      setScalar(taken, insn.dst, r.trueA);
      if (form.useReg) setScalar(taken, insn.src, r.trueB);
    }
    if (r.taken !== 'always') {
      setScalar(fall, insn.dst, r.falseA);
      if (form.useReg) setScalar(fall, insn.src, r.falseB);
    }
    return r.taken;
  }
  // A pointer compared with NULL (64-bit only: `if w0 == 0` proves nothing about the pointer).
  if (!form.is32 && (op === JMP.JEQ || op === JMP.JNE) && (isZeroScalar(a) || isZeroScalar(b))) {
    const p = isPtr(a) ? a : b;
    if (isPtr(p)) {
      const nullable = (p.t === 'map_value' || p.t === 'mem') && p.nullable;
      // reg_not_null: only these kinds are known non-NULL; a stack or context pointer is not decided.
      if (!nullable) return p.t === 'map_value' || p.t === 'mem' || p.t === 'map_ptr' ? (op === JMP.JNE ? 'always' : 'never') : 'maybe';
      const id = p.id;
      const isNullSide = op === JMP.JEQ ? taken : fall;
      const nonNullSide = op === JMP.JEQ ? fall : taken;
      forEachReg(isNullSide, (x) => ((x.t === 'map_value' || x.t === 'mem') && x.id === id ? scalarReg(Scalar.const(0n)) : x));
      isNullSide.refs.delete(id);
      forEachReg(nonNullSide, (x) => {
        if (!((x.t === 'map_value' || x.t === 'mem') && x.id === id)) return x;
        return x.t === 'map_value' && x.ptrToMap !== undefined ? { t: 'map_ptr', map: x.ptrToMap } : { ...x, nullable: false };
      });
      return 'maybe';
    }
  }
  // Packet pointer against data_end (try_match_pkt_pointers).
  if (!form.is32 && form.useReg) {
    // data' against data_end, or data_meta' against data itself (reg_is_init_pkt_pointer).
    const initPkt = (r: Reg): boolean => r.t === 'pkt' && r.id === 0 && r.off === 0 && r.var.isConst() && r.var.value === 0n;
    const pktA = (a.t === 'pkt' && b.t === 'pkt_end') || (a.t === 'pkt_meta' && initPkt(b));
    const pktB = (b.t === 'pkt' && a.t === 'pkt_end') || (b.t === 'pkt_meta' && initPkt(a));
    if (pktA || pktB) {
      const p = (pktA ? a : b) as Extract<Reg, { t: 'pkt' | 'pkt_meta' }>;
      const mark = (st: VState, open: boolean): void => findGoodPktPointers(st, p, open);
      switch (op) {
        case JMP.JGT: pktA ? mark(fall, false) : mark(taken, true); break;
        case JMP.JLT: pktA ? mark(taken, true) : mark(fall, false); break;
        case JMP.JGE: pktA ? mark(fall, true) : mark(taken, false); break;
        case JMP.JLE: pktA ? mark(taken, false) : mark(fall, true); break;
        default: break;
      }
    }
  }
  return 'maybe';
}

function findGoodPktPointers(st: VState, p: Extract<Reg, { t: 'pkt' | 'pkt_meta' }>, open: boolean): void {
  if (p.off < 0 || (p.off === 0 && open)) return;
  if (p.var.umax > 0xffffn || p.var.umax + BigInt(p.off) > 0xffffn) return;
  const range = p.off + (open ? 1 : 0);
  forEachReg(st, (x) => (x.t === p.t && x.id === p.id ? { ...x, range: Math.max(x.range, range) } : x));
}
