/**
 * The kernel/LLVM assembly syntax, printing side: the text `llvm-objdump -d` prints for BPF objects
 * (LLVM 14 spelling; the v4 instructions it does not know use the spelling of newer LLVM and of the
 * kernel's disasm.c), with a few deliberate departures where LLVM's text loses information and so
 * could not be assembled back to the same bytes:
 *
 * - bpf-to-bpf call (src 1): `call pc+N` as the kernel prints it (LLVM prints `call N`, which reads
 *   as a helper call).
 * - kfunc call (src 2): `call kernel-function#ID` as the kernel prints it, plus `[off:K]` when the
 *   BTF fd-array index in `off` is not 0.
 * - lddw with a pseudo source (src 1..6), in bpftool's spelling where it has one (LLVM prints
 *   `ld_pseudo r1, 1, 5` and drops the upper half):
 *     src 1 `r1 = map[id:5]`, src 2 `r1 = map[id:5][0]+8`, src 3 `r1 = btf_id[7]`,
 *     src 4 `r1 = subprog[+3]`, src 5 `r1 = map[idx:2]`, src 6 `r1 = map[idx:2]+8`;
 *   when a field that form cannot show is not 0 (imm2 of src 1, 3, 4, 5):
 *     `ld_pseudo r1, SRC, IMM, IMM2`.
 * - BPF_LD | BPF_IND with imm != 0: `r0 = *(u8 *)skb[r3 + 4]` (kernel); LLVM drops the imm.
 * - 32-bit atomics other than `lock ... +=` without alu32: LLVM 14 prints them only with
 *   `--mattr=+alu32` (and misreads fetch-add as `lock ... +=` without it); we use its alu32
 *   spelling with r registers, `r2 = atomic_fetch_and((u32 *)(r1 + 0), r2)`.
 *
 * Numbers are decimal as objdump prints them by default (lddw as a signed 64-bit value). The
 * instructions LLVM 14 does not know (it prints `<unknown>` for jset, memsx, bswap, BPF_ST and
 * gotol, and ignores the offset of sdiv/smod/movsx) use the spellings of newer LLVM and the kernel: `if r1 & r2 goto +1`, `r1 s/= r2`,
 * `r1 = (s8)r2`, `r1 = *(s16 *)(r2 + 0)`, `r1 = bswap32 r1`, `*(u32 *)(r10 - 4) = 5`, `gotol +70000`.
 *
 * Every encoding is checked with `classify` first, so a malformed one raises its EDECODE error.
 */
import { classify, encode, slotOffsets, totalSlots, type Insn, type InsnForm } from './insn.js';
import { PSEUDO, SIZE_CTYPE } from './opcodes.js';

export interface KernelFormatOptions {
  /**
   * Spell the value register of 8/16/32-bit loads and stores and of 32-bit atomics as `wN`, as
   * LLVM does for alu32 code (`llvm-objdump --mattr=+alu32`). The encoding is the same either way.
   */
  alu32?: boolean;
  /** The text for the `<...>` comment after a branch to `slot` (e.g. `LBB0_2`, `f+0x38`). */
  targetName?: (slot: number) => string | undefined;
  /** A label to write in place of the offset of a jump or call to `slot` (`goto LBB0_2`). */
  targetLabel?: (slot: number) => string | undefined;
}

const reg = (n: number): string => `r${n}`;
const wreg = (n: number): string => `w${n}`;
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const memRef = (base: number, off: number): string => `(r${base} ${off < 0 ? '-' : '+'} ${Math.abs(off)})`;

function lddwText(insn: Insn, pseudo: number): string {
  const d = reg(insn.dst);
  const imm = insn.imm >>> 0;
  const imm2 = insn.imm2 ?? 0;
  const hi = imm2 >>> 0;
  switch (pseudo) {
    case PSEUDO.IMM64: {
      const v = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(imm));
      return `${d} = ${v} ll`;
    }
    case PSEUDO.MAP_VALUE: return `${d} = map[id:${imm}][0]+${hi}`;
    case PSEUDO.MAP_IDX_VALUE: return `${d} = map[idx:${imm}]+${hi}`;
  }
  if (imm2 !== 0) return `ld_pseudo ${d}, ${pseudo}, ${insn.imm}, ${imm2}`;
  switch (pseudo) {
    case PSEUDO.MAP_FD: return `${d} = map[id:${imm}]`;
    case PSEUDO.BTF_ID: return `${d} = btf_id[${imm}]`;
    case PSEUDO.FUNC: return `${d} = subprog[${signed(insn.imm)}]`;
    default: return `${d} = map[idx:${imm}]`;
  }
}

