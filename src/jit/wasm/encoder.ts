/**
 * WebAssembly binary encoding: a growable byte buffer with LEB128, and a module builder that lays
 * out the sections the JIT needs (types, imports, functions, exports, code, names). The JIT emits
 * bytes directly through this; nothing goes through the text format.
 */
import { OP, VALTYPE, type ValType } from './opcodes.js';

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  u32(v: number): this {
    let x = v >>> 0;
    this.room(5);
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer (i32.const, block types). */
  s32(v: number): this {
    let x = v | 0;
    this.room(5);
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return this;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a 64-bit integer given as a BigInt (any value is taken modulo 2^64). */
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    if (x >= -0x80000000n && x <= 0x7fffffffn) return this.s32(Number(x));
    this.room(10);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return this;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    return this.bytes(b);
  }

  /** A length-prefixed copy of another writer's bytes (a section or a function body). */
  sized(w: ByteWriter): this {
    this.u32(w.length);
    return this.bytes(w.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}

export interface FuncImport {
  module: string;
  name: string;
  type: FuncType;
}

export interface FuncDef {
  name: string;
  type: FuncType;
  /** Extra locals after the parameters, in order. */
  locals: readonly ValType[];
  /** The body's instructions (without the final `end`). */
  body: ByteWriter;
  /** Exported under this name, if given. */
  export?: string;
}

export interface ModuleSpec {
  imports: readonly FuncImport[];
  /** The module imports its memory as env.memory (all programs share one linear memory). */
  memory: { module: string; name: string; minPages: number };
  funcs: readonly FuncDef[];
}

/** Where each function's body starts in the module bytes: the printer and the dump use it. */
export interface ModuleLayout {
  bytes: Uint8Array;
  /** For each defined function, the offset of its first body instruction (after the locals). */
  bodyStart: number[];
}

function typeKey(t: FuncType): string {
  return `${t.params.join(',')}>${t.results.join(',')}`;
}

function section(out: ByteWriter, id: number, content: ByteWriter): void {
  out.byte(id);
  out.sized(content);
}

function writeLocals(w: ByteWriter, locals: readonly ValType[]): void {
  // Runs of one type share an entry.
  const runs: [number, ValType][] = [];
  for (const t of locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  w.u32(runs.length);
  for (const [n, t] of runs) w.u32(n).byte(VALTYPE[t]);
}

export function encodeModule(spec: ModuleSpec): ModuleLayout {
  const types: FuncType[] = [];
  const typeIndex = new Map<string, number>();
  const typeOf = (t: FuncType): number => {
    const k = typeKey(t);
    let i = typeIndex.get(k);
    if (i === undefined) {
      i = types.length;
      types.push(t);
      typeIndex.set(k, i);
    }
    return i;
  };
  const importTypes = spec.imports.map((im) => typeOf(im.type));
  const funcTypes = spec.funcs.map((f) => typeOf(f.type));

  const out = new ByteWriter();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

  const ts = new ByteWriter().u32(types.length);
  for (const t of types) {
    ts.byte(0x60).u32(t.params.length);
    for (const p of t.params) ts.byte(VALTYPE[p]);
    ts.u32(t.results.length);
    for (const r of t.results) ts.byte(VALTYPE[r]);
  }
  section(out, 1, ts);

  const is = new ByteWriter().u32(spec.imports.length + 1);
  spec.imports.forEach((im, i) => is.name(im.module).name(im.name).byte(0x00).u32(importTypes[i]!));
  is.name(spec.memory.module).name(spec.memory.name).byte(0x02).byte(0x00).u32(spec.memory.minPages);
  section(out, 2, is);

  const fs = new ByteWriter().u32(spec.funcs.length);
  for (const t of funcTypes) fs.u32(t);
  section(out, 3, fs);

  const exported = spec.funcs.map((f, i) => [f, i] as const).filter(([f]) => f.export !== undefined);
  const es = new ByteWriter().u32(exported.length);
  for (const [f, i] of exported) es.name(f.export!).byte(0x00).u32(spec.imports.length + i);
  section(out, 7, es);

  // Code: the offset of each body is known once the section header is written.
  const bodies = spec.funcs.map((f) => {
    const w = new ByteWriter();
    writeLocals(w, f.locals);
    const localsLen = w.length;
    w.bytes(f.body.view()).byte(OP.end);
    return { w, localsLen };
  });
  const cs = new ByteWriter().u32(bodies.length);
  const rel: number[] = [];
  for (const b of bodies) {
    cs.u32(b.w.length);
    rel.push(cs.length + b.localsLen);
    cs.bytes(b.w.view());
  }
  out.byte(10);
  out.u32(cs.length);
  const codeStart = out.length;
  out.bytes(cs.view());

  // The name section: function names in stack traces and in the text dump.
  const names = new ByteWriter();
  const fnNames = new ByteWriter().u32(spec.imports.length + spec.funcs.length);
  spec.imports.forEach((im, i) => fnNames.u32(i).name(`${im.module}.${im.name}`));
  spec.funcs.forEach((f, i) => fnNames.u32(spec.imports.length + i).name(f.name));
  names.byte(1).sized(fnNames);
  const custom = new ByteWriter().name('name').bytes(names.view());
  section(out, 0, custom);

  return { bytes: out.view().slice(), bodyStart: rel.map((r) => codeStart + r) };
}
