/**
 * Assembler for the uBPF syntax of the bpf_conformance `-- asm` sections (`mov %r0, 1`,
 * `ldxh %r0, [%r1+2]`, `lock fetch add [%r10-8], %r1`, `jne %r0, %r4, fail`). Every mnemonic is
 * generated from the tables in opcodes.ts, so the instruction set is spelled in one place.
 *
 * Extensions beyond what the conformance files use, so that every encoding `classify` accepts has a
 * spelling (the disassembler relies on them): `call helper N`, `call runtime N[, OFF]` (kfunc, also
 * `call kfunc`), `lddw %rD, map_fd N` (a PSEUDO_NAMES word selects the lddw src), `ldabsw N`,
 * `ldindw %rS, N`, and relative targets `+N`/`-N` wherever a label may appear.
 */
import { BpfError } from '../errors.js';
import { classifyOrReason, lddwFromValue, slotCount, type Insn } from './insn.js';
import {
  ALU, ALU_OPS, ATOMIC_OPS, CALL_KIND, CLASS, END_WIDTHS, JMP, JMP_CONDS, MAX_REG, MODE, PSEUDO_NAMES, SIZE_SUFFIX, SRC,
  BYTES_SIZE,
} from './opcodes.js';

/** The reason an instruction line cannot be assembled; parseUbpf adds the place. */
class AsmFault extends Error {}
const fail = (why: string): never => {
  throw new AsmFault(why);
};

/** A label reference still to be resolved once every label's slot is known. */
interface Fixup {
  label: string;
  /** `off` for the 16-bit jumps, `imm` for ja32 and local calls. */
  field: 'off' | 'imm';
}

interface Parsed {
  insn: Insn;
  fixup?: Fixup;
}

type Handler = (ops: string[], mnem: string) => Parsed;

const LABEL_RE = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const NUM_RE = /^([+-]?)(0x[0-9a-f]+|[0-9]+)$/i;
const INT32_MIN = -(2n ** 31n);
const UINT32_MAX = 2n ** 32n - 1n;

