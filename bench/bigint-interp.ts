/**
 * A second, minimal interpreter whose registers are BigInts (unsigned 64-bit values), so that the
 * benchmark measures the two register representations in the same run. Everything else is the
 * same as in the reference interpreter (src/vm/interpreter.ts): the same PreparedProgram with its
 * packed `ops`, the same run setup (openRunMemory: Memory, input block, pooled stack frames), a
 * pooled register file, Memory.check for every access, the same exact instruction count and
 * budget check, a jump-table switch on the raw opcode.
 *
 * The registers are a BigUint64Array, each result wrapped with BigInt.asUintN(64, ...): V8 then
 * keeps the values as raw 64-bit integers inside the optimized loop. A plain array of BigInts,
 * tried first, allocates a BigInt per result and was 2.3x slower on compute (bench/README.md).
 *
 * It covers the 64-bit ALU, the 64-bit jumps, le/be/bswap, lddw, LDX/STX MEM and exit: everything
 * the benchmark programs use. Anything else fails with an error naming the opcode.
 */
import { PreparedProgram, STACK_SIZE, DEFAULT_BUDGET, openRunMemory, closeRunMemory } from '../src/vm/interpreter.js';
import type { RunOptions, RunResult } from '../src/vm/api.js';
import type { Memory, Region } from '../src/vm/memory.js';


/** Per program: each slot's immediate and memory offset as the unsigned 64-bit operands they stand for. */
interface BigOperands {
  readonly imm: BigUint64Array;
  readonly off: BigUint64Array;
}
const operandCache = new WeakMap<PreparedProgram, BigOperands>();

function operands(prog: PreparedProgram): BigOperands {
  let ops = operandCache.get(prog);
  if (ops === undefined) {
    const n = prog.slots + 1;
    ops = { imm: new BigUint64Array(n), off: new BigUint64Array(n) };
    for (let s = 0; s < n; s++) {
      ops.imm[s] = (BigInt(prog.ops[s * 4 + 3]! >>> 0) << 32n) | BigInt(prog.ops[s * 4 + 2]! >>> 0);
      ops.off[s] = BigInt.asUintN(64, BigInt(prog.ops[s * 4 + 1]!));
    }
    operandCache.set(prog, ops);
  }
  return ops;
}

function unsupported(code: number, pc: number): Error {
  return new Error(`bench/bigint-interp: opcode 0x${code.toString(16).padStart(2, '0')} at insn ${pc} is not supported by this minimal interpreter`);
}

function bswap(v: bigint, bytes: number): bigint {
  let r = 0n;
  for (let i = 0; i < bytes; i++) { r = (r << 8n) | (v & 0xffn); v >>= 8n; }
  return r;
}

/** Register files, reused like the reference interpreter's (an 88-byte typed array is allocated off the V8 heap). */
const regPool: BigUint64Array[] = [];

export function executeBigInt(prog: PreparedProgram, opts: RunOptions = {}): RunResult {
  const run = openRunMemory(opts);
  const pooled = regPool.pop();
  if (pooled !== undefined) pooled.fill(0n);
  const r = pooled ?? new BigUint64Array(11);
  try {
    return interpretBigInt(prog, opts.budget ?? DEFAULT_BUDGET, run.memory, run.input, r);
  } finally {
    closeRunMemory(run);
    if (regPool.length < 4) regPool.push(r);
  }
}

