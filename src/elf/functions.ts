/**
 * The functions of a code section: one per function symbol, as libbpf 1.x splits a section into
 * programs by symbol. Each function is decoded on its own so an lddw cannot straddle two.
 */
import { BpfError } from '../errors.js';
import { decode, slotCount, type Insn } from '../isa/insn.js';
import { STB, STT, type ElfFile, type ElfSection, type ElfSymbol } from './elf64.js';

export interface CodeFunction {
  name: string;
  /** The symbol, or undefined for a section that has no function symbols (hand-written asm). */
  symbol: ElfSymbol | undefined;
  section: ElfSection;
  /** First slot within the section. */
  startSlot: number;
  /** Length in slots. */
  slots: number;
  insns: Insn[];
  /** Slot of each instruction, relative to the function start. */
  slotOf: number[];
  /** Relative slot -> instruction index, for slots where an instruction starts. */
  insnAt: Map<number, number>;
  /** STB_GLOBAL or STB_WEAK. */
  global: boolean;
}

/** The functions of one code section, sorted by start. */
export interface CodeSection {
  section: ElfSection;
  functions: CodeFunction[];
}

/** A BpfError whose message starts with the file name, as every loader error does. */
export function objError(file: string, where: string, why: string, code: 'EINVAL' | 'ENOEXEC' | 'ENOENT' | 'EOPNOTSUPP' | 'E2BIG' = 'EINVAL', insn?: number): BpfError {
  return new BpfError(code, `${file}: ${where}: ${why}`, insn === undefined ? { file } : { file, insn });
}

/** Symbols that start a function: STT_FUNC, or a global NOTYPE label (llvm-mc output without .type). */
function isFunctionSymbol(s: ElfSymbol, shndx: number): boolean {
  if (s.shndx !== shndx || s.index === 0) return false;
  if (s.type === STT.FUNC) return true;
  return s.type === STT.NOTYPE && s.bind !== STB.LOCAL && s.name !== '';
}

/** Find and decode the functions of a code section. `warn` collects the leniencies taken. */
export function readCodeSection(elf: ElfFile, sec: ElfSection, warn: (w: string) => void): CodeSection {
  const file = elf.file;
  const where = `sec '${sec.name}'`;
  if (sec.size % 8 !== 0) throw objError(file, where, `code size ${sec.size} is not a multiple of 8 bytes`);
  const totalSlots = sec.size / 8;
  // Symbols sorted by start; aliases (two symbols at one address) keep the first global one.
  const syms = elf.symbolsIn(sec.index).filter((s) => isFunctionSymbol(s, sec.index)).sort((a, b) => a.value - b.value || b.bind - a.bind);
  const starts: ElfSymbol[] = [];
  for (const s of syms) {
    if (starts.length > 0 && starts[starts.length - 1]!.value === s.value) continue;
    starts.push(s);
  }
  const functions: CodeFunction[] = [];
  if (starts.length === 0) {
    // No symbols at all: treat the whole section as one function named after the section.
    warn(`${where}: no function symbols; the whole section is one program named '${sec.name}'`);
    functions.push(decodeFunction(file, sec, sec.name, undefined, 0, totalSlots));
    return { section: sec, functions };
  }
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const what = `${where}: function '${s.name}'`;
    if (s.value % 8 !== 0) throw objError(file, what, `starts at byte ${s.value}, not on an instruction boundary`);
    if (s.value >= sec.size) throw objError(file, what, `starts at byte ${s.value}, past the end of the section (${sec.size} bytes)`);
    const nextStart = i + 1 < starts.length ? starts[i + 1]!.value : sec.size;
    let size = s.size;
    if (size === 0) {
      // libbpf refuses size-0 programs; assembler output often has no .size, so take up to the next symbol.
      size = nextStart - s.value;
      warn(`${what}: symbol has no size; taking ${size / 8} instructions up to the next function or the section end`);
    }
    if (size % 8 !== 0) throw objError(file, what, `size ${size} is not a multiple of 8 bytes`);
    if (s.value + size > sec.size) {
      throw objError(file, what, `bytes ${s.value}..${s.value + size} cross the end of the section (${sec.size} bytes)`);
    }
    if (s.value + size > nextStart) {
      throw objError(file, what, `bytes ${s.value}..${s.value + size} overlap the next function '${starts[i + 1]!.name}' at ${nextStart}`);
    }
    functions.push(decodeFunction(file, sec, s.name, s, s.value / 8, size / 8));
  }
  return { section: sec, functions };
}

function decodeFunction(file: string, sec: ElfSection, name: string, symbol: ElfSymbol | undefined, startSlot: number, slots: number): CodeFunction {
  let insns: Insn[];
  try {
    insns = decode(sec.data.subarray(startSlot * 8, (startSlot + slots) * 8));
  } catch (e) {
    if (e instanceof BpfError) {
      const slot = e.place.insn;
      throw new BpfError(e.code, `${file}: sec '${sec.name}': function '${name}': ${e.message}`, slot === undefined ? { file } : { file, insn: slot });
    }
    throw e;
  }
  const slotOf: number[] = [];
  const insnAt = new Map<number, number>();
  let s = 0;
  insns.forEach((insn, i) => {
    slotOf.push(s);
    insnAt.set(s, i);
    s += slotCount(insn);
  });
  return {
    name, symbol, section: sec, startSlot, slots, insns, slotOf, insnAt,
    global: symbol === undefined || symbol.bind !== STB.LOCAL,
  };
}

/** The function whose slots contain `slot` (a section slot), or undefined. */
export function functionAt(cs: CodeSection, slot: number): CodeFunction | undefined {
  let lo = 0;
  let hi = cs.functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = cs.functions[mid]!;
    if (slot < f.startSlot) hi = mid - 1;
    else if (slot >= f.startSlot + f.slots) lo = mid + 1;
    else return f;
  }
  return undefined;
}
