/**
 * BTF: the parser (`parseBtf`) and the queries on a parsed type graph (`Btf`).
 *
 * Layout of the section (include/uapi/linux/btf.h): a header (magic 0xeB9F, version 1, flags, hdr_len,
 * then type_off/type_len/str_off/str_len relative to the end of the header, optionally followed by
 * layout_off/layout_len in newer BTF), a type section of variable-length records and a string
 * section of NUL-terminated names. Split BTF (kernel module BTF) is parsed on top of a base: its ids
 * and string offsets continue where the base's end.
 *
 * Every malformed input is a BpfError('EINVAL') naming the place (header field, type id and byte
 * offset) and the reason; the parser never reads out of bounds and every walk over type references
 * is bounded, so cyclic or truncated input cannot crash or hang it. After parsing, the reference
 * graph is known to be free of loops that C could not express (see checkLoops), which is what lets
 * the printers and CO-RE walk it recursively.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';
import { BtfStrings } from './strings.js';
import {
  BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_NAMES, type BtfKindName, type BtfMember,
  type BtfType, isComposite, isModifier,
} from './types.js';

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
/** The highest type id the kernel accepts (BTF_MAX_TYPE). */
export const BTF_MAX_TYPE = 0xfffff;
/** Bound on typedef/modifier/array chains followed by resolve/sizeOf (libbpf's MAX_RESOLVE_DEPTH). */
export const MAX_RESOLVE_DEPTH = 32;
/** Pointers in BPF programs and in the 64-bit kernels whose BTF we read. */
export const PTR_SIZE = 8;

const HEADER_LEN = 24;
const TYPE_HEADER_LEN = 12;

export interface ParseBtfOptions {
  /** The base BTF this one is split from (e.g. vmlinux under a module's BTF). */
  base?: Btf;
  /** A name for messages: the file or section it came from. */
  name?: string;
}

/** One variable of a DATASEC, with the VAR (or extern FUNC) it points to resolved. */
export interface BtfDatasecVar {
  /** The VAR's (or FUNC's) name. */
  name: string;
  /** Id of the VAR (or FUNC) type. */
  varId: number;
  /** The variable's type (the VAR's `type`); for a FUNC, its id. */
  type: number;
  offset: number;
  size: number;
  linkage: number;
}

export interface BtfDatasec {
  id: number;
  name: string;
  size: number;
  vars: BtfDatasecVar[];
}

const VOID: BtfType = Object.freeze({ id: 0, kind: 'void', name: '' }) as BtfType;

export class Btf {
  /** Index = type id; [0] is void. In split BTF the base's types come first, shared, not copied. */
  readonly types: BtfType[];
  /** The first id this BTF defines (1, or the base's type count for split BTF). */
  readonly startId: number;
  private nameIndex: Map<string, number[]> | undefined;

  constructor(
    readonly name: string,
    types: BtfType[],
    readonly strings: BtfStrings,
    readonly base?: Btf,
  ) {
    this.startId = base ? base.types.length : 1;
    this.types = base ? base.types.concat(types) : [VOID, ...types];
  }

  /** Number of type ids, void included (libbpf's btf__type_cnt). */
  get typeCount(): number {
    return this.types.length;
  }

  stringAt(off: number): string {
    try {
      return this.strings.at(off);
    } catch (e) {
      throw this.error('EINVAL', e instanceof Error ? e.message.replace(/^BTF: /, '') : String(e));
    }
  }

  hasType(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.types.length;
  }

  typeById(id: number): BtfType {
    const t = this.hasType(id) ? this.types[id] : undefined;
    if (!t) throw this.error('ENOENT', `no type [${id}] (ids are 0..${this.types.length - 1})`);
    return t;
  }

  /** The types this BTF defines itself (not its base's). */
  ownTypes(): BtfType[] {
    return this.types.slice(this.startId);
  }

