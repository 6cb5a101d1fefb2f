/** Small shared pieces of the command line: reading files, parsing hex, reporting errors. */
import { readFileSync } from 'node:fs';
import { BpfError } from '../errors.js';
import { decode, type Insn } from '../isa/insn.js';
import { assemble, type AsmSyntax } from '../isa/asm.js';

export class UsageError extends Error {}

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BpfError('EIO', `${path}: cannot read: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: path });
  }
}

/** `0a0b0c`, `0a 0b 0c` or `0a:0b:0c` → bytes. */
export function parseHexBytes(text: string, what: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:,]/g, '');
  if (clean.length % 2 !== 0) throw new UsageError(`${what}: odd number of hex digits (${clean.length}); give whole bytes like 0a0b0c`);
  const bad = clean.match(/[^0-9a-fA-F]/);
  if (bad) throw new UsageError(`${what}: '${bad[0]}' is not a hex digit`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/**
 * A program file: assembly text (`.s`, either syntax) or raw little-endian instructions (`.bin`, or
 * anything that is not text).
 */
export function loadProgram(path: string, syntax?: AsmSyntax): Insn[] {
  const bytes = readInput(path);
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new BpfError('EINVAL', `${path}: is an ELF object; give a .s or raw .bin program here`, { file: path });
  }
  if (/\.(s|S|asm|bpf\.s)$/.test(path) || (!/\.(bin|raw)$/.test(path) && looksLikeText(bytes))) {
    return assemble(new TextDecoder().decode(bytes), path, syntax);
  }
  return decode(bytes, path);
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0 || (b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
  }
  return bytes.length > 0;
}
