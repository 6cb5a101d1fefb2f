/**
 * A systematic sweep of the encoding space for the syntax tests: every opcode byte crossed with a
 * few registers, offsets and immediates chosen to hit each form's special values (the atomic op
 * codes, byte-swap widths, sign-extension offsets, the extremes of each field), split by whether
 * `classify` accepts the encoding.
 */
import { classifyOrReason, type Insn } from '../../src/isa/insn.js';
import { LDDW_CODE } from '../../src/isa/opcodes.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const DSTS = [0, 1, 10, 11];
const SRCS = [0, 1, 2, 10, 15];
const OFFS = [0, 1, -1, 8, 16, 32, 32767, -32768];
const IMMS = [0, 1, -1, 16, 32, 64, INT32_MAX, INT32_MIN, 0x40, 0x50, 0xa0, 0x41, 0x51, 0xa1, 0xe1, 0xf1, 12345];
const LDDW_IMMS = [0, 1, -1, 5, INT32_MAX, INT32_MIN];
const LDDW_IMM2S = [0, 1, -1, 8, INT32_MIN];

function* candidates(): Generator<Insn> {
  for (let code = 0; code < 256; code++) {
    if (code === LDDW_CODE) continue;
    for (const dst of DSTS) for (const src of SRCS) for (const off of OFFS) for (const imm of IMMS) {
      yield { code, dst, src, off, imm };
    }
  }
  for (let src = 0; src < 16; src++) for (const dst of [0, 1, 10, 12]) for (const imm of LDDW_IMMS) for (const imm2 of LDDW_IMM2S) {
    yield { code: LDDW_CODE, dst, src, off: 0, imm, imm2 };
  }
  yield { code: LDDW_CODE, dst: 1, src: 0, off: 3, imm: 0, imm2: 0 };
}

export interface Sweep {
  valid: Insn[];
  malformed: { insn: Insn; reason: string }[];
}

let cached: Sweep | undefined;

export function sweep(): Sweep {
  if (cached) return cached;
  const out: Sweep = { valid: [], malformed: [] };
  // classify throws and catches once per malformed candidate; stack traces would dominate the time.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const insn of candidates()) {
      const r = classifyOrReason(insn);
      if (typeof r === 'string') out.malformed.push({ insn, reason: r });
      else out.valid.push(insn);
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  cached = out;
  return out;
}