  /** The first type named `name` (of `kind`, if given), searching the base first as libbpf does. */
  findByName(name: string, kind?: BtfKindName): BtfType | undefined {
    for (const id of this.index().get(name) ?? []) {
      const t = this.types[id]!;
      if (kind === undefined || t.kind === kind) return t;
    }
    return undefined;
  }

  findAllByName(name: string, kind?: BtfKindName): BtfType[] {
    return (this.index().get(name) ?? []).map((id) => this.types[id]!).filter((t) => kind === undefined || t.kind === kind);
  }

  /** The type's name ('' when anonymous). */
  nameOf(id: number): string {
    return this.typeById(id).name;
  }

  /** The id reached by skipping typedef, const, volatile, restrict and type_tag. */
  resolveId(id: number): number {
    let t = this.typeById(id);
    for (let depth = 0; t.kind === 'typedef' || isModifier(t); depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw this.error('ELOOP', `type [${id}]: more than ${MAX_RESOLVE_DEPTH} typedefs/modifiers`);
      t = this.typeById(t.type!);
    }
    return t.id;
  }

  /** The type reached by skipping typedef, const, volatile, restrict and type_tag. */
  resolve(id: number): BtfType {
    return this.typeById(this.resolveId(id));
  }

  /** Byte size of a type, as C's sizeof (pointers are 8). void and functions have none: EINVAL. */
  sizeOf(id: number): number {
    let nelems = 1;
    let t = this.typeById(id);
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      switch (t.kind) {
        case 'int': case 'struct': case 'union': case 'enum': case 'enum64': case 'datasec': case 'float': {
          const size = t.size! * nelems;
          if (size > 0xffffffff) throw this.error('E2BIG', `type [${id}]: size ${size} does not fit in 32 bits`);
          return size;
        }
        case 'ptr':
          return PTR_SIZE * nelems;
        case 'typedef': case 'volatile': case 'const': case 'restrict': case 'var': case 'decl_tag': case 'type_tag':
          t = this.typeById(t.type!);
          break;
        case 'array':
          nelems *= t.nelems!;
          if (nelems > 0xffffffff) throw this.error('E2BIG', `type [${id}]: array of ${nelems} elements is too large`);
          t = this.typeById(t.elemType!);
          break;
        default:
          throw this.error('EINVAL', `type [${id}]: ${t.kind === 'void' ? 'void' : `${t.kind} [${t.id}]`} has no size`);
      }
    }
    throw this.error('ELOOP', `type [${id}]: more than ${MAX_RESOLVE_DEPTH} levels resolving its size`);
  }

  /** Alignment in bytes, as the C compiler would choose it; 1 for a packed struct (libbpf's rules). */
  alignOf(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw this.error('ELOOP', `type [${id}]: nesting too deep to compute its alignment`);
    const t = this.typeById(id);
    switch (t.kind) {
      case 'int': case 'enum': case 'enum64': case 'float':
        return Math.min(PTR_SIZE, t.size!);
      case 'ptr':
        return PTR_SIZE;
      case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag':
        return this.alignOf(t.type!, depth + 1);
      case 'array':
        return this.alignOf(t.elemType!, depth + 1);
      case 'struct': case 'union': {
        let max = 1;
        for (const m of t.members!) {
          const a = this.alignOf(m.type, depth + 1);
          max = Math.max(max, a);
          // A member that is not at a multiple of its alignment means the struct is packed.
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
        }
        return t.size! % max === 0 ? max : 1;
      }
      default:
        throw this.error('EINVAL', `type [${id}]: ${t.kind} has no alignment`);
    }
  }

  /** The DATASEC named `name` (e.g. ".maps", ".data") with its variables resolved. */
  datasec(name: string): BtfDatasec | undefined {
    const t = this.findByName(name, 'datasec');
    if (!t) return undefined;
    return {
      id: t.id,
      name: t.name,
      size: t.size!,
      vars: t.vars!.map((v) => {
        const vt = this.typeById(v.type);
        return {
          name: vt.name,
          varId: vt.id,
          type: vt.kind === 'var' ? vt.type! : vt.id,
          offset: v.offset,
          size: v.size,
          linkage: vt.linkage ?? 0,
        };
      }),
    };
  }

  error(code: BpfErrorCode, reason: string): BpfError {
    return new BpfError(code, `${this.name}: BTF ${reason}`, { file: this.name });
  }

  private index(): Map<string, number[]> {
    if (!this.nameIndex) {
      const idx = new Map<string, number[]>();
      for (const t of this.types) {
        if (!t.name) continue;
        const list = idx.get(t.name);
        if (list) list.push(t.id);
        else idx.set(t.name, [t.id]);
      }
      this.nameIndex = idx;
    }
    return this.nameIndex;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Little-endian reads over the whole BTF blob (offsets from the start of the header). */
class Reader {
  constructor(readonly dv: DataView) {}

  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }

  i32(off: number): number {
    return this.dv.getInt32(off, true);
  }
}

