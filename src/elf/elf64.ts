/**
 * A bounds-checked reader for 64-bit little-endian ELF relocatable objects of machine EM_BPF, the
 * files `clang -target bpf -c` writes. It knows the generic ELF structures only (header, section
 * headers, string tables, the symbol table, REL relocations); what the sections mean to BPF is
 * object.ts's business.
 *
 * Every offset and size read from the file is checked before use: a corrupt or truncated file
 * becomes a BpfError (ENOEXEC: "this is not a BPF object"; EINVAL: "this object is damaged") whose
 * message names the file, the section or symbol and the reason. Every loop is bounded by a count
 * that was checked against the file size, so hostile input cannot make the reader hang.
 */
import { BpfError } from '../errors.js';

export const EM_BPF = 247;
export const ET_REL = 1;

/** Section header types (sh_type) the BPF loader cares about. */
export const SHT = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9, SYMTAB_SHNDX: 18,
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** Section flags (sh_flags). */
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;

/** Symbol types and bindings (the two halves of st_info). */
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
/** Symbol visibility (st_other & 3). */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;

/** Special section indices. */
export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

/** Relocation types of the BPF backend (llvm/BinaryFormat/ELFRelocs/BPF.def). */
export const R_BPF = {
  NONE: 0, R_64_64: 1, R_64_ABS64: 2, R_64_ABS32: 3, R_64_NODYLD32: 4, R_64_32: 10,
} as const;

export const R_BPF_NAMES: Record<number, string> = {
  0: 'R_BPF_NONE', 1: 'R_BPF_64_64', 2: 'R_BPF_64_ABS64', 3: 'R_BPF_64_ABS32', 4: 'R_BPF_64_NODYLD32',
  10: 'R_BPF_64_32',
};

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;

export interface ElfHeader {
  type: number;
  machine: number;
  version: number;
  flags: number;
  shoff: number;
  shentsize: number;
  /** The real section count (from section 0 when e_shnum overflowed). */
  shnum: number;
  /** The real index of the section-name table (from section 0 when e_shstrndx is SHN_XINDEX). */
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  /** Logical size; for SHT_NOBITS the size in memory, with no bytes in the file. */
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** The section's bytes (empty for SHT_NOBITS and SHT_NULL); a view into the file. */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  /** Section index, with SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX. */
  shndx: number;
}

export interface ElfRel {
  offset: number;
  symbol: number;
  type: number;
  /** Only for SHT_RELA. */
  addend?: bigint;
}

function sectionTypeName(t: number): string {
  const e = Object.entries(SHT).find(([, v]) => v === t);
  return e ? `SHT_${e[0]}` : `type 0x${t.toString(16)}`;
}

/** A parsed ELF file. Sections and symbols are read eagerly; relocations on request. */
export class ElfFile {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  /** The symbol table (index 0 is the null symbol), or empty when the file has none. */
  readonly symbols: readonly ElfSymbol[];
  readonly symtab: ElfSection | undefined;

  constructor(bytes: Uint8Array, file = '<memory>') {
    this.file = file;
    this.bytes = bytes;
    const r = new Reader(bytes, file);
    this.header = readHeader(r);
    this.sections = readSections(r, this.header);
    const symtabs = this.sections.filter((s) => s.type === SHT.SYMTAB);
    if (symtabs.length > 1) throw r.bad('EINVAL', `has ${symtabs.length} symbol tables; an object has at most one`);
    this.symtab = symtabs[0];
    this.symbols = this.symtab ? readSymbols(r, this.sections, this.symtab) : [];
  }

  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  section(index: number): ElfSection | undefined {
    return index >= 0 && index < this.sections.length ? this.sections[index] : undefined;
  }

  private relocIndex: Map<number, ElfSection[]> | undefined;
  private symbolIndex: Map<number, ElfSymbol[]> | undefined;

