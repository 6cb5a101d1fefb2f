/**
 * Just enough of ELF64 little-endian to test the disassembler against clang's objects: the code
 * sections and the symbols in them. No relocations: an lddw of a map keeps its zero immediate and a
 * cross-section call its -1, which is also what llvm-objdump shows.
 */

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  bytes: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  type: number; // STT_NOTYPE 0, STT_OBJECT 1, STT_FUNC 2, STT_SECTION 3, STT_FILE 4
  shndx: number;
}

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4;
const STT_NOTYPE = 0;
const STT_FUNC = 2;

function cString(b: Uint8Array, at: number): string {
  let end = at;
  while (end < b.length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(at, end));
}

export class Elf64 {
  readonly sections: ElfSection[] = [];
  readonly symbols: ElfSymbol[] = [];

  constructor(bytes: Uint8Array) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
      throw new Error('not a little-endian ELF64 file');
    }
    const shoff = Number(dv.getBigUint64(0x28, true));
    const shentsize = dv.getUint16(0x3a, true);
    const shnum = dv.getUint16(0x3c, true);
    const shstrndx = dv.getUint16(0x3e, true);
    const raw = Array.from({ length: shnum }, (_, i) => {
      const o = shoff + i * shentsize;
      const off = Number(dv.getBigUint64(o + 0x18, true));
      const size = Number(dv.getBigUint64(o + 0x20, true));
      return {
        nameOff: dv.getUint32(o, true),
        type: dv.getUint32(o + 4, true),
        flags: Number(dv.getBigUint64(o + 8, true)),
        link: dv.getUint32(o + 0x28, true),
        entsize: Number(dv.getBigUint64(o + 0x38, true)),
        bytes: bytes.subarray(off, off + size),
      };
    });
    const shstr = raw[shstrndx]!.bytes;
    raw.forEach((s, index) => {
      this.sections.push({ index, name: cString(shstr, s.nameOff), type: s.type, flags: s.flags, bytes: s.type === 8 ? new Uint8Array() : s.bytes });
    });
    const symtab = raw.find((s) => s.type === SHT_SYMTAB);
    if (symtab) {
      const strtab = raw[symtab.link]!.bytes;
      const sdv = new DataView(symtab.bytes.buffer, symtab.bytes.byteOffset, symtab.bytes.byteLength);
      for (let o = 0; o + 24 <= symtab.bytes.length; o += symtab.entsize || 24) {
        this.symbols.push({
          name: cString(strtab, sdv.getUint32(o, true)),
          type: sdv.getUint8(o + 4) & 0xf,
          shndx: sdv.getUint16(o + 6, true),
          value: Number(sdv.getBigUint64(o + 8, true)),
        });
      }
    }
  }

  /** Sections holding BPF code, in file order. */
  codeSections(): ElfSection[] {
    return this.sections.filter((s) => s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0 && s.bytes.length > 0);
  }

  /** Function and label symbols of a section by slot, as objdump uses them (functions first). */
  slotSymbols(section: ElfSection): Map<number, string> {
    const out = new Map<number, string>();
    const mine = this.symbols.filter((s) => s.shndx === section.index && s.name !== '' && (s.type === STT_FUNC || s.type === STT_NOTYPE));
    for (const s of [...mine.filter((s) => s.type === STT_FUNC), ...mine.filter((s) => s.type !== STT_FUNC)]) {
      if (s.value % 8 === 0 && !out.has(s.value / 8)) out.set(s.value / 8, s.name);
    }
    return out;
  }
}
