/**
 * The WebAssembly instructions the JIT emits: one table giving each opcode its text name and the
 * kind of immediate that follows it, read by the emitter (as OP.*) and by the text printer.
 */

export type ValType = 'i32' | 'i64';
export const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };

/** What follows an opcode in the binary. */
export type Imm = 'none' | 'block' | 'label' | 'labels' | 'func' | 'indirect' | 'local' | 'global' | 'mem' | 'i32' | 'i64' | 'memfill' | 'memcopy';

const TABLE: [name: string, code: number, imm: Imm][] = [
  ['unreachable', 0x00, 'none'], ['nop', 0x01, 'none'], ['block', 0x02, 'block'], ['loop', 0x03, 'block'],
  ['if', 0x04, 'block'], ['else', 0x05, 'none'], ['end', 0x0b, 'none'], ['br', 0x0c, 'label'],
  ['br_if', 0x0d, 'label'], ['br_table', 0x0e, 'labels'], ['return', 0x0f, 'none'], ['call', 0x10, 'func'],
  ['call_indirect', 0x11, 'indirect'], ['drop', 0x1a, 'none'], ['select', 0x1b, 'none'],
  ['local.get', 0x20, 'local'], ['local.set', 0x21, 'local'], ['local.tee', 0x22, 'local'],
  ['global.get', 0x23, 'global'], ['global.set', 0x24, 'global'],
  ['i32.load', 0x28, 'mem'], ['i64.load', 0x29, 'mem'],
  ['i32.load8_s', 0x2c, 'mem'], ['i32.load8_u', 0x2d, 'mem'], ['i32.load16_s', 0x2e, 'mem'], ['i32.load16_u', 0x2f, 'mem'],
  ['i64.load8_s', 0x30, 'mem'], ['i64.load8_u', 0x31, 'mem'], ['i64.load16_s', 0x32, 'mem'], ['i64.load16_u', 0x33, 'mem'],
  ['i64.load32_s', 0x34, 'mem'], ['i64.load32_u', 0x35, 'mem'],
  ['i32.store', 0x36, 'mem'], ['i64.store', 0x37, 'mem'], ['i32.store8', 0x3a, 'mem'], ['i32.store16', 0x3b, 'mem'],
  ['i64.store8', 0x3c, 'mem'], ['i64.store16', 0x3d, 'mem'], ['i64.store32', 0x3e, 'mem'],
  ['i32.const', 0x41, 'i32'], ['i64.const', 0x42, 'i64'],
  ['i32.eqz', 0x45, 'none'], ['i32.eq', 0x46, 'none'], ['i32.ne', 0x47, 'none'], ['i32.lt_s', 0x48, 'none'],
  ['i32.lt_u', 0x49, 'none'], ['i32.gt_s', 0x4a, 'none'], ['i32.gt_u', 0x4b, 'none'], ['i32.le_s', 0x4c, 'none'],
  ['i32.le_u', 0x4d, 'none'], ['i32.ge_s', 0x4e, 'none'], ['i32.ge_u', 0x4f, 'none'],
  ['i64.eqz', 0x50, 'none'], ['i64.eq', 0x51, 'none'], ['i64.ne', 0x52, 'none'], ['i64.lt_s', 0x53, 'none'],
  ['i64.lt_u', 0x54, 'none'], ['i64.gt_s', 0x55, 'none'], ['i64.gt_u', 0x56, 'none'], ['i64.le_s', 0x57, 'none'],
  ['i64.le_u', 0x58, 'none'], ['i64.ge_s', 0x59, 'none'], ['i64.ge_u', 0x5a, 'none'],
  ['i32.add', 0x6a, 'none'], ['i32.sub', 0x6b, 'none'], ['i32.mul', 0x6c, 'none'], ['i32.div_s', 0x6d, 'none'],
  ['i32.div_u', 0x6e, 'none'], ['i32.rem_s', 0x6f, 'none'], ['i32.rem_u', 0x70, 'none'], ['i32.and', 0x71, 'none'],
  ['i32.or', 0x72, 'none'], ['i32.xor', 0x73, 'none'], ['i32.shl', 0x74, 'none'], ['i32.shr_s', 0x75, 'none'],
  ['i32.shr_u', 0x76, 'none'], ['i32.rotl', 0x77, 'none'], ['i32.rotr', 0x78, 'none'],
  ['i64.add', 0x7c, 'none'], ['i64.sub', 0x7d, 'none'], ['i64.mul', 0x7e, 'none'], ['i64.div_s', 0x7f, 'none'],
  ['i64.div_u', 0x80, 'none'], ['i64.rem_s', 0x81, 'none'], ['i64.rem_u', 0x82, 'none'], ['i64.and', 0x83, 'none'],
  ['i64.or', 0x84, 'none'], ['i64.xor', 0x85, 'none'], ['i64.shl', 0x86, 'none'], ['i64.shr_s', 0x87, 'none'],
  ['i64.shr_u', 0x88, 'none'], ['i64.rotl', 0x89, 'none'], ['i64.rotr', 0x8a, 'none'],
  ['i32.wrap_i64', 0xa7, 'none'], ['i64.extend_i32_s', 0xac, 'none'], ['i64.extend_i32_u', 0xad, 'none'],
  ['i32.extend8_s', 0xc0, 'none'], ['i32.extend16_s', 0xc1, 'none'],
  ['i64.extend8_s', 0xc2, 'none'], ['i64.extend16_s', 0xc3, 'none'], ['i64.extend32_s', 0xc4, 'none'],
];

/** Opcodes of the 0xfc prefix (bulk memory). */
export const FC = { 'memory.copy': 10, 'memory.fill': 11 } as const;
export const FC_PREFIX = 0xfc;

type OpName = (typeof TABLE)[number][0];
const opEntries = TABLE.map(([n, c]) => [n.replace('.', '_'), c]);
/** Opcode bytes by name, `.` spelled `_` (OP.i64_add). */
export const OP = Object.fromEntries(opEntries) as Record<string, number> & {
  end: number; block: number; loop: number; if: number; else: number; br: number; br_if: number; return: number; call: number;
  call_indirect: number;
};

export interface OpInfo {
  name: OpName | string;
  imm: Imm;
}

/** Name and immediate kind by opcode byte (the printer's decoder). */
export const OP_INFO: (OpInfo | undefined)[] = [];
for (const [name, code, imm] of TABLE) OP_INFO[code] = { name, imm };

/** Natural alignment (log2) of each memory access, used in the memarg. */
export function alignOf(op: number): number {
  switch (op) {
    case OP.i64_load: case OP.i64_store: return 3;
    case OP.i32_load: case OP.i32_store: case OP.i64_load32_s: case OP.i64_load32_u: case OP.i64_store32: return 2;
    case OP.i32_load16_s: case OP.i32_load16_u: case OP.i64_load16_s: case OP.i64_load16_u: case OP.i32_store16: case OP.i64_store16: return 1;
    default: return 0;
  }
}