  /** The REL (or RELA) sections that apply to `target`, in file order. */
  relocationSectionsFor(target: ElfSection): ElfSection[] {
    if (!this.relocIndex) {
      this.relocIndex = new Map();
      for (const s of this.sections) {
        if (s.type !== SHT.REL && s.type !== SHT.RELA) continue;
        const list = this.relocIndex.get(s.info);
        if (list) list.push(s);
        else this.relocIndex.set(s.info, [s]);
      }
    }
    return this.relocIndex.get(target.index) ?? [];
  }

  /** The symbols defined in section `shndx`, in symbol-table order (indexed once: objects can be large). */
  symbolsIn(shndx: number): readonly ElfSymbol[] {
    if (!this.symbolIndex) {
      this.symbolIndex = new Map();
      for (const s of this.symbols) {
        const list = this.symbolIndex.get(s.shndx);
        if (list) list.push(s);
        else this.symbolIndex.set(s.shndx, [s]);
      }
    }
    return this.symbolIndex.get(shndx) ?? [];
  }

  /** The entries of one SHT_REL or SHT_RELA section; symbol indices are checked against the symbol table. */
  relocations(relSec: ElfSection): ElfRel[] {
    const r = new Reader(this.bytes, this.file);
    const isRela = relSec.type === SHT.RELA;
    const entSize = isRela ? RELA_SIZE : REL_SIZE;
    const where = `section '${relSec.name}'`;
    if (relSec.type !== SHT.REL && !isRela) throw r.bad('EINVAL', `${where} is ${sectionTypeName(relSec.type)}, not a relocation section`);
    if (relSec.entsize !== entSize) {
      throw r.bad('EINVAL', `${where}: entry size ${relSec.entsize} is not ${entSize} (Elf64_${isRela ? 'Rela' : 'Rel'})`);
    }
    if (relSec.size % entSize !== 0) throw r.bad('EINVAL', `${where}: size ${relSec.size} is not a multiple of ${entSize}`);
    if (this.symtab === undefined) throw r.bad('EINVAL', `${where} has relocations but the object has no symbol table`);
    if (relSec.link !== this.symtab.index) {
      throw r.bad('EINVAL', `${where}: sh_link ${relSec.link} is not the symbol table (section ${this.symtab.index})`);
    }
    const n = relSec.size / entSize;
    const out: ElfRel[] = [];
    const dv = new DataView(relSec.data.buffer, relSec.data.byteOffset, relSec.data.byteLength);
    for (let i = 0; i < n; i++) {
      const o = i * entSize;
      const offset = r.safeNumber(dv.getBigUint64(o, true), `${where} entry ${i}: r_offset`);
      const info = dv.getBigUint64(o + 8, true);
      const symbol = Number(info >> 32n);
      const type = Number(info & 0xffffffffn);
      if (symbol >= this.symbols.length) {
        throw r.bad('EINVAL', `${where} entry ${i}: symbol index ${symbol} is outside the symbol table (${this.symbols.length} symbols)`);
      }
      const rel: ElfRel = { offset, symbol, type };
      if (isRela) rel.addend = dv.getBigInt64(o + 16, true);
      out.push(rel);
    }
    return out;
  }
}

/** Parse an ELF64 little-endian EM_BPF relocatable object. */
export function readElf64(bytes: Uint8Array, file?: string): ElfFile {
  return new ElfFile(bytes, file);
}

/** Bounds-checked little-endian access to the whole file, with errors that name it. */
class Reader {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly file: string) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  bad(code: 'EINVAL' | 'ENOEXEC', why: string): BpfError {
    return new BpfError(code, `${this.file}: ${why}`, { file: this.file });
  }

  /** A u64 field as a Number, refused when it cannot be an offset or size in any real file. */
  safeNumber(v: bigint, what: string): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.bad('EINVAL', `${what} 0x${v.toString(16)} is too large`);
    return Number(v);
  }

  /** Check that [off, off+len) lies inside the file. */
  range(off: number, len: number, what: string): void {
    if (off < 0 || len < 0 || off + len > this.bytes.length) {
      throw this.bad('EINVAL', `${what} (bytes ${off}..${off + len}) lies outside the file (${this.bytes.length} bytes): truncated or corrupt`);
    }
  }
}

