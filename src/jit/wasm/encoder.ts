/**
 * WebAssembly binary encoding: a growable byte buffer with LEB128, and a module builder that lays
 * out the sections the JIT needs (types, imports, functions, exports, code, names). The JIT emits
 * bytes directly through this; nothing goes through the text format.
 */
import { OP, VALTYPE, type ValType } from './opcodes.js';

const UTF8 = new TextEncoder();
/** Encoded names: modules repeat the same few (run, main, env, memory...). */
const NAMES = new Map<string, Uint8Array>();

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  /** `capacity`: the bytes expected (growing the buffer copies it). */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

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

  /** Room for a size written later (patch5): a u32 LEB128 padded to 5 bytes, which wasm allows. */
  reserve5(): number {
    this.room(5);
    const at = this.length;
    this.length += 5;
    return at;
  }

  /** Write the size of everything after a reserve5 at `at`. */
  patch5(at: number): void {
    let x = this.length - at - 5;
    for (let i = 0; i < 4; i++) {
      this.buf[at + i] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[at + 4] = x & 0x7f;
  }

  /** Start again (a writer kept for reuse). */
  reset(): void {
    this.length = 0;
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
    let b = NAMES.get(s);
    if (b === undefined) {
      b = UTF8.encode(s);
      if (NAMES.size < 4096) NAMES.set(s, b);
    }
    this.u32(b.length);
    return this.bytes(b);
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
  /**
   * Types given the first indices, in order (what `call_indirect` names), before those of the
   * imports and functions.
   */
  types?: readonly FuncType[];
  imports: readonly FuncImport[];
  /** The module imports its memory as env.memory (all programs share one linear memory), shared when it has a maximum. */
  memory?: { module: string; name: string; minPages: number; sharedMaxPages?: number };
  /** A funcref table of at least `min` entries, imported (call_indirect goes through it). */
  table?: { module: string; name: string; min: number };
  funcs: readonly FuncDef[];
  /** Mutable i32 globals the module defines, all 0 at first. */
  globals?: number;
  /** Imported functions exported again under these names (import index -> name). */
  reexports?: readonly { name: string; func: number }[];
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

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

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

/** One writer for every module (encoding is synchronous): its buffer grows once, not per module. */
const scratch = new ByteWriter();

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
  for (const t of spec.types ?? []) {
    types.push(t);
    if (!typeIndex.has(typeKey(t))) typeIndex.set(typeKey(t), types.length - 1);
  }
  const importTypes = spec.imports.map((im) => typeOf(im.type));
  const funcTypes = spec.funcs.map((f) => typeOf(f.type));

  // Sections are written in place, each size patched in once the section is done.
  const out = scratch;
  out.reset();
  out.bytes(MAGIC);
  const begin = (id: number): number => {
    out.byte(id);
    return out.reserve5();
  };

  let at = begin(1);
  out.u32(types.length);
  for (const t of types) {
    out.byte(0x60).u32(t.params.length);
    for (const p of t.params) out.byte(VALTYPE[p]);
    out.u32(t.results.length);
    for (const r of t.results) out.byte(VALTYPE[r]);
  }
  out.patch5(at);

  at = begin(2);
  out.u32(spec.imports.length + (spec.table ? 1 : 0) + (spec.memory ? 1 : 0));
  spec.imports.forEach((im, i) => out.name(im.module).name(im.name).byte(0x00).u32(importTypes[i]!));
  if (spec.table) out.name(spec.table.module).name(spec.table.name).byte(0x01).byte(0x70).byte(0x00).u32(spec.table.min);
  if (spec.memory) {
    const m = spec.memory;
    out.name(m.module).name(m.name).byte(0x02);
    // Limits: 0x00 min; 0x03 min, max, shared.
    if (m.sharedMaxPages === undefined) out.byte(0x00).u32(m.minPages);
    else out.byte(0x03).u32(m.minPages).u32(m.sharedMaxPages);
  }
  out.patch5(at);

  at = begin(3);
  out.u32(spec.funcs.length);
  for (const t of funcTypes) out.u32(t);
  out.patch5(at);

  const reexports = spec.reexports ?? [];
  if (spec.globals) {
    at = begin(6);
    out.u32(spec.globals);
    for (let g = 0; g < spec.globals; g++) out.byte(VALTYPE.i32).byte(1).byte(OP.i32_const).byte(0).byte(OP.end);
    out.patch5(at);
  }

  at = begin(7);
  out.u32(spec.funcs.filter((f) => f.export !== undefined).length + reexports.length);
  spec.funcs.forEach((f, i) => { if (f.export !== undefined) out.name(f.export).byte(0x00).u32(spec.imports.length + i); });
  for (const r of reexports) out.name(r.name).byte(0x00).u32(r.func);
  out.patch5(at);

  at = begin(10);
  out.u32(spec.funcs.length);
  const bodyStart: number[] = [];
  for (const f of spec.funcs) {
    const size = out.reserve5();
    writeLocals(out, f.locals);
    bodyStart.push(out.length);
    out.bytes(f.body.view()).byte(OP.end);
    out.patch5(size);
  }
  out.patch5(at);

  // The name section: function names in stack traces and in the text dump.
  at = begin(0);
  out.name('name').byte(1);
  const sub = out.reserve5();
  out.u32(spec.imports.length + spec.funcs.length);
  spec.imports.forEach((im, i) => out.u32(i).name(`${im.module}.${im.name}`));
  spec.funcs.forEach((f, i) => out.u32(spec.imports.length + i).name(f.name));
  out.patch5(sub);
  out.patch5(at);

  return { bytes: out.view().slice(), bodyStart };
}
