/**
 * The reference interpreter. A program is first prepared: every encoding checked (isa/insn.ts
 * `validateProgram`), then flattened into typed arrays indexed by slot so the run loop does no
 * decoding. Registers are pairs of 32-bit halves (see pair64.ts and bench/ for why).
 *
 * Faults (bad memory access, budget exhausted, call depth) are BpfErrors naming the instruction;
 * nothing a program does can raise a host exception or run forever.
 */
import { BpfError } from '../errors.js';
import { PSEUDO_NAMES, cls, type AluOpInfo, type AtomicOpInfo } from '../isa/opcodes.js';
import { type Insn, type InsnForm, slotOffsets, totalSlots, validateProgram, branchTarget } from '../isa/insn.js';
import { HelperRegistry, type HelperDef, type HelperCall } from '../helpers/registry.js';
import { Memory, type Region } from './memory.js';
import type { RunOptions, RunResult } from './api.js';
import {
  P, toBig, fromBig, mul64, lsh64, rsh64, arsh64, udiv64, umod64, sdivmod64, cmpU64, cmpS64, bswap16, bswap32,
} from './pair64.js';

export const DEFAULT_BUDGET = 1_000_000;
export const STACK_SIZE = 512;
export const MAX_CALL_FRAMES = 8;

/** Code of the sentinel slot placed after the last instruction (0x00 is no valid instruction). */
const FELL_OFF = 0x00;

/** A program checked and flattened for execution. */
export class PreparedProgram {
  readonly code: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  /** Memory offset, or the absolute target slot of a jump or local call. */
  readonly off: Int32Array;
  readonly immLo: Int32Array;
  /** Upper half of the 64-bit operand: the sign extension of imm, or lddw's second imm. */
  readonly immHi: Int32Array;
  /** Sub-variant: signedness of div/mod (1), movsx width (8/16/32), byte-swap order. */
  readonly aux: Uint8Array;
  readonly helpers: (HelperDef | undefined)[];
  readonly atomics: (AtomicOpInfo | undefined)[];
  readonly aluInfo: (AluOpInfo | undefined)[];
  readonly slots: number;

