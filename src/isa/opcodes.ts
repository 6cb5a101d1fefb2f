/**
 * The one table of the eBPF instruction set (RFC 9669, with the v4 additions). Decoding, encoding,
 * both assembly syntaxes, the disassembler, the interpreter and later the verifier and the JIT all
 * read the opcode space from here, so an instruction is described in exactly one place.
 */

export const CLASS = { LD: 0, LDX: 1, ST: 2, STX: 3, ALU: 4, JMP: 5, JMP32: 6, ALU64: 7 } as const;
export const SRC = { K: 0x00, X: 0x08 } as const;
export const SIZE = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

export const cls = (code: number): number => code & 0x07;
export const opOf = (code: number): number => code & 0xf0;
export const srcOf = (code: number): number => code & 0x08;
export const sizeOf = (code: number): number => code & 0x18;
export const modeOf = (code: number): number => code & 0xe0;

/** Width in bytes of each memory size code. */
export const SIZE_BYTES: Record<number, 1 | 2 | 4 | 8> = { [SIZE.W]: 4, [SIZE.H]: 2, [SIZE.B]: 1, [SIZE.DW]: 8 };
export const BYTES_SIZE: Record<number, number> = { 1: SIZE.B, 2: SIZE.H, 4: SIZE.W, 8: SIZE.DW };
/** The C type names used by the kernel/LLVM syntax for each width. */
export const SIZE_CTYPE: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };
/** The uBPF mnemonic suffix for each width. */
export const SIZE_SUFFIX: Record<number, string> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };

export const ALU = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;

export const JMP = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0,
} as const;

/**
 * One ALU operation as it is spelled and numbered. `off` distinguishes the v4 variants that share an
 * opcode (sdiv/smod use offset 1, movsx uses the source width in bits).
 */
export interface AluOpInfo {
  readonly op: number;
  readonly off: number;
  /** uBPF mnemonic stem (`add`, `sdiv`, `movsx8`). */
  readonly name: string;
  /** Operator of the kernel/LLVM syntax (`+=`, `s/=`), empty for unary and special forms. */
  readonly kernelOp: string;
  /** True for ops whose operands are read as signed. */
  readonly signed: boolean;
}

export const ALU_OPS: readonly AluOpInfo[] = [
  { op: ALU.ADD, off: 0, name: 'add', kernelOp: '+=', signed: false },
  { op: ALU.SUB, off: 0, name: 'sub', kernelOp: '-=', signed: false },
  { op: ALU.MUL, off: 0, name: 'mul', kernelOp: '*=', signed: false },
  { op: ALU.DIV, off: 0, name: 'div', kernelOp: '/=', signed: false },
  { op: ALU.DIV, off: 1, name: 'sdiv', kernelOp: 's/=', signed: true },
  { op: ALU.OR, off: 0, name: 'or', kernelOp: '|=', signed: false },
  { op: ALU.AND, off: 0, name: 'and', kernelOp: '&=', signed: false },
  { op: ALU.LSH, off: 0, name: 'lsh', kernelOp: '<<=', signed: false },
  { op: ALU.RSH, off: 0, name: 'rsh', kernelOp: '>>=', signed: false },
  { op: ALU.NEG, off: 0, name: 'neg', kernelOp: '', signed: false },
  { op: ALU.MOD, off: 0, name: 'mod', kernelOp: '%=', signed: false },
  { op: ALU.MOD, off: 1, name: 'smod', kernelOp: 's%=', signed: true },
  { op: ALU.XOR, off: 0, name: 'xor', kernelOp: '^=', signed: false },
  { op: ALU.MOV, off: 0, name: 'mov', kernelOp: '=', signed: false },
  { op: ALU.MOV, off: 8, name: 'movsx8', kernelOp: '=', signed: true },
  { op: ALU.MOV, off: 16, name: 'movsx16', kernelOp: '=', signed: true },
  { op: ALU.MOV, off: 32, name: 'movsx32', kernelOp: '=', signed: true },
  { op: ALU.ARSH, off: 0, name: 'arsh', kernelOp: 's>>=', signed: true },
];

export function findAluOp(op: number, off: number): AluOpInfo | undefined {
  return ALU_OPS.find((a) => a.op === op && a.off === off);
}

/** Byte-order operations: class ALU with SRC bit = le/be, class ALU64 with SRC K = bswap. */
export const END_WIDTHS = [16, 32, 64] as const;