function fail(name: string, where: string, reason: string): never {
  throw new BpfError('EINVAL', `${name}: BTF ${where}: ${reason}`, { file: name });
}

interface Header {
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
}

function parseHeader(bytes: Uint8Array, name: string): Header {
  const where = 'header';
  if (bytes.length < HEADER_LEN) fail(name, where, `${bytes.length} bytes is shorter than the ${HEADER_LEN}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic === 0x9feb) fail(name, where, 'big-endian BTF (magic 0x9feb) is not supported');
  if (magic !== BTF_MAGIC) fail(name, where, `bad magic 0x${magic.toString(16)} (expected 0xeb9f)`);
  const version = dv.getUint8(2);
  if (version !== BTF_VERSION) fail(name, where, `unsupported version ${version} (expected ${BTF_VERSION})`);
  const flags = dv.getUint8(3);
  if (flags !== 0) fail(name, where, `unsupported flags 0x${flags.toString(16)}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < HEADER_LEN) fail(name, where, `hdr_len ${hdrLen} is shorter than ${HEADER_LEN}`);
  if (hdrLen > bytes.length) fail(name, where, `hdr_len ${hdrLen} is beyond the end of the data (${bytes.length} bytes)`);
  const h: Header = {
    hdrLen,
    typeOff: dv.getUint32(8, true),
    typeLen: dv.getUint32(12, true),
    strOff: dv.getUint32(16, true),
    strLen: dv.getUint32(20, true),
  };
  const data = bytes.length - hdrLen;
  if (h.typeOff % 4 !== 0) fail(name, where, `type_off ${h.typeOff} is not 4-byte aligned`);
  if (h.typeLen % 4 !== 0) fail(name, where, `type_len ${h.typeLen} is not a multiple of 4`);
  if (h.typeOff + h.typeLen > data) {
    fail(name, where, `type section (off ${h.typeOff}, len ${h.typeLen}) is beyond the end of the data (${data} bytes after the header)`);
  }
  if (h.strOff + h.strLen > data) {
    fail(name, where, `string section (off ${h.strOff}, len ${h.strLen}) is beyond the end of the data (${data} bytes after the header)`);
  }
  if (h.strOff < h.typeOff + h.typeLen && h.typeOff < h.strOff + h.strLen) {
    fail(name, where, `type section (off ${h.typeOff}, len ${h.typeLen}) and string section (off ${h.strOff}, len ${h.strLen}) overlap`);
  }
  // Newer BTF may describe each kind's record layout after the string fields; we only know the
  // twenty kinds of the uapi, so the layout section is checked for bounds and otherwise ignored.
  if (hdrLen >= 32) {
    const layoutOff = dv.getUint32(24, true);
    const layoutLen = dv.getUint32(28, true);
    if (layoutLen !== 0 && (layoutOff % 4 !== 0 || layoutOff + layoutLen > data)) {
      fail(name, where, `layout section (off ${layoutOff}, len ${layoutLen}) is misaligned or beyond the data`);
    }
  }
  return h;
}

