/**
 * The least ELF64 (little-endian) needed by the BTF tests: a section's bytes by name, and the
 * symbols of the symbol table. The project's real reader lives in src/elf; the BTF tests do not
 * depend on it so the two can be written (and break) independently.
 */
export interface TestElfSymbol {
  name: string;
  value: number;
  size: number;
  shndx: number;
  type: number;
}

export class TestElf {
  readonly sections = new Map<string, { index: number; type: number; bytes: Uint8Array }>();
  readonly sectionNames: string[] = [];
  readonly symbols: TestElfSymbol[] = [];

  constructor(readonly bytes: Uint8Array) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) throw new Error('not a little-endian ELF64 file');
    const shoff = Number(dv.getBigUint64(0x28, true));
    const shentsize = dv.getUint16(0x3a, true);
    const shnum = dv.getUint16(0x3c, true);
    const shstrndx = dv.getUint16(0x3e, true);
    const raw = Array.from({ length: shnum }, (_, i) => {
      const o = shoff + i * shentsize;
      const type = dv.getUint32(o + 4, true);
      const off = Number(dv.getBigUint64(o + 0x18, true));
      const size = Number(dv.getBigUint64(o + 0x20, true));
      return { nameOff: dv.getUint32(o, true), type, link: dv.getUint32(o + 0x28, true), bytes: type === 8 ? new Uint8Array(size) : bytes.subarray(off, off + size) };
    });
    const cstr = (b: Uint8Array, at: number): string => {
      let e = at;
      while (e < b.length && b[e] !== 0) e++;
      return new TextDecoder().decode(b.subarray(at, e));
    };
    const shstr = raw[shstrndx]!.bytes;
    raw.forEach((s, index) => {
      const name = cstr(shstr, s.nameOff);
      this.sectionNames[index] = name;
      this.sections.set(name, { index, type: s.type, bytes: s.bytes });
    });
    const symtab = raw.find((s) => s.type === 2);
    if (symtab) {
      const strtab = raw[symtab.link]!.bytes;
      const sdv = new DataView(symtab.bytes.buffer, symtab.bytes.byteOffset, symtab.bytes.byteLength);
      for (let o = 0; o + 24 <= symtab.bytes.length; o += 24) {
        this.symbols.push({
          name: cstr(strtab, sdv.getUint32(o, true)),
          type: sdv.getUint8(o + 4) & 0xf,
          shndx: sdv.getUint16(o + 6, true),
          value: Number(sdv.getBigUint64(o + 8, true)),
          size: Number(sdv.getBigUint64(o + 16, true)),
        });
      }
    }
  }

  section(name: string): Uint8Array {
    const s = this.sections.get(name);
    if (!s) throw new Error(`no section ${name}`);
    return s.bytes;
  }
}
