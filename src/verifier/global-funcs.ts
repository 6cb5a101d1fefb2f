/**
 * Global functions (BTF linkage global in the program's func info): the kernel checks such a
 * function once, on its own, with arguments made from its BTF prototype (btf_prepare_func_args):
 * an integer or enum is any scalar, a pointer to the program type's context is the context, any
 * other pointer is memory of the pointee's size that may be NULL. A caller is checked only against
 * those types (btf_check_func_arg_match) and gets an unknown scalar back. Also here: where a map
 * value's bpf_spin_lock is, which only the map's BTF says.
 */
import type { Btf, BtfType } from '../btf/index.js';
import { progTypeInfo } from '../progtypes/table.js';
import type { Cfg } from './cfg.js';
import type { Env } from './pointers.js';
import type { VerifyOptions } from './verify.js';
import { Scalar } from './scalar.js';
import { helperMemAccess } from './helpers-check.js';
import { VerifierLog, isVerifierError } from './log.js';
import { type Reg, type VState, cloneState, newFrame, unknownScalar } from './state.js';

export type GlobalArg = { kind: 'scalar' } | { kind: 'ctx' } | { kind: 'mem'; size: number } | { kind: 'unsupported'; why: string };

export interface GlobalFunc {
  /** The function's index among the program's functions (func#N in the kernel's log). */
  index: number;
  name: string;
  start: number;
  args: GlobalArg[];
  returnsVoid: boolean;
}

const SCALAR_KINDS = new Set(['int', 'enum', 'enum64']);

function argOf(btf: Btf, typeId: number, ctxName: string): GlobalArg {
  const t = btf.resolve(typeId);
  if (SCALAR_KINDS.has(t.kind)) return { kind: 'scalar' };
  if (t.kind !== 'ptr') return { kind: 'unsupported', why: `a ${t.kind} argument` };
  const pointee: BtfType = btf.resolve(t.type!);
  if (pointee.kind === 'struct' && `struct ${pointee.name}` === ctxName) return { kind: 'ctx' };
  try {
    return { kind: 'mem', size: btf.sizeOf(t.type!) };
  } catch {
    return { kind: 'unsupported', why: 'a pointer to a type without a size' };
  }
}

/** The program's global functions other than its entry, by start slot. */
export function globalFuncsOf(opts: VerifyOptions, cfg: Cfg): Map<number, GlobalFunc> {
  const out = new Map<number, GlobalFunc>();
  const btf = opts.object?.btf;
  const p = opts.program;
  if (!btf || !p || p.funcInfo.length === 0) return out;
  let ctxName = '';
  try {
    ctxName = progTypeInfo(opts.progType).context.name;
  } catch {
    ctxName = '';
  }
  for (const fi of p.funcInfo) {
    if (fi.insnOff === 0) continue;
    const index = cfg.subprogs.findIndex((s) => s.start === fi.insnOff);
    if (index < 0) continue;
    const fn = btf.typeById(fi.typeId);
    if (fn.kind !== 'func' || fn.linkage !== 1) continue;
    const proto = btf.typeById(fn.type!);
    out.set(fi.insnOff, {
      index, name: fn.name, start: fi.insnOff,
      args: (proto.params ?? []).map((a) => argOf(btf, a.type, ctxName)),
      returnsVoid: !proto.type,
    });
  }
  return out;
}

/** Does this function start have func info at all (callbacks must be static functions with it)? */
export function funcLinkage(opts: VerifyOptions, start: number): 'none' | 'static' | 'global' {
  const btf = opts.object?.btf;
  const fi = opts.program?.funcInfo.find((f) => f.insnOff === start);
  if (!btf || !fi) return 'none';
  const fn = btf.typeById(fi.typeId);
  return fn.linkage === 1 ? 'global' : 'static';
}

/** Why the caller's registers do not fit the function's BTF arguments (a kernel log line), or undefined. */
export function checkGlobalCallArgs(env: Env, st: VState, g: GlobalFunc): string | undefined {
  const regs = st.frames[st.frames.length - 1]!.regs;
  if (g.returnsVoid) return `Global function ${g.name}() doesn't return scalar. Only those are supported.`;
  for (let i = 0; i < g.args.length && i < 5; i++) {
    const regno = i + 1;
    const r = regs[regno]!;
    const a = g.args[i]!;
    if (a.kind === 'scalar') {
      if (r.t !== 'scalar') return `R${regno} is not a scalar`;
    } else if (a.kind === 'ctx') {
      if (r.t === 'ctx' && r.off !== 0) return `dereference of modified ctx ptr R${regno} off=${r.off} disallowed`;
      if (r.t !== 'ctx') return `arg#${i} expects pointer to ctx`;
    } else if (a.kind === 'mem') {
      if (r.t === 'scalar' && r.v.isConst() && r.v.value === 0n) continue;
      // check_mem_reg: the memory must be readable and writable for the whole size, NULL aside.
      const probe = cloneState(st);
      const pr = probe.frames[probe.frames.length - 1]!.regs;
      const x = pr[regno]!;
      if ((x.t === 'map_value' || x.t === 'mem') && x.nullable) pr[regno] = { ...x, nullable: false } as Reg;
      // A scratch log: the probe's message is the reason, which the caller logs with its verdict.
      const quiet: Env = { ...env, log: new VerifierLog(0) };
      try {
        helperMemAccess(quiet, probe, regno, a.size, false, true);
        helperMemAccess(quiet, probe, regno, a.size, true, true);
      } catch (e) {
        if (!isVerifierError(e)) throw e;
        return e.reason;
      }
    } else {
      return `arg#${i} is ${a.why}, which global functions do not support`;
    }
  }
  return undefined;
}

/** The state a global function is checked from: its arguments as its BTF describes them. */
export function globalEntryState(env: Env, g: GlobalFunc): VState {
  const f = newFrame(-1, 0);
  f.subprog = g.start;
  g.args.forEach((a, i) => {
    if (i >= 5) return;
    const regno = i + 1;
    if (a.kind === 'ctx') f.regs[regno] = { t: 'ctx', off: 0, var: Scalar.const(0n) };
    else if (a.kind === 'mem') f.regs[regno] = { t: 'mem', size: a.size, id: env.nextId(), nullable: true, ringbuf: false, off: 0, var: Scalar.const(0n) };
    else f.regs[regno] = unknownScalar();
  });
  return { frames: [f], pc: g.start, refs: new Map() };
}

/** The offset of `struct bpf_spin_lock` in map `i`'s value, from the map's BTF value type. */
export function spinLockOffsetOf(opts: VerifyOptions, i: number): number | undefined {
  const btf = opts.object?.btf;
  const om = opts.object?.maps[i];
  if (!btf || !om?.btfValueTypeId) return undefined;
  const find = (id: number, base: number, depth: number): number | undefined => {
    if (depth > 8) return undefined;
    const t = btf.resolve(id);
    if (t.kind === 'struct' && t.name === 'bpf_spin_lock') return base;
    if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
    for (const m of t.members ?? []) {
      const r = find(m.type, base + m.bitOffset / 8, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return find(om.btfValueTypeId, 0, 0);
}