function parseStrings(bytes: Uint8Array, h: Header, name: string, base?: Btf): BtfStrings {
  const s = bytes.subarray(h.hdrLen + h.strOff, h.hdrLen + h.strOff + h.strLen);
  if (!base && s.length === 0) fail(name, 'string section', 'is empty (it must hold at least the empty name at offset 0)');
  if (!base && s[0] !== 0) fail(name, 'string section', 'does not start with the empty string (offset 0 must be NUL)');
  if (s.length > 0 && s[s.length - 1] !== 0) fail(name, 'string section', `is not NUL-terminated (last byte at offset ${s.length - 1} is 0x${s[s.length - 1]!.toString(16)})`);
  return new BtfStrings(s, base?.strings);
}

/** Bytes that follow the 12-byte common header for each kind. */
function extraSize(kind: BtfKindName, vlen: number): number {
  switch (kind) {
    case 'int': case 'var': case 'decl_tag': return 4;
    case 'array': return 12;
    case 'struct': case 'union': case 'datasec': case 'enum64': return 12 * vlen;
    case 'enum': case 'func_proto': return 8 * vlen;
    default: return 0;
  }
}

/** Kinds whose name the kernel requires to be empty. */
const ANONYMOUS_KINDS = new Set<BtfKindName>(['ptr', 'array', 'const', 'volatile', 'restrict', 'func_proto']);
/** Kinds whose name the kernel requires to be present. */
const NAMED_KINDS = new Set<BtfKindName>(['int', 'fwd', 'typedef', 'func', 'var', 'datasec', 'float', 'decl_tag', 'type_tag']);
/** Kinds that use the kind_flag bit. */
const KFLAG_KINDS = new Set<BtfKindName>(['struct', 'union', 'enum', 'fwd', 'enum64', 'decl_tag', 'type_tag']);
/** Kinds whose vlen must be zero (func uses vlen for its linkage). */
const NO_VLEN_KINDS = new Set<BtfKindName>(['int', 'ptr', 'array', 'fwd', 'typedef', 'volatile', 'const', 'restrict', 'var', 'float', 'decl_tag', 'type_tag']);

interface TypeCtx {
  r: Reader;
  strings: BtfStrings;
  name: string;
  id: number;
  /** Byte offset of the record in the BTF data (from the start of the header), for messages. */
  at: number;
}

function where(c: TypeCtx): string {
  return `type [${c.id}] at offset 0x${c.at.toString(16)}`;
}

function str(c: TypeCtx, off: number, what: string): string {
  const s = c.strings.tryAt(off);
  if (s === undefined) fail(c.name, where(c), `${what} offset ${off} is outside the string section (0..${c.strings.end - 1})`);
  return s;
}

