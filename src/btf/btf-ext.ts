/**
 * .BTF.ext: per-section function info, line info and CO-RE relocations that accompany an object's
 * .BTF. Layout (libbpf's btf_ext_header): magic 0xeB9F, version 1, flags, hdr_len, then
 * func_info_off/len and line_info_off/len, and, when hdr_len >= 32, core_relo_off/len; offsets are
 * relative to the end of the header. Each part starts with its record size, followed by blocks
 * {sec_name_off, num_info, records...}; sec_name_off names the ELF section through the .BTF string
 * table. Record sizes come from the file (newer compilers may append fields; we read the known
 * prefix). Instruction offsets are stored in bytes and are returned in 8-byte slots.
 */
import { BpfError } from '../errors.js';
import { BTF_MAGIC, BTF_VERSION, type Btf } from './btf.js';

export interface BtfFuncInfo {
  /** Instruction slot (bytes / 8) from the start of the ELF section. */
  insnOff: number;
  /** A FUNC type id in the object's BTF. */
  typeId: number;
}

export interface BtfLineInfo {
  insnOff: number;
  fileName: string;
  line: number;
  col: number;
  /** The source line's text as the compiler stored it ('' when absent). */
  lineText: string;
  /** The raw string offsets, as the kernel's bpf_line_info wants them. */
  fileNameOff: number;
  lineOff: number;
}

/** The CO-RE relocation kinds of include/uapi/linux/bpf.h (enum bpf_core_relo_kind). */
export const CORE_RELO_KIND = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

export interface BtfCoreRelo {
  insnOff: number;
  /** The local (program's) root type id. */
  typeId: number;
  /** Accessor string such as "0:1:2": indices into the local type. */
  accessStr: string;
  accessStrOff: number;
  kind: number;
}

export interface BtfExt {
  funcInfo: Map<string, BtfFuncInfo[]>;
  lineInfo: Map<string, BtfLineInfo[]>;
  coreRelos: Map<string, BtfCoreRelo[]>;
  /** Record sizes found in the file (0 for an absent part). */
  recordSizes: { funcInfo: number; lineInfo: number; coreRelo: number };
}

export interface ParseBtfExtOptions {
  /** A name for messages (file or section). */
  name?: string;
}

const HEADER_MIN = 24;
const MIN_REC = { funcInfo: 8, lineInfo: 16, coreRelo: 16 } as const;

type Part = keyof typeof MIN_REC;

