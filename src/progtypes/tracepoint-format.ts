/**
 * Tracepoint contexts: a tracepoint program reads the event's record, laid out as tracefs's
 * events/CATEGORY/NAME/format describes. This parses that text into a layout and builds records
 * from field values, so tracepoint programs can be run on events a test makes up.
 */
import { BpfError } from '../errors.js';
import { field, type ContextLayout } from './context.js';

export interface TracepointField {
  /** The C declaration's type, e.g. 'const char *', 'int', '__data_loc char[]'. */
  type: string;
  name: string;
  offset: number;
  /** Bytes of the whole field (an array's total). */
  size: number;
  signed: boolean;
  /** Elements, for `char comm[16]`-style fields. */
  count?: number;
}

export interface TracepointFormat {
  name: string;
  id?: number;
  fields: TracepointField[];
  /** The record's size: the end of its last field. */
  size: number;
}

/** Parse tracefs's format file. Throws EINVAL naming the line that is not a field description. */
export function parseTracepointFormat(text: string): TracepointFormat {
  let name = '';
  let id: number | undefined;
  const fields: TracepointField[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith('name:')) name = t.slice(5).trim();
    else if (t.startsWith('ID:')) id = Number(t.slice(3).trim());
    else if (t.startsWith('field:')) {
      const m = /^field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);?/.exec(t);
      if (!m) throw new BpfError('EINVAL', `tracepoint format line ${i + 1}: cannot read '${t}'`);
      const decl = m[1]!.trim();
      const arr = /^(.*?)\s*\b([A-Za-z_]\w*)\s*\[(\d*)\]$/.exec(decl);
      const plain = /^(.*?)\s*\b([A-Za-z_]\w*)$/.exec(decl);
      const d = arr ?? plain;
      if (!d) throw new BpfError('EINVAL', `tracepoint format line ${i + 1}: cannot read the declaration '${decl}'`);
      const f: TracepointField = {
        type: (arr ? `${d[1]}[]` : d[1]!).trim(), name: d[2]!, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === '1',
      };
      if (arr && arr[3] !== '') f.count = Number(arr[3]);
      fields.push(f);
    }
  });
  if (fields.length === 0) throw new BpfError('EINVAL', 'tracepoint format: no fields (expected tracefs events/CATEGORY/NAME/format text)');
  const size = Math.max(...fields.map((f) => f.offset + f.size));
  return { name, ...(id !== undefined ? { id } : {}), fields, size };
}

/** The context layout of a tracepoint: its common_* fields are hidden from programs (the kernel's first 8 bytes). */
export function tracepointLayout(format: TracepointFormat): ContextLayout {
  return {
    name: `tracepoint ${format.name}`,
    size: format.size,
    fields: format.fields.map((f) => {
      const access = f.offset < 8 ? 'none' : 'read';
      return f.count !== undefined
        ? field(f.name, f.offset, f.size / f.count, access, { count: f.count })
        : field(f.name, f.offset, f.size, access);
    }),
  };
}

export type TracepointValue = bigint | number | string | Uint8Array;

/**
 * A record with the given field values (little-endian integers; strings and bytes copied into
 * arrays, NUL padded). `__data_loc` fields take a string or bytes, stored after the fixed fields
 * with the field holding (length << 16 | offset), as the kernel stores them.
 */
export function tracepointRecord(format: TracepointFormat, values: Readonly<Record<string, TracepointValue>>): Uint8Array {
  const tail: { f: TracepointField; bytes: Uint8Array }[] = [];
  for (const [name, v] of Object.entries(values)) {
    const f = format.fields.find((x) => x.name === name);
    if (!f) throw new BpfError('EINVAL', `tracepoint ${format.name} has no field '${name}' (fields: ${format.fields.map((x) => x.name).join(', ')})`);
    if (f.type.startsWith('__data_loc')) tail.push({ f, bytes: toBytes(v, true) });
  }
  const dynLen = tail.reduce((n, t) => n + t.bytes.length, 0);
  const out = new Uint8Array(format.size + dynLen);
  const dv = new DataView(out.buffer);
  let at = format.size;
  for (const t of tail) {
    out.set(t.bytes, at);
    dv.setUint32(t.f.offset, ((t.bytes.length << 16) | at) >>> 0, true);
    at += t.bytes.length;
  }
  for (const [name, v] of Object.entries(values)) {
    const f = format.fields.find((x) => x.name === name)!;
    if (f.type.startsWith('__data_loc')) continue;
    if (typeof v === 'string' || v instanceof Uint8Array) {
      const b = toBytes(v, false);
      if (b.length > f.size) throw new BpfError('EINVAL', `tracepoint field '${name}' holds ${f.size} bytes, the value has ${b.length}`);
      out.set(b, f.offset);
      continue;
    }
    const n = BigInt.asUintN(64, BigInt(v));
    switch (f.size) {
      case 1: dv.setUint8(f.offset, Number(n & 0xffn)); break;
      case 2: dv.setUint16(f.offset, Number(n & 0xffffn), true); break;
      case 4: dv.setUint32(f.offset, Number(n & 0xffffffffn), true); break;
      case 8: dv.setBigUint64(f.offset, n, true); break;
      default: throw new BpfError('EINVAL', `tracepoint field '${name}' is ${f.size} bytes: give it bytes or a string`);
    }
  }
  return out;
}

function toBytes(v: TracepointValue, nul: boolean): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const s = new TextEncoder().encode(v);
    if (!nul) return s;
    const out = new Uint8Array(s.length + 1);
    out.set(s);
    return out;
  }
  throw new BpfError('EINVAL', '__data_loc fields take a string or bytes');
}
