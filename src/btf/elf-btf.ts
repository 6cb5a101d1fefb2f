/**
 * Just enough ELF64 to pull one section's bytes out of a file by name, so loadTargetBtf can take an
 * object or a vmlinux image with a .BTF section. src/btf must not depend on the object loader
 * (src/elf), which is the complete reader; this is the few lines the BTF layer needs on its own.
 */
import { BpfError } from '../errors.js';

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** The bytes of section `name`, or undefined if the file has none. */
export function elfSection(bytes: Uint8Array, name: string, file = 'elf'): Uint8Array | undefined {
  const fail = (why: string): never => {
    throw new BpfError('EINVAL', `${file}: ELF: ${why}`, { file });
  };
  if (!isElf(bytes)) fail('not an ELF file');
  if (bytes.length < 64) fail('truncated ELF header');
  if (bytes[4] !== 2 || bytes[5] !== 1) fail('only little-endian ELF64 is supported');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  if (shentsize < 64 || shoff + shnum * shentsize > bytes.length) fail('section header table is outside the file');
  if (shstrndx >= shnum) fail(`section name table index ${shstrndx} is beyond ${shnum} sections`);
  const header = (i: number): { nameOff: number; off: number; size: number; type: number } => {
    const o = shoff + i * shentsize;
    return {
      nameOff: dv.getUint32(o, true),
      type: dv.getUint32(o + 4, true),
      off: Number(dv.getBigUint64(o + 0x18, true)),
      size: Number(dv.getBigUint64(o + 0x20, true)),
    };
  };
  const strs = header(shstrndx);
  if (strs.off + strs.size > bytes.length) fail('section name table is outside the file');
  const want = new TextEncoder().encode(name);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const at = strs.off + h.nameOff;
    if (at + want.length >= strs.off + strs.size) continue;
    let same = bytes[at + want.length] === 0;
    for (let k = 0; same && k < want.length; k++) same = bytes[at + k] === want[k];
    if (!same) continue;
    if (h.type === 8 /* SHT_NOBITS */) return new Uint8Array(h.size);
    if (h.off + h.size > bytes.length) fail(`section ${name} is outside the file`);
    return bytes.subarray(h.off, h.off + h.size);
  }
  return undefined;
}
