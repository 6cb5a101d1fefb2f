/**
 * Corruptions of valid BPF objects for the loader's robustness test: byte flips, truncation, and
 * structured overwrites of the ELF header, section headers, symbols, relocations, BTF and code.
 * Every mutation is described in words so a failure can be reproduced from its seed and index.
 */
import { readElf64, type ElfFile } from '../../src/elf/elf64.js';
import type { Rng } from './rng.js';

export interface Mutant {
  bytes: Uint8Array;
  what: string;
}

/** Values that tend to break parsers: zero, one, boundaries, the file size, and random ones. */
function nastyValue(r: Rng, width: 2 | 4 | 8, fileLen: number, near?: number): bigint {
  const max = width === 8 ? 0xffffffffffffffffn : (1n << BigInt(width * 8)) - 1n;
  const picks: bigint[] = [
    0n, 1n, 2n, 8n, 24n, 64n, max, max - 1n, max >> 1n, BigInt(fileLen), BigInt(fileLen + 1), BigInt(Math.max(0, fileLen - 1)),
    BigInt(r.int(256)), BigInt(r.int(fileLen + 64)),
  ];
  if (near !== undefined) picks.push(BigInt(Math.max(0, near + r.int(33) - 16)), BigInt(near * 2), BigInt(Math.floor(near / 2)));
  const v = r.int(4) === 0 ? r.u64() & max : picks[r.int(picks.length)]!;
  return v & max;
}

function write(dv: DataView, off: number, width: 2 | 4 | 8, v: bigint): void {
  if (off < 0 || off + width > dv.byteLength) return;
  if (width === 2) dv.setUint16(off, Number(v & 0xffffn), true);
  else if (width === 4) dv.setUint32(off, Number(v & 0xffffffffn), true);
  else dv.setBigUint64(off, v, true);
}

function read(dv: DataView, off: number, width: 2 | 4 | 8): number {
  if (off < 0 || off + width > dv.byteLength) return 0;
  if (width === 2) return dv.getUint16(off, true);
  if (width === 4) return dv.getUint32(off, true);
  return Number(dv.getBigUint64(off, true) & 0xffffffffn);
}

const EHDR_FIELDS: [string, number, 2 | 4 | 8][] = [
  ['e_type', 16, 2], ['e_machine', 18, 2], ['e_shoff', 40, 8], ['e_ehsize', 52, 2], ['e_shentsize', 58, 2],
  ['e_shnum', 60, 2], ['e_shstrndx', 62, 2],
];
const SHDR_FIELDS: [string, number, 2 | 4 | 8][] = [
  ['sh_name', 0, 4], ['sh_type', 4, 4], ['sh_flags', 8, 8], ['sh_offset', 24, 8], ['sh_size', 32, 8],
  ['sh_link', 40, 4], ['sh_info', 44, 4], ['sh_entsize', 56, 8],
];
const SYM_FIELDS: [string, number, 2 | 4 | 8][] = [
  ['st_name', 0, 4], ['st_info', 4, 2], ['st_shndx', 6, 2], ['st_value', 8, 8], ['st_size', 16, 8],
];
const REL_FIELDS: [string, number, 2 | 4 | 8][] = [['r_offset', 0, 8], ['r_info.type', 8, 4], ['r_info.sym', 12, 4]];

/** One random corruption of `base` (whose parsed form is `elf`). */
export function mutate(base: Uint8Array, elf: ElfFile, r: Rng): Mutant {
  const b = base.slice();
  const dv = new DataView(b.buffer);
  const len = b.length;
  const kind = r.int(10);
  const secs = elf.sections;
  const pickSec = (pred: (i: number) => boolean = () => true) => {
    const c = secs.map((_, i) => i).filter(pred);
    return c.length ? c[r.int(c.length)]! : 0;
  };
  switch (kind) {
    case 0: {
      const n = 1 + r.int(8);
      for (let i = 0; i < n; i++) b[r.int(len)] = r.int(256);
      return { bytes: b, what: `${n} random bytes overwritten` };
    }
    case 1: {
      const at = r.int(len);
      return { bytes: base.slice(0, at), what: `truncated to ${at} bytes` };
    }
    case 2: {
      const [name, off, w] = EHDR_FIELDS[r.int(EHDR_FIELDS.length)]!;
      const v = nastyValue(r, w, len, read(dv, off, w));
      write(dv, off, w, v);
      return { bytes: b, what: `${name} = 0x${v.toString(16)}` };
    }
    case 3:
    case 4: {
      const i = pickSec();
      const [name, off, w] = SHDR_FIELDS[r.int(SHDR_FIELDS.length)]!;
      const at = elf.header.shoff + i * 64 + off;
      const v = nastyValue(r, w, len, read(dv, at, w));
      write(dv, at, w, v);
      return { bytes: b, what: `section ${i} '${secs[i]?.name}' ${name} = 0x${v.toString(16)}` };
    }
    case 5: {
      const st = elf.symtab;
      if (!st || elf.symbols.length === 0) return { bytes: b, what: 'no symbols: unchanged' };
      const i = r.int(elf.symbols.length);
      const [name, off, w] = SYM_FIELDS[r.int(SYM_FIELDS.length)]!;
      const at = st.offset + i * 24 + off;
      const v = nastyValue(r, w, len, read(dv, at, w));
      write(dv, at, w, v);
      return { bytes: b, what: `symbol ${i} '${elf.symbols[i]!.name}' ${name} = 0x${v.toString(16)}` };
    }
    case 6: {
      const rs = pickSec((j) => secs[j]!.type === 9 && secs[j]!.size >= 16);
      const rel = secs[rs];
      if (!rel || rel.type !== 9) return { bytes: b, what: 'no relocations: unchanged' };
      const n = Math.floor(rel.size / 16);
      const i = r.int(n);
      const [name, off, w] = REL_FIELDS[r.int(REL_FIELDS.length)]!;
      const at = rel.offset + i * 16 + off;
      const v = nastyValue(r, w, len, read(dv, at, w));
      write(dv, at, w, v);
      return { bytes: b, what: `'${rel.name}' entry ${i} ${name} = 0x${v.toString(16)}` };
    }
    case 7:
    case 8: {
      // Inside one section's contents: BTF, BTF.ext, code, maps or data.
      const s = secs[pickSec((j) => secs[j]!.data.length > 0)]!;
      if (!s || s.data.length === 0) return { bytes: b, what: 'no contents: unchanged' };
      const n = 1 + r.int(4);
      const offs: number[] = [];
      for (let k = 0; k < n; k++) {
        const o = s.offset + r.int(s.data.length);
        b[o] = r.int(3) === 0 ? 0xff : r.int(256);
        offs.push(o - s.offset);
      }
      return { bytes: b, what: `section '${s.name}' bytes ${offs.join(',')} overwritten` };
    }
    default: {
      // Swap two 8-byte words of the file: moves structures onto each other.
      const a = r.int(Math.max(1, len - 8)) & ~7;
      const c = r.int(Math.max(1, len - 8)) & ~7;
      const t = b.slice(a, a + 8);
      b.copyWithin(a, c, c + 8);
      b.set(t, c);
      return { bytes: b, what: `words at ${a} and ${c} swapped` };
    }
  }
}

export function parseBase(bytes: Uint8Array, name: string): ElfFile {
  return readElf64(bytes, name);
}
