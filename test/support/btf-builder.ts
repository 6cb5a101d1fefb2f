/**
 * Writes BTF bytes by hand, for the tests: kinds clang 14 never emits (enum64, signed enums, tag
 * kind flags), split BTF on a base, and malformed input of every sort (raw records let a test put
 * any value in any field).
 */
const KIND: Record<string, number> = {
  int: 1, ptr: 2, array: 3, struct: 4, union: 5, enum: 6, fwd: 7, typedef: 8, volatile: 9, const: 10, restrict: 11,
  func: 12, func_proto: 13, var: 14, datasec: 15, float: 16, decl_tag: 17, type_tag: 18, enum64: 19,
};

export interface MemberSpec {
  name: string;
  type: number;
  bitOffset: number;
  bitfieldSize?: number;
}

export class BtfBuilder {
  private readonly strs: number[] = [];
  private readonly strOffsets = new Map<string, number>();
  private readonly words: number[] = [];
  private nextId: number;
  private readonly strBase: number;

  /** For split BTF: the base's type count (next id) and string section length. */
  constructor(opts: { firstId?: number; strBase?: number } = {}) {
    this.nextId = opts.firstId ?? 1;
    this.strBase = opts.strBase ?? 0;
    if (this.strBase === 0) this.str(''); // offset 0 is the empty name
  }

  /** Offset of `s` in the string section (added once). */
  str(s: string): number {
    if (s === '' && this.strBase !== 0) return 0; // the base's empty string
    const have = this.strOffsets.get(s);
    if (have !== undefined) return have;
    const off = this.strBase + this.strs.length;
    for (const b of new TextEncoder().encode(s)) this.strs.push(b);
    this.strs.push(0);
    this.strOffsets.set(s, off);
    return off;
  }

  /** A record with every field given: name offset, kind, vlen, kind_flag, size/type, extra u32 words. */
  raw(nameOff: number, kind: number, vlen: number, kflag: boolean, sizeOrType: number, extra: number[] = []): number {
    this.words.push(nameOff, ((kflag ? 1 : 0) << 31) | ((kind & 0x7f) << 24) | (vlen & 0xffffff), sizeOrType, ...extra);
    return this.nextId++;
  }

  private rec(kind: string, name: string, vlen: number, kflag: boolean, sizeOrType: number, extra: number[] = []): number {
    return this.raw(this.str(name), KIND[kind]!, vlen, kflag, sizeOrType, extra);
  }

  int(name: string, size: number, encoding = 0, bits = size * 8, offset = 0): number {
    return this.rec('int', name, 0, false, size, [(encoding << 24) | (offset << 16) | bits]);
  }
  float(name: string, size: number): number { return this.rec('float', name, 0, false, size); }
  ptr(type: number): number { return this.rec('ptr', '', 0, false, type); }
  typedef(name: string, type: number): number { return this.rec('typedef', name, 0, false, type); }
  const(type: number): number { return this.rec('const', '', 0, false, type); }
  volatile(type: number): number { return this.rec('volatile', '', 0, false, type); }
  restrict(type: number): number { return this.rec('restrict', '', 0, false, type); }
  typeTag(name: string, type: number, attr = false): number { return this.rec('type_tag', name, 0, attr, type); }
  fwd(name: string, union = false): number { return this.rec('fwd', name, 0, union, 0); }
  array(elem: number, index: number, nelems: number): number { return this.rec('array', '', 0, false, 0, [elem, index, nelems]); }

  struct(name: string, size: number, members: MemberSpec[], kind: 'struct' | 'union' = 'struct'): number {
    const kflag = members.some((m) => m.bitfieldSize);
    const extra = members.flatMap((m) => [this.str(m.name), m.type, kflag ? ((m.bitfieldSize ?? 0) << 24) | m.bitOffset : m.bitOffset]);
    return this.rec(kind, name, members.length, kflag, size, extra);
  }
  union(name: string, size: number, members: MemberSpec[]): number { return this.struct(name, size, members, 'union'); }

