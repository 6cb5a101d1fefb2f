/**
 * The kernel/LLVM assembly syntax, reading side. It accepts what disassembleKernel prints, the
 * output of `llvm-objdump -d` (slot index and raw bytes are skipped; the bytes, when present, must
 * agree with the text), lines of `bpftool prog dump xlated` and of verifier logs (`12: (b7) r0 = 1`,
 * `call bpf_map_lookup_elem#1`, `goto pc+3`, `r1 = map[id:5]`), labels (`LBB0_2:`), and comments
 * (`;`, `//`, and `#` at the start of a line or after a blank: `call foo#1` is not a comment).
 *
 * Jump targets: `goto +3`, `goto pc+3`, `goto LBB0_2`, and `goto -1 <LBB0_1>` where the number wins
 * (the `<...>` is objdump's comment). `call N` is a helper, `call pc+N` and `call <label>` are
 * bpf-to-bpf calls, `call bpf_map_lookup_elem` / `call map_lookup_elem` name a helper, `call X#N`
 * (kernel style) is helper X when the name is known and helper N otherwise, and
 * `call kernel-function#N[off:K]` is a kfunc. See disasm-kernel.ts for the pseudo lddw spellings.
 */
import { BpfError } from '../errors.js';
import { classifyOrReason, decode, encode, slotCount, type Insn } from './insn.js';
import {
  ALU, ALU_OPS, ATOMIC_OPS, BYTES_SIZE, CALL_CODE, CALL_KIND, CLASS, EXIT_CODE, JMP, JMP_CONDS, LDDW_CODE,
  MAX_REG, MODE, PSEUDO, SRC, type AluOpInfo, type AtomicOpInfo, type JmpCondInfo,
} from './opcodes.js';
import { helperId } from './helper-names.js';

/** A problem with one line; parseKernel adds the place. */
class AsmError extends Error {}
const fail = (why: string): never => {
  throw new AsmError(why);
};

// ---------------------------------------------------------------------------------------------
// Tokens

type Tok = { kind: 'num'; text: string; value: bigint } | { kind: 'id' | 'op'; text: string };

/**
 * One token at a time, longest operator first. The signed operators (`s>`, `s>>=`, `s/=`) begin with
 * a letter, so they are tried before identifiers: `s` followed by `>` can only be an operator.
 */
const TOKEN =
  /\s+|(0[xX][0-9a-fA-F]+|\d+)(?![\w.$])|(s(?:>>=|>=|<=|\/=|%=|>|<))|([A-Za-z_.$][\w.$]*)|(<<=|>>=|[-+*\/%|&^=!<>]=|[<>=&()*[\],+\-#:])/y;

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      const rest = text.slice(at);
      return fail(/^\d/.test(rest) ? `bad number '${/^\S+/.exec(rest)![0]}'` : `unexpected character '${rest[0]}'`);
    }
    if (m[1] !== undefined) toks.push({ kind: 'num', text: m[1], value: BigInt(m[1]) });
    else if (m[3] !== undefined) toks.push({ kind: 'id', text: m[3] });
    else if (m[2] !== undefined || m[4] !== undefined) toks.push({ kind: 'op', text: (m[2] ?? m[4])! });
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Operands

interface Reg {
  n: number;
  wide: boolean; // rN (64-bit) rather than wN
  text: string;
}

/** A jump or call target: a slot offset, or a label resolved once all labels are known. */
type Target = { off: number } | { label: string };

const INT32_MIN = -(2n ** 31n);
const UINT32_MAX = 2n ** 32n - 1n;

/** A 32-bit field accepts signed and unsigned spellings (kernel prints jump immediates as 0x%x). */
function imm32(v: bigint, what = 'immediate'): number {
  if (v < INT32_MIN || v > UINT32_MAX) fail(`${what} ${v} is out of the 32-bit range`);
  return Number(BigInt.asIntN(32, v));
}

function int32(v: bigint, what: string): number {
  if (v < INT32_MIN || v > -INT32_MIN - 1n) fail(`${what} ${v} is out of range (-2147483648..2147483647)`);
  return Number(v);
}

function off16(v: bigint, what = 'offset'): number {
  if (v < -32768n || v > 32767n) fail(`${what} ${v} is out of range (-32768..32767)`);
  return Number(v);
}

const ALU_BY_OP = new Map<string, AluOpInfo>(
  ALU_OPS.filter((a) => a.kernelOp !== '' && a.op !== ALU.MOV).map((a) => [a.kernelOp, a] as const),
);
const MOV = ALU_OPS.find((a) => a.op === ALU.MOV && a.off === 0)!;
const MOVSX = new Map<string, AluOpInfo>(
  ALU_OPS.filter((a) => a.op === ALU.MOV && a.off !== 0).map((a) => [`s${a.off}`, a] as const),
);
const COND_BY_OP = new Map<string, JmpCondInfo>(JMP_CONDS.map((c) => [c.kernelOp, c] as const));
const LOCK_BY_OP = new Map<string, AtomicOpInfo>(
  ATOMIC_OPS.filter((a) => !a.fetch).map((a) => [a.kernelOp, a] as const),
);
const FETCH_BY_NAME = new Map<string, AtomicOpInfo>(
  ATOMIC_OPS.filter((a) => a.fetch).map((a) => [a.fetchName, a] as const),
);
const MEM_TYPES: Record<string, { size: number; signed: boolean }> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false },
  u64: { size: 8, signed: false }, s8: { size: 1, signed: true }, s16: { size: 2, signed: true },
  s32: { size: 4, signed: true },
};

