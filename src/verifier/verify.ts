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
import { VerifierLog, VLOG } from './log.js';
import { Scalar, scalarAlu, scalarBranch, scalarEnd, scalarNeg } from './scalar.js';
import { checkHelperCall } from './helpers-check.js';
import { type Env, checkMemAccess, loadedScalar, pointerAlu } from './pointers.js';
import {
  MAX_CALL_FRAMES, NOT_INIT, type Reg, type VState, cloneState, forEachReg, isPtr, newFrame, scalarReg,
  stateCovers, unknownScalar,
} from './state.js';

export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
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
}

interface Checkpoint {
  st: VState;
  /** Paths still being explored below this state (the kernel's `branches`). */
  branches: number;
  parent: Checkpoint | undefined;
}

function finish(cp: Checkpoint | undefined): void {
  while (cp) {
    if (--cp.branches > 0) return;
    cp = cp.parent;
  }
}

const isZeroScalar = (r: Reg): boolean => r.t === 'scalar' && r.v.isConst() && r.v.value === 0n;

export function verifyProgram(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const log = new VerifierLog(opts.logLevel ?? VLOG.LEVEL1);
  const cfg = analyzeCfg(insns, { log, privileged: true });
  const info = progTypeInfo(opts.progType);
  const offsets = slotOffsets(insns);
  const bySlot: (Insn | undefined)[] = [];
  const forms: (InsnForm | undefined)[] = [];
  insns.forEach((insn, i) => {
    const s = offsets[i]!;
    bySlot[s] = insn;
    const f = classifyOrReason(insn);
    if (typeof f === 'string') throw log.fail('EINVAL', `invalid insn at ${s}: ${f}`, s);
    forms[s] = f;
  });

  // Prune points: every slot with a jump into it, the fall-through of a conditional jump, call returns.
  const prune = new Set<number>();
  cfg.succ.forEach((succ, s) => {
    const f = forms[s];
    if (!f) return;
    if (f.kind === 'jcond' || f.kind === 'ja' || f.kind === 'call') for (const t of succ) prune.add(t);
  });

  let idGen = 0;
  // A lookup in a map of maps gives the inner map: its template gets an index after the program's maps.
  const maps = [...opts.maps];
  const innerOf = new Map<number, number>();
  opts.maps.forEach((m, i) => {
    if ((m.type === 'array_of_maps' || m.type === 'hash_of_maps') && m.inner) innerOf.set(i, maps.push(m.inner) - 1);
  });
  const env: Env = { log, maps, innerOf, ctx: info.context, progType: opts.progType, pc: 0, nextId: () => ++idGen };
  const fail = (msg: string, errno: 'EACCES' | 'EINVAL' | 'E2BIG' = 'EACCES'): Error => log.fail(errno, msg, env.pc);

  const init: VState = { frames: [newFrame(-1, 0)], pc: 0, refs: new Map() };
  init.frames[0]!.regs[1] = { t: 'ctx', off: 0, var: Scalar.const(0n) };
  const work: { st: VState; parent: Checkpoint | undefined }[] = [{ st: init, parent: undefined }];
  const visited = new Map<number, Checkpoint[]>();
  let processed = 0;
  let totalStates = 0;

  while (work.length > 0) {
    const item = work.pop()!;
    let cur = item.st;
    let parent = item.parent;
    path: for (;;) {
      const pc = cur.pc;
      env.pc = pc;
      if (++processed > BPF_COMPLEXITY_LIMIT_INSNS) throw fail(`BPF program is too large. Processed ${processed} insn`, 'E2BIG');
      if (prune.has(pc)) {
        const list = visited.get(pc) ?? [];
        for (const cp of list) {
          if (cp.branches > 0) {
            if (stateCovers(cp.st, cur, true)) throw fail(`infinite loop detected at insn ${pc}`, 'EINVAL');
          } else if (stateCovers(cp.st, cur, false)) {
            finish(parent);
            break path;
          }
        }
        const cp: Checkpoint = { st: cloneState(cur), branches: 1, parent };
        // Keep the newest states per slot (a long loop would otherwise make each visit quadratic).
        if (list.length >= MAX_STATES_PER_INSN) list.splice(0, 1);
        list.push(cp);
        visited.set(pc, list);
        totalStates++;
        parent = cp;
      }
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
          writable(insn.dst);
          if (dst.t === 'scalar' && src.t === 'scalar') regs[insn.dst] = scalarReg(scalarAlu(form.op, form.is64, dst.v, src.v));
          else regs[insn.dst] = pointerAlu(env, form.op, form.is64, insn.dst, dst, src);
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
          if (isPtr(regs[insn.src]!) && form.op.name !== 'xchg') throw fail(`R${insn.src} leaks addr into mem`);
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
            checkHelperCall(env, cur, insn.imm, opts.helpers);
          } else if (form.callKind === 'local') {
            if (cur.frames.length >= MAX_CALL_FRAMES) throw fail(`the call stack of ${cur.frames.length + 1} frames is too deep !`, 'E2BIG');
            const callee = newFrame(pc, cur.frames.length);
            for (let r = 1; r <= 5; r++) callee.regs[r] = regs[r]!;
            cur.frames.push(callee);
            next = pc + 1 + insn.imm;
          } else throw fail('calling kernel functions is not supported', 'EINVAL');
          break;
        }
        case 'exit': {
          // Only the program's own exit must return something: a subprogram may be void (the
          // kernel's prepare_func_exit copies R0 to the caller as it is, even uninitialised).
          if (cur.frames.length === 1) read(0);
          if (cur.frames.length > 1) {
            const callee = cur.frames.pop()!;
            const caller = cur.frames[cur.frames.length - 1]!;
            caller.regs[0] = callee.regs[0]!;
            for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
            next = callee.callsite + 1;
            break;
          }
          for (const [id, at] of cur.refs) throw fail(`Unreleased reference id=${id} alloc_insn=${at}`, 'EINVAL');
          finish(parent);
          break path;
        }
        case 'jcond': {
          const a = read(insn.dst);
          const b: Reg = form.useReg ? read(insn.src) : scalarReg(Scalar.const(form.is32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm)));
          const target = pc + 1 + insn.off;
          const taken = cloneState(cur);
          const outcome = branch(env, form, insn, a, b, cur, taken);
          if (outcome === 'always') {
            cur = taken;
            next = target;
          } else if (outcome === 'maybe') {
            taken.pc = target;
            if (parent) parent.branches++;
            work.push({ st: taken, parent });
          }
          break;
        }
      }
      cur.pc = next;
    }
  }
  log.line(`processed ${processed} insns (limit ${BPF_COMPLEXITY_LIMIT_INSNS}) max_states_per_insn 0 total_states ${totalStates} peak_states ${totalStates} mark_read 0`);
  return { ok: true, log, insnsProcessed: processed };
}