function interpretBigInt(prog: PreparedProgram, budget: number, memory: Memory, input: Region, r: BigUint64Array): RunResult {
  const stack0 = memory.regions[input.index + 1]!;
  r[1] = input.addr(0);
  r[2] = BigInt(input.size);
  r[10] = stack0.addr(STACK_SIZE);
  const { imm, off } = operands(prog);
  const { ops } = prog;
  let pc = 0;
  let count = 0;

  for (;;) {
    if (++count > budget) throw new Error(`bench/bigint-interp: insn ${pc}: instruction budget of ${budget} exhausted`);
    // ops[4 pc] = code | dst << 8 | src << 12 | aux << 16; ops[4 pc + 1] = jump target; see PreparedProgram.ops
    const w = ops[pc << 2]!, c = w & 0xff, d = (w >> 8) & 15, s = (w >> 12) & 15;
    switch (c) {
      // ---- ALU64 ----
      case 0x07: r[d] = BigInt.asUintN(64, r[d]! + imm[pc]!); break;
      case 0x0f: r[d] = BigInt.asUintN(64, r[d]! + r[s]!); break;
      case 0x17: r[d] = BigInt.asUintN(64, r[d]! - imm[pc]!); break;
      case 0x1f: r[d] = BigInt.asUintN(64, r[d]! - r[s]!); break;
      case 0x27: r[d] = BigInt.asUintN(64, r[d]! * imm[pc]!); break;
      case 0x2f: r[d] = BigInt.asUintN(64, r[d]! * r[s]!); break;
      case 0x47: r[d] = r[d]! | imm[pc]!; break;
      case 0x4f: r[d] = r[d]! | r[s]!; break;
      case 0x57: r[d] = r[d]! & imm[pc]!; break;
      case 0x5f: r[d] = r[d]! & r[s]!; break;
      case 0x67: r[d] = BigInt.asUintN(64, r[d]! << (imm[pc]! & 63n)); break;
      case 0x6f: r[d] = BigInt.asUintN(64, r[d]! << (r[s]! & 63n)); break;
      case 0x77: r[d] = r[d]! >> (imm[pc]! & 63n); break;
      case 0x7f: r[d] = r[d]! >> (r[s]! & 63n); break;
      case 0xa7: r[d] = r[d]! ^ imm[pc]!; break;
      case 0xaf: r[d] = r[d]! ^ r[s]!; break;
      case 0xc7: r[d] = BigInt.asUintN(64, BigInt.asIntN(64, r[d]!) >> (imm[pc]! & 63n)); break;
      case 0xcf: r[d] = BigInt.asUintN(64, BigInt.asIntN(64, r[d]!) >> (r[s]! & 63n)); break;
      case 0x87: r[d] = BigInt.asUintN(64, -r[d]!); break;
      case 0xb7: r[d] = imm[pc]!; break;
      case 0xbf: if (w >>> 16 !== 0) throw unsupported(c, pc); r[d] = r[s]!; break; // not movsx
      case 0x37: case 0x3f: case 0x97: case 0x9f: { // div, mod (not sdiv/smod)
        if (w >>> 16 !== 0) throw unsupported(c, pc);
        const b = (c & 8) !== 0 ? r[s]! : imm[pc]!;
        if (c < 0x90) r[d] = b === 0n ? 0n : r[d]! / b;
        else if (b !== 0n) r[d] = r[d]! % b;
        break;
      }
      // ---- byte order: le truncates, be and bswap swap (the host is little-endian) ----
      case 0xd4: r[d] = BigInt.asUintN(prog.ops[pc * 4 + 2]!, r[d]!); break;
      case 0xdc: case 0xd7: r[d] = bswap(r[d]!, prog.ops[pc * 4 + 2]! / 8); break;
      // ---- JMP (64-bit compares) ----
      case 0x05: pc = ops[(pc << 2) + 1]!; continue;
      case 0x15: if (r[d] === imm[pc]) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x1d: if (r[d] === r[s]) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x55: if (r[d] !== imm[pc]) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x5d: if (r[d] !== r[s]) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x25: if (r[d]! > imm[pc]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x2d: if (r[d]! > r[s]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x35: if (r[d]! >= imm[pc]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x3d: if (r[d]! >= r[s]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0xa5: if (r[d]! < imm[pc]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0xad: if (r[d]! < r[s]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0xb5: if (r[d]! <= imm[pc]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0xbd: if (r[d]! <= r[s]!) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x45: if ((r[d]! & imm[pc]!) !== 0n) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x4d: if ((r[d]! & r[s]!) !== 0n) { pc = ops[(pc << 2) + 1]!; continue; } break;
      case 0x95: return { r0: r[0]!, insns: count, mem: input.bytes };
      // ---- lddw, loads, stores ----
      case 0x18: r[d] = imm[pc]!; pc += 2; continue;
      case 0x71: case 0x69: case 0x61: case 0x79: {
        const a = BigInt.asUintN(64, r[s]! + off[pc]!);
        const size = c === 0x71 ? 1 : c === 0x69 ? 2 : c === 0x61 ? 4 : 8;
        const o = memory.check(Number(a >> 32n) | 0, Number(a & 0xffffffffn) | 0, size, false, pc);
        const dv = memory.dv;
        r[d] = size === 1 ? BigInt(dv.getUint8(o)) : size === 2 ? BigInt(dv.getUint16(o, true))
          : size === 4 ? BigInt(dv.getUint32(o, true)) : dv.getBigUint64(o, true);
        break;
      }
      case 0x73: case 0x6b: case 0x63: case 0x7b: {
        const a = BigInt.asUintN(64, r[d]! + off[pc]!);
        const size = c === 0x73 ? 1 : c === 0x6b ? 2 : c === 0x63 ? 4 : 8;
        const o = memory.check(Number(a >> 32n) | 0, Number(a & 0xffffffffn) | 0, size, true, pc);
        const v = r[s]!, dv = memory.dv;
        if (size === 8) dv.setBigUint64(o, v, true);
        else if (size === 4) dv.setUint32(o, Number(v & 0xffffffffn), true);
        else if (size === 2) dv.setUint16(o, Number(v & 0xffffn), true);
        else dv.setUint8(o, Number(v & 0xffn));
        break;
      }
      default:
        throw unsupported(c, pc);
    }
    pc++;
  }
}