/** An instruction as parsed from one line, before labels are resolved. */
interface Parsed {
  insn: Insn;
  /** Where a label target goes: `off` (goto, if), `imm` (gotol, local call). */
  ref?: { target: Target; field: 'off' | 'imm'; what: string };
  /** `call NAME`: a label if one is defined, else a helper name. */
  callName?: string;
  /**
   * Fields LLVM's spelling does not show (`call N` hides src, `ld_pseudo r1, 1, 5` hides imm2,
   * `skb[r3]` hides imm): objdump's raw bytes on the same line supply them.
   */
  hidden?: (keyof Insn)[];
}

class Cursor {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  next(what: string): Tok {
    const t = this.toks[this.i++];
    if (!t) fail(`expected ${what} at the end of the line`);
    return t!;
  }
  /** Consume a token already looked at. */
  skip(): void {
    this.i++;
  }
  /** Consume the token if its text is `text`. */
  eat(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }
  expect(text: string, what = `'${text}'`): void {
    const t = this.next(what);
    if (t.text !== text) fail(`expected ${what}, found '${t.text}'`);
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  rest(): string {
    return this.toks.slice(this.i).map((t) => t.text).join(' ');
  }
  done(): void {
    if (!this.atEnd()) fail(`unexpected '${this.rest()}' after the instruction`);
  }

  /** The token as a register, undefined if it does not look like one; rN with N > 10 is an error. */
  static asReg(t: Tok | undefined): Reg | undefined {
    if (!t || t.kind !== 'id') return undefined;
    const m = /^([rw])(\d+)$/.exec(t.text);
    if (!m) return undefined;
    const n = Number(m[2]);
    if (n > MAX_REG) fail(`bad register '${t.text}': registers are ${m[1]}0..${m[1]}${MAX_REG}`);
    return { n, wide: m[1] === 'r', text: t.text };
  }
  isReg(): boolean {
    return Cursor.asReg(this.peek()) !== undefined;
  }
  reg(what = 'a register'): Reg {
    const t = this.next(what);
    const r = Cursor.asReg(t);
    if (!r) fail(`expected ${what}, found '${t.text}'`);
    return r!;
  }
  /** A 64-bit register, as address bases and lddw destinations must be. */
  reg64(what: string): Reg {
    const r = this.reg(what);
    if (!r.wide) fail(`${what} must be a 64-bit register r${r.n}, not '${r.text}'`);
    return r;
  }
  isNumber(): boolean {
    const t = this.peek();
    return t?.kind === 'num' || ((t?.text === '-' || t?.text === '+') && this.peek(1)?.kind === 'num');
  }
  number(what = 'a number'): bigint {
    let neg = false;
    if (this.eat('-')) neg = true;
    else this.eat('+');
    const t = this.next(what);
    if (t.kind !== 'num') fail(`expected ${what}, found '${t.text}'`);
    const v = (t as { value: bigint }).value;
    return neg ? -v : v;
  }
  ident(what: string): string {
    const t = this.next(what);
    if (t.kind !== 'id') fail(`expected ${what}, found '${t.text}'`);
    return t.text;
  }

  /** `r1 + 8`, `r10 -4`, `r2`: a 64-bit base register and the offset after it, if one is written. */
  baseOffset(what: string): { base: number; off?: bigint } {
    const base = this.reg64(what).n;
    const sign = this.peek()?.text;
    if (sign !== '+' && sign !== '-') return { base };
    this.i++;
    const v = this.number('the offset');
    return { base, off: sign === '-' ? -v : v };
  }
  /** `(r1 + 8)`: the base register and offset of a memory operand. */
  memRef(): { base: number; off: number } {
    this.expect('(', "'(' before the address");
    const { base, off } = this.baseOffset('the address register');
    this.expect(')', "')' after the address");
    return { base, off: off16(off ?? 0n) };
  }
  /** `(u32 *)`: the C type of a memory access. */
  memType(): { size: number; signed: boolean; name: string } {
    this.expect('(', "'(' before the access type");
    const name = this.ident('an access type (u8, u16, u32, u64, s8, s16, s32)');
    const ty = MEM_TYPES[name];
    if (!ty) fail(`unknown access type '${name}' (u8, u16, u32, u64, s8, s16, s32)`);
    this.expect('*', "'*' after the access type");
    this.expect(')', "')' after the access type");
    return { ...ty!, name };
  }
  /** After goto/gotol: `+3`, `-1`, `3`, `pc+3`, or a label. */
  target(): Target {
    const t = this.peek();
    if (t?.kind === 'id' && t.text === 'pc' && (this.peek(1)?.text === '+' || this.peek(1)?.text === '-')) this.i++;
    else if (!this.isNumber()) return { label: this.ident('a jump offset or label') };
    return { off: int32(this.number('the jump offset'), 'jump offset') };
  }
}

// ---------------------------------------------------------------------------------------------
// Instructions

const insnOf = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

function sameReg(a: Reg, b: Reg, what: string): void {
  if (a.n !== b.n || a.wide !== b.wide) fail(`${what}: '${b.text}' must be the same register as '${a.text}'`);
}

/** The value register of a store or atomic: wN is accepted for the narrow widths, as LLVM prints it. */
function valueReg(r: Reg, size: number): number {
  if (!r.wide && size === 8) fail(`a 64-bit access needs a 64-bit register r${r.n}, not '${r.text}'`);
  return r.n;
}

function sizeCode(size: number): number {
  return BYTES_SIZE[size]!;
}

/** Set the jump field from a target: a number now, a label later. */
function withTarget(insn: Insn, target: Target, field: 'off' | 'imm', what: string): Parsed {
  if ('label' in target) return { insn, ref: { target, field, what } };
  if (field === 'off') insn.off = off16(BigInt(target.off), `${what} offset`);
  else insn.imm = target.off;
  return { insn };
}

function parseJcond(c: Cursor): Parsed {
  const a = c.reg('the register to compare');
  const opTok = c.next('a comparison');
  const cond = COND_BY_OP.get(opTok.text);
  if (!cond) fail(`unknown comparison '${opTok.text}' (== != > >= < <= s> s>= s< s<= &)`);
  const cls = a.wide ? CLASS.JMP : CLASS.JMP32;
  let insn: Insn;
  if (c.isReg()) {
    const b = c.reg();
    if (b.wide !== a.wide) fail(`'${a.text}' and '${b.text}' mix 64-bit and 32-bit registers`);
    insn = insnOf(cls | cond!.op | SRC.X, a.n, b.n);
  } else {
    insn = insnOf(cls | cond!.op | SRC.K, a.n, 0, 0, imm32(c.number('a register or immediate to compare with')));
  }
  c.expect('goto', "'goto'");
  return withTarget(insn, c.target(), 'off', 'jump');
}

function parseCall(c: Cursor): Parsed {
  const t = c.peek();
  if (!t) fail('call needs a target');
  if (t!.kind === 'id' && t!.text === 'pc') {
    const target = c.target();
    if (c.eat('#')) while (!c.atEnd()) c.skip(); // bpftool appends `#<symbol or address>`
    return withTarget(insnOf(CALL_CODE, 0, CALL_KIND.LOCAL), target, 'imm', 'call');
  }
  if (c.isNumber()) {
    return { insn: insnOf(CALL_CODE, 0, CALL_KIND.HELPER, 0, imm32(c.number(), 'helper id')), hidden: ['src', 'off'] };
  }
  let name = c.ident('a helper, label or pc+N');
  if (name === 'kernel' && c.peek()?.text === '-' && c.peek(1)?.text === 'function') {
    c.skip();
    c.skip();
    name = 'kernel-function';
  }
  if (c.eat('#')) {
    const n = imm32(c.number('the number after #'), 'call number');
    // Verifier logs print `name#id`; bpftool's xlated dump prints `name#address`: a known name wins.
    if (name !== 'kernel-function') return { insn: insnOf(CALL_CODE, 0, CALL_KIND.HELPER, 0, helperId(name) ?? n) };
    const id = n;
    let off = 0;
    if (c.eat('[')) {
      c.expect('off', "'off'");
      c.expect(':');
      off = off16(c.number('the kfunc offset'));
      c.expect(']');
    }
    return { insn: insnOf(CALL_CODE, 0, CALL_KIND.KFUNC, off, id) };
  }
  if (name === 'kernel-function') fail('kernel-function needs its BTF id: call kernel-function#ID');
  return { insn: insnOf(CALL_CODE), callName: name };
}

/** `lock *(u64 *)(r1 + 0) += r2` */
function parseLock(c: Cursor): Parsed {
  c.expect('*', "'*('");
  const ty = c.memType();
  const { base, off } = c.memRef();
  const opTok = c.next('an atomic operator');
  const op = LOCK_BY_OP.get(opTok.text);
  if (!op) fail(`unknown atomic operator '${opTok.text}' (+= |= &= ^=)`);
  const v = valueReg(c.reg('the value register'), ty.size);
  return { insn: insnOf(CLASS.STX | MODE.ATOMIC | sizeCode(ty.size), base, v, off, op!.imm) };
}

/** `*(u32 *)(r10 - 4) = r1` or `= 5` */
function parseStore(c: Cursor): Parsed {
  const ty = c.memType();
  if (ty.signed) fail(`stores take an unsigned type, not '${ty.name}'`);
  const { base, off } = c.memRef();
  c.expect('=', "'='");
  const sz = sizeCode(ty.size);
  if (c.isReg()) return { insn: insnOf(CLASS.STX | MODE.MEM | sz, base, valueReg(c.reg(), ty.size), off) };
  return { insn: insnOf(CLASS.ST | MODE.MEM | sz, base, 0, off, imm32(c.number('a register or immediate to store'))) };
}

/** LLVM's `ld_pseudo r1, SRC, IMM[, IMM2]`, our spelling of a pseudo lddw with unusual fields. */
function parseLdPseudo(c: Cursor): Parsed {
  const d = c.reg64('the lddw destination');
  c.expect(',');
  const src = c.number('the pseudo source');
  if (src < 0n || src > 15n) fail(`pseudo source ${src} does not fit the 4-bit src field`);
  c.expect(',');
  const imm = imm32(c.number('the immediate'));
  const insn: Insn = { code: LDDW_CODE, dst: d.n, src: Number(src), off: 0, imm, imm2: 0 };
  if (!c.eat(',')) return { insn, hidden: ['imm2'] };
  insn.imm2 = imm32(c.number('the second immediate'));
  return { insn };
}

/** `map[id:5]`, `map[id:5][0]+8`, `map[idx:2]`, `map[idx:2]+8`, `subprog[+3]`, `btf_id[7]` */
function parsePseudoValue(c: Cursor, d: Reg, kind: string): Parsed {
  const lddw = (src: number, imm: number, imm2 = 0): Parsed => ({ insn: { code: LDDW_CODE, dst: d.n, src, off: 0, imm, imm2 } });
  c.expect('[');
  if (kind === 'subprog') {
    const imm = imm32(c.number('the subprog offset'));
    c.expect(']');
    return lddw(PSEUDO.FUNC, imm);
  }
  if (kind === 'btf_id') {
    const imm = imm32(c.number('the BTF id'));
    c.expect(']');
    return lddw(PSEUDO.BTF_ID, imm);
  }
  const key = c.ident("'id' or 'idx'");
  if (key !== 'id' && key !== 'idx') fail(`expected map[id:N] or map[idx:N], found map[${key}`);
  c.expect(':');
  const imm = imm32(c.number(`the map ${key}`));
  c.expect(']');
  if (key === 'id') {
    if (!c.eat('[')) return lddw(PSEUDO.MAP_FD, imm);
    if (c.number('0') !== 0n) fail('map[id:N][0]: only element 0 can be addressed');
    c.expect(']');
    c.expect('+', "'+' and the value offset");
    return lddw(PSEUDO.MAP_VALUE, imm, imm32(c.number('the value offset')));
  }
  if (!c.eat('+')) return lddw(PSEUDO.MAP_IDX, imm);
  return lddw(PSEUDO.MAP_IDX_VALUE, imm, imm32(c.number('the value offset')));
}

/** The atomics written as assignments: fetch ops, xchg and cmpxchg in LLVM and kernel spellings. */
function parseAtomicAssign(c: Cursor, d: Reg, fn: string): Parsed | undefined {
  const m = /^(?:atomic(64)?_(?:fetch_(add|and|or|xor)|(xchg)|(cmpxchg))|(xchg|cmpxchg)(32)?_(32|64))$/.exec(fn);
  if (!m) return undefined;
  c.skip();
  const name = m[2] ?? m[3] ?? m[4] ?? m[5]!;
  const op = FETCH_BY_NAME.get(name)!;
  const isCmp = name === 'cmpxchg';
  let size: number;
  let base: number;
  let off: number;
  c.expect('(');
  if (m[5]) {
    // LLVM: xchg_64(r1 + 0, r2), cmpxchg32_32(r1 + 0, w0, w2): the address has no parentheses.
    size = m[7] === '64' ? 8 : 4;
    if (m[6] !== undefined && size === 8) fail(`'${fn}' is not an LLVM operation (xchg32_32, xchg_64)`);
    if (m[6] === undefined && size === 4) fail(`'${fn}' is not an LLVM operation (xchg32_32, xchg_64)`);
    const addr = c.baseOffset('the address register');
    base = addr.base;
    off = off16(addr.off ?? 0n);
  } else {
    const ty = c.memType();
    if (ty.signed) fail(`atomics take an unsigned type, not '${ty.name}'`);
    size = ty.size;
    if (size !== 4 && size !== 8) fail(`atomic operations need u32 or u64, not '${ty.name}'`);
    // The kernel says atomic64_* for u64; LLVM says atomic_fetch_* for both widths.
    if (m[1] === '64' && size !== 8) fail(`'${fn}' does not match the access type ${ty.name}`);
    ({ base, off } = c.memRef());
  }
  c.expect(',');
  if (isCmp) {
    const r0 = c.reg('r0');
    if (r0.n !== 0) fail(`cmpxchg compares with r0, not '${r0.text}'`);
    if (d.n !== 0) fail(`cmpxchg writes r0, not '${d.text}'`);
    c.expect(',');
  }
  const v = c.reg('the value register');
  c.expect(')');
  if (!isCmp) sameReg(d, v, fn);
  valueReg(d, size);
  return { insn: insnOf(CLASS.STX | MODE.ATOMIC | sizeCode(size), base, valueReg(v, size), off, op.imm) };
}

/** `rN = *(u32 *)(r1 + 4)`, and the legacy packet loads `r0 = *(u8 *)skb[12]`, `skb[r3 + 4]`. */
function parseLoad(c: Cursor, d: Reg): Parsed {
  const ty = c.memType();
  if (!c.eat('skb')) {
    const { base, off } = c.memRef();
    if (!d.wide && ty.size === 8) fail(`a 64-bit load needs a 64-bit register r${d.n}, not '${d.text}'`);
    if (ty.signed && ty.size === 8) fail('there is no sign-extending 64-bit load');
    return { insn: insnOf(CLASS.LDX | (ty.signed ? MODE.MEMSX : MODE.MEM) | sizeCode(ty.size), d.n, base, off) };
  }
  if (d.n !== 0 || !d.wide) fail(`legacy packet loads always write r0, not '${d.text}'`);
  if (ty.signed || ty.size === 8) fail(`legacy packet loads are u8, u16 or u32, not '${ty.name}'`);
  const sz = sizeCode(ty.size);
  c.expect('[');
  if (c.isReg()) {
    const { base, off } = c.baseOffset('the packet offset register');
    c.expect(']');
    const insn = insnOf(CLASS.LD | MODE.IND | sz, 0, base, 0, imm32(off ?? 0n, 'packet offset'));
    return off === undefined ? { insn, hidden: ['imm'] } : { insn };
  }
  const imm = imm32(c.number('the packet offset'), 'packet offset');
  c.expect(']');
  return { insn: insnOf(CLASS.LD | MODE.ABS | sz, 0, 0, 0, imm) };
}

/** Everything else that starts with `rN =`. */
function parseAssign(c: Cursor, d: Reg, hint: number | undefined): Parsed {
  const cls = d.wide ? CLASS.ALU64 : CLASS.ALU;
  const t = c.peek();
  if (!t) fail("expected a value after '='");
  if (c.eat('*')) return parseLoad(c, d);
  if (t!.text === '-' && Cursor.asReg(c.peek(1))) {
    c.skip();
    sameReg(d, c.reg(), 'negation');
    return { insn: insnOf(cls | ALU.NEG, d.n) };
  }
  if (t!.text === '(') {
    c.skip();
    const w = c.ident('a sign-extension width (s8, s16, s32)');
    const info = MOVSX.get(w);
    if (!info) fail(`unknown sign-extension '(${w})' (s8, s16, s32)`);
    c.expect(')');
    const s = c.reg();
    if (s.wide !== d.wide) fail(`'${d.text}' and '${s.text}' mix 64-bit and 32-bit registers`);
    return { insn: insnOf(cls | ALU.MOV | SRC.X, d.n, s.n, info!.off) };
  }
  if (t!.kind === 'id' && !Cursor.asReg(t)) {
    const end = /^(be|le|bswap)(16|32|64)$/.exec(t!.text);
    if (end) {
      c.skip();
      sameReg(d, c.reg(), 'byte swap');
      const code = end[1] === 'bswap' ? CLASS.ALU64 | ALU.END | SRC.K : CLASS.ALU | ALU.END | (end[1] === 'be' ? SRC.X : SRC.K);
      return { insn: insnOf(code, d.n, 0, 0, Number(end[2])) };
    }
    const atomic = parseAtomicAssign(c, d, t!.text);
    if (atomic) return atomic;
    if (t!.text === 'map' || t!.text === 'subprog' || t!.text === 'btf_id') {
      c.skip();
      if (!d.wide) fail(`lddw needs a 64-bit register r${d.n}, not '${d.text}'`);
      const r = parsePseudoValue(c, d, t!.text);
      c.eat('ll');
      return r;
    }
    fail(`unknown value '${t!.text}'`);
  }
  if (c.isReg()) {
    const s = c.reg();
    if (s.wide !== d.wide) fail(`'${d.text}' and '${s.text}' mix 64-bit and 32-bit registers`);
    return { insn: insnOf(cls | MOV.op | SRC.X, d.n, s.n) };
  }
  const v = c.number('a register or immediate');
  if (c.eat('ll') || hint === LDDW_CODE) {
    if (!d.wide) fail(`lddw needs a 64-bit register r${d.n}, not '${d.text}'`);
    if (v < -(2n ** 63n) || v > 2n ** 64n - 1n) fail(`immediate ${v} is out of the 64-bit range`);
    const u = BigInt.asUintN(64, v);
    return { insn: { code: LDDW_CODE, dst: d.n, src: 0, off: 0, imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) } };
  }
  if (v < INT32_MIN || v > UINT32_MAX) fail(`immediate ${v} is out of the 32-bit range (write '${v} ll' for a 64-bit constant)`);
  return { insn: insnOf(cls | MOV.op | SRC.K, d.n, 0, 0, imm32(v)) };
}