export function parseBtfExt(bytes: Uint8Array, btf: Btf, opts: ParseBtfExtOptions = {}): BtfExt {
  const name = opts.name ?? 'btf.ext';
  const fail = (where: string, reason: string): never => {
    throw new BpfError('EINVAL', `${name}: BTF.ext ${where}: ${reason}`, { file: name });
  };
  if (bytes.length < HEADER_MIN) fail('header', `${bytes.length} bytes is shorter than the ${HEADER_MIN}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic === 0x9feb) fail('header', 'big-endian BTF.ext (magic 0x9feb) is not supported');
  if (magic !== BTF_MAGIC) fail('header', `bad magic 0x${magic.toString(16)} (expected 0xeb9f)`);
  if (dv.getUint8(2) !== BTF_VERSION) fail('header', `unsupported version ${dv.getUint8(2)}`);
  if (dv.getUint8(3) !== 0) fail('header', `unsupported flags 0x${dv.getUint8(3).toString(16)}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < HEADER_MIN) fail('header', `hdr_len ${hdrLen} is shorter than ${HEADER_MIN}`);
  if (hdrLen > bytes.length) fail('header', `hdr_len ${hdrLen} is beyond the end of the data (${bytes.length} bytes)`);

  const u32 = (o: number): number => dv.getUint32(o, true);
  const str = (off: number, where: string, what: string): string => {
    const s = btf.strings.tryAt(off);
    if (s === undefined) fail(where, `${what} string offset ${off} is outside the BTF string section`);
    return s as string;
  };

  /** Walk one part's blocks; `record` reads one record at a byte offset into the file. */
  function part<T>(partName: Part, off: number, len: number, record: (at: number, sec: string, where: string) => T): { map: Map<string, T[]>; recSize: number } {
    const map = new Map<string, T[]>();
    if (len === 0) return { map, recSize: 0 };
    const label = { funcInfo: 'func_info', lineInfo: 'line_info', coreRelo: 'core_relo' }[partName];
    if (off % 4 !== 0) fail(label, `offset ${off} is not 4-byte aligned`);
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length) fail(label, `(off ${off}, len ${len}) is beyond the end of the data (${bytes.length - hdrLen} bytes after the header)`);
    if (len < 4) fail(label, 'has no record size');
    const recSize = u32(start);
    if (recSize < MIN_REC[partName] || recSize % 4 !== 0) fail(label, `record size ${recSize} is invalid (at least ${MIN_REC[partName]}, a multiple of 4)`);
    let p = start + 4;
    if (p === end) fail(label, 'has a record size but no records');
    while (p < end) {
      const where = `${label} block at offset 0x${(p - hdrLen).toString(16)}`;
      if (end - p < 8) fail(where, `truncated block header (${end - p} bytes left)`);
      const sec = str(u32(p), where, 'section name');
      const num = u32(p + 4);
      if (num === 0) fail(where, `section '${sec}' has zero records`);
      if (num * recSize > end - p - 8) fail(where, `section '${sec}' claims ${num} records of ${recSize} bytes but only ${end - p - 8} bytes are left`);
      const list = map.get(sec) ?? [];
      for (let i = 0; i < num; i++) list.push(record(p + 8 + i * recSize, sec, `${where}, record ${i}`));
      map.set(sec, list);
      p += 8 + num * recSize;
    }
    return { map, recSize };
  }

  const insnSlot = (at: number, where: string): number => {
    const off = u32(at);
    if (off % 8 !== 0) fail(where, `instruction offset ${off} is not a multiple of 8 bytes`);
    return off / 8;
  };

  const func = part('funcInfo', u32(8), u32(12), (at, _sec, where) => ({ insnOff: insnSlot(at, where), typeId: u32(at + 4) }));
  const line = part('lineInfo', u32(16), u32(20), (at, _sec, where) => {
    const fileNameOff = u32(at + 4);
    const lineOff = u32(at + 8);
    const lineCol = u32(at + 12);
    return {
      insnOff: insnSlot(at, where),
      fileName: str(fileNameOff, where, 'file name'),
      line: lineCol >>> 10,
      col: lineCol & 0x3ff,
      lineText: str(lineOff, where, 'line'),
      fileNameOff,
      lineOff,
    };
  });
  const hasCore = hdrLen >= 32;
  const core = hasCore
    ? part('coreRelo', u32(24), u32(28), (at, _sec, where) => {
      const accessStrOff = u32(at + 8);
      return { insnOff: insnSlot(at, where), typeId: u32(at + 4), accessStr: str(accessStrOff, where, 'access'), accessStrOff, kind: u32(at + 12) };
    })
    : { map: new Map<string, BtfCoreRelo[]>(), recSize: 0 };

  for (const [sec, list] of func.map) {
    for (const f of list) {
      const t = btf.hasType(f.typeId) ? btf.types[f.typeId]! : undefined;
      if (!t || t.kind !== 'func') fail(`func_info for '${sec}'`, `insn ${f.insnOff}: type [${f.typeId}] is ${t ? `a ${t.kind}` : 'not in the BTF'}, not a func`);
    }
  }
  for (const [sec, list] of core.map) {
    for (const r of list) {
      if (!btf.hasType(r.typeId)) fail(`core_relo for '${sec}'`, `insn ${r.insnOff}: type [${r.typeId}] is not in the BTF`);
      if (r.kind > CORE_RELO_KIND.TYPE_MATCHES) fail(`core_relo for '${sec}'`, `insn ${r.insnOff}: unknown relocation kind ${r.kind}`);
    }
  }
  return {
    funcInfo: func.map,
    lineInfo: line.map,
    coreRelos: core.map,
    recordSizes: { funcInfo: func.recSize, lineInfo: line.recSize, coreRelo: core.recSize },
  };
}