/** `to` spells a jump or call target given its offset text (`+2`), as that text or as a label. */
function body(insn: Insn, form: InsnForm, alu32: boolean, to: (offset: string) => string): string {
  const val = (size: number): string => (alu32 && size < 8 ? wreg(insn.src) : reg(insn.src));
  switch (form.kind) {
    case 'alu': {
      const r = form.is64 ? reg : wreg;
      const src = form.useReg ? r(insn.src) : `${insn.imm}`;
      if (form.op.name.startsWith('movsx')) return `${r(insn.dst)} = (s${form.op.off})${src}`;
      return `${r(insn.dst)} ${form.op.kernelOp} ${src}`;
    }
    case 'neg': {
      const r = form.is64 ? reg : wreg;
      return `${r(insn.dst)} = -${r(insn.dst)}`;
    }
    case 'end': return `${reg(insn.dst)} = ${form.order}${form.width} ${reg(insn.dst)}`;
    case 'jcond': {
      const r = form.is32 ? wreg : reg;
      return `if ${r(insn.dst)} ${form.cond.kernelOp} ${form.useReg ? r(insn.src) : insn.imm} goto ${to(signed(insn.off))}`;
    }
    case 'ja': return form.long ? `gotol ${to(signed(insn.imm))}` : `goto ${to(signed(insn.off))}`;
    case 'call':
      if (form.callKind === 'helper') return `call ${insn.imm}`;
      if (form.callKind === 'local') return `call ${to(`pc${signed(insn.imm)}`)}`;
      return `call kernel-function#${insn.imm}${insn.off !== 0 ? `[off:${insn.off}]` : ''}`;
    case 'exit': return 'exit';
    case 'lddw': return lddwText(insn, form.pseudo);
    case 'ldpkt': {
      const ty = SIZE_CTYPE[form.size];
      if (form.mode === 'abs') return `r0 = *(${ty} *)skb[${insn.imm}]`;
      const extra = insn.imm === 0 ? '' : ` ${insn.imm < 0 ? '-' : '+'} ${Math.abs(insn.imm)}`;
      return `r0 = *(${ty} *)skb[${reg(insn.src)}${extra}]`;
    }
    case 'ldx': {
      const d = alu32 && form.size < 8 && !form.signed ? wreg(insn.dst) : reg(insn.dst);
      const ty = `${form.signed ? 's' : 'u'}${form.size * 8}`;
      return `${d} = *(${ty} *)${memRef(insn.src, insn.off)}`;
    }
    case 'st': return `*(${SIZE_CTYPE[form.size]} *)${memRef(insn.dst, insn.off)} = ${insn.imm}`;
    case 'stx': return `*(${SIZE_CTYPE[form.size]} *)${memRef(insn.dst, insn.off)} = ${val(form.size)}`;
    case 'atomic': {
      const v = val(form.size);
      const ty = SIZE_CTYPE[form.size];
      const addr = memRef(insn.dst, insn.off);
      const bits = form.size * 8;
      const op = form.op;
      if (!op.fetch) return `lock *(${ty} *)${addr} ${op.kernelOp} ${v}`;
      if (op.fetchName === 'xchg') return `${v} = xchg${bits === 32 ? '32' : ''}_${bits}(${addr.slice(1, -1)}, ${v})`;
      if (op.fetchName === 'cmpxchg') {
        const r0 = v[0] + '0';
        return `${r0} = cmpxchg${bits === 32 ? '32' : ''}_${bits}(${addr.slice(1, -1)}, ${r0}, ${v})`;
      }
      return `${v} = atomic_fetch_${op.fetchName}((${ty} *)${addr}, ${v})`;
    }
  }
}

/** The slot a branch-like instruction refers to (jumps, local calls, lddw of a subprog address). */
export function referencedSlot(insn: Insn, form: InsnForm, slot: number): number | undefined {
  if (form.kind === 'jcond') return slot + 1 + insn.off;
  if (form.kind === 'ja') return slot + 1 + (form.long ? insn.imm : insn.off);
  if (form.kind === 'call' && form.callKind === 'local') return slot + 1 + insn.imm;
  if (form.kind === 'lddw' && form.pseudo === PSEUDO.FUNC && (insn.imm2 ?? 0) === 0) return slot + 1 + insn.imm;
  return undefined;
}

/** One instruction in kernel/LLVM syntax. `slot` is its index, used for branch comments and errors. */
export function formatKernelInsn(insn: Insn, slot: number, opts: KernelFormatOptions = {}): string {
  const form = classify(insn, slot);
  const target = referencedSlot(insn, form, slot);
  const label = target === undefined || form.kind === 'lddw' ? undefined : opts.targetLabel?.(target);
  const text = body(insn, form, opts.alu32 ?? false, (offset) => label ?? offset);
  const name = target === undefined || label !== undefined ? undefined : opts.targetName?.(target);
  return name === undefined ? text : `${text} <${name}>`;
}

