/**
 * Just enough of a host executable or shared library (ELF64, little-endian) to place probes in it:
 * program headers (to turn a virtual address into a file offset, which is what the uprobe PMU
 * takes), section headers, the .symtab and .dynsym symbols, and the notes of a section. The
 * project's ELF reader (src/elf) is for BPF relocatable objects and refuses anything else, rightly.
 */
import { readFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';

export interface HostSegment { type: number; flags: number; offset: number; vaddr: number; filesz: number; memsz: number }
export interface HostSection { name: string; type: number; addr: number; offset: number; size: number; link: number; entsize: number }
export interface HostSymbol { name: string; value: number; size: number; type: number; shndx: number }
export interface HostNote { name: string; type: number; desc: Uint8Array }

const PT_LOAD = 1;
const SHT = { SYMTAB: 2, NOTE: 7, DYNSYM: 11, NOBITS: 8 } as const;
const STT_FUNC = 2;

export class HostElf {
  readonly bytes: Uint8Array;
  readonly type: number;
  readonly segments: HostSegment[] = [];
  readonly sections: HostSection[] = [];
  private readonly dv: DataView;
  private symbolsCache: HostSymbol[] | undefined;

  constructor(readonly path: string) {
    try {
      this.bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new BpfError('ENOENT', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const b = this.bytes;
    if (b.length < 64 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) throw new BpfError('ENOEXEC', `${path} is not an ELF file`);
    if (b[4] !== 2 || b[5] !== 1) throw new BpfError('ENOEXEC', `${path}: only 64-bit little-endian ELF files are supported`);
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.type = this.dv.getUint16(16, true);
    const phoff = this.n64(32), shoff = this.n64(40);
    const phentsize = this.dv.getUint16(54, true), phnum = this.dv.getUint16(56, true);
    const shentsize = this.dv.getUint16(58, true), shnum = this.dv.getUint16(60, true), shstrndx = this.dv.getUint16(62, true);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      this.segments.push({ type: this.dv.getUint32(o, true), flags: this.dv.getUint32(o + 4, true), offset: this.n64(o + 8), vaddr: this.n64(o + 16), filesz: this.n64(o + 32), memsz: this.n64(o + 40) });
    }
    const raw: (HostSection & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({ nameOff: this.dv.getUint32(o, true), name: '', type: this.dv.getUint32(o + 4, true), addr: this.n64(o + 16), offset: this.n64(o + 24), size: this.n64(o + 32), link: this.dv.getUint32(o + 40, true), entsize: this.n64(o + 56) });
    }
    const strtab = raw[shstrndx];
    for (const s of raw) {
      const { nameOff, ...rest } = s;
      this.sections.push({ ...rest, name: strtab ? this.cstr(strtab.offset + nameOff) : '' });
    }
  }

  private n64(off: number): number {
    return Number(this.dv.getBigUint64(off, true));
  }

  private cstr(off: number): string {
    let end = off;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return Buffer.from(this.bytes.subarray(off, end)).toString('utf8');
  }

  section(name: string): HostSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** .symtab then .dynsym, defined symbols only. */
  symbols(): HostSymbol[] {
    if (this.symbolsCache) return this.symbolsCache;
    const out: HostSymbol[] = [];
    for (const s of this.sections) {
      if (s.type !== SHT.SYMTAB && s.type !== SHT.DYNSYM) continue;
      const strs = this.sections[s.link];
      if (!strs) continue;
      for (let o = s.offset + 24; o + 24 <= s.offset + s.size; o += 24) {
        const shndx = this.dv.getUint16(o + 6, true);
        if (shndx === 0) continue;
        out.push({ name: this.cstr(strs.offset + this.dv.getUint32(o, true)), type: this.bytes[o + 4]! & 0xf, shndx, value: this.n64(o + 8), size: this.n64(o + 16) });
      }
    }
    return (this.symbolsCache = out);
  }

  /** A function's virtual address, by exact name (versioned .dynsym names like foo@@GLIBC_2.2.5 match 'foo'). */
  functionAddress(name: string): number {
    const syms = this.symbols().filter((s) => s.type === STT_FUNC && (s.name === name || s.name.split('@')[0] === name) && s.value !== 0);
    if (syms.length === 0) {
      throw new BpfError('ENOENT', `${this.path}: no function '${name}' in .symtab or .dynsym (stripped binary? list them with \`nm -D ${this.path}\` or \`readelf -Ws ${this.path}\`)`);
    }
    const addrs = new Set(syms.map((s) => s.value));
    if (addrs.size > 1) throw new BpfError('EINVAL', `${this.path}: '${name}' names ${addrs.size} different functions; attach by offset instead`);
    return syms[0]!.value;
  }

  /** The file offset of virtual address `vaddr`, through the PT_LOAD segment that holds it. */
  fileOffset(vaddr: number): number {
    const seg = this.segments.find((p) => p.type === PT_LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz);
    if (!seg) throw new BpfError('EINVAL', `${this.path}: address 0x${vaddr.toString(16)} is in no loadable segment`);
    return vaddr - seg.vaddr + seg.offset;
  }

  /** The notes of section `name` (SHT_NOTE), in order. */
  notes(name: string): HostNote[] {
    const s = this.section(name);
    if (!s || s.type !== SHT.NOTE) return [];
    const out: HostNote[] = [];
    const align4 = (n: number) => (n + 3) & ~3;
    for (let o = s.offset; o + 12 <= s.offset + s.size;) {
      const namesz = this.dv.getUint32(o, true), descsz = this.dv.getUint32(o + 4, true), type = this.dv.getUint32(o + 8, true);
      const nameAt = o + 12, descAt = nameAt + align4(namesz);
      out.push({ name: this.cstr(nameAt), type, desc: this.bytes.subarray(descAt, descAt + descsz) });
      o = descAt + align4(descsz);
    }
    return out;
  }
}

/** The file offset of a function (+ `offset` bytes) in a binary, for a uprobe. */
export function uprobeOffset(path: string, func: string, offset = 0): number {
  const elf = new HostElf(path);
  return elf.fileOffset(elf.functionAddress(func) + offset);
}