  enum(name: string, size: number, values: [string, number][], signed = false): number {
    return this.rec('enum', name, values.length, signed, size, values.flatMap(([n, v]) => [this.str(n), v | 0]));
  }
  enum64(name: string, size: number, values: [string, bigint][], signed = false): number {
    return this.rec('enum64', name, values.length, signed, size, values.flatMap(([n, v]) => {
      const u = BigInt.asUintN(64, v);
      return [this.str(n), Number(u & 0xffffffffn), Number(u >> 32n)];
    }));
  }
  funcProto(ret: number, params: [string, number][]): number {
    return this.rec('func_proto', '', params.length, false, ret, params.flatMap(([n, t]) => [this.str(n), t]));
  }
  func(name: string, proto: number, linkage = 1): number { return this.rec('func', name, linkage, false, proto); }
  var(name: string, type: number, linkage = 1): number { return this.rec('var', name, 0, false, type, [linkage]); }
  datasec(name: string, size: number, vars: [number, number, number][]): number {
    return this.rec('datasec', name, vars.length, false, size, vars.flat());
  }
  declTag(name: string, type: number, componentIdx = -1, attr = false): number {
    return this.rec('decl_tag', name, 0, attr, type, [componentIdx]);
  }

  get stringBytes(): number {
    return this.strs.length;
  }

  /** The complete section: 24-byte header, types, strings. */
  build(overrides: Partial<{ magic: number; version: number; flags: number; hdrLen: number; typeOff: number; typeLen: number; strOff: number; strLen: number }> = {}): Uint8Array {
    const typeLen = this.words.length * 4;
    const strLen = this.strs.length;
    const hdrLen = 24;
    const buf = new Uint8Array(hdrLen + typeLen + strLen);
    const dv = new DataView(buf.buffer);
    dv.setUint16(0, overrides.magic ?? 0xeb9f, true);
    dv.setUint8(2, overrides.version ?? 1);
    dv.setUint8(3, overrides.flags ?? 0);
    dv.setUint32(4, overrides.hdrLen ?? hdrLen, true);
    dv.setUint32(8, overrides.typeOff ?? 0, true);
    dv.setUint32(12, overrides.typeLen ?? typeLen, true);
    dv.setUint32(16, overrides.strOff ?? typeLen, true);
    dv.setUint32(20, overrides.strLen ?? strLen, true);
    this.words.forEach((w, i) => dv.setUint32(hdrLen + 4 * i, w >>> 0, true));
    buf.set(this.strs, hdrLen + typeLen);
    return buf;
  }
}

/** A .BTF.ext section from parts: each part is its record size and blocks of (section name offset, records as u32 words). */
export function buildBtfExt(parts: { func?: [number, [number, number[][]][]]; line?: [number, [number, number[][]][]]; core?: [number, [number, number[][]][]] }, hdrLen = 32): Uint8Array {
  const encode = (p?: [number, [number, number[][]][]]): number[] => {
    if (!p) return [];
    const [recSize, blocks] = p;
    const w = [recSize];
    for (const [sec, recs] of blocks) {
      w.push(sec, recs.length);
      for (const r of recs) w.push(...r);
    }
    return w;
  };
  const f = encode(parts.func);
  const l = encode(parts.line);
  const c = encode(parts.core);
  const body = [...f, ...l, ...c];
  const buf = new Uint8Array(hdrLen + body.length * 4);
  const dv = new DataView(buf.buffer);
  dv.setUint16(0, 0xeb9f, true);
  dv.setUint8(2, 1);
  dv.setUint32(4, hdrLen, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, f.length * 4, true);
  dv.setUint32(16, f.length * 4, true);
  dv.setUint32(20, l.length * 4, true);
  if (hdrLen >= 32) {
    dv.setUint32(24, (f.length + l.length) * 4, true);
    dv.setUint32(28, c.length * 4, true);
  }
  body.forEach((w, i) => dv.setUint32(hdrLen + 4 * i, w >>> 0, true));
  return buf;
}
