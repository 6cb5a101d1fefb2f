/**
 * Typed values as JSON, the way `bpftool map dump` prints its "formatted" key/value (bpftool's
 * btf_dumper.c):
 *  - integers are numbers (signed or unsigned by encoding); a value beyond 2^53 is a bigint so it
 *    stays exact — formatValueJson prints it as plain digits, as bpftool does;
 *  - _Bool is true/false; a CHAR-encoded int is a one-character string;
 *  - bitfields, ints with a bit offset or an odd width, and 128-bit ints are hex strings "0x1f";
 *  - a char array holding a printable NUL-terminated string is that string, other arrays are arrays;
 *  - an enum is its enumerator's name, or the number when no enumerator has that value;
 *  - a pointer is its value as an unsigned number;
 *  - a struct/union is an object of its members; a VAR is {name: value}; a DATASEC is
 *    {section: [vars...]}.
 * Differences from bpftool, on purpose: members of an anonymous struct/union are merged into the
 * enclosing object (bpftool keys them all "", which a JS object cannot hold twice), and floats are
 * numbers (bpftool prints "(unsupported-kind)").
 */
import { BpfError } from '../errors.js';
import type { Btf } from './btf.js';
import { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, type BtfType } from './types.js';

export type FormattedValue = number | bigint | string | boolean | FormattedValue[] | { [k: string]: FormattedValue };

const MAX_DEPTH = 64;

/** Little-endian unsigned integer of `bytes`. */
function readUint(bytes: Uint8Array, off: number, len: number): bigint {
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] ?? 0);
  return v;
}

const toNumber = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** `bits` bits starting `bitOffset` bits into the byte at `off`, as an unsigned value. */
function readBits(bytes: Uint8Array, off: number, bitOffset: number, bits: number): bigint {
  const first = off + Math.floor(bitOffset / 8);
  const shift = bitOffset % 8;
  const nbytes = Math.ceil((shift + bits) / 8);
  return (readUint(bytes, first, nbytes) >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n);
}

class Formatter {
  constructor(
    readonly btf: Btf,
    readonly bytes: Uint8Array,
  ) {}

  value(id: number, off: number, depth: number): FormattedValue {
    if (depth > MAX_DEPTH) throw this.btf.error('ELOOP', `type [${id}]: value nesting deeper than ${MAX_DEPTH}`);
    const t = this.btf.typeById(id);
    switch (t.kind) {
      case 'int': return this.int(t, off);
      case 'float': return this.float(t, off);
      case 'ptr': return toNumber(readUint(this.bytes, off, 8));
      case 'enum': case 'enum64': return this.enumValue(t, off);
      case 'array': return this.array(t, off, depth);
      case 'struct': case 'union': return this.struct(t, off, depth);
      case 'typedef': case 'const': case 'volatile': case 'restrict': case 'type_tag':
        return this.value(t.type!, off, depth + 1);
      case 'var':
        return { [t.name]: this.value(t.type!, off, depth + 1) };
      case 'datasec':
        return { [t.name]: t.vars!.map((v) => this.value(v.type, off + v.offset, depth + 1)) };
      default:
        throw this.btf.error('EINVAL', `type [${id}]: a ${t.kind} has no value to format`);
    }
  }

  private int(t: BtfType, off: number): FormattedValue {
    const bits = t.intBits!;
    if (t.intOffset || bits % 8 !== 0) return hex(readBits(this.bytes, off, t.intOffset!, bits));
    if (bits === 128) return hex(readUint(this.bytes, off, 16));
    const u = readUint(this.bytes, off, bits / 8);
    switch (t.intEncoding) {
      case BTF_INT_SIGNED: return toNumber(BigInt.asIntN(bits, u));
      case BTF_INT_CHAR: return String.fromCharCode(Number(u & 0xffn));
      case BTF_INT_BOOL: return u !== 0n;
      default: return toNumber(u);
    }
  }

  private float(t: BtfType, off: number): FormattedValue {
    const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset + off, t.size!);
    if (t.size === 4) return dv.getFloat32(0, true);
    if (t.size === 8) return dv.getFloat64(0, true);
    return hex(readUint(this.bytes, off, t.size!));
  }

  private enumValue(t: BtfType, off: number): FormattedValue {
    const size = t.size!;
    if (t.kind === 'enum') {
      // bpftool reads the value as signed and compares it with each enumerator as a signed 32-bit value.
      const v = BigInt.asIntN(size * 8, readUint(this.bytes, off, size));
      const hit = t.values!.find((e) => BigInt.asIntN(32, e.value) === v);
      return hit ? hit.name : toNumber(v);
    }
    const u = readUint(this.bytes, off, size);
    const hit = t.values!.find((e) => BigInt.asUintN(64, e.value) === u);
    return hit ? hit.name : toNumber(BigInt.asIntN(64, u));
  }

  private array(t: BtfType, off: number, depth: number): FormattedValue {
    const n = t.nelems!;
    const text = this.cString(t, off);
    if (text !== undefined) return text;
    const size = this.btf.sizeOf(t.elemType!);
    const out: FormattedValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.value(t.elemType!, off + i * size, depth + 1));
    return out;
  }

  /** A char array whose bytes are printable up to a NUL: the string (bpftool's is_str_array). */
  private cString(t: BtfType, off: number): string | undefined {
    if (t.nelems === 0) return undefined;
    let e = this.btf.typeById(t.elemType!);
    // Qualifiers are looked through but not typedefs: a typedef of char is not text.
    for (let i = 0; i < 64 && (e.kind === 'const' || e.kind === 'volatile' || e.kind === 'restrict' || e.kind === 'type_tag'); i++) {
      e = this.btf.typeById(e.type!);
    }
    if (e.kind !== 'int' || e.size !== 1) return undefined;
    if (e.intEncoding !== BTF_INT_CHAR && e.name !== 'char') return undefined;
    let s = '';
    for (let i = 0; i < t.nelems!; i++) {
      const c = this.bytes[off + i]!;
      if (c === 0) return s;
      if (c <= 0x1f || c >= 0x7f) return undefined;
      s += String.fromCharCode(c);
    }
    return undefined; // no NUL
  }

  private struct(t: BtfType, off: number, depth: number): { [k: string]: FormattedValue } {
    const obj: { [k: string]: FormattedValue } = {};
    for (const m of t.members!) {
      const byteOff = off + Math.floor(m.bitOffset / 8);
      let v: FormattedValue;
      if (m.bitfieldSize) {
        v = hex(readBits(this.bytes, byteOff, m.bitOffset % 8, m.bitfieldSize));
      } else {
        v = this.value(m.type, byteOff, depth + 1);
      }
      if (m.name === '' && typeof v === 'object' && !Array.isArray(v)) Object.assign(obj, v);
      else obj[m.name] = v;
    }
    return obj;
  }
}

/** The value of type `typeId` held in `bytes`, as bpftool's formatted JSON would show it. */
export function formatValue(btf: Btf, typeId: number, bytes: Uint8Array): FormattedValue {
  const size = btf.sizeOf(typeId);
  if (bytes.length < size) {
    throw new BpfError('EINVAL', `${btf.name}: BTF type [${typeId}]: value has ${bytes.length} bytes, the type needs ${size}`);
  }
  return new Formatter(btf, bytes).value(typeId, 0, 0);
}

/** JSON text of a formatted value; bigints are written as exact integer literals. */
export function formatValueJson(value: FormattedValue, indent?: number): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), indent);
  // JSON.stringify escapes the NUL of the marker, so the text holds a backslash-u-0000 sequence.
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}