type Outcome = 'always' | 'never' | 'maybe';

/** Set a refined scalar in register r of the state's top frame, and in every register sharing its id. */
function setScalar(st: VState, r: number, v: Scalar): void {
  const regs = st.frames[st.frames.length - 1]!.regs;
  const old = regs[r]!;
  if (old.t !== 'scalar') return;
  if (old.id !== 0) forEachReg(st, (x) => (x.t === 'scalar' && x.id === old.id ? { ...x, v } : x));
  else regs[r] = { ...old, v };
}

/**
 * Refine `fall` (the fall-through state, modified in place) and `taken` (a copy) for `if a op b`.
 */
function branch(env: Env, form: Extract<InsnForm, { kind: 'jcond' }>, insn: Insn, a: Reg, b: Reg, fall: VState, taken: VState): Outcome {
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
  // A pointer compared with NULL.
  if ((op === JMP.JEQ || op === JMP.JNE) && (isZeroScalar(a) || isZeroScalar(b))) {
    const p = isPtr(a) ? a : b;
    if (isPtr(p)) {
      const nullable = (p.t === 'map_value' || p.t === 'mem') && p.nullable;
      if (!nullable) return op === JMP.JNE ? 'always' : 'never';
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
    const pktA = (a.t === 'pkt' || a.t === 'pkt_meta') && b.t === 'pkt_end';
    const pktB = (b.t === 'pkt' || b.t === 'pkt_meta') && a.t === 'pkt_end';
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
  void env;
  return 'maybe';
}

function findGoodPktPointers(st: VState, p: Extract<Reg, { t: 'pkt' | 'pkt_meta' }>, open: boolean): void {
  if (p.off < 0 || (p.off === 0 && open)) return;
  if (p.var.umax > 0xffffn || p.var.umax + BigInt(p.off) > 0xffffn) return;
  const range = p.off - (open ? 1 : 0);
  forEachReg(st, (x) => (x.t === p.t && x.id === p.id ? { ...x, range: Math.max(x.range, range) } : x));
}