  constructor(readonly insns: readonly Insn[], readonly forms: readonly InsnForm[], helpers: HelperRegistry, file?: string) {
    const n = totalSlots(insns);
    this.slots = n;
    const size = n + 1; // one sentinel slot
    this.code = new Uint8Array(size);
    this.dst = new Uint8Array(size);
    this.src = new Uint8Array(size);
    this.off = new Int32Array(size);
    this.immLo = new Int32Array(size);
    this.immHi = new Int32Array(size);
    this.aux = new Uint8Array(size);
    this.helpers = new Array(size).fill(undefined);
    this.atomics = new Array(size).fill(undefined);
    this.aluInfo = new Array(size).fill(undefined);
    const offsets = slotOffsets(insns);
    insns.forEach((insn, i) => {
      const s = offsets[i]!;
      const form = forms[i]!;
      const where = `${file ? file + ': ' : ''}insn ${s}`;
      this.code[s] = insn.code;
      this.dst[s] = insn.dst;
      this.src[s] = insn.src;
      this.off[s] = insn.off;
      this.immLo[s] = insn.imm;
      this.immHi[s] = insn.imm >> 31;
      const t = branchTarget(insn, form, s);
      if (t !== undefined) this.off[s] = t;
      switch (form.kind) {
        case 'alu':
          this.aux[s] = form.op.off;
          this.aluInfo[s] = form.op;
          break;
        case 'end':
          this.aux[s] = form.order === 'le' ? 0 : 1;
          break;
        case 'lddw':
          if (form.pseudo !== 0) {
            throw new BpfError('EREJECT', `${where}: lddw with src=${form.pseudo} (${PSEUDO_NAMES[form.pseudo]}) needs a loader that resolves maps and functions; it cannot run on its own`, { insn: s, file });
          }
          this.immHi[s] = insn.imm2 ?? 0;
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
    });
    this.code[n] = FELL_OFF;
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
  /** The region LD_ABS/LD_IND read from; defaults to the input block. */
  packet?: Region;
}

export function prepare(insns: readonly Insn[], opts: InterpreterOptions = {}): PreparedProgram {
  const forms = validateProgram(insns, opts.file);
  return new PreparedProgram(insns, forms, opts.helpers ?? new HelperRegistry(), opts.file);
}

/** Run a prepared program once. */
export function execute(prog: PreparedProgram, opts: ExecOptions = {}): RunResult {
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const memory = opts.memory ?? new Memory();
  const input = memory.add('input', 'input', opts.mem ?? new Uint8Array(0));
  const stacks: Region[] = [];
  for (let f = 0; f < MAX_CALL_FRAMES; f++) stacks.push(memory.add(`stack frame ${f}`, 'stack', new Uint8Array(STACK_SIZE)));
  const packet = opts.packet ?? input;

  const lo = new Int32Array(11), hi = new Int32Array(11);
  const setReg = (r: number, v: bigint): void => { fromBig(v); lo[r] = P[0]!; hi[r] = P[1]!; };
  setReg(1, opts.r1 ?? input.addr(0));
  setReg(2, opts.r2 ?? BigInt(input.size));
  lo[10] = STACK_SIZE; hi[10] = stacks[0]!.tag;

  const { code, dst, src, off, immLo, immHi, aux } = prog;
  // Frames of the callers: return slot, r6-r9 (both halves), as a flat array.
  const saved = new Int32Array(MAX_CALL_FRAMES * 9);
  let frame = 0;
  let pc = 0;
  let count = 0;
  let stopAfterHelper = false;
  const trace = opts.trace;
  const call: HelperCall = {
    memory,
    get pc() { return pc; },
    exit() { stopAfterHelper = true; },
  };

  for (;;) {
    if (++count > budget) {
      throw new BpfError('ELIMIT', `insn ${pc}: instruction budget of ${budget} exhausted (an infinite loop?)`, { insn: pc });
    }
    if (trace !== undefined) trace(pc, lo, hi, frame);
    const c = code[pc]!;
    if ((c & 4) !== 0) {
      // ALU, JMP, JMP32, ALU64: bit 3 selects the register or the immediate operand.
      const d = dst[pc]!;
      let bl: number, bh: number;
      if ((c & 8) !== 0) { const s = src[pc]!; bl = lo[s]!; bh = hi[s]!; }
      else { bl = immLo[pc]!; bh = immHi[pc]!; }
      const al = lo[d]!, ah = hi[d]!;
      switch (c & 0xf7) {
        // ---- ALU64 ----
        case 0x07: { const r = (al + bl) | 0; hi[d] = (ah + bh + ((r >>> 0) < (al >>> 0) ? 1 : 0)) | 0; lo[d] = r; break; }
        case 0x17: { const r = (al - bl) | 0; hi[d] = (ah - bh - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; lo[d] = r; break; }
        case 0x27: mul64(al, ah, bl, bh); lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0x37:
          if (aux[pc] === 0) udiv64(prog.aluInfo[pc]!, al, ah, bl, bh);
          else sdivmod64(prog.aluInfo[pc]!, false, al, ah, bl, bh);
          lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0x47: lo[d] = al | bl; hi[d] = ah | bh; break;
        case 0x57: lo[d] = al & bl; hi[d] = ah & bh; break;
        case 0x67: lsh64(al, ah, bl); lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0x77: rsh64(al, ah, bl); lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0x87: { const r = (-al) | 0; hi[d] = (~ah + (al === 0 ? 1 : 0)) | 0; lo[d] = r; break; }
        case 0x97:
          if (aux[pc] === 0) umod64(prog.aluInfo[pc]!, al, ah, bl, bh);
          else sdivmod64(prog.aluInfo[pc]!, true, al, ah, bl, bh);
          lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0xa7: lo[d] = al ^ bl; hi[d] = ah ^ bh; break;
        case 0xb7: {
          const w = aux[pc]!;
          if (w === 0) { lo[d] = bl; hi[d] = bh; }
          else if (w === 32) { lo[d] = bl; hi[d] = bl >> 31; }
          else { const v = w === 8 ? (bl << 24) >> 24 : (bl << 16) >> 16; lo[d] = v; hi[d] = v >> 31; }
          break;
        }
        case 0xc7: arsh64(al, ah, bl); lo[d] = P[0]!; hi[d] = P[1]!; break;
        case 0xd7: // bswap16/32/64
          if (immLo[pc] === 16) { lo[d] = bswap16(al); hi[d] = 0; }
          else if (immLo[pc] === 32) { lo[d] = bswap32(al); hi[d] = 0; }
          else { lo[d] = bswap32(ah); hi[d] = bswap32(al); }
          break;
        // ---- ALU (32-bit, zero-extended) ----
        case 0x04: lo[d] = (al + bl) | 0; hi[d] = 0; break;
        case 0x14: lo[d] = (al - bl) | 0; hi[d] = 0; break;
        case 0x24: lo[d] = Math.imul(al, bl); hi[d] = 0; break;
        case 0x34:
          if (bl === 0) lo[d] = 0;
          else lo[d] = aux[pc] === 0 ? ((al >>> 0) / (bl >>> 0)) | 0 : (al / bl) | 0;
          hi[d] = 0; break;
        case 0x44: lo[d] = al | bl; hi[d] = 0; break;
        case 0x54: lo[d] = al & bl; hi[d] = 0; break;
        case 0x64: lo[d] = al << (bl & 31); hi[d] = 0; break;
        case 0x74: lo[d] = al >>> (bl & 31); hi[d] = 0; break;
        case 0x84: lo[d] = (-al) | 0; hi[d] = 0; break;
        case 0x94:
          if (bl !== 0) lo[d] = aux[pc] === 0 ? ((al >>> 0) % (bl >>> 0)) | 0 : (al % bl) | 0;
          hi[d] = 0; break;
        case 0xa4: lo[d] = al ^ bl; hi[d] = 0; break;
        case 0xb4: {
          const w = aux[pc]!;
          lo[d] = w === 0 ? bl : w === 8 ? (bl << 24) >> 24 : (bl << 16) >> 16;
          hi[d] = 0;
          break;
        }
        case 0xc4: lo[d] = al >> (bl & 31); hi[d] = 0; break;
        case 0xd4: { // le (bit 3 clear) or be (bit 3 set), 16/32/64
          const w = immLo[pc];
          if ((c & 8) === 0) {
            if (w === 16) { lo[d] = al & 0xffff; hi[d] = 0; } else if (w === 32) hi[d] = 0;
          } else if (w === 16) { lo[d] = bswap16(al); hi[d] = 0; }
          else if (w === 32) { lo[d] = bswap32(al); hi[d] = 0; }
          else { lo[d] = bswap32(ah); hi[d] = bswap32(al); }
          break;
        }
        // ---- JMP (64-bit compares) ----
        case 0x05: pc = off[pc]!; continue;
        case 0x15: if (al === bl && ah === bh) { pc = off[pc]!; continue; } break;
        case 0x55: if (al !== bl || ah !== bh) { pc = off[pc]!; continue; } break;
        case 0x25: if (cmpU64(al, ah, bl, bh) > 0) { pc = off[pc]!; continue; } break;
        case 0x35: if (cmpU64(al, ah, bl, bh) >= 0) { pc = off[pc]!; continue; } break;
        case 0xa5: if (cmpU64(al, ah, bl, bh) < 0) { pc = off[pc]!; continue; } break;
        case 0xb5: if (cmpU64(al, ah, bl, bh) <= 0) { pc = off[pc]!; continue; } break;
        case 0x45: if ((al & bl) !== 0 || (ah & bh) !== 0) { pc = off[pc]!; continue; } break;
        case 0x65: if (cmpS64(al, ah, bl, bh) > 0) { pc = off[pc]!; continue; } break;
        case 0x75: if (cmpS64(al, ah, bl, bh) >= 0) { pc = off[pc]!; continue; } break;
        case 0xc5: if (cmpS64(al, ah, bl, bh) < 0) { pc = off[pc]!; continue; } break;
        case 0xd5: if (cmpS64(al, ah, bl, bh) <= 0) { pc = off[pc]!; continue; } break;
        // ---- JMP32 ----
        case 0x06: pc = off[pc]!; continue;
        case 0x16: if (al === bl) { pc = off[pc]!; continue; } break;
        case 0x56: if (al !== bl) { pc = off[pc]!; continue; } break;
        case 0x26: if ((al >>> 0) > (bl >>> 0)) { pc = off[pc]!; continue; } break;
        case 0x36: if ((al >>> 0) >= (bl >>> 0)) { pc = off[pc]!; continue; } break;
        case 0xa6: if ((al >>> 0) < (bl >>> 0)) { pc = off[pc]!; continue; } break;
        case 0xb6: if ((al >>> 0) <= (bl >>> 0)) { pc = off[pc]!; continue; } break;
        case 0x46: if ((al & bl) !== 0) { pc = off[pc]!; continue; } break;
        case 0x66: if (al > bl) { pc = off[pc]!; continue; } break;
        case 0x76: if (al >= bl) { pc = off[pc]!; continue; } break;
        case 0xc6: if (al < bl) { pc = off[pc]!; continue; } break;
        case 0xd6: if (al <= bl) { pc = off[pc]!; continue; } break;
        // ---- calls and exit ----
        case 0x85: {
          const helper = prog.helpers[pc];
          if (helper !== undefined) {
            let r0: bigint;
            try {
              r0 = helper.impl(call, toBig(lo[1]!, hi[1]!), toBig(lo[2]!, hi[2]!), toBig(lo[3]!, hi[3]!), toBig(lo[4]!, hi[4]!), toBig(lo[5]!, hi[5]!));
            } catch (e) {
              if (e instanceof BpfError) throw e;
              throw new BpfError('EHELPER', `insn ${pc}: helper ${helper.name}#${helper.id} failed: ${(e as Error).message}`, { insn: pc });
            }
            setReg(0, r0);
            if (stopAfterHelper) return { r0: toBig(lo[0]!, hi[0]!), insns: count, mem: input.bytes };
            break;
          }
          // bpf-to-bpf call: save the return slot and the callee-saved registers, give the callee a fresh frame.
          if (frame + 1 >= MAX_CALL_FRAMES) {
            throw new BpfError('ELIMIT', `insn ${pc}: the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`, { insn: pc });
          }
          const b = frame * 9;
          saved[b] = pc + 1;
          for (let r = 6; r <= 9; r++) { saved[b + 2 * (r - 6) + 1] = lo[r]!; saved[b + 2 * (r - 6) + 2] = hi[r]!; }
          frame++;
          stacks[frame]!.bytes.fill(0);
          lo[10] = STACK_SIZE; hi[10] = stacks[frame]!.tag;
          pc = off[pc]!;
          continue;
        }
        case 0x95: {
          if (frame === 0) return { r0: toBig(lo[0]!, hi[0]!), insns: count, mem: input.bytes };
          frame--;
          const b = frame * 9;
          pc = saved[b]!;
          for (let r = 6; r <= 9; r++) { lo[r] = saved[b + 2 * (r - 6) + 1]!; hi[r] = saved[b + 2 * (r - 6) + 2]!; }
          lo[10] = STACK_SIZE; hi[10] = stacks[frame]!.tag;
          continue;
        }
        default:
          throw new BpfError('EREJECT', `insn ${pc}: opcode 0x${c.toString(16)} cannot be executed`, { insn: pc });
      }
      pc++;
      continue;
    }
    // LD, LDX, ST, STX
    switch (c) {
      case 0x18: lo[dst[pc]!] = immLo[pc]!; hi[dst[pc]!] = immHi[pc]!; pc += 2; continue;
      // LDX MEM / MEMSX
      case 0x61: case 0x69: case 0x71: case 0x79: case 0x81: case 0x89: case 0x91: {
        const s = src[pc]!, d = dst[pc]!;
        const al = (lo[s]! + off[pc]!) | 0;
        const ah = (hi[s]! + (off[pc]! >> 31) + ((al >>> 0) < (lo[s]! >>> 0) ? 1 : 0)) | 0;
        switch (c) {
          case 0x79: { const o = memory.check(ah, al, 8, false, pc); lo[d] = memory.dv.getInt32(o, true); hi[d] = memory.dv.getInt32(o + 4, true); break; }
          case 0x61: { const o = memory.check(ah, al, 4, false, pc); lo[d] = memory.dv.getInt32(o, true); hi[d] = 0; break; }
          case 0x69: { const o = memory.check(ah, al, 2, false, pc); lo[d] = memory.dv.getUint16(o, true); hi[d] = 0; break; }
          case 0x71: { const o = memory.check(ah, al, 1, false, pc); lo[d] = memory.dv.getUint8(o); hi[d] = 0; break; }
          case 0x81: { const o = memory.check(ah, al, 4, false, pc); const v = memory.dv.getInt32(o, true); lo[d] = v; hi[d] = v >> 31; break; }
          case 0x89: { const o = memory.check(ah, al, 2, false, pc); const v = memory.dv.getInt16(o, true); lo[d] = v; hi[d] = v >> 31; break; }
          default: { const o = memory.check(ah, al, 1, false, pc); const v = memory.dv.getInt8(o); lo[d] = v; hi[d] = v >> 31; break; }
        }
        pc++;
        continue;
      }
      // ST / STX MEM
      case 0x62: case 0x6a: case 0x72: case 0x7a: case 0x63: case 0x6b: case 0x73: case 0x7b: {
        const d = dst[pc]!;
        const al = (lo[d]! + off[pc]!) | 0;
        const ah = (hi[d]! + (off[pc]! >> 31) + ((al >>> 0) < (lo[d]! >>> 0) ? 1 : 0)) | 0;
        let vl: number, vh: number;
        if ((c & 1) !== 0) { vl = lo[src[pc]!]!; vh = hi[src[pc]!]!; } else { vl = immLo[pc]!; vh = immHi[pc]!; }
        switch (c & 0x18) {
          case 0x18: { const o = memory.check(ah, al, 8, true, pc); memory.dv.setInt32(o, vl, true); memory.dv.setInt32(o + 4, vh, true); break; }
          case 0x00: { const o = memory.check(ah, al, 4, true, pc); memory.dv.setInt32(o, vl, true); break; }
          case 0x08: { const o = memory.check(ah, al, 2, true, pc); memory.dv.setInt16(o, vl, true); break; }
          default: { const o = memory.check(ah, al, 1, true, pc); memory.dv.setInt8(o, vl); break; }
        }
        pc++;
        continue;
      }
      // STX ATOMIC (W, DW)
      case 0xc3: case 0xdb: {
        const d = dst[pc]!, s = src[pc]!;
        const al = (lo[d]! + off[pc]!) | 0;
        const ah = (hi[d]! + (off[pc]! >> 31) + ((al >>> 0) < (lo[d]! >>> 0) ? 1 : 0)) | 0;
        atomic(prog.atomics[pc]!, c === 0xdb ? 8 : 4, memory.check(ah, al, c === 0xdb ? 8 : 4, true, pc), memory.dv, s, lo, hi);
        pc++;
        continue;
      }
      // LD_ABS / LD_IND: big-endian packet loads; out of range ends the program with r0 = 0.
      case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50: {
        const size = c === 0x20 || c === 0x40 ? 4 : c === 0x28 || c === 0x48 ? 2 : 1;
        const base = c >= 0x40 ? lo[src[pc]!]! : 0;
        const o = (base + immLo[pc]!) | 0;
        if (o < 0 || o + size > packet.size) { lo[0] = 0; hi[0] = 0; return { r0: 0n, insns: count, mem: input.bytes }; }
        const dv = packet.dv;
        lo[0] = size === 4 ? dv.getInt32(o, false) : size === 2 ? dv.getUint16(o, false) : dv.getUint8(o);
        hi[0] = 0;
        pc++;
        continue;
      }
      default:
        if (pc >= prog.slots) {
          throw new BpfError('EFAULT', `insn ${pc - 1}: execution fell off the end of the program (the last instruction is not exit or a jump)`, { insn: pc - 1 });
        }
        throw new BpfError('EREJECT', `insn ${pc}: opcode 0x${c.toString(16)} (class ${cls(c)}) cannot be executed`, { insn: pc });
    }
  }
}

/** STX | ATOMIC on the word at `o` of `dv`, following isa/semantics.ts atomicRef. */
function atomic(op: AtomicOpInfo, size: 4 | 8, o: number, dv: DataView, s: number, lo: Int32Array, hi: Int32Array): void {
  const ol = dv.getInt32(o, true);
  const oh = size === 8 ? dv.getInt32(o + 4, true) : 0;
  const sl = lo[s]!, sh = size === 8 ? hi[s]! : 0;
  let nl: number, nh: number;
  switch (op.fetchName) {
    case 'add': nl = (ol + sl) | 0; nh = (oh + sh + ((nl >>> 0) < (ol >>> 0) ? 1 : 0)) | 0; break;
    case 'or': nl = ol | sl; nh = oh | sh; break;
    case 'and': nl = ol & sl; nh = oh & sh; break;
    case 'xor': nl = ol ^ sl; nh = oh ^ sh; break;
    case 'xchg': nl = sl; nh = sh; break;
    default: { // cmpxchg: compare with r0, the old value always lands in r0
      const eq = ol === lo[0]! && (size === 4 || oh === hi[0]!);
      nl = eq ? sl : ol; nh = eq ? sh : oh;
      lo[0] = ol; hi[0] = oh;
      break;
    }
  }
  dv.setInt32(o, nl, true);
  if (size === 8) dv.setInt32(o + 4, nh, true);
  if (op.fetch && op.fetchName !== 'cmpxchg') { lo[s] = ol; hi[s] = oh; }
}

/** Prepare and run in one step. */
export function run(insns: readonly Insn[], opts: ExecOptions & InterpreterOptions = {}): RunResult {
  return execute(prepare(insns, opts), opts);
}
