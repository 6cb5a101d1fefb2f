/**
 * BTF -> compilable C, like `bpftool btf dump file X format c` (libbpf's btf_dump.c, whose rules
 * this follows; the code is our own).
 *
 * Two passes per root type:
 *  1. order: a depth-first walk that queues named definitions so that every type is defined before
 *     something embeds it. A link from X to Y is "strong" when Y must be complete where X is defined
 *     (a member by value, an array element, a typedef's target) and "weak" when a forward
 *     declaration suffices (behind a pointer, with a named type on the way). Pointer cycles are
 *     legal and broken with forward declarations; parseBtf already rejects by-value cycles.
 *  2. emit: prints each queued type; on the way it forward-declares structs/unions that are only
 *     needed by name, inlines anonymous structs/unions/enums where they are used, and prints
 *     declarators inside out (pointers, arrays, function pointers, qualifiers).
 * Struct layout is reproduced exactly: gaps become explicit `type: bits;` padding, a struct whose
 * members are not naturally aligned gets __attribute__((packed)), enums of 1 or 8 bytes get a mode
 * attribute. Duplicate names (possible in deduplicated kernel BTF) get `___2`, `___3` suffixes.
 */
import type { Btf } from './btf.js';
import { PTR_SIZE } from './btf.js';
import { isComposite, isModifier, type BtfType } from './types.js';

export { formatValue, formatValueJson } from './value-format.js';

export interface DumpCOptions {
  /** Dump only these types and what they need (default: every type, in id order). */
  rootIds?: number[];
  /**
   * Wrap the output like bpftool: `#ifndef __VMLINUX_H__` guard and the preserve_access_index
   * pragma (default true).
   */
  header?: boolean;
}

const enum Order { None, Ordering, Ordered }
const enum Emit { None, Emitting, Emitted }

const tabs = (lvl: number): string => '\t'.repeat(lvl);

/** Padding beyond this many bits (8 KiB) is printed as a char array rather than bitfields. */
const LARGE_GAP_BITS = 8 * 8192;

class CDumper {
  private readonly order: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly names: (string | undefined)[] = [];
  private readonly typeNameCount = new Map<string, number>();
  private readonly identNameCount = new Map<string, number>();
  private queue: number[] = [];
  readonly out: string[] = [];

  private referencedMarked = false;

  constructor(readonly btf: Btf) {
    const n = btf.types.length;
    this.order = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.order[0] = Order.Ordered;
    this.emitState[0] = Emit.Emitted;
  }

  private t(id: number): BtfType {
    return this.btf.types[id]!;
  }

  /** An anonymous enum that nothing refers to is a top-level constant list and is printed on its own. */
  private markReferenced(): void {
    for (const t of this.btf.types) {
      const refs: number[] = [];
      switch (t.kind) {
        case 'ptr': case 'typedef': case 'const': case 'volatile': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
          refs.push(t.type!);
          break;
        case 'array': refs.push(t.elemType!, t.indexType!); break;
        case 'struct': case 'union': for (const m of t.members!) refs.push(m.type); break;
        case 'func_proto': for (const p of t.params!) refs.push(p.type); break;
        case 'datasec': for (const v of t.vars!) refs.push(v.type); break;
        default: break;
      }
      for (const r of refs) this.referenced[r] = 1;
    }
  }

  dumpType(id: number): void {
    if (!this.referencedMarked) {
      this.markReferenced();
      this.referencedMarked = true;
    }
    this.queue = [];
    this.orderType(id, false);
    for (const q of this.queue) this.emitType(q, 0);
  }

  // -------------------------------------------------------------------------------------------
  // Pass 1: ordering. Returns true for a strong link (the caller needs the full definition).

