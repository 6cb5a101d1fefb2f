/**
 * BTF-typed pointers for tracing programs (PTR_TO_BTF_ID). A tp_btf program's context is the
 * tracepoint's arguments as the kernel's BTF types them (the typedef btf_trace_<name>, a pointer
 * to a function prototype whose first parameter, `void *__data`, the program does not see): an
 * integer argument reads as a scalar, a pointer to a struct as a pointer the program may read
 * through (btf_ctx_access). A load through such a pointer is checked against the struct's layout
 * (btf_struct_walk): past its end is refused, a pointer member gives another typed pointer, and
 * writes are refused. The kernel catches faults of these loads, so no NULL check is needed.
 */
import { loadTargetBtf, type Btf } from '../btf/index.js';
import type { VerifyOptions } from './verify.js';
import type { Env } from './pointers.js';
import { Scalar } from './scalar.js';
import { tnumToString } from './tnum.js';
import { type Reg, scalarReg, unknownScalar } from './state.js';

/** What a tp_btf program's context holds: the tracepoint's name and its argument types. */
export interface BtfCtx {
  btf: Btf;
  /** btf_trace_<name>, as the kernel's messages name the function. */
  typedefName: string;
  /** Argument type ids, without the leading `void *__data`. */
  args: number[];
  /** The program's license allows reading kernel structs (GPL). */
  gpl: boolean;
}

/** The typed context of a tp_btf program, or undefined for every other program. */
export function btfCtxOf(opts: VerifyOptions, gpl: boolean): BtfCtx | undefined {
  const p = opts.program;
  if (!p || p.type !== 'tracing' || p.attachType !== 'trace_raw_tp' || p.attachTarget?.kind !== 'btf') return undefined;
  let btf: Btf;
  try {
    btf = loadTargetBtf();
  } catch {
    return undefined;
  }
  const typedefName = `btf_trace_${p.attachTarget.name}`;
  const td = btf.findByName(typedefName, 'typedef');
  if (!td) return undefined;
  const ptr = btf.resolve(td.type!);
  const proto = ptr.kind === 'ptr' ? btf.resolve(ptr.type!) : undefined;
  if (!proto || proto.kind !== 'func_proto') return undefined;
  return { btf, typedefName, args: (proto.params ?? []).slice(1).map((a) => a.type), gpl };
}

const fail = (env: Env, msg: string, errno: 'EACCES' | 'EINVAL' = 'EACCES'): Error => env.log.fail(errno, msg, env.pc);

/** btf_ctx_access: a load of `size` bytes at `off` of a tp_btf context. */
export function btfCtxLoad(env: Env, c: BtfCtx, off: number, size: number, write: boolean): Reg {
  const bad = (): Error => fail(env, `invalid bpf_context access off=${off} size=${size}`);
  if (write || off < 0 || off >= 8 * 12 || off % size !== 0) throw bad();
  if (off % 8) {
    env.log.line(`func '${c.typedefName}' offset ${off} is not multiple of 8`);
    throw bad();
  }
  const arg = off / 8;
  if (arg >= c.args.length) {
    env.log.line(`func '${c.typedefName}' doesn't have ${arg + 1}-th argument`);
    throw bad();
  }
  const t = c.btf.resolve(c.args[arg]!);
  if (t.kind !== 'ptr') return size === 8 ? unknownScalar() : scalarReg(Scalar.urange(0n, (1n << BigInt(size * 8)) - 1n));
  const pointee = c.btf.resolve(t.type!);
  if (pointee.kind !== 'struct' && pointee.kind !== 'union') {
    env.log.line(`func '${c.typedefName}' arg${arg} type ${pointee.kind.toUpperCase()} is not a struct`);
    throw bad();
  }
  return { t: 'btf_id', btf: c.btf, typeId: pointee.id, trusted: true, off: 0, var: Scalar.const(0n) };
}

/** The member at [off, off + size) of struct `id`: a scalar, or a typed pointer for a pointer member. */
function walk(btf: Btf, id: number, off: number, size: number): Reg | 'beyond' {
  const t = btf.resolve(id);
  const total = t.size ?? 0;
  if (off + size > total) return 'beyond';
  for (const m of t.members ?? []) {
    if (m.bitfieldSize) continue;
    const mo = m.bitOffset / 8;
    let msize: number;
    try {
      msize = btf.sizeOf(m.type);
    } catch {
      continue;
    }
    if (off < mo || off + size > mo + msize) continue;
    const mt = btf.resolve(m.type);
    if (mt.kind === 'struct' || mt.kind === 'union') {
      const inner = walk(btf, mt.id, off - mo, size);
      if (inner !== 'beyond') return inner;
      continue;
    }
    if (mt.kind === 'ptr' && off === mo && size === 8) {
      const pointee = btf.resolve(mt.type!);
      if (pointee.kind === 'struct' || pointee.kind === 'union') return { t: 'btf_id', btf, typeId: pointee.id, off: 0, var: Scalar.const(0n) };
      return unknownScalar();
    }
    break;
  }
  return size === 8 ? unknownScalar() : scalarReg(Scalar.urange(0n, (1n << BigInt(size * 8)) - 1n));
}

/** check_ptr_to_btf_access: a load or store through a typed kernel pointer. */
export function btfPtrAccess(env: Env, regno: number, reg: Extract<Reg, { t: 'btf_id' }>, insnOff: number, size: number, write: boolean, gpl: boolean): Reg {
  const name = reg.btf.typeById(reg.typeId).name;
  const off = reg.off + insnOff;
  if (!gpl) throw fail(env, `Cannot access kernel 'struct ${name}' from non-GPL compatible program`, 'EINVAL');
  if (off < 0) throw fail(env, `R${regno} is ptr_${name} invalid negative access: off=${off}`);
  if (!reg.var.isConst() || reg.var.value !== 0n) {
    throw fail(env, `R${regno} is ptr_${name} invalid variable offset: off=${off}, var_off=${tnumToString(reg.var.var)}`);
  }
  if (write) throw fail(env, 'only read is supported');
  const r = walk(reg.btf, reg.typeId, off, size);
  if (r === 'beyond') throw fail(env, `access beyond struct ${name} at off ${off} size ${size}`);
  return r;
}