function readHeader(r: Reader): ElfHeader {
  const b = r.bytes;
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw r.bad('ENOEXEC', 'not an ELF file (no \\x7fELF magic)');
  }
  if (b.length < EHDR_SIZE) throw r.bad('ENOEXEC', `truncated ELF header: ${b.length} bytes, need ${EHDR_SIZE}`);
  if (b[4] !== 2) throw r.bad('ENOEXEC', `not a 64-bit ELF file (EI_CLASS ${b[4]}, want ELFCLASS64 = 2): BPF objects are ELF64`);
  if (b[5] === 2) {
    throw r.bad('ENOEXEC', 'big-endian BPF object (ELFDATA2MSB, as `clang -target bpfeb` writes): tsbpf loads little-endian objects only; compile with -target bpf or bpfel');
  }
  if (b[5] !== 1) throw r.bad('ENOEXEC', `unknown ELF data encoding EI_DATA ${b[5]} (want ELFDATA2LSB = 1)`);
  if (b[6] !== 1) throw r.bad('ENOEXEC', `unknown ELF version EI_VERSION ${b[6]} (want 1)`);
  const dv = r.dv;
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_BPF) throw r.bad('ENOEXEC', `e_machine is ${machine}, not EM_BPF (247): not a BPF object`);
  if (type !== ET_REL) {
    throw r.bad('ENOEXEC', `e_type is ${type}, not ET_REL (1): a BPF object must be a relocatable file (clang -c)`);
  }
  const version = dv.getUint32(20, true);
  const shoff = r.safeNumber(dv.getBigUint64(40, true), 'e_shoff');
  const flags = dv.getUint32(48, true);
  const ehsize = dv.getUint16(52, true);
  if (ehsize < EHDR_SIZE) throw r.bad('EINVAL', `e_ehsize ${ehsize} is smaller than an ELF64 header (${EHDR_SIZE})`);
  const shentsize = dv.getUint16(58, true);
  let shnum = dv.getUint16(60, true);
  let shstrndx = dv.getUint16(62, true);
  if (shoff === 0) {
    return { type, machine, version, flags, shoff, shentsize, shnum: 0, shstrndx: 0 };
  }
  if (shentsize !== SHDR_SIZE) throw r.bad('EINVAL', `e_shentsize ${shentsize} is not ${SHDR_SIZE} (Elf64_Shdr)`);
  r.range(shoff, SHDR_SIZE, 'section header 0');
  // Extended numbering: more than 0xff00 sections put the real counts into section header 0.
  if (shnum === 0) shnum = r.safeNumber(dv.getBigUint64(shoff + 32, true), 'section count (sh_size of section 0)');
  if (shstrndx === SHN.XINDEX) shstrndx = dv.getUint32(shoff + 40, true);
  r.range(shoff, shnum * SHDR_SIZE, `section header table of ${shnum} entries`);
  if (shstrndx >= shnum) throw r.bad('EINVAL', `e_shstrndx ${shstrndx} is not a section (${shnum} sections)`);
  return { type, machine, version, flags, shoff, shentsize, shnum, shstrndx };
}