  private orderType(id: number, throughPtr: boolean): boolean {
    if (this.order[id] === Order.Ordered) return true;
    const t = this.t(id);
    if (this.order[id] === Order.Ordering) {
      // Back at a type being ordered: through a pointer to a named struct this is a weak link that a
      // forward declaration satisfies. parseBtf rejects every other cycle, so nothing else gets here.
      return false;
    }
    switch (t.kind) {
      case 'int': case 'float':
        this.order[id] = Order.Ordered;
        return false;
      case 'ptr': {
        const strong = this.orderType(t.type!, true);
        this.order[id] = Order.Ordered;
        return strong;
      }
      case 'array':
        return this.orderType(t.elemType!, false);
      case 'struct': case 'union': {
        // Only a by-value use, or an anonymous struct (defined inline even behind a pointer), is strong.
        if (throughPtr && t.name) return false;
        this.order[id] = Order.Ordering;
        for (const m of t.members!) this.orderType(m.type, false);
        if (t.name) this.queue.push(id);
        this.order[id] = Order.Ordered;
        return true;
      }
      case 'enum': case 'enum64': case 'fwd':
        // Named ones are top-level definitions; so is an anonymous enum nobody refers to.
        if (t.name || !this.referenced[id]) this.queue.push(id);
        this.order[id] = Order.Ordered;
        return true;
      case 'typedef': {
        const strong = this.orderType(t.type!, throughPtr);
        if (throughPtr && !strong) return false;
        this.queue.push(id);
        this.order[id] = Order.Ordered;
        return true;
      }
      case 'const': case 'volatile': case 'restrict': case 'type_tag':
        return this.orderType(t.type!, throughPtr);
      case 'func_proto': {
        let strong = this.orderType(t.type!, throughPtr);
        for (const p of t.params!) if (this.orderType(p.type, throughPtr)) strong = true;
        return strong;
      }
      default: // func, var, datasec, decl_tag: not printed as C types
        this.order[id] = Order.Ordered;
        return false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pass 2: emission. `contId` is the struct being defined around this reference (0 at top level).

  private emitType(id: number, contId: number): void {
    if (this.emitState[id] === Emit.Emitted) return;
    const t = this.t(id);
    const topLevel = contId === 0;
    if (this.emitState[id] === Emit.Emitting) {
      // Referenced while its own definition is in progress: a forward declaration must do.
      if (this.fwdEmitted[id]) return;
      if (isComposite(t)) {
        if (id === contId || !t.name) return; // referring to itself needs nothing
        this.out.push(`${this.structFwd(t)};\n\n`);
        this.fwdEmitted[id] = 1;
      } else if (t.kind === 'typedef') {
        // A typedef can serve as its own forward declaration for pointer uses.
        if (!this.blacklisted(t)) this.out.push(`${this.typedefDef(t, 0)};\n\n`);
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (t.kind) {
      case 'int':
        this.emitState[id] = Emit.Emitted;
        break;
      case 'enum': case 'enum64':
        if (topLevel) this.out.push(`${this.enumDef(t, 0)};\n\n`);
        this.emitState[id] = Emit.Emitted;
        break;
      case 'ptr': case 'const': case 'volatile': case 'restrict': case 'type_tag':
        this.emitType(t.type!, contId);
        break;
      case 'array':
        this.emitType(t.elemType!, contId);
        break;
      case 'fwd':
        this.out.push(`${this.fwdDef(t)};\n\n`);
        this.emitState[id] = Emit.Emitted;
        break;
      case 'typedef':
        this.emitState[id] = Emit.Emitting;
        this.emitType(t.type!, id);
        if (!this.fwdEmitted[id] && !this.blacklisted(t)) this.out.push(`${this.typedefDef(t, 0)};\n\n`);
        this.emitState[id] = Emit.Emitted;
        break;
      case 'struct': case 'union':
        this.emitState[id] = Emit.Emitting;
        if (topLevel || !t.name) {
          // Its members will be printed: make sure what they name is declared first.
          const inner = t.name ? id : contId;
          for (const m of t.members!) this.emitType(m.type, inner);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.out.push(`${this.structFwd(t)};\n\n`);
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.out.push(`${this.structDef(t, 0)};\n\n`);
          this.emitState[id] = Emit.Emitted;
        } else {
          this.emitState[id] = Emit.None;
        }
        break;
      case 'func_proto':
        this.emitType(t.type!, contId);
        for (const p of t.params!) this.emitType(p.type, contId);
        break;
      default:
        break;
    }
  }

  /** __builtin_va_list is the compiler's own: redefining it breaks compilation. */
  private blacklisted(t: BtfType): boolean {
    return t.name === '__builtin_va_list';
  }

  // -------------------------------------------------------------------------------------------
  // Names

  private resolveName(id: number, counts: Map<string, number>): string {
    const t = this.t(id);
    if (!t.name) return '';
    const cached = this.names[id];
    if (cached !== undefined) return cached;
    let name = t.name;
    // Forward declarations and empty enums never clash with a definition of the same name.
    if (!(t.kind === 'fwd' || (t.kind === 'enum' && t.values!.length === 0))) {
      const n = (counts.get(t.name) ?? 0) + 1;
      counts.set(t.name, n);
      if (n > 1) name = `${t.name}___${n}`;
    }
    this.names[id] = name;
    return name;
  }

  typeName(id: number): string {
    return this.resolveName(id, this.typeNameCount);
  }

  identName(id: number): string {
    return this.resolveName(id, this.identNameCount);
  }

  // -------------------------------------------------------------------------------------------
  // Definitions

  private structFwd(t: BtfType): string {
    const kw = t.kind === 'struct' ? 'struct' : 'union';
    return t.name ? `${kw} ${this.typeName(t.id)}` : kw;
  }

  private fwdDef(t: BtfType): string {
    return `${t.fwdUnion ? 'union' : 'struct'} ${this.typeName(t.id)}`;
  }

  private typedefDef(t: BtfType, lvl: number): string {
    const name = this.identName(t.id);
    // Old GCC emitted __gnuc_va_list as a typedef of void.
    if (t.type === 0 && name === '__gnuc_va_list') return 'typedef __builtin_va_list __gnuc_va_list';
    return `typedef ${this.decl(t.type!, name, lvl)}`;
  }

  /** Natural alignment is violated somewhere, or the size is not a multiple of it: packed. */
  private isPacked(t: BtfType): boolean {
    let max = 1;
    for (const m of t.members!) {
      const a = this.btf.alignOf(m.type);
      if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      max = Math.max(max, a);
    }
    return t.size! % max !== 0;
  }

  structDef(t: BtfType, lvl: number): string {
    const isStruct = t.kind === 'struct';
    const packed = isStruct && this.isPacked(t);
    let s = `${this.structFwd(t)} {`;
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members!) {
      const mAlign = packed ? 1 : this.btf.alignOf(m.type);
      const inBitfield = prevBitfield && m.bitfieldSize !== 0;
      s += this.padding(off, m.bitOffset, mAlign, inBitfield, lvl + 1);
      s += `\n${tabs(lvl + 1)}${this.decl(m.type, m.name, lvl + 1)}`;
      if (m.bitfieldSize) {
        s += `: ${m.bitfieldSize}`;
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + this.sizeOrZero(m.type) * 8;
        prevBitfield = false;
      }
      s += ';';
    }
    if (isStruct) s += this.padding(off, t.size! * 8, this.btf.alignOf(t.id), false, lvl + 1);
    s += t.members!.length || t.size ? `\n${tabs(lvl)}}` : '}';
    if (packed) s += ' __attribute__((packed))';
    return s;
  }

  private sizeOrZero(id: number): number {
    try {
      return this.btf.sizeOf(id);
    } catch {
      return 0;
    }
  }

  /**
   * Explicit padding from bit `cur` to bit `next`, as anonymous bitfields. The widest of long, int,
   * short, char whose alignment boundary falls within the gap is used to reach an aligned offset;
   * a `type: 0` marker forces that boundary when the compiler would not align there by itself (the
   * next member's own alignment is smaller, or we are continuing a bitfield run). The rest is filled
   * with full-width chunks and a last smaller chunk.
   */
  private padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): string {
    if (cur >= next) return '';
    const pads: [string, number][] = [['long', PTR_SIZE * 8], ['int', 32], ['short', 16], ['char', 8]];
    const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;
    let s = '';
    // A gap no real struct has (corrupt or synthetic BTF) would be millions of `long: 64;` lines:
    // reach a byte boundary, then fill the whole bytes with one named char array (same layout).
    if (next - cur > LARGE_GAP_BITS) {
      if (cur % 8) {
        s += `\n${tabs(lvl)}char: ${8 - (cur % 8)};`;
        cur += 8 - (cur % 8);
      }
      const bytes = Math.floor((next - cur) / 8);
      s += `\n${tabs(lvl)}char __pad_${cur / 8}[${bytes}];`;
      cur += bytes * 8;
      inBitfield = false;
      if (cur === next) return s;
    }
    let padType = 'char';
    let padBits = 8;
    let aligned = 0;
    for (const [name, bits] of pads) {
      padType = name;
      padBits = bits;
      aligned = roundUp(cur, bits);
      if (aligned <= next) break;
    }
    if (aligned > cur && aligned <= next) {
      const needMarker = inBitfield ||
        (aligned === next && roundUp(cur, nextAlign * 8) !== aligned) ||
        (aligned !== next && next - aligned <= aligned - cur);
      if (needMarker) s += `\n${tabs(lvl)}${padType}: ${inBitfield ? aligned - cur : 0};`;
      cur = aligned;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        s += `\n${tabs(lvl)}${padType}: ${padBits};`;
        cur += bits;
        continue;
      }
      // A partial chunk: the smallest type that holds it.
      for (let i = pads.length - 1; i >= 0; i--) {
        const [name, width] = pads[i]!;
        if (width < bits) continue;
        s += `\n${tabs(lvl)}${name}: ${bits};`;
        cur += bits;
        break;
      }
    }
    return s;
  }

  enumDef(t: BtfType, lvl: number): string {
    let s = t.name ? `enum ${this.typeName(t.id)}` : 'enum';
    const values = t.values!;
    if (values.length === 0) return s;
    s += ' {';
    for (const v of values) {
      // Enumerators share the ordinary identifier namespace with typedefs.
      const n = (this.identNameCount.get(v.name) ?? 0) + 1;
      this.identNameCount.set(v.name, n);
      const name = n > 1 ? `${v.name}___${n}` : v.name;
      const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
      s += `\n${tabs(lvl + 1)}${name} = ${v.value}${suffix},`;
    }
    s += `\n${tabs(lvl)}}`;
    if (t.size === 1) {
      s += ' __attribute__((mode(byte)))';
    } else if (t.size === 8) {
      // An 8-byte enum happens naturally when a value needs 64 bits; otherwise ask for word mode.
      const natural = t.kind === 'enum64' && values.some((v) => BigInt.asUintN(64, v.value) >> 32n !== 0n);
      if (!natural) s += ' __attribute__((mode(word)))';
    }
    return s;
  }

  // -------------------------------------------------------------------------------------------
  // Declarators: `decl(id, name)` is a C declaration of `name` with type `id`, built inside out.

  decl(id: number, inner: string, lvl: number, inlineAnon = true): string {
    // bpftool's spacing: `char * const *p` after a qualified pointer, `struct s * (*f)(void)` for a
    // function returning a pointer; otherwise `int *p`.
    let spaceAfterStar = false;
    for (let guard = 0; guard < 4096; guard++) {
      const t = this.t(id);
      const join = (base: string): string => (inner ? `${base} ${inner}` : base);
      switch (t.kind) {
        case 'void':
          return join('void');
        case 'int': case 'float':
          return join(t.name);
        case 'struct': case 'union':
          return join(!t.name && inlineAnon ? this.structDef(t, lvl) : this.structFwd(t) + (t.name ? '' : ' {...}'));
        case 'enum': case 'enum64':
          return join(!t.name && inlineAnon ? this.enumDef(t, lvl) : t.name ? `enum ${this.typeName(id)}` : 'enum {...}');
        case 'fwd':
          return join(this.fwdDef(t));
        case 'typedef':
          return join(this.identName(id));
        case 'ptr': {
          const target = this.skipMods(t.type!);
          const k = this.t(target).kind;
          const star = spaceAfterStar || inner.startsWith('(') ? '* ' : '*';
          inner = k === 'array' || k === 'func_proto' ? `(${star}${inner})` : `${star}${inner}`;
          spaceAfterStar = false;
          id = t.type!;
          continue;
        }
        case 'const': case 'volatile': case 'restrict': {
          const target = this.t(this.skipMods(t.type!));
          if (target.kind === 'ptr') {
            // Qualifies the pointer itself: `int *const p`.
            inner = `${t.kind} ${inner}`.trimEnd();
            spaceAfterStar = true;
          } else if (target.kind !== 'array' && target.kind !== 'func_proto') {
            // Qualifies the base type: `const int p`. (On arrays and functions it is meaningless; GCC
            // emits it for arrays of const elements and noreturn functions, so it is dropped there.)
            // Consecutive qualifiers are printed nearest-first, as bpftool does: `volatile const T`.
            const quals: string[] = [t.kind];
            let next = this.t(t.type!);
            while (next.kind === 'const' || next.kind === 'volatile' || next.kind === 'restrict') {
              quals.unshift(next.kind);
              next = this.t(next.type!);
            }
            return `${quals.join(' ')} ${this.decl(next.id, inner, lvl, inlineAnon)}`;
          }
          id = t.type!;
          continue;
        }
        case 'type_tag': {
          const attr = t.attrTag ? `__attribute__((${t.name}))` : `__attribute__((btf_type_tag("${t.name}")))`;
          inner = inner ? `${attr} ${inner}` : attr;
          id = t.type!;
          continue;
        }
        case 'array':
          inner = `${inner}[${t.nelems}]`;
          id = t.elemType!;
          continue;
        case 'func_proto': {
          const ps = t.params!;
          let args: string;
          if (ps.length === 0 || (ps.length === 1 && ps[0]!.type === 0)) args = 'void';
          else args = ps.map((p, i) => (i === ps.length - 1 && p.type === 0 ? '...' : this.decl(p.type, p.name, lvl, inlineAnon))).join(', ');
          inner = `${inner}(${args})`;
          id = t.type!;
          continue;
        }
        default:
          return join(`/* ${t.kind} [${id}] */`);
      }
    }
    return `/* type chain too long */ ${inner}`;
  }

  private skipMods(id: number): number {
    let t = this.t(id);
    for (let i = 0; i < 64 && isModifier(t); i++) t = this.t(t.type!);
    return t.id;
  }
}

const HEADER = `#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

`;

const FOOTER = `#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
`;

/** All types (or those named by `rootIds` and their dependencies) as compilable C. */
export function dumpC(btf: Btf, opts: DumpCOptions = {}): string {
  const d = new CDumper(btf);
  const roots = opts.rootIds ?? Array.from({ length: btf.types.length - 1 }, (_, i) => i + 1);
  for (const id of roots) d.dumpType(btf.typeById(id).id);
  const body = d.out.join('');
  return opts.header === false ? body : HEADER + body + FOOTER;
}

export interface TypeToCOptions {
  /** Print anonymous structs/unions/enums in full (default: `struct {...}`). */
  inlineAnon?: boolean;
}

/**
 * The C spelling of a type, optionally declaring `name`: `typeToC(btf, id)` -> "struct task_struct *",
 * `typeToC(btf, id, 'f')` -> "int (*f)(void *)". For messages and listings.
 */
export function typeToC(btf: Btf, id: number, name = '', opts: TypeToCOptions = {}): string {
  btf.typeById(id);
  return new CDumper(btf).decl(id, name, 0, opts.inlineAnon ?? false);
}