/** A conditional jump: its uBPF stem and kernel operator. */
export interface JmpCondInfo {
  readonly op: number;
  readonly name: string;
  readonly kernelOp: string;
  readonly signed: boolean;
}

export const JMP_CONDS: readonly JmpCondInfo[] = [
  { op: JMP.JEQ, name: 'jeq', kernelOp: '==', signed: false },
  { op: JMP.JGT, name: 'jgt', kernelOp: '>', signed: false },
  { op: JMP.JGE, name: 'jge', kernelOp: '>=', signed: false },
  { op: JMP.JSET, name: 'jset', kernelOp: '&', signed: false },
  { op: JMP.JNE, name: 'jne', kernelOp: '!=', signed: false },
  { op: JMP.JSGT, name: 'jsgt', kernelOp: 's>', signed: true },
  { op: JMP.JSGE, name: 'jsge', kernelOp: 's>=', signed: true },
  { op: JMP.JLT, name: 'jlt', kernelOp: '<', signed: false },
  { op: JMP.JLE, name: 'jle', kernelOp: '<=', signed: false },
  { op: JMP.JSLT, name: 'jslt', kernelOp: 's<', signed: true },
  { op: JMP.JSLE, name: 'jsle', kernelOp: 's<=', signed: true },
];

export function findJmpCond(op: number): JmpCondInfo | undefined {
  return JMP_CONDS.find((j) => j.op === op);
}

/** Atomic operations, carried in the imm field of STX|ATOMIC. */
export const ATOMIC = {
  ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe1, CMPXCHG: 0xf1,
} as const;

export interface AtomicOpInfo {
  readonly imm: number;
  /** uBPF spelling after `lock` (`fetch add`, `xchg`, `cmpxchg`). */
  readonly name: string;
  /** For the read-modify-write ops: the kernel operator (`+=`) and fetch function stem (`add`). */
  readonly kernelOp: string;
  readonly fetchName: string;
  readonly fetch: boolean;
}

export const ATOMIC_OPS: readonly AtomicOpInfo[] = [
  { imm: ATOMIC.ADD, name: 'add', kernelOp: '+=', fetchName: 'add', fetch: false },
  { imm: ATOMIC.OR, name: 'or', kernelOp: '|=', fetchName: 'or', fetch: false },
  { imm: ATOMIC.AND, name: 'and', kernelOp: '&=', fetchName: 'and', fetch: false },
  { imm: ATOMIC.XOR, name: 'xor', kernelOp: '^=', fetchName: 'xor', fetch: false },
  { imm: ATOMIC.ADD | ATOMIC.FETCH, name: 'fetch add', kernelOp: '+=', fetchName: 'add', fetch: true },
  { imm: ATOMIC.OR | ATOMIC.FETCH, name: 'fetch or', kernelOp: '|=', fetchName: 'or', fetch: true },
  { imm: ATOMIC.AND | ATOMIC.FETCH, name: 'fetch and', kernelOp: '&=', fetchName: 'and', fetch: true },
  { imm: ATOMIC.XOR | ATOMIC.FETCH, name: 'fetch xor', kernelOp: '^=', fetchName: 'xor', fetch: true },
  { imm: ATOMIC.XCHG, name: 'xchg', kernelOp: '', fetchName: 'xchg', fetch: true },
  { imm: ATOMIC.CMPXCHG, name: 'cmpxchg', kernelOp: '', fetchName: 'cmpxchg', fetch: true },
];

export function findAtomicOp(imm: number): AtomicOpInfo | undefined {
  return ATOMIC_OPS.find((a) => a.imm === imm);
}

/** src_reg values of the 16-byte lddw: what the 64-bit immediate means to the loader. */
export const PSEUDO = {
  IMM64: 0,
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
} as const;

export const PSEUDO_NAMES: Record<number, string> = {
  0: 'imm64', 1: 'map_fd', 2: 'map_value', 3: 'btf_id', 4: 'func', 5: 'map_idx', 6: 'map_idx_value',
};

/** src_reg values of CALL. */
export const CALL_KIND = { HELPER: 0, LOCAL: 1, KFUNC: 2 } as const;

export const LDDW_CODE = CLASS.LD | MODE.IMM | SIZE.DW; // 0x18
export const EXIT_CODE = CLASS.JMP | JMP.EXIT; // 0x95
export const CALL_CODE = CLASS.JMP | JMP.CALL; // 0x85

export const MAX_REG = 10;
export const FRAME_POINTER = 10;
