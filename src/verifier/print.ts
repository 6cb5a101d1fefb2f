/**
 * The verifier log's text, as Linux prints it (kernel/bpf/log.c and kernel/bpf/disasm.c, 6.x):
 * instructions in the verifier's own syntax (`(bf) r2 = r10`, `(15) if r0 == 0x0 goto pc+5`,
 * `*(u32 *)(r10 -4) = 0`), register and stack-slot states (`R1=ctx()`, `R2=fp-4`,
 * `R0=map_value_or_null(id=1,map=counts,ks=4,vs=8)`, `fp-8=0000????`) and the column the
 * state of an instruction is printed at. Tools that parse kernel logs read these lines as they are.
 *
 * The instruction syntax differs from the LLVM syntax of isa/disasm-kernel.ts in almost every class
 * (hexadecimal jump immediates, `pc+N` targets, `(r1 +8)` memory operands, helper names), so it is
 * written here from the instruction forms rather than patched into that printer.
 */
import type { Insn, InsnForm } from '../isa/insn.js';
import { lddwValue } from '../isa/insn.js';
import { helperName } from '../isa/helper-names.js';
import { PSEUDO, SIZE_CTYPE } from '../isa/opcodes.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { MapSpec } from '../maps/types.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, type Scalar } from './scalar.js';
import { tnumIsConst, tnumIsUnknown } from './tnum.js';
import { MAX_BPF_STACK, type Frame, type Reg, type StackSlot, type VState, regTypeStr } from './state.js';

