/** Reading WebAssembly bytes back: LEB128 and the sections the printer needs. */
import { VALTYPE, type ValType } from './opcodes.js';

export class ByteReader {
  constructor(readonly bytes: Uint8Array, public at = 0) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error(`wasm: unexpected end at byte ${this.at}`);
    return this.bytes[this.at++]!;
  }
  u32(): number {
    let r = 0, shift = 0, b: number;
    do {
      b = this.byte();
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return r;
  }
  s64(): bigint {
    let r = 0n, shift = 0n, b: number;
    do {
      b = this.byte();
      r |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) r -= 1n << shift;
    return BigInt.asIntN(64, r);
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
}

const TYPE_OF: Record<number, ValType> = Object.fromEntries(Object.entries(VALTYPE).map(([k, v]) => [v, k as ValType]));

export function valType(b: number): ValType {
  const t = TYPE_OF[b];
  if (!t) throw new Error(`wasm: unknown value type 0x${b.toString(16)}`);
  return t;
}

export interface ParsedFunc {
  name: string;
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  /** Offset of the first body instruction, and of the byte after the final `end`. */
  start: number;
  end: number;
  export?: string;
}

export interface ParsedModule {
  imports: { module: string; name: string; kind: 'func' | 'memory' | 'table'; params?: ValType[]; results?: ValType[]; minPages?: number; maxPages?: number; shared?: boolean; min?: number }[];
  /** The type section (what call_indirect names). */
  types: { params: ValType[]; results: ValType[] }[];
  funcs: ParsedFunc[];
  /** Names of all functions, imports first (the index space of `call`). */
  funcNames: string[];
}

/** Parse the sections of a module as the JIT writes them (types, imports, functions, exports, code, names). */
export function parseModule(bytes: Uint8Array): ParsedModule {
  const r = new ByteReader(bytes, 8);
  const types: { params: ValType[]; results: ValType[] }[] = [];
  const imports: ParsedModule['imports'] = [];
  const funcTypes: number[] = [];
  const exports = new Map<number, string>();
  const bodies: { start: number; end: number; locals: ValType[] }[] = [];
  let names = new Map<number, string>();
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        r.byte();
        const params = Array.from({ length: r.u32() }, () => valType(r.byte()));
        const results = Array.from({ length: r.u32() }, () => valType(r.byte()));
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name(), name = r.name(), kind = r.byte();
        if (kind === 0) imports.push({ module, name, kind: 'func', ...types[r.u32()]! });
        else if (kind === 1) {
          r.byte(); // funcref
          const flags = r.byte();
          const min = r.u32();
          if (flags & 1) r.u32();
          imports.push({ module, name, kind: 'table', min });
        } else if (kind === 2) {
          const flags = r.byte();
          const minPages = r.u32();
          const maxPages = flags & 1 ? r.u32() : undefined;
          imports.push({ module, name, kind: 'memory', minPages, maxPages, shared: (flags & 2) !== 0 });
        } else throw new Error(`wasm: import kind ${kind} is not one the JIT writes`);
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name(), kind = r.byte(), index = r.u32();
        if (kind === 0) exports.set(index, name);
      }
    } else if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const len = r.u32();
        const bodyEnd = r.at + len;
        const locals: ValType[] = [];
        for (let k = r.u32(); k > 0; k--) {
          const count = r.u32(), t = valType(r.byte());
          for (let j = 0; j < count; j++) locals.push(t);
        }
        bodies.push({ start: r.at, end: bodyEnd, locals });
        r.at = bodyEnd;
      }
    } else if (id === 0) {
      const secName = r.name();
      if (secName === 'name') names = parseNames(new ByteReader(bytes.subarray(0, end), r.at));
    }
    r.at = end;
  }
  const fnImports = imports.filter((i) => i.kind === 'func');
  const funcNames = [...fnImports.map((im, i) => names.get(i) ?? `${im.module}.${im.name}`)];
  const funcs = bodies.map((b, i): ParsedFunc => {
    const index = fnImports.length + i;
    const name = names.get(index) ?? `f${index}`;
    funcNames.push(name);
    const t = types[funcTypes[i]!]!;
    return { name, params: t.params, results: t.results, locals: b.locals, start: b.start, end: b.end, export: exports.get(index) };
  });
  return { imports, types, funcs, funcNames };
}

function parseNames(r: ByteReader): Map<number, string> {
  const out = new Map<number, string>();
  while (r.at < r.bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === 1) for (let n = r.u32(); n > 0; n--) out.set(r.u32(), r.name());
    r.at = end;
  }
  return out;
}