function parseOne(c: TypeCtx, p: number, kind: BtfKindName, vlen: number, kflag: boolean): BtfType {
  const { r } = c;
  const name = str(c, r.u32(p), 'name');
  const sizeOrType = r.u32(p + 8);
  const x = p + TYPE_HEADER_LEN;
  const t: BtfType = { id: c.id, kind, name };
  const bad = (reason: string): never => fail(c.name, where(c), `${kind}${name ? ` '${name}'` : ''}: ${reason}`);

  if (ANONYMOUS_KINDS.has(kind) && name !== '') bad('must not have a name');
  if (NAMED_KINDS.has(kind) && name === '') bad('must have a name');
  if (kflag && !KFLAG_KINDS.has(kind)) bad('kind_flag is set but is not used by this kind');
  if (vlen !== 0 && NO_VLEN_KINDS.has(kind)) bad(`vlen ${vlen} must be 0`);

  switch (kind) {
    case 'int': {
      const data = r.u32(x);
      if (data & 0xf0000000 || data & 0x0000ff00) bad(`reserved bits set in the int encoding word 0x${data.toString(16)}`);
      const encoding = (data >>> 24) & 0x0f;
      const offset = (data >>> 16) & 0xff;
      const bits = data & 0xff;
      if (![1, 2, 4, 8, 16].includes(sizeOrType)) bad(`size ${sizeOrType} is not 1, 2, 4, 8 or 16`);
      if (bits === 0 || bits > 128) bad(`nr_bits ${bits} is not in 1..128`);
      if (offset + bits > sizeOrType * 8) bad(`bits_offset ${offset} + nr_bits ${bits} exceeds the size of ${sizeOrType * 8} bits`);
      if (encoding & ~(BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL) || [3, 5, 6, 7].includes(encoding)) {
        bad(`encoding 0x${encoding.toString(16)} is not one of none, SIGNED, CHAR, BOOL`);
      }
      Object.assign(t, { size: sizeOrType, intEncoding: encoding, intOffset: offset, intBits: bits });
      break;
    }
    case 'float':
      if (![2, 4, 8, 12, 16].includes(sizeOrType)) bad(`size ${sizeOrType} is not 2, 4, 8, 12 or 16`);
      t.size = sizeOrType;
      break;
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict':
      t.type = sizeOrType;
      break;
    case 'type_tag':
      t.type = sizeOrType;
      t.attrTag = kflag;
      break;
    case 'fwd':
      t.fwdUnion = kflag;
      break;
    case 'array':
      if (sizeOrType !== 0) bad(`size/type field ${sizeOrType} must be 0`);
      Object.assign(t, { elemType: r.u32(x), indexType: r.u32(x + 4), nelems: r.u32(x + 8) });
      break;
    case 'struct': case 'union': {
      const members: BtfMember[] = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const m = x + 12 * i;
        const off = r.u32(m + 8);
        members[i] = {
          name: str(c, r.u32(m), `member ${i} name`),
          type: r.u32(m + 4),
          bitOffset: kflag ? off & 0xffffff : off,
          bitfieldSize: kflag ? off >>> 24 : 0,
        };
      }
      t.size = sizeOrType;
      t.members = members;
      break;
    }
    case 'enum': case 'enum64': {
      if (![1, 2, 4, 8].includes(sizeOrType)) bad(`size ${sizeOrType} is not 1, 2, 4 or 8`);
      const values = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        if (kind === 'enum') {
          const e = x + 8 * i;
          values[i] = { name: str(c, r.u32(e), `enumerator ${i} name`), value: BigInt(kflag ? r.i32(e + 4) : r.u32(e + 4)) };
        } else {
          const e = x + 12 * i;
          const u = (BigInt(r.u32(e + 8)) << 32n) | BigInt(r.u32(e + 4));
          values[i] = { name: str(c, r.u32(e), `enumerator ${i} name`), value: kflag ? BigInt.asIntN(64, u) : u };
        }
        if (values[i].name === '') bad(`enumerator ${i} has no name`);
      }
      Object.assign(t, { size: sizeOrType, values, signed: kflag });
      break;
    }
    case 'func':
      if (vlen > 2) bad(`linkage ${vlen} is not static (0), global (1) or extern (2)`);
      Object.assign(t, { type: sizeOrType, linkage: vlen });
      break;
    case 'func_proto': {
      const params = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const q = x + 8 * i;
        params[i] = { name: str(c, r.u32(q), `parameter ${i} name`), type: r.u32(q + 4) };
      }
      Object.assign(t, { type: sizeOrType, params });
      break;
    }
    case 'var': {
      const linkage = r.u32(x);
      if (linkage > 2) bad(`linkage ${linkage} is not static (0), global (1) or extern (2)`);
      Object.assign(t, { type: sizeOrType, linkage });
      break;
    }
    case 'datasec': {
      const vars = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const v = x + 12 * i;
        vars[i] = { type: r.u32(v), offset: r.u32(v + 4), size: r.u32(v + 8) };
      }
      Object.assign(t, { size: sizeOrType, vars });
      break;
    }
    case 'decl_tag': {
      const idx = r.i32(x);
      if (idx < -1) bad(`component_idx ${idx} is below -1`);
      Object.assign(t, { type: sizeOrType, componentIdx: idx, attrTag: kflag });
      break;
    }
    case 'void':
      bad('kind 0 (UNKN) is not a valid type record');
  }
  return t;
}

