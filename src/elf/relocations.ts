/**
 * The relocations of code sections, read once and resolved to what they mean to BPF: a map, a
 * place in global data, a bpf-to-bpf call target or a function address (a callback for bpf_loop
 * and friends). Linking (link.ts) then rewrites the instructions of each program.
 *
 * How clang 14 encodes the references it leaves for the loader:
 *  - map:       lddw imm 0, R_BPF_64_64 against the map's symbol in .maps (or legacy maps).
 *  - data:      lddw imm = offset, R_BPF_64_64 against the data section's symbol (static or
 *               string data) or against the variable's own symbol (imm 0, st_value = offset).
 *  - call:      call src=1, R_BPF_64_32. Static callee: against the section symbol with
 *               imm = callee slot - 1; global callee: against its own symbol with imm = -1. Both are
 *               target = st_value/8 + imm + 1. A call inside one section carries no relocation and
 *               is simply relative (target = slot + imm + 1).
 *  - callback:  lddw, R_BPF_64_64 against the code section symbol with imm = byte offset of the
 *               callee (static), or against the callee's symbol with imm 0 (global).
 */
import { CALL_CODE, CALL_KIND, LDDW_CODE } from '../isa/opcodes.js';
import { R_BPF_NAMES, SHN, STT, type ElfFile, type ElfSymbol } from './elf64.js';
import { functionAt, objError, type CodeSection } from './functions.js';

export type CodeReloc =
  | { kind: 'map'; symbol: string; mapIndex: number }
  | { kind: 'data'; symbol: string; mapIndex: number; symOffset: number }
  | { kind: 'call'; symbol: string; targetSection: number; targetSlot: number }
  | { kind: 'func_addr'; symbol: string; targetSection: number; targetSlot: number };

/** Where maps are, so a relocation's symbol can be turned into a map index. */
export interface MapLocator {
  /** A map defined at (section, offset): BTF-defined (.maps) or legacy (maps). */
  mapAt(shndx: number, offset: number): number | undefined;
  /** True for the sections that hold map definitions. */
  isMapSection(shndx: number): boolean;
  /** The global-data map of a section (.data, .rodata*, .bss*). */
  dataMapOf(shndx: number): number | undefined;
}

/** Relocations of one code section, keyed by the section slot of the instruction they apply to. */
export type SectionRelocs = Map<number, CodeReloc>;

function symbolName(elf: ElfFile, sym: ElfSymbol): string {
  // Relocations against static functions and data use the section symbol, which has no name.
  if (sym.type === STT.SECTION && sym.name === '') return elf.section(sym.shndx)?.name ?? `section ${sym.shndx}`;
  return sym.name || `symbol #${sym.index}`;
}

export function collectCodeRelocs(
  elf: ElfFile,
  cs: CodeSection,
  codeSections: ReadonlyMap<number, CodeSection>,
  maps: MapLocator,
  warn: (w: string) => void,
): SectionRelocs {
  const file = elf.file;
  const sec = cs.section;
  const out: SectionRelocs = new Map();
  for (const relSec of elf.relocationSectionsFor(sec)) {
    const where = `sec '${relSec.name}'`;
    if (relSec.type !== 9 /* SHT_REL */) {
      throw objError(file, where, `RELA relocations are not used by the BPF target; only SHT_REL is understood`);
    }
    elf.relocations(relSec).forEach((rel, i) => {
      const sym = elf.symbols[rel.symbol]!;
      const name = symbolName(elf, sym);
      const relWhere = `${where}: relocation #${i} against '${name}'`;
      if (rel.offset % 8 !== 0 || rel.offset >= sec.size) {
        throw objError(file, relWhere, `offset ${rel.offset} is not an instruction of section '${sec.name}' (${sec.size} bytes)`);
      }
      const slot = rel.offset / 8;
      const fn = functionAt(cs, slot);
      if (!fn) {
        // libbpf skips these too: typically code of an overridden weak function.
        warn(`${relWhere}: insn ${slot} is in no function of '${sec.name}'; ignored`);
        return;
      }
      const idx = fn.insnAt.get(slot - fn.startSlot);
      const at = `${relWhere}: insn ${slot - fn.startSlot} of '${fn.name}'`;
      if (idx === undefined) throw objError(file, at, `is the second half of an lddw`, 'EINVAL', slot - fn.startSlot);
      const insn = fn.insns[idx]!;
      if (insn.code !== LDDW_CODE && insn.code !== CALL_CODE) {
        throw objError(file, at, `opcode 0x${insn.code.toString(16).padStart(2, '0')} is not an lddw or a call (${R_BPF_NAMES[rel.type] ?? `type ${rel.type}`})`, 'EINVAL', slot - fn.startSlot);
      }
      out.set(slot, resolve(elf, insn.code === CALL_CODE, insn.imm, insn.src, sym, name, at, slot - fn.startSlot, codeSections, maps));
    });
  }
  return out;
}

function resolve(
  elf: ElfFile, isCall: boolean, imm: number, src: number, sym: ElfSymbol, name: string, at: string, insnIdx: number,
  codeSections: ReadonlyMap<number, CodeSection>, maps: MapLocator,
): CodeReloc {
  const file = elf.file;
  const err = (why: string, code: 'EINVAL' | 'EOPNOTSUPP' = 'EINVAL') => objError(file, at, why, code, insnIdx);
  if (sym.shndx === SHN.UNDEF) {
    // Externs: kfuncs (call), __ksym and __kconfig variables (lddw). Not resolved by tsbpf yet.
    throw err(`'${name}' is an undefined (extern) symbol: ${isCall ? 'kfunc calls' : '__ksym/__kconfig externs'} are not supported by tsbpf's loader`, 'EOPNOTSUPP');
  }
  if (sym.shndx >= SHN.LORESERVE) {
    throw err(`'${name}' is in special section 0x${sym.shndx.toString(16)}${sym.shndx === SHN.COMMON ? ' (a common symbol: initialise the global variable or compile with -fno-common)' : ''}`);
  }
  const target = elf.section(sym.shndx)!;
  if (isCall) {
    if (src !== CALL_KIND.LOCAL) throw err(`a relocated call must be a bpf-to-bpf call (src 1), not src ${src}`);
    if (!codeSections.has(sym.shndx)) throw err(`call target '${name}' is in section '${target.name}', which holds no code`);
    if (sym.value % 8 !== 0) throw err(`call target '${name}' at byte ${sym.value} is not on an instruction boundary`);
    return { kind: 'call', symbol: name, targetSection: sym.shndx, targetSlot: sym.value / 8 + imm + 1 };
  }
  if (codeSections.has(sym.shndx)) {
    if (sym.value % 8 !== 0 || imm % 8 !== 0) {
      throw err(`function address '${name}' at byte ${sym.value}+${imm} is not on an instruction boundary`);
    }
    return { kind: 'func_addr', symbol: name, targetSection: sym.shndx, targetSlot: (sym.value + imm) / 8 };
  }
  if (maps.isMapSection(sym.shndx)) {
    const mapIndex = maps.mapAt(sym.shndx, sym.value);
    if (mapIndex === undefined) throw err(`no map is defined at offset ${sym.value} of section '${target.name}'`);
    return { kind: 'map', symbol: name, mapIndex };
  }
  const mapIndex = maps.dataMapOf(sym.shndx);
  if (mapIndex === undefined) {
    throw err(`'${name}' is in section '${target.name}', which is neither code, maps nor global data (.data*, .rodata*, .bss*)`);
  }
  return { kind: 'data', symbol: name, mapIndex, symOffset: sym.value };
}
