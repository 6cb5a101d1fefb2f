/**
 * A parsed Btf back to the raw .BTF bytes parseBtf reads. The pin store keeps a map's BTF this way
 * (rather than the object's original section) because the loader fixes up DATASEC sizes and offsets
 * in the parsed form, and typed dumps of global-data maps need the fixed-up layout.
 */
import type { Btf } from '../btf/btf.js';
import { BTF_KIND, type BtfType } from '../btf/types.js';

const HEADER_LEN = 24;

class Writer {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.dv.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

class StringTable {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;

  offsetOf(s: string): number {
    let off = this.offsets.get(s);
    if (off === undefined) {
      off = this.size;
      const b = Buffer.from(s + '\0', 'utf8');
      this.parts.push(b);
      this.size += b.length;
      this.offsets.set(s, off);
    }
    return off;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

function info(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 1 : 0) << 31) | (kind << 24) | (vlen & 0xffff);
}

function writeType(w: Writer, s: StringTable, t: BtfType): void {
  const kind = BTF_KIND[t.kind];
  const head = (vlen: number, kflag: boolean, sizeOrType: number): void => {
    w.u32(s.offsetOf(t.name));
    w.u32(info(kind, vlen, kflag));
    w.u32(sizeOrType);
  };
  switch (t.kind) {
    case 'int':
      head(0, false, t.size!);
      w.u32(((t.intEncoding! & 0x0f) << 24) | ((t.intOffset! & 0xff) << 16) | (t.intBits! & 0xff));
      break;
    case 'float':
      head(0, false, t.size!);
      break;
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict':
      head(0, false, t.type!);
      break;
    case 'type_tag':
      head(0, t.attrTag ?? false, t.type!);
      break;
    case 'fwd':
      head(0, t.fwdUnion ?? false, 0);
      break;
    case 'array':
      head(0, false, 0);
      w.u32(t.elemType!);
      w.u32(t.indexType!);
      w.u32(t.nelems!);
      break;
    case 'struct': case 'union': {
      const kflag = t.members!.some((m) => m.bitfieldSize !== 0);
      head(t.members!.length, kflag, t.size!);
      for (const m of t.members!) {
        w.u32(s.offsetOf(m.name));
        w.u32(m.type);
        w.u32(kflag ? ((m.bitfieldSize << 24) | (m.bitOffset & 0xffffff)) : m.bitOffset);
      }
      break;
    }
    case 'enum':
      head(t.values!.length, t.signed ?? false, t.size!);
      for (const v of t.values!) {
        w.u32(s.offsetOf(v.name));
        w.u32(Number(BigInt.asUintN(32, v.value)));
      }
      break;
    case 'enum64':
      head(t.values!.length, t.signed ?? false, t.size!);
      for (const v of t.values!) {
        const u = BigInt.asUintN(64, v.value);
        w.u32(s.offsetOf(v.name));
        w.u32(Number(u & 0xffffffffn));
        w.u32(Number(u >> 32n));
      }
      break;
    case 'func':
      head(t.linkage ?? 0, false, t.type!);
      break;
    case 'func_proto':
      head(t.params!.length, false, t.type!);
      for (const p of t.params!) {
        w.u32(s.offsetOf(p.name));
        w.u32(p.type);
      }
      break;
    case 'var':
      head(0, false, t.type!);
      w.u32(t.linkage ?? 0);
      break;
    case 'datasec':
      head(t.vars!.length, false, t.size!);
      for (const v of t.vars!) {
        w.u32(v.type);
        w.u32(v.offset);
        w.u32(v.size);
      }
      break;
    case 'decl_tag':
      head(0, t.attrTag ?? false, t.type!);
      w.u32(t.componentIdx ?? -1);
      break;
    case 'void':
      break;
  }
}

/** The raw bytes of the types `btf` defines itself (split BTF: not its base's). */
export function encodeBtf(btf: Btf): Uint8Array {
  const w = new Writer();
  const s = new StringTable();
  for (const t of btf.ownTypes()) writeType(w, s, t);
  const types = w.bytes();
  const strings = s.bytes();
  const out = new Uint8Array(HEADER_LEN + types.length + strings.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  dv.setUint8(2, 1);
  dv.setUint8(3, 0);
  dv.setUint32(4, HEADER_LEN, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, types.length, true);
  dv.setUint32(16, types.length, true);
  dv.setUint32(20, strings.length, true);
  out.set(types, HEADER_LEN);
  out.set(strings, HEADER_LEN + types.length);
  return out;
}