/** What printing needs besides the state: the maps (names and sizes) and the helpers' names. */
export interface PrintEnv {
  maps: readonly MapSpec[];
  helpers?: HelperRegistry;
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Linux's `%#llx`: its vsnprintf writes 0 as 0x0, unlike C libraries. */
const hexU = (v: bigint): string => '0x' + u64(v).toString(16);

/** verbose_unum: decimal up to U16_MAX, else hex. */
export function unum(v: bigint): string {
  return u64(v) <= 0xffffn ? u64(v).toString() : hexU(v);
}

/** verbose_snum: decimal within S16, else hex of the 64-bit pattern. */
export function snum(v: bigint): string {
  const s = s64(v);
  return s >= -0x8000n && s <= 0x7fffn ? s.toString() : hexU(v);
}

/** tnum_strn: `(0x0; 0xff)`, or the constant. */
function tnumStr(value: bigint, mask: bigint): string {
  if (mask === 0n) return u64(value) <= 0xffffn ? u64(value).toString() : snum(value);
  return `(${hexU(value)}; ${hexU(mask)})`;
}

/**
 * print_scalar_ranges: the bounds that say something, with equal neighbours of the same sign
 * merged (`smin=smin32=0,smax=umax=smax32=umax32=255`). A 32-bit signed bound shown in hex is
 * shown as its 32-bit pattern, not sign-extended (log.c does the same to avoid 0xffffffff... noise).
 */
function scalarRanges(v: Scalar): string[] {
  const s32 = (x: bigint): bigint => (x >= -0x8000n && x <= 0x7fffn ? x : BigInt.asUintN(32, x));
  const items = [
    { name: 'smin', val: u64(v.smin), omit: v.smin === S64_MIN },
    { name: 'smax', val: u64(v.smax), omit: v.smax === S64_MAX },
    { name: 'umin', val: v.umin, omit: v.umin === 0n },
    { name: 'umax', val: v.umax, omit: v.umax === U64_MAX },
    { name: 'smin32', val: u64(s32(v.s32min)), omit: v.s32min === S32_MIN },
    { name: 'smax32', val: u64(s32(v.s32max)), omit: v.s32max === S32_MAX },
    { name: 'umin32', val: v.u32min, omit: v.u32min === 0n },
    { name: 'umax32', val: v.u32max, omit: v.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const m1 = items[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && s64(m1.val) < 0n;
    let s = `${m1.name}=`;
    for (let j = i + 2; j < items.length; j += 2) {
      const m2 = items[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      if ((m2.name[0] === 's' && s64(m2.val) < 0n) !== neg1) continue;
      m2.omit = true;
      s += `${m2.name}=`;
    }
    out.push(s + (m1.name[0] === 's' ? snum(m1.val) : unum(m1.val)));
  }
  return out;
}

/** A scalar as the kernel's log prints a register holding it (without the `R1_w=` prefix). */
export function formatScalar(v: Scalar): string {
  return tnumIsConst(v.var) ? snum(v.var.value) : `scalar(${varParts(v).join(',')})`;
}

/** The attributes of a non-constant offset or scalar: ranges, then var_off unless unknown. */
function varParts(v: Scalar): string[] {
  if (tnumIsConst(v.var)) return v.var.value !== 0n ? [`imm=${snum(v.var.value)}`] : [];
  const parts = scalarRanges(v);
  if (!tnumIsUnknown(v.var)) parts.push(`var_off=${tnumStr(v.var.value, v.var.mask)}`);
  return parts;
}

/** print_reg_state: one register's value (`ctx()`, `fp-8`, `scalar(umax=255,...)`, `5`). */
export function formatReg(r: Reg, env: PrintEnv, frameNo = 0): string {
  switch (r.t) {
    case 'not_init': return '?';
    case 'scalar': {
      if (tnumIsConst(r.v.var)) return snum(r.v.var.value);
      const parts = r.id ? [`id=${r.id}`, ...varParts(r.v)] : varParts(r.v);
      return `scalar(${parts.join(',')})`;
    }
    case 'fp': {
      const frame = r.frame !== frameNo ? `[${r.frame}]` : '';
      if (tnumIsConst(r.var.var)) return `fp${frame}${snum(BigInt(r.off) + r.var.var.value)}`;
      return `fp${frame}(${[...(r.off ? [`off=${snum(BigInt(r.off))}`] : []), ...varParts(r.var)].join(',')})`;
    }
    case 'func': return 'func()';
    case 'pkt_end': return 'pkt_end()';
    default: break;
  }
  const parts: string[] = [];
  const mapAttrs = (index: number): void => {
    const m = env.maps[index];
    if (!m) return;
    if (m.name) parts.push(`map=${m.name}`);
    parts.push(`ks=${m.keySize},vs=${m.valueSize}`);
  };
  switch (r.t) {
    case 'ctx':
      break;
    case 'map_ptr':
      mapAttrs(r.map);
      return `map_ptr(${parts.join(',')})`;
    case 'map_value':
      // The kernel drops the id once the NULL check has made the pointer definite.
      if (r.nullable && r.id) parts.push(`id=${r.id}`);
      mapAttrs(r.map);
      break;
    case 'pkt':
    case 'pkt_meta':
      if (r.id) parts.push(`id=${r.id}`);
      break;
    case 'mem':
      if (r.nullable && r.id) parts.push(`id=${r.id}`);
      if (r.ringbuf && r.id) parts.push(`ref_obj_id=${r.id}`);
      break;
  }
  if (r.off) parts.push(`off=${snum(BigInt(r.off))}`);
  if (r.t === 'pkt' || r.t === 'pkt_meta') parts.push(`r=${unum(BigInt(r.range))}`);
  if (r.t === 'mem') parts.push(`sz=${unum(BigInt(r.size))}`);
  parts.push(...varParts(r.var));
  return `${regTypeStr(r)}(${parts.join(',')})`;
}

/** slot_type_char for one byte of ours; the kernel lists a slot's bytes from the highest address. */
const BYTE_CHAR = { i: '?', m: 'm', z: '0' } as const;

/** The kernel's text for one stack slot (`fp-8=0000????`, `fp-16=ctx()`), or undefined if never written. */
export function formatSlot(sl: StackSlot, spi: number, env: PrintEnv, frameNo: number): string | undefined {
  const name = `fp-${(MAX_BPF_STACK / 8 - spi) * 8}`;
  if (sl.spill) {
    // The spilled register sits at the slot's low bytes; the bytes above it print before it.
    const size = sl.spillSize ?? 8;
    let prefix = '';
    for (let b = 7; b >= size; b--) prefix += BYTE_CHAR[sl.bytes[b]!];
    const v = sl.spill;
    return `${name}=${prefix}${formatReg(v, env, frameNo)}`;
  }
  if (sl.bytes.every((b) => b === 'i')) return undefined;
  let types = '';
  for (let b = 7; b >= 0; b--) types += BYTE_CHAR[sl.bytes[b]!];
  return `${name}=${types}`;
}

/** What print_verifier_state prints when not printing everything: the registers and slots touched. */
export interface Scratch {
  regs: Set<number>;
  /** Stack slot indices (ours: 0 is fp-512, 63 is fp-8). */
  slots: Set<number>;
  all: boolean;
}

export const newScratch = (all = false): Scratch => ({ regs: new Set(), slots: new Set(), all });

/** print_verifier_state for the state's current frame: ` R1=ctx() R10=fp0 fp-8=mmmmmmmm`. */
export function formatFrame(st: VState, env: PrintEnv, scratch?: Scratch, frameIndex = st.frames.length - 1): string {
  const f: Frame = st.frames[frameIndex]!;
  let s = frameIndex > 0 ? ` frame${frameIndex}:` : '';
  const all = !scratch || scratch.all;
  f.regs.forEach((r, i) => {
    if (r.t === 'not_init' || (!all && !scratch.regs.has(i))) return;
    s += ` R${i}=${formatReg(r, env, frameIndex)}`;
  });
  for (let spi = f.stack.length - 1; spi >= 0; spi--) {
    if (!all && !scratch.slots.has(spi)) continue;
    const t = formatSlot(f.stack[spi]!, spi, env, frameIndex);
    if (t !== undefined) s += ` ${t}`;
  }
  if (st.refs.size) s += ` refs=${[...st.refs.keys()].join(',')}`;
  return s;
}

/**
 * vlog_alignment: a state printed on its instruction's line starts at column 40 or the next
 * multiple of 8 that leaves room (the instruction's text is `len` characters, newline included).
 */
export function stateColumnPad(len: number): number {
  const target = Math.max(len + 4, 40);
  return Math.ceil(target / 8) * 8 - len - 1;
}

// ---------------------------------------------------------------------------------------------
// Instructions (kernel/bpf/disasm.c, print_bpf_insn)

const hex2 = (code: number): string => code.toString(16).padStart(2, '0');
const signedOff = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const mem = (base: number, off: number): string => `(r${base} ${signedOff(off)})`;

/** A helper's name as the kernel's func_id_str spells it. */
export function helperLabel(id: number, helpers?: HelperRegistry): string {
  const name = id === 0 ? 'unspec' : helperName(id) ?? helpers?.get(id)?.name;
  if (name === undefined) return 'unknown';
  return name.startsWith('bpf_') ? name : `bpf_${name}`;
}

/** One instruction as the verifier log prints it, without the `N: ` index. */
export function formatInsn(insn: Insn, form: InsnForm, env: PrintEnv): string {
  const c = `(${hex2(insn.code)})`;
  switch (form.kind) {
    case 'alu': {
      const r = form.is64 ? 'r' : 'w';
      const op = form.op.kernelOp;
      if (form.useReg) {
        const sx = form.op.name.startsWith('movsx') ? `(s${form.op.off})` : '';
        return `${c} ${r}${insn.dst} ${op} ${sx}${r}${insn.src}`;
      }
      return `${c} ${r}${insn.dst} ${op} ${insn.imm}`;
    }
    case 'neg': {
      const r = form.is64 ? 'r' : 'w';
      return `${c} ${r}${insn.dst} = -${r}${insn.dst}`;
    }
    case 'end':
      return form.order === 'bswap'
        ? `${c} r${insn.dst} = bswap${form.width} r${insn.dst}`
        : `${c} r${insn.dst} = ${form.order}${form.width} r${insn.dst}`;
    case 'jcond': {
      const r = form.is32 ? 'w' : 'r';
      const rhs = form.useReg ? `${r}${insn.src}` : `0x${(insn.imm >>> 0).toString(16)}`;
      return `${c} if ${r}${insn.dst} ${form.cond.kernelOp} ${rhs} goto pc${signedOff(insn.off)}`;
    }
    case 'ja':
      return form.long ? `${c} gotol pc${signedOff(insn.imm)}` : `${c} goto pc${signedOff(insn.off)}`;
    case 'call':
      if (form.callKind === 'local') return `${c} call pc${signedOff(insn.imm)}`;
      if (form.callKind === 'kfunc') return `${c} call kernel-function#${insn.imm}`;
      return `${c} call ${helperLabel(insn.imm, env.helpers)}#${insn.imm}`;
    case 'exit':
      return `${c} exit`;
    case 'lddw': {
      // A map address is the kernel's to know; we print what it prints when it hides pointers.
      const isPtr = form.pseudo !== PSEUDO.IMM64 && form.pseudo !== PSEUDO.FUNC;
      return `${c} r${insn.dst} = ${hexU(isPtr ? 0n : lddwValue(insn))}`;
    }
    case 'ldpkt': {
      const ty = SIZE_CTYPE[form.size];
      return form.mode === 'abs' ? `${c} r0 = *(${ty} *)skb[${insn.imm}]` : `${c} r0 = *(${ty} *)skb[r${insn.src} + ${insn.imm}]`;
    }
    case 'ldx':
      return `${c} r${insn.dst} = *(${form.signed ? 's' : 'u'}${form.size * 8} *)${mem(insn.src, insn.off)}`;
    case 'st':
      return `${c} *(${SIZE_CTYPE[form.size]} *)${mem(insn.dst, insn.off)} = ${insn.imm}`;
    case 'stx':
      return `${c} *(${SIZE_CTYPE[form.size]} *)${mem(insn.dst, insn.off)} = r${insn.src}`;
    case 'atomic': {
      const ty = SIZE_CTYPE[form.size];
      const w = form.size === 8 ? '64' : '';
      const op = form.op;
      if (!op.fetch) return `${c} lock *(${ty} *)${mem(insn.dst, insn.off)} ${op.kernelOp} r${insn.src}`;
      if (op.fetchName === 'cmpxchg') return `${c} r0 = atomic${w}_cmpxchg((${ty} *)${mem(insn.dst, insn.off)}, r0, r${insn.src})`;
      if (op.fetchName === 'xchg') return `${c} r${insn.src} = atomic${w}_xchg((${ty} *)${mem(insn.dst, insn.off)}, r${insn.src})`;
      return `${c} r${insn.src} = atomic${w}_fetch_${op.fetchName}((${ty} *)${mem(insn.dst, insn.off)}, r${insn.src})`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Level 2's listing of live registers (compute_live_registers)

/** The slots control may go to after `pc` (a called function is its own start, not a successor). */
function successors(pc: number, insn: Insn, form: InsnForm): number[] {
  switch (form.kind) {
    case 'exit': return [];
    case 'ja': return [pc + 1 + (form.long ? insn.imm : insn.off)];
    case 'jcond': return [pc + 1, pc + 1 + insn.off];
    case 'lddw': return [pc + 2];
    default: return [pc + 1];
  }
}

const bit = (r: number): number => 1 << r;
const CALLER_SAVED = 0b111111;

/** The registers an instruction reads (`use`) and writes (`def`), as bit masks. */
function useDef(insn: Insn, form: InsnForm, helpers?: HelperRegistry): { use: number; def: number } {
  const d = bit(insn.dst), s = bit(insn.src);
  switch (form.kind) {
    case 'alu':
      if (form.op.name === 'mov' || form.op.name.startsWith('movsx')) return { use: form.useReg ? s : 0, def: d };
      return { use: form.useReg ? d | s : d, def: d };
    case 'neg': case 'end': return { use: d, def: d };
    case 'lddw': return { use: 0, def: d };
    case 'ldx': return { use: s, def: d };
    case 'st': return { use: d, def: 0 };
    case 'stx': return { use: d | s, def: 0 };
    case 'atomic': {
      const cmpxchg = form.op.fetchName === 'cmpxchg';
      return { use: d | s | (cmpxchg ? 1 : 0), def: form.op.fetch ? (cmpxchg ? 1 : s) : 0 };
    }
    case 'ldpkt': return { use: bit(6) | (form.mode === 'ind' ? s : 0), def: CALLER_SAVED };
    case 'jcond': return { use: form.useReg ? d | s : d, def: 0 };
    case 'ja': return { use: 0, def: 0 };
    case 'exit': return { use: 1, def: 0 };
    case 'call': {
      if (form.callKind !== 'helper') return { use: 0b111110, def: CALLER_SAVED };
      const n = helpers?.get(insn.imm)?.args.length ?? 5;
      return { use: ((1 << n) - 1) << 1, def: CALLER_SAVED };
    }
  }
}

/** Loops (strongly connected components of more than one slot, or a slot jumping to itself), numbered as Tarjan's algorithm completes them. */
function loopComponents(slots: readonly number[], succ: Map<number, number[]>): Map<number, number> {
  const index = new Map<number, number>(), low = new Map<number, number>();
  const onStack = new Set<number>(), stack: number[] = [];
  const scc = new Map<number, number>();
  let next = 0, count = 0;
  for (const root of slots) {
    if (index.has(root)) continue;
    const frames: { v: number; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, next); low.set(root, next++); stack.push(root); onStack.add(root);
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      const out = succ.get(f.v) ?? [];
      if (f.i < out.length) {
        const w = out[f.i++]!;
        if (!succ.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next++); stack.push(w); onStack.add(w);
          frames.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(f.v, Math.min(low.get(f.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const p = frames[frames.length - 1]!.v;
        low.set(p, Math.min(low.get(p)!, low.get(f.v)!));
      }
      if (low.get(f.v) !== index.get(f.v)) continue;
      const members: number[] = [];
      let w: number;
      do { w = stack.pop()!; onStack.delete(w); members.push(w); } while (w !== f.v);
      if (members.length > 1 || out.includes(f.v)) {
        count++;
        for (const m of members) scc.set(m, count);
      }
    }
  }
  return scc;
}

/**
 * The registers live before each slot (compute_live_registers): read on some path before being
 * written, within the slot's function (a call reads its arguments and clobbers r0-r5). The listing
 * prints it; pruning (verify.ts) ignores dead registers.
 */
export function liveRegsBefore(bySlot: readonly (Insn | undefined)[], forms: readonly (InsnForm | undefined)[], helpers?: HelperRegistry): { slots: number[]; succ: Map<number, number[]>; live: Map<number, number> } {
  const slots: number[] = [];
  bySlot.forEach((insn, s) => { if (insn && forms[s]) slots.push(s); });
  const succ = new Map<number, number[]>();
  const ud = new Map<number, { use: number; def: number }>();
  for (const s of slots) {
    succ.set(s, successors(s, bySlot[s]!, forms[s]!));
    ud.set(s, useDef(bySlot[s]!, forms[s]!, helpers));
  }
  const live = new Map<number, number>(slots.map((s) => [s, 0]));
  for (let changed = true; changed;) {
    changed = false;
    for (let i = slots.length - 1; i >= 0; i--) {
      const s = slots[i]!;
      let out = 0;
      for (const t of succ.get(s)!) out |= live.get(t) ?? 0;
      const { use, def } = ud.get(s)!;
      const inn = (out & ~def) | use;
      if (inn !== live.get(s)) { live.set(s, inn); changed = true; }
    }
  }
  return { slots, succ, live };
}

/** `Live regs before insn:` and its lines, as log level 2 prints them before verifying. */
export function liveRegsListing(bySlot: readonly (Insn | undefined)[], forms: readonly (InsnForm | undefined)[], env: PrintEnv): string[] {
  const { slots, succ, live } = liveRegsBefore(bySlot, forms, env.helpers);
  const scc = loopComponents(slots, succ);
  const lines = ['Live regs before insn:'];
  for (const s of slots) {
    const mask = live.get(s)!;
    let regs = '';
    for (let r = 0; r < 10; r++) regs += mask & bit(r) ? String(r) : '.';
    const n = scc.get(s);
    lines.push(`${n ? `${String(n).padStart(3)} ` : '    '}${String(s).padStart(3)}: ${regs} ${formatInsn(bySlot[s]!, forms[s]!, env)}`);
  }
  return lines;
}