function parseInsn(c: Cursor, hint: number | undefined): Parsed {
  const first = c.next('an instruction');
  switch (first.text) {
    case 'exit': return { insn: insnOf(EXIT_CODE) };
    case 'goto': return withTarget(insnOf(CLASS.JMP | JMP.JA), c.target(), 'off', 'goto');
    case 'gotol': return withTarget(insnOf(CLASS.JMP32 | JMP.JA), c.target(), 'imm', 'gotol');
    case 'if': return parseJcond(c);
    case 'call': return parseCall(c);
    case 'callx': return fail('callx (an indirect call) is not supported: the kernel rejects it');
    case 'lock': return parseLock(c);
    case '*': return parseStore(c);
    case 'ld_pseudo': return parseLdPseudo(c);
  }
  const d = Cursor.asReg(first);
  if (!d) {
    if (first.text === '<' && c.peek()?.text === 'unknown') fail('objdump could not decode this instruction and its raw bytes are not shown');
    fail(`unknown instruction '${first.text}'`);
  }
  const opTok = c.next("an operator after the register");
  if (opTok.text === '=') return parseAssign(c, d!, hint);
  const info = ALU_BY_OP.get(opTok.text);
  if (!info) fail(`unknown operator '${opTok.text}' after '${d!.text}'`);
  const cls = d!.wide ? CLASS.ALU64 : CLASS.ALU;
  if (c.isReg()) {
    const s = c.reg();
    if (s.wide !== d!.wide) fail(`'${d!.text}' and '${s.text}' mix 64-bit and 32-bit registers`);
    return { insn: insnOf(cls | info!.op | SRC.X, d!.n, s.n, info!.off) };
  }
  return { insn: insnOf(cls | info!.op | SRC.K, d!.n, 0, info!.off, imm32(c.number('a register or immediate'))) };
}