function parseTypes(bytes: Uint8Array, h: Header, name: string, strings: BtfStrings, startId: number): BtfType[] {
  const start = h.hdrLen + h.typeOff;
  const end = start + h.typeLen;
  const r = new Reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const types: BtfType[] = [];
  let p = start;
  let id = startId;
  while (p < end) {
    const c: TypeCtx = { r, strings, name, id, at: p };
    if (id > BTF_MAX_TYPE) fail(name, where(c), `more than ${BTF_MAX_TYPE} types`);
    if (end - p < TYPE_HEADER_LEN) fail(name, where(c), `truncated: ${end - p} bytes left, a type header needs ${TYPE_HEADER_LEN}`);
    const info = r.u32(p + 4);
    const kindNum = (info >>> 24) & 0x7f;
    const vlen = info & 0xffffff; // bits 0-23 (older headers said 0-15 with 16-23 unused)
    const kind = BTF_KIND_NAMES[kindNum];
    if (kind === undefined) fail(name, where(c), `unknown kind ${kindNum}`);
    const need = TYPE_HEADER_LEN + extraSize(kind, vlen);
    if (end - p < need) {
      fail(name, where(c), `truncated ${kind} with vlen ${vlen}: needs ${need} bytes, ${end - p} left in the type section`);
    }
    types.push(parseOne(c, p, kind, vlen, info >>> 31 === 1));
    p += need;
    id++;
  }
  return types;
}

export function parseBtf(bytes: Uint8Array, opts: ParseBtfOptions = {}): Btf {
  const name = opts.name ?? 'btf';
  const h = parseHeader(bytes, name);
  const strings = parseStrings(bytes, h, name, opts.base);
  const startId = opts.base ? opts.base.types.length : 1;
  const own = parseTypes(bytes, h, name, strings, startId);
  const btf = new Btf(name, own, strings, opts.base);
  checkReferences(btf);
  checkLoops(btf);
  checkLayouts(btf);
  return btf;
}

// ---------------------------------------------------------------------------------------------
// Validation of the graph

/** Every type id a type refers to, with the edge's role. */
function edges(t: BtfType): { to: number; role: 'ptr' | 'member' | 'other'; what: string }[] {
  switch (t.kind) {
    case 'ptr': return [{ to: t.type!, role: 'ptr', what: 'pointee' }];
    case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
      return [{ to: t.type!, role: 'other', what: 'type' }];
    case 'array':
      return [{ to: t.elemType!, role: 'other', what: 'element type' }, { to: t.indexType!, role: 'other', what: 'index type' }];
    case 'struct': case 'union':
      return t.members!.map((m, i) => ({ to: m.type, role: 'member' as const, what: `member ${i} '${m.name}'` }));
    case 'func_proto':
      return [{ to: t.type!, role: 'other', what: 'return type' }, ...t.params!.map((q, i) => ({ to: q.type, role: 'other' as const, what: `parameter ${i}` }))];
    case 'datasec':
      return t.vars!.map((v, i) => ({ to: v.type, role: 'other' as const, what: `variable ${i}` }));
    default:
      return [];
  }
}

function typeWhere(t: BtfType): string {
  return `type [${t.id}] ${t.kind}${t.name ? ` '${t.name}'` : ''}`;
}