export interface KernelListingOptions extends KernelFormatOptions {
  /**
   * `plain` (default): label lines and tab-indented instructions, ready to assemble again.
   * `objdump`: the `llvm-objdump -d` layout, symbol headers and `slot:\tbytes\ttext` lines.
   */
  style?: 'plain' | 'objdump';
  /** objdump style: print the raw bytes (as objdump does unless `--no-show-raw-insn`). Default true. */
  rawBytes?: boolean;
  /**
   * plain style: write `goto +2 <LBB0_2>` rather than `goto LBB0_2` for a branch onto a label.
   * Labels keep the text correct when instructions are inserted; numbers match objdump.
   */
  numericTargets?: boolean;
  /**
   * Symbols by slot (functions and labels), used as objdump uses an object's symbol table: each
   * starts a header/label, and a branch comment names the nearest symbol at or before the target
   * (`<f+0x38>` when it is not exactly on one). Without symbols the program is called `name`
   * (default `prog`) and every branch target gets a label: `L<slot>`, or `subprog_<slot>` for calls.
   */
  symbols?: ReadonlyMap<number, string>;
  name?: string;
}

function synthesizeSymbols(insns: readonly Insn[], name: string): Map<number, string> {
  const offsets = slotOffsets(insns);
  const starts = new Set(offsets);
  const total = totalSlots(insns);
  const jumps = new Set<number>();
  const calls = new Set<number>();
  insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    const form = classify(insn, slot);
    const t = referencedSlot(insn, form, slot);
    if (t === undefined || t <= 0 || t >= total || !starts.has(t)) return;
    (form.kind === 'jcond' || form.kind === 'ja' ? jumps : calls).add(t);
  });
  const syms = new Map<number, string>([[0, name]]);
  const taken = new Set([name]);
  const add = (slot: number, base: string): void => {
    if (syms.has(slot)) return;
    let label = base;
    for (let k = 1; taken.has(label); k++) label = `${base}_${k}`;
    syms.set(slot, label);
    taken.add(label);
  };
  for (const t of [...calls].sort((a, b) => a - b)) add(t, `subprog_${t}`);
  for (const t of [...jumps].sort((a, b) => a - b)) add(t, `L${t}`);
  return syms;
}

/**
 * objdump's `<sym>` / `<sym+0xN>` for a slot: the nearest symbol at or before it. objdump computes
 * the address modulo 2^64, so a target before the start is named after the last symbol.
 */
function nearestSymbolName(sorted: readonly (readonly [number, string])[], slot: number): string | undefined {
  let lo = 0;
  let hi = sorted.length; // the first symbol after the slot
  if (slot >= 0) {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]![0] <= slot) lo = mid + 1;
      else hi = mid;
    }
  }
  const best = sorted[hi - 1];
  if (!best) return undefined;
  const delta = BigInt.asUintN(64, BigInt(slot - best[0]) * 8n);
  return delta === 0n ? best[1] : `${best[1]}+0x${delta.toString(16)}`;
}

const hexBytes = (insn: Insn): string => Array.from(encode([insn]), (b) => b.toString(16).padStart(2, '0')).join(' ');

const LABEL_NAME = /^[A-Za-z_.$][\w.$]*$/;

/** A whole program in kernel/LLVM syntax; see KernelListingOptions for the two layouts. */
export function disassembleKernel(insns: readonly Insn[], opts: KernelListingOptions = {}): string {
  const style = opts.style ?? 'plain';
  const syms = opts.symbols ?? synthesizeSymbols(insns, opts.name ?? 'prog');
  const sorted = [...syms.entries()].sort((a, b) => a[0] - b[0]);
  // A name the assembler cannot read back as one label (odd characters, used twice) stays a comment.
  const uses = new Map<string, number>();
  for (const [, n] of sorted) uses.set(n, (uses.get(n) ?? 0) + 1);
  const labelAt = (slot: number): string | undefined => {
    const n = syms.get(slot);
    return n !== undefined && LABEL_NAME.test(n) && uses.get(n) === 1 ? n : undefined;
  };
  const fmt: KernelFormatOptions = {
    alu32: opts.alu32,
    targetName: opts.targetName ?? ((slot) => nearestSymbolName(sorted, slot)),
    targetLabel: opts.targetLabel ?? (style === 'plain' && !opts.numericTargets ? labelAt : undefined),
  };
  const offsets = slotOffsets(insns);
  const lines: string[] = [];
  insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    const name = syms.get(slot);
    if (name !== undefined) {
      if (style === 'plain') lines.push(labelAt(slot) !== undefined ? `${name}:` : `; <${name}>:`);
      else {
        if (lines.length > 0) lines.push('');
        lines.push(`${(slot * 8).toString(16).padStart(16, '0')} <${name}>:`);
      }
    }
    const text = formatKernelInsn(insn, slot, fmt);
    if (style === 'plain') lines.push(`\t${text}`);
    else {
      const bytes = opts.rawBytes === false ? '' : `${hexBytes(insn)}\t`;
      lines.push(`${String(slot).padStart(8)}:\t${bytes}${text}`);
    }
  });
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