// ---------------------------------------------------------------------------------------------
// Lines

interface Line {
  labels: string[];
  text: string;
  bytes?: Uint8Array;
  /** The opcode bpftool and the verifier print in parentheses. */
  hint?: number;
}

function stripComment(raw: string): string {
  let s = raw;
  const cut = (i: number): void => {
    if (i >= 0) s = s.slice(0, i);
  };
  cut(s.indexOf(';'));
  cut(s.indexOf('//'));
  cut(s.search(/(^|\s)#/));
  return s.trim();
}

const LABEL = /^([A-Za-z_.$][\w.$]*):(?:\s+|$)/;
const DATA_DIRECTIVES = new Set(['byte', 'short', 'half', 'hword', 'word', 'int', 'long', 'quad', '2byte', '4byte', '8byte', 'ascii', 'asciz', 'string', 'zero', 'space', 'skip', 'fill', 'incbin']);

function splitLine(raw: string): Line | undefined {
  let s = stripComment(raw);
  if (s === '' || /^\S+:\s+file format /.test(s) || /^Disassembly of section /.test(s)) return undefined;
  if (/^[0-9a-fA-F]+:\s+R_BPF_/.test(s)) return undefined; // objdump -r relocation line
  const header = /^[0-9a-fA-F]{8,16}\s+<([^<>\s]+)>:$/.exec(s);
  if (header) return { labels: [header[1]!], text: '' };
  // bpftool prints a function's BTF prototype before its first instruction.
  const proto = /^[A-Za-z_][\w ]*?[\s*]([A-Za-z_]\w*)\(.*\):$/.exec(s);
  if (proto) return { labels: [proto[1]!], text: '' };
  const line: Line = { labels: [], text: '' };
  const index = /^\d+:\s*/.exec(s);
  if (index) {
    s = s.slice(index[0].length);
    const op = /^\(([0-9a-fA-F]{2})\)\s*/.exec(s);
    if (op) {
      line.hint = parseInt(op[1]!, 16);
      s = s.slice(op[0].length);
    } else {
      const bytes: number[] = [];
      for (let m; (m = /^([0-9a-fA-F]{2})(\s+|$)/.exec(s)); s = s.slice(m[0].length)) bytes.push(parseInt(m[1]!, 16));
      if (bytes.length > 0) {
        if (bytes.length !== 8 && bytes.length !== 16) fail(`expected 8 or 16 raw bytes, found ${bytes.length}`);
        line.bytes = Uint8Array.from(bytes);
      }
    }
  }
  for (let m; (m = LABEL.exec(s)); s = s.slice(m[0].length)) line.labels.push(m[1]!);
  // Assembler directives (.text, .globl f, .p2align 3) say nothing about instructions, except
  // the data ones, which would put bytes among them that this syntax cannot express.
  const directive = /^\.([A-Za-z_][\w.]*)/.exec(s);
  if (directive) {
    if (DATA_DIRECTIVES.has(directive[1]!)) fail(`data directive '.${directive[1]}' is not supported`);
    s = '';
  }
  // objdump's `<LBB0_2>` / `<f+0x38>` after a branch is a comment: the offset before it wins.
  line.text = s.replace(/(\S)\s*<[^<>\s]+>$/, '$1').trim();
  return line;
}

// ---------------------------------------------------------------------------------------------
// Program

interface Placed extends Parsed {
  slot: number;
  line: number;
  bytes?: Uint8Array;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function resolve(p: Placed, labels: Map<string, { slot: number }>): void {
  if (p.callName !== undefined) {
    const l = labels.get(p.callName);
    if (l) {
      p.insn.src = CALL_KIND.LOCAL;
      p.insn.imm = l.slot - (p.slot + 1);
      return;
    }
    const id = helperId(p.callName);
    if (id === undefined) fail(`unknown helper name or undefined label '${p.callName}'`);
    p.insn.imm = id!;
    return;
  }
  if (!p.ref) return;
  const target = p.ref.target as { label: string };
  const l = labels.get(target.label);
  if (!l) fail(`undefined label '${target.label}'`);
  const delta = l!.slot - (p.slot + 1);
  if (p.ref.field === 'off') {
    if (delta < -32768 || delta > 32767) fail(`${p.ref.what} to '${target.label}' is ${delta} slots away, beyond the 16-bit offset (use gotol)`);
    p.insn.off = delta;
  } else {
    p.insn.imm = delta;
  }
}

function parseLine(text: string, hint: number | undefined): Parsed {
  const c = new Cursor(tokenize(text));
  const p = parseInsn(c, hint);
  c.done();
  return p;
}

/** LLVM 14's objdump prints `<unknown>` for what it predates (jset, the v4 forms): the bytes say it all. */
function fromBytes(bytes: Uint8Array): Parsed {
  try {
    return { insn: decode(bytes)[0]! };
  } catch (e) {
    return fail(`the raw bytes ${hex(bytes)} are not an instruction: ${(e as Error).message}`);
  }
}

/** objdump's raw bytes must say what the text says, and supply what its spelling leaves out. */
function checkBytes(p: Placed, bytes: Uint8Array): void {
  if (p.hidden) {
    const raw = fromBytes(bytes).insn;
    for (const f of p.hidden) (p.insn as unknown as Record<string, number>)[f] = raw[f] ?? 0;
    const why = classifyOrReason(p.insn);
    if (typeof why === 'string') fail(`the raw bytes ${hex(bytes)} are not a valid instruction: ${why}`);
  }
  const mine = encode([p.insn]);
  if (hex(mine) !== hex(bytes)) fail(`the raw bytes ${hex(bytes)} do not match the instruction, which encodes as ${hex(mine)}`);
}

/**
 * Assemble kernel/LLVM syntax. Errors are BpfError('EASM') with a message starting `file:line: `
 * (or `line N: ` without a file).
 */
export function parseKernel(text: string, file?: string): Insn[] {
  const labels = new Map<string, { slot: number; line: number }>();
  const placed: Placed[] = [];
  let slot = 0;
  const at = (line: number, f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      throw new BpfError('EASM', `${file ? `${file}:${line}` : `line ${line}`}: ${e.message}`, { file, line });
    }
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    at(lineNo, () => {
      const line = splitLine(raw);
      if (!line) return;
      for (const name of line.labels) {
        const prev = labels.get(name);
        if (prev) fail(`label '${name}' is already defined on line ${prev.line}`);
        labels.set(name, { slot, line: lineNo });
      }
      if (line.text === '') {
        if (line.bytes || line.hint !== undefined) fail('an instruction is missing after the slot index');
        return;
      }
      const p = line.text === '<unknown>' && line.bytes ? fromBytes(line.bytes) : parseLine(line.text, line.hint);
      const why = classifyOrReason(p.insn);
      if (typeof why === 'string') fail(why);
      if (line.hint !== undefined && line.hint !== p.insn.code) {
        fail(`opcode (${line.hint.toString(16).padStart(2, '0')}) does not match the instruction, which is (${p.insn.code.toString(16).padStart(2, '0')})`);
      }
      placed.push({ ...p, slot, line: lineNo, bytes: line.bytes });
      slot += slotCount(p.insn);
    });
  });
  for (const p of placed) {
    at(p.line, () => {
      resolve(p, labels);
      if (p.bytes) checkBytes(p, p.bytes);
    });
  }
  return placed.map((p) => p.insn);
}