function checkReferences(btf: Btf): void {
  const n = btf.types.length;
  const kindOf = (id: number): BtfKindName => btf.types[id]!.kind;
  for (let id = btf.startId; id < n; id++) {
    const t = btf.types[id]!;
    const bad = (reason: string): never => fail(btf.name, typeWhere(t), reason);
    for (const e of edges(t)) {
      if (e.to >= n) bad(`${e.what} refers to type [${e.to}], beyond the last id ${n - 1}`);
    }
    switch (t.kind) {
      case 'func':
        if (kindOf(t.type!) !== 'func_proto') bad(`type [${t.type}] is a ${kindOf(t.type!)}, not a func_proto`);
        break;
      case 'var':
        if (['void', 'func', 'func_proto', 'var', 'datasec', 'decl_tag'].includes(kindOf(t.type!))) bad(`variable of type [${t.type}] ${kindOf(t.type!)}`);
        break;
      case 'datasec':
        t.vars!.forEach((v, i) => {
          // Extern functions (__ksym) appear in .ksyms as FUNC, everything else as VAR.
          if (kindOf(v.type) !== 'var' && kindOf(v.type) !== 'func') bad(`variable ${i} refers to [${v.type}], a ${kindOf(v.type)}, not a var`);
        });
        break;
      case 'array':
        if (['void', 'func', 'func_proto', 'var', 'datasec', 'decl_tag', 'fwd'].includes(kindOf(t.elemType!))) bad(`element type [${t.elemType}] is a ${kindOf(t.elemType!)}`);
        break;
      case 'struct': case 'union':
        t.members!.forEach((m, i) => {
          const k = kindOf(m.type);
          if (['void', 'func', 'func_proto', 'var', 'datasec', 'decl_tag'].includes(k)) bad(`member ${i} '${m.name}' has type [${m.type}], a ${k}`);
        });
        break;
      case 'func_proto':
        t.params!.forEach((q, i) => {
          if (q.type === 0 && (i !== t.params!.length - 1 || q.name !== '')) bad(`parameter ${i} is void but is not an unnamed last (vararg) parameter`);
          if (['func', 'var', 'datasec', 'decl_tag'].includes(kindOf(q.type))) bad(`parameter ${i} has type [${q.type}], a ${kindOf(q.type)}`);
        });
        break;
      case 'decl_tag': {
        const target = btf.types[t.type!]!;
        const idx = t.componentIdx!;
        if (!['struct', 'union', 'var', 'func', 'typedef'].includes(target.kind)) bad(`tags [${target.id}], a ${target.kind}`);
        if (idx >= 0) {
          const count = isComposite(target) ? target.members!.length
            : target.kind === 'func' ? btf.types[target.type!]!.params?.length ?? 0 : -1;
          if (count < 0) bad(`component_idx ${idx} given for a ${target.kind}`);
          if (idx >= count) bad(`component_idx ${idx} is beyond the ${count} components of [${target.id}]`);
        }
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Reject reference cycles that C cannot express, so every recursive walk over the graph ends:
 *  - a cycle with no pointer in it (a struct containing itself by value, typedef A -> const -> A);
 *  - a cycle with no struct/union member in it (a pointer to itself, a function returning a
 *    pointer to its own prototype): legal C reaches a type again only through a named struct.
 * Each is a DFS for a cycle in the graph without the pointer (resp. member) edges; iterative, so
 * vmlinux's long chains cannot overflow the stack.
 */
function checkLoops(btf: Btf): void {
  for (const skip of ['ptr', 'member'] as const) {
    const n = btf.types.length;
    const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
    const out = (id: number): number[] => edges(btf.types[id]!).filter((e) => e.role !== skip).map((e) => e.to);
    for (let root = btf.startId; root < n; root++) {
      if (state[root] !== 0) continue;
      const stack: { id: number; next: number[] }[] = [{ id: root, next: out(root) }];
      state[root] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const to = top.next.pop();
        if (to === undefined) {
          state[top.id] = 2;
          stack.pop();
          continue;
        }
        if (to < btf.startId || state[to] === 2) continue; // base BTF was checked when it was parsed
        if (state[to] === 1) {
          const from = stack.findIndex((f) => f.id === to);
          const path = stack.slice(from).map((f) => `[${f.id}]`).concat(`[${to}]`).join(' -> ');
          fail(btf.name, typeWhere(btf.types[to]!), `reference loop ${path} ${skip === 'ptr' ? 'with no pointer in it (a type contains itself)' : 'that goes through no struct or union'}`);
        }
        state[to] = 1;
        stack.push({ id: to, next: out(to) });
      }
    }
  }
}

/** Member placement: byte-aligned non-bitfields, everything inside the struct, bitfields on ints. */
function checkLayouts(btf: Btf): void {
  for (let id = btf.startId; id < btf.types.length; id++) {
    const t = btf.types[id]!;
    if (!isComposite(t)) continue;
    const bits = t.size! * 8;
    t.members!.forEach((m, i) => {
      const bad = (reason: string): never => fail(btf.name, typeWhere(t), `member ${i} '${m.name}': ${reason}`);
      const mt = btf.resolve(m.type);
      if (m.bitfieldSize) {
        if (mt.kind !== 'int' && mt.kind !== 'enum' && mt.kind !== 'enum64') bad(`bitfield of type [${mt.id}] ${mt.kind}`);
        if (m.bitfieldSize > mt.size! * 8) bad(`bitfield of ${m.bitfieldSize} bits is wider than its ${mt.size! * 8}-bit type`);
        if (m.bitOffset + m.bitfieldSize > bits) bad(`bits ${m.bitOffset}..${m.bitOffset + m.bitfieldSize} are outside the ${t.size}-byte ${t.kind}`);
        return;
      }
      if (m.bitOffset % 8 !== 0) {
        // The kernel accepts an int with a bit offset only as a "bitfield-like" int (old encoding).
        if (mt.kind !== 'int') bad(`bit offset ${m.bitOffset} is not byte-aligned`);
      }
      if (mt.kind === 'fwd') bad(`has incomplete type [${mt.id}] (a forward declaration)`);
      const size = btf.sizeOf(m.type);
      if (Math.floor(m.bitOffset / 8) + size > t.size!) bad(`bytes ${Math.floor(m.bitOffset / 8)}..${Math.floor(m.bitOffset / 8) + size} are outside the ${t.size}-byte ${t.kind}`);
    });
  }
}

/**
 * Give a DATASEC the layout of its ELF section (libbpf's btf_fixup_datasec). Compilers leave a
 * DATASEC's size and its variables' offsets at 0 in object files; libbpf fills them in from the
 * section header and the symbol table before the BTF is used (the kernel requires them), and so
 * does the object loader (src/elf/maps.ts). `datasec` is the DATASEC's name (the first of that name)
 * or the type itself. `offsetOf(name, v)` gives a variable's symbol value, or undefined to leave
 * that variable (`v`, its current place) as it is; entries that are not VARs (extern FUNCs of
 * .ksyms) are left alone. Variables end up sorted by offset, as the kernel expects. Returns false
 * when the BTF has no such DATASEC.
 */
export function setDatasecLayout(
  btf: Btf, datasec: string | BtfType, size: number,
  offsetOf: (varName: string, v: { offset: number; size: number }) => number | undefined,
): boolean {
  const t = typeof datasec === 'string' ? btf.findByName(datasec, 'datasec') : datasec;
  if (!t || t.kind !== 'datasec') return false;
  t.size = size;
  for (const v of t.vars!) {
    const vt = btf.typeById(v.type);
    if (vt.kind !== 'var') continue;
    const off = offsetOf(vt.name, v);
    if (off === undefined) continue;
    if (off + v.size > size) {
      throw btf.error('EINVAL', `DATASEC '${t.name}': variable '${vt.name}' at ${off}+${v.size} is outside the ${size}-byte section`);
    }
    v.offset = off;
  }
  t.vars!.sort((a, b) => a.offset - b.offset);
  return true;
}