/** A NUL-terminated string at `off` inside a string table section. */
function stringAt(r: Reader, strtab: ElfSection, off: number, what: string): string {
  if (off >= strtab.data.length) {
    if (off === 0) return ''; // an empty string table is fine when nothing has a name
    throw r.bad('EINVAL', `${what}: name offset ${off} is outside string table '${strtab.name || strtab.index}' (${strtab.data.length} bytes)`);
  }
  const end = strtab.data.indexOf(0, off);
  if (end < 0) throw r.bad('EINVAL', `${what}: name at offset ${off} of string table '${strtab.name || strtab.index}' is not NUL-terminated`);
  return decodeName(strtab.data.subarray(off, end));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
function decodeName(b: Uint8Array): string {
  return utf8.decode(b);
}

function readSections(r: Reader, h: ElfHeader): ElfSection[] {
  const dv = r.dv;
  const raw: (ElfSection & { nameOff: number })[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const o = h.shoff + i * SHDR_SIZE;
    const where = `section header ${i}`;
    const type = dv.getUint32(o + 4, true);
    const flags = r.safeNumber(dv.getBigUint64(o + 8, true), `${where}: sh_flags`);
    const offset = r.safeNumber(dv.getBigUint64(o + 24, true), `${where}: sh_offset`);
    const size = r.safeNumber(dv.getBigUint64(o + 32, true), `${where}: sh_size`);
    const link = dv.getUint32(o + 40, true);
    const info = dv.getUint32(o + 44, true);
    const addralign = r.safeNumber(dv.getBigUint64(o + 48, true), `${where}: sh_addralign`);
    const entsize = r.safeNumber(dv.getBigUint64(o + 56, true), `${where}: sh_entsize`);
    let data: Uint8Array = new Uint8Array(0);
    // Section 0 stores the extended counts in its size/link fields; it has no contents.
    if (i !== 0 && type !== SHT.NOBITS && type !== SHT.NULL) {
      r.range(offset, size, `${where} contents`);
      data = r.bytes.subarray(offset, offset + size);
    }
    raw.push({ index: i, name: '', nameOff: dv.getUint32(o, true), type, flags, offset, size, link, info, addralign, entsize, data });
  }
  if (raw.length === 0) return [];
  const shstr = raw[h.shstrndx]!;
  if (shstr.type !== SHT.STRTAB) {
    throw r.bad('EINVAL', `section-name table (section ${h.shstrndx}) is ${sectionTypeName(shstr.type)}, not SHT_STRTAB`);
  }
  return raw.map(({ nameOff, ...s }) => ({ ...s, name: stringAt(r, shstr, nameOff, `section ${s.index}`) }));
}

function readSymbols(r: Reader, sections: readonly ElfSection[], symtab: ElfSection): ElfSymbol[] {
  const where = `symbol table '${symtab.name}'`;
  if (symtab.entsize !== SYM_SIZE) throw r.bad('EINVAL', `${where}: entry size ${symtab.entsize} is not ${SYM_SIZE} (Elf64_Sym)`);
  if (symtab.size % SYM_SIZE !== 0) throw r.bad('EINVAL', `${where}: size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  const strtab = sections[symtab.link];
  if (!strtab || symtab.link === 0 || strtab.type !== SHT.STRTAB) {
    throw r.bad('EINVAL', `${where}: sh_link ${symtab.link} is not a string table`);
  }
  // Symbols whose section index does not fit 16 bits keep it in an SHT_SYMTAB_SHNDX section.
  const xindex = sections.find((s) => s.type === SHT.SYMTAB_SHNDX && s.link === symtab.index);
  const n = symtab.size / SYM_SIZE;
  const dv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out: ElfSymbol[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * SYM_SIZE;
    const name = stringAt(r, strtab, dv.getUint32(o, true), `symbol ${i}`);
    const what = `symbol ${i} '${name}'`;
    const stInfo = dv.getUint8(o + 4);
    const other = dv.getUint8(o + 5);
    let shndx = dv.getUint16(o + 6, true);
    const special = shndx >= SHN.LORESERVE && shndx !== SHN.XINDEX;
    if (shndx === SHN.XINDEX) {
      if (!xindex || xindex.data.length < (i + 1) * 4) {
        throw r.bad('EINVAL', `${what}: section index is SHN_XINDEX but there is no SHT_SYMTAB_SHNDX entry for it`);
      }
      shndx = new DataView(xindex.data.buffer, xindex.data.byteOffset, xindex.data.byteLength).getUint32(i * 4, true);
    }
    if (!special && shndx >= sections.length) {
      throw r.bad('EINVAL', `${what}: section index ${shndx} does not exist (${sections.length} sections)`);
    }
    out.push({
      index: i,
      name,
      value: r.safeNumber(dv.getBigUint64(o + 8, true), `${what}: st_value`),
      size: r.safeNumber(dv.getBigUint64(o + 16, true), `${what}: st_size`),
      type: stInfo & 0xf,
      bind: stInfo >> 4,
      visibility: other & 3,
      shndx,
    });
  }
  return out;
}