function number(text: string): bigint | undefined {
  const m = NUM_RE.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

/** An operand is one token; anything after it on the line is a mistake worth naming. */
function token(op: string): string {
  const m = /^(\S+)\s+(.*)$/.exec(op);
  if (m) fail(`unexpected '${m[2]}' after operand '${m[1]}'`);
  return op;
}

function reg(op: string): number {
  const t = token(op);
  const m = /^%r(\d{1,2})$/.exec(t);
  if (m && Number(m[1]) <= MAX_REG) return Number(m[1]);
  if (t.startsWith('%')) return fail(`bad register '${t}' (registers are %r0..%r${MAX_REG})`);
  if (/^r\d+$/.test(t)) return fail(`bad register '${t}': registers are written with a %, as in %${t}`);
  return fail(`expected a register (%r0..%r${MAX_REG}), got '${t}'`);
}

/**
 * A 32-bit immediate. Values up to 0xffffffff are accepted because uBPF sources write bit patterns
 * such as `mov32 %r0, 0x80000000`; they are stored as the int32 with those bits.
 */
function imm32(op: string): number {
  const t = token(op);
  const v = number(t);
  if (v === undefined) return fail(`bad immediate '${t}' (expected a decimal or 0x hex integer)`);
  if (v < INT32_MIN || v > UINT32_MAX) fail(`immediate ${t} is out of 32-bit range`);
  return Number(BigInt.asIntN(32, v));
}

function imm64(op: string): bigint {
  const t = token(op);
  const v = number(t);
  if (v === undefined) return fail(`bad immediate '${t}' (expected a decimal or 0x hex integer)`);
  if (v < -(2n ** 63n) || v > 2n ** 64n - 1n) fail(`immediate ${t} is out of 64-bit range`);
  return BigInt.asUintN(64, v);
}

function checkOff16(v: bigint, text: string): number {
  if (v < -32768n || v > 32767n) fail(`offset ${text} is out of range -32768..32767`);
  return Number(v);
}

/** `[%rN]`, `[%rN+OFF]` or `[%rN-OFF]`, spaces allowed inside the brackets. */
function mem(op: string): { reg: number; off: number } {
  const close = op.indexOf(']');
  if (!op.startsWith('[') || close < 0) return fail(`expected a memory operand like [%r1+8], got '${op}'`);
  const after = op.slice(close + 1).trim();
  if (after) fail(`unexpected '${after}' after operand '${op.slice(0, close + 1)}'`);
  const inner = op.slice(1, close).replace(/\s+/g, '');
  const m = /^([^+-]*)(?:([+-])(.*))?$/.exec(inner)!;
  const base = reg(m[1]!);
  if (m[2] === undefined) return { reg: base, off: 0 };
  const text = m[2] + m[3];
  const v = number(text);
  if (v === undefined) return fail(`bad memory offset '${text}'`);
  return { reg: base, off: checkOff16(v, text) };
}

/** A jump or call target: a label, or an explicitly signed slot offset relative to the next insn. */
function target(op: string, bits: 16 | 32): { value: number; label?: string } {
  const t = token(op);
  const m = NUM_RE.exec(t);
  if (m && m[1]) {
    const v = number(t)!;
    if (bits === 16) return { value: checkOff16(v, t) };
    if (v < INT32_MIN || v > 2n ** 31n - 1n) fail(`jump offset ${t} is out of 32-bit range`);
    return { value: Number(v) };
  }
  if (m) return fail(`bad jump target '${t}': write a relative offset with its sign, as in +${t}`);
  if (!LABEL_RE.test(t)) return fail(`bad jump target '${t}' (expected a label or +N/-N)`);
  return { value: 0, label: t };
}

/** Register or immediate second operand: the form picks the SRC bit. */
function regOrImm(op: string): { useReg: boolean; value: number } {
  const t = token(op);
  if (t.startsWith('%') || /^r\d+$/.test(t)) return { useReg: true, value: reg(t) };
  if (!/^[+-]?[0-9]/.test(t)) return fail(`expected a register or an immediate, got '${t}'`);
  return { useReg: false, value: imm32(t) };
}

function arity(mnem: string, ops: string[], n: number, shape: string): void {
  const want = n === 0 ? 'takes no operands' : `expected: ${mnem} ${shape}`;
  if (ops.length < n) fail(`${mnem}: missing operand (${want})`);
  if (ops.length > n) fail(`${mnem}: unexpected extra operand '${ops[n]}' (${want})`);
}

const insnOf = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

function withTarget(insn: Insn, t: { value: number; label?: string }, field: 'off' | 'imm'): Parsed {
  insn[field] = t.value;
  return t.label === undefined ? { insn } : { insn, fixup: { label: t.label, field } };
}

function buildHandlers(): Map<string, Handler> {
  const h = new Map<string, Handler>();
  const classes = [
    { suffix: '', alu: CLASS.ALU64, jmp: CLASS.JMP },
    { suffix: '32', alu: CLASS.ALU, jmp: CLASS.JMP32 },
  ];

  for (const a of ALU_OPS) {
    if (a.op === ALU.NEG || (a.op === ALU.MOV && a.off !== 0)) continue;
    for (const c of classes) {
      h.set(a.name + c.suffix, (ops, m) => {
        arity(m, ops, 2, '%rD, %rS|imm');
        const dst = reg(ops[0]!);
        const s = regOrImm(ops[1]!);
        const code = c.alu | a.op | (s.useReg ? SRC.X : SRC.K);
        return { insn: s.useReg ? insnOf(code, dst, s.value, a.off) : insnOf(code, dst, 0, a.off, s.value) };
      });
    }
  }
  for (const c of classes) {
    h.set('neg' + c.suffix, (ops, m) => {
      arity(m, ops, 1, '%rD');
      return { insn: insnOf(c.alu | ALU.NEG | SRC.K, reg(ops[0]!)) };
    });
  }
  // movsx<source bits><destination bits>: the destination width picks the class.
  for (const a of ALU_OPS) {
    if (a.op !== ALU.MOV || a.off === 0) continue;
    for (const [bits, klass] of [[32, CLASS.ALU], [64, CLASS.ALU64]] as const) {
      if (a.off === 32 && bits === 32) continue; // not an instruction: classify rejects it
      h.set(`${a.name}${bits}`, (ops, m) => {
        arity(m, ops, 2, '%rD, %rS');
        const dst = reg(ops[0]!);
        return { insn: insnOf(klass | ALU.MOV | SRC.X, dst, reg(ops[1]!), a.off) };
      });
    }
  }
  for (const w of END_WIDTHS) {
    const end = (code: number): Handler => (ops, m) => {
      arity(m, ops, 1, '%rD');
      return { insn: insnOf(code, reg(ops[0]!), 0, 0, w) };
    };
    h.set(`le${w}`, end(CLASS.ALU | ALU.END | SRC.K));
    h.set(`be${w}`, end(CLASS.ALU | ALU.END | SRC.X));
    h.set(`bswap${w}`, end(CLASS.ALU64 | ALU.END | SRC.K));
    h.set(`swap${w}`, end(CLASS.ALU64 | ALU.END | SRC.K)); // bpf_conformance's spelling of bswap
  }

  for (const j of JMP_CONDS) {
    for (const c of classes) {
      h.set(j.name + c.suffix, (ops, m) => {
        arity(m, ops, 3, '%rD, %rS|imm, target');
        const dst = reg(ops[0]!);
        const s = regOrImm(ops[1]!);
        const code = c.jmp | j.op | (s.useReg ? SRC.X : SRC.K);
        const insn = s.useReg ? insnOf(code, dst, s.value) : insnOf(code, dst, 0, 0, s.value);
        return withTarget(insn, target(ops[2]!, 16), 'off');
      });
    }
  }
  h.set('ja', (ops, m) => {
    arity(m, ops, 1, 'target');
    return withTarget(insnOf(CLASS.JMP | JMP.JA), target(ops[0]!, 16), 'off');
  });
  h.set('ja32', (ops, m) => {
    arity(m, ops, 1, 'target');
    return withTarget(insnOf(CLASS.JMP32 | JMP.JA), target(ops[0]!, 32), 'imm');
  });
  h.set('exit', (ops, m) => {
    arity(m, ops, 0, '');
    return { insn: insnOf(CLASS.JMP | JMP.EXIT) };
  });
  h.set('call', parseCall);

  for (const [bytes, sfx] of Object.entries(SIZE_SUFFIX)) {
    const size = BYTES_SIZE[Number(bytes)]!;
    h.set(`ldx${sfx}`, (ops, m) => {
      arity(m, ops, 2, '%rD, [%rS+off]');
      const dst = reg(ops[0]!);
      const a = mem(ops[1]!);
      return { insn: insnOf(CLASS.LDX | MODE.MEM | size, dst, a.reg, a.off) };
    });
    h.set(`st${sfx}`, (ops, m) => {
      arity(m, ops, 2, '[%rD+off], imm');
      const a = mem(ops[0]!);
      return { insn: insnOf(CLASS.ST | MODE.MEM | size, a.reg, 0, a.off, imm32(ops[1]!)) };
    });
    h.set(`stx${sfx}`, (ops, m) => {
      arity(m, ops, 2, '[%rD+off], %rS');
      const a = mem(ops[0]!);
      return { insn: insnOf(CLASS.STX | MODE.MEM | size, a.reg, reg(ops[1]!), a.off) };
    });
    if (bytes === '8') continue; // no sign-extending or packet loads of 8 bytes
    h.set(`ldxs${sfx}`, (ops, m) => {
      arity(m, ops, 2, '%rD, [%rS+off]');
      const dst = reg(ops[0]!);
      const a = mem(ops[1]!);
      return { insn: insnOf(CLASS.LDX | MODE.MEMSX | size, dst, a.reg, a.off) };
    });
    h.set(`ldabs${sfx}`, (ops, m) => {
      arity(m, ops, 1, 'imm');
      return { insn: insnOf(CLASS.LD | MODE.ABS | size, 0, 0, 0, imm32(ops[0]!)) };
    });
    h.set(`ldind${sfx}`, (ops, m) => {
      arity(m, ops, 2, '%rS, imm');
      const src = reg(ops[0]!);
      return { insn: insnOf(CLASS.LD | MODE.IND | size, 0, src, 0, imm32(ops[1]!)) };
    });
  }
  h.set('lddw', (ops, m) => {
    arity(m, ops, 2, '%rD, imm64');
    const dst = reg(ops[0]!);
    const words = ops[1]!.split(/\s+/);
    const pseudo = Object.entries(PSEUDO_NAMES).find(([, name]) => name === words[0]);
    if (pseudo && words.length > 1) return { insn: lddwFromValue(dst, imm64(words.slice(1).join(' ')), Number(pseudo[0])) };
    return { insn: lddwFromValue(dst, imm64(ops[1]!)) };
  });
  return h;
}

/**
 * `call N` / `call helper N` (helper), `call local TARGET` (bpf-to-bpf), `call runtime N[, OFF]`
 * (kfunc), `call %rN` (callx). callx is assembled to its encoding, BPF_JMP|BPF_CALL|BPF_X with the
 * register in dst, so that classify rejects it with its own message, as the kernel would.
 */
function parseCall(ops: string[], m: string): Parsed {
  if (ops.length === 0) fail('call: missing operand (expected: call N, call local label, call runtime N or call %rN)');
  const words = ops[0]!.split(/\s+/);
  const mode = ['helper', 'local', 'runtime', 'kfunc'].includes(words[0]!) ? words.shift()! : '';
  const what = mode ? `${m} ${mode}` : m;
  if (words.length === 0) fail(`${what}: missing operand`);
  const first = words.join(' ');
  if (mode === 'runtime' || mode === 'kfunc') {
    if (ops.length > 2) arity(what, ops, 2, 'N[, off]');
    const offText = ops.length > 1 ? token(ops[1]!) : '0';
    const off = checkOff16(number(offText) ?? fail(`bad offset '${offText}'`), offText);
    return { insn: insnOf(CLASS.JMP | JMP.CALL, 0, CALL_KIND.KFUNC, off, imm32(first)) };
  }
  arity(what, ops, 1, mode === 'local' ? 'target' : 'N');
  if (mode === 'local') {
    return withTarget(insnOf(CLASS.JMP | JMP.CALL, 0, CALL_KIND.LOCAL), target(first, 32), 'imm');
  }
  if (!mode && first.startsWith('%')) return { insn: insnOf(CLASS.JMP | JMP.CALL | SRC.X, reg(first)) };
  return { insn: insnOf(CLASS.JMP | JMP.CALL, 0, CALL_KIND.HELPER, 0, imm32(first)) };
}

/** `lock [fetch] op[32] [%rD+off], %rS`: the 32 suffix selects a 4-byte access. */
function parseLock(rest: string): Parsed {
  const words = rest.split(/\s+/);
  const fetch = words[0] === 'fetch';
  if (fetch) words.shift();
  const opWord = words.shift() ?? '';
  if (!opWord) return fail('lock: missing atomic operation (expected: lock [fetch] add|or|and|xor|xchg|cmpxchg[32] [%rD+off], %rS)');
  const is32 = opWord.endsWith('32');
  const name = (fetch ? 'fetch ' : '') + (is32 ? opWord.slice(0, -2) : opWord);
  const op = ATOMIC_OPS.find((a) => a.name === name);
  if (!op) return fail(`lock: unknown atomic operation '${name}${is32 ? '32' : ''}'`);
  const ops = splitOperands(words.join(' '));
  const mnem = `lock ${name}${is32 ? '32' : ''}`;
  arity(mnem, ops, 2, '[%rD+off], %rS');
  const a = mem(ops[0]!);
  const size = BYTES_SIZE[is32 ? 4 : 8]!;
  return { insn: insnOf(CLASS.STX | MODE.ATOMIC | size, a.reg, reg(ops[1]!), a.off, op.imm) };
}

function splitOperands(rest: string): string[] {
  if (rest.trim() === '') return [];
  const ops = rest.split(',').map((s) => s.trim());
  ops.forEach((o, i) => {
    if (o === '') fail(`missing operand ${i + 1} (empty between commas)`);
  });
  return ops;
}

let handlers: Map<string, Handler> | undefined;

function parseLine(body: string): Parsed {
  const sp = body.search(/\s/);
  const mnem = (sp < 0 ? body : body.slice(0, sp)).toLowerCase();
  const rest = sp < 0 ? '' : body.slice(sp + 1).trim();
  if (mnem === 'lock') return parseLock(rest);
  handlers ??= buildHandlers();
  const handler = handlers.get(mnem);
  if (!handler) return fail(`unknown mnemonic '${mnem}'`);
  const parsed = handler(splitOperands(rest), mnem);
  const isCallx = parsed.insn.code === (CLASS.JMP | JMP.CALL | SRC.X);
  // A safety net: the handlers are built so that this never fires, except for callx which is left to classify.
  const form = classifyOrReason(parsed.insn);
  if (typeof form === 'string' && !isCallx) fail(form);
  return parsed;
}

interface Placed extends Parsed {
  slot: number;
  line: number;
}

/**
 * Assemble uBPF text. `firstLine` is the line number of the text's first line, so that errors in a
 * section of a larger file name the file's line. A jump to `exit` with no label of that name goes
 * to the first `exit` instruction of the program (the bpf_conformance rule).
 */
export function parseUbpf(text: string, file?: string, firstLine = 1): Insn[] {
  const place = (line: number, why: string): BpfError =>
    new BpfError('EASM', `${file ? `${file}:${line}` : `line ${line}`}: ${why}`, { file, line });
  const labels = new Map<string, { slot: number; line: number }>();
  const placed: Placed[] = [];
  let slot = 0;
  let firstExit: number | undefined;

  text.split(/\r?\n/).forEach((raw, i) => {
    const line = firstLine + i;
    try {
      let body = raw.replace(/#.*/, '').trim();
      for (let m: RegExpExecArray | null; (m = /^([^\s:]+):(\s+|$)/.exec(body)); body = body.slice(m[0].length)) {
        const name = m[1]!;
        if (!LABEL_RE.test(name)) fail(`bad label name '${name}'`);
        const prev = labels.get(name);
        if (prev) fail(`duplicate label '${name}' (first defined on line ${prev.line})`);
        labels.set(name, { slot, line });
      }
      if (body === '') return;
      const p = parseLine(body);
      if (p.insn.code === (CLASS.JMP | JMP.EXIT)) firstExit ??= slot;
      placed.push({ ...p, slot, line });
      slot += slotCount(p.insn);
    } catch (e) {
      if (e instanceof AsmFault) throw place(line, e.message);
      throw e;
    }
  });

  for (const p of placed) {
    if (!p.fixup) continue;
    const { label, field } = p.fixup;
    const to = labels.get(label)?.slot ?? (label === 'exit' ? firstExit : undefined);
    if (to === undefined) throw place(p.line, `undefined label '${label}'`);
    const delta = to - (p.slot + 1);
    if (field === 'off' && (delta < -32768 || delta > 32767)) {
      throw place(p.line, `jump to '${label}' is out of range: offset ${delta} does not fit in 16 bits (use ja32)`);
    }
    p.insn[field] = delta;
  }
  return placed.map((p) => p.insn);
}
