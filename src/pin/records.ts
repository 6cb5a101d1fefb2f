/**
 * What the pin store keeps, as JSON bodies of pin files (pin-file.ts gives the envelope):
 *
 * - `pin`   the file at a pin path: which object it pins ({"object":"map","id":3}). Pins are
 *           references, as in bpffs, so one map pinned at two paths is still one map.
 * - `map`   <store>/.objects/map-<id>: the spec, the BTF that types its key and value (raw .BTF,
 *           base64), whether it is frozen, and its full contents.
 * - `prog`  <store>/.objects/prog-<id>: name, type, section, license, tag, the instructions with
 *           each map reference as `map[id:N]` (an lddw with src 1/2 and imm = the store's map id),
 *           line info, function boundaries and prototypes.
 * - `index` <store>/.index: id counters, the number of CPUs per-CPU maps have, and per object its
 *           name, type, pins and the objects it keeps alive (for `name X` lookups and collection).
 *
 * Every reader checks the shape of what it parsed, so a file that is well-formed JSON but not what
 * tsbpf wrote is a clear error naming the file and the field.
 */
import { BpfError } from '../errors.js';

export interface MapSpecJson {
  type: string;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** bloom_filter: a decimal string (it is a u64). */
  mapExtra?: string;
  inner?: MapSpecJson;
}

/** A map's contents; hex strings are the bytes as bpf(2) user space sees them. */
export type MapContents =
  /** array and percpu_array: every element's user-space value, concatenated, base64. */
  | { kind: 'array'; values: string }
  /** hash-like maps and lpm_trie: [key hex, value hex] in iteration order. */
  | { kind: 'entries'; entries: [string, string][] }
  /** queue and stack: values oldest first. */
  | { kind: 'queue'; values: string[] }
  /** bloom_filter: the bit array, base64. */
  | { kind: 'bits'; bits: string }
  /** prog_array, array_of_maps, hash_of_maps: [key hex, store id of the program or map]. */
  | { kind: 'refs'; refs: [string, number][] }
  /** Types whose contents are not kept (ringbuf, perf_event_array, stack_trace). */
  | { kind: 'none'; reason: string };

export interface MapRecord {
  id: number;
  spec: MapSpecJson;
  nCpus: number;
  frozen: boolean;
  createdAt: string;
  btf?: string;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  contents: MapContents;
}

export interface LineInfoJson {
  insnOff: number;
  fileName: string;
  line: number;
  col: number;
  lineText: string;
}

export interface ProgRecord {
  id: number;
  name: string;
  type: string;
  section?: string;
  attachType?: string;
  license: string;
  tag: string;
  loadedAt: string;
  /** Encoded instructions (8 bytes a slot), hex; map references carry store map ids. */
  insns: string;
  mapIds: number[];
  lineInfo: LineInfoJson[];
  functions: { name: string; slot: number }[];
  /** bpftool's prototype line per function start, from BTF func info ("int f(struct xdp_md * ctx)"). */
  funcProtos: { slot: number; proto: string }[];
  /** The object file it was loaded from, for messages. */
  file?: string;
}

export interface PinRecord {
  object: 'map' | 'prog';
  id: number;
}

export interface IndexEntry {
  name: string;
  type: string;
  /** Pin paths relative to the store root. */
  pins: string[];
  /** Objects this one keeps alive: a program its maps, a prog_array its programs... */
  refs: { maps: number[]; progs: number[] };
}

export interface IndexRecord {
  nCpus: number;
  nextMapId: number;
  nextProgId: number;
  maps: Record<string, IndexEntry>;
  progs: Record<string, IndexEntry>;
}

// ---- shape checks --------------------------------------------------------------------------------

class Shape {
  constructor(readonly path: string, readonly where: string) {}

  fail(reason: string): never {
    throw new BpfError('EINVAL', `${this.path}: bad pin file: ${this.where ? this.where + ': ' : ''}${reason}`, { file: this.path });
  }

  obj(v: unknown, what: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${what} is not an object`);
    return v as Record<string, unknown>;
  }

  int(o: Record<string, unknown>, k: string): number {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(`'${k}' is not a non-negative integer`);
    return v;
  }

  str(o: Record<string, unknown>, k: string): string {
    const v = o[k];
    if (typeof v !== 'string') this.fail(`'${k}' is not a string`);
    return v;
  }

  optStr(o: Record<string, unknown>, k: string): string | undefined {
    return o[k] === undefined ? undefined : this.str(o, k);
  }

  optInt(o: Record<string, unknown>, k: string): number | undefined {
    return o[k] === undefined ? undefined : this.int(o, k);
  }

  arr(o: Record<string, unknown>, k: string): unknown[] {
    const v = o[k];
    if (!Array.isArray(v)) this.fail(`'${k}' is not an array`);
    return v;
  }

  hex(v: unknown, what: string): string {
    if (typeof v !== 'string' || !/^([0-9a-f]{2})*$/.test(v)) this.fail(`${what} is not a hex string`);
    return v;
  }
}

function mapSpec(s: Shape, v: unknown, what: string): MapSpecJson {
  const o = s.obj(v, what);
  const spec: MapSpecJson = {
    type: s.str(o, 'type'), name: s.str(o, 'name'), keySize: s.int(o, 'keySize'), valueSize: s.int(o, 'valueSize'),
    maxEntries: s.int(o, 'maxEntries'), flags: s.int(o, 'flags'),
  };
  const extra = s.optStr(o, 'mapExtra');
  if (extra !== undefined) {
    if (!/^\d+$/.test(extra)) s.fail(`'mapExtra' is not a decimal number`);
    spec.mapExtra = extra;
  }
  if (o.inner !== undefined) spec.inner = mapSpec(s, o.inner, `${what}.inner`);
  return spec;
}

function contents(s: Shape, v: unknown): MapContents {
  const o = s.obj(v, 'contents');
  const kind = s.str(o, 'kind');
  switch (kind) {
    case 'array':
      return { kind, values: s.str(o, 'values') };
    case 'entries':
      return {
        kind, entries: s.arr(o, 'entries').map((e, i) => {
          if (!Array.isArray(e) || e.length !== 2) s.fail(`entry ${i} is not a [key, value] pair`);
          return [s.hex(e[0], `entry ${i} key`), s.hex(e[1], `entry ${i} value`)] as [string, string];
        }),
      };
    case 'queue':
      return { kind, values: s.arr(o, 'values').map((x, i) => s.hex(x, `value ${i}`)) };
    case 'bits':
      return { kind, bits: s.str(o, 'bits') };
    case 'refs':
      return {
        kind, refs: s.arr(o, 'refs').map((e, i) => {
          if (!Array.isArray(e) || e.length !== 2 || typeof e[1] !== 'number') s.fail(`ref ${i} is not a [key, id] pair`);
          return [s.hex(e[0], `ref ${i} key`), e[1]] as [string, number];
        }),
      };
    case 'none':
      return { kind, reason: s.str(o, 'reason') };
    default:
      return s.fail(`unknown contents kind '${kind}'`);
  }
}

export function checkMapRecord(body: unknown, path: string): MapRecord {
  const s = new Shape(path, 'map');
  const o = s.obj(body, 'the map record');
  const rec: MapRecord = {
    id: s.int(o, 'id'), spec: mapSpec(s, o.spec, 'spec'), nCpus: s.int(o, 'nCpus'),
    frozen: o.frozen === true, createdAt: s.str(o, 'createdAt'), contents: contents(s, o.contents),
  };
  const btf = s.optStr(o, 'btf');
  if (btf !== undefined) rec.btf = btf;
  const k = s.optInt(o, 'btfKeyTypeId');
  const val = s.optInt(o, 'btfValueTypeId');
  if (k !== undefined) rec.btfKeyTypeId = k;
  if (val !== undefined) rec.btfValueTypeId = val;
  return rec;
}

export function checkProgRecord(body: unknown, path: string): ProgRecord {
  const s = new Shape(path, 'program');
  const o = s.obj(body, 'the program record');
  const rec: ProgRecord = {
    id: s.int(o, 'id'), name: s.str(o, 'name'), type: s.str(o, 'type'), license: s.str(o, 'license'),
    tag: s.str(o, 'tag'), loadedAt: s.str(o, 'loadedAt'), insns: s.hex(o.insns, "'insns'"),
    mapIds: s.arr(o, 'mapIds').map((x, i) => (typeof x === 'number' ? x : s.fail(`mapIds[${i}] is not a number`))),
    lineInfo: s.arr(o, 'lineInfo').map((x, i) => {
      const l = s.obj(x, `lineInfo[${i}]`);
      return { insnOff: s.int(l, 'insnOff'), fileName: s.str(l, 'fileName'), line: s.int(l, 'line'), col: s.int(l, 'col'), lineText: s.str(l, 'lineText') };
    }),
    functions: s.arr(o, 'functions').map((x, i) => {
      const f = s.obj(x, `functions[${i}]`);
      return { name: s.str(f, 'name'), slot: s.int(f, 'slot') };
    }),
    funcProtos: s.arr(o, 'funcProtos').map((x, i) => {
      const f = s.obj(x, `funcProtos[${i}]`);
      return { slot: s.int(f, 'slot'), proto: s.str(f, 'proto') };
    }),
  };
  if (rec.insns.length % 16 !== 0) s.fail(`'insns' is not a whole number of 8-byte instructions`);
  for (const k of ['section', 'attachType', 'file'] as const) {
    const v = s.optStr(o, k);
    if (v !== undefined) rec[k] = v;
  }
  return rec;
}

export function checkPinRecord(body: unknown, path: string): PinRecord {
  const s = new Shape(path, '');
  const o = s.obj(body, 'the pin');
  const object = s.str(o, 'object');
  if (object !== 'map' && object !== 'prog') return s.fail(`'object' is '${object}', not map or prog`);
  return { object, id: s.int(o, 'id') };
}

export function checkIndexRecord(body: unknown, path: string): IndexRecord {
  const s = new Shape(path, 'index');
  const o = s.obj(body, 'the index');
  const entries = (k: string): Record<string, IndexEntry> => {
    const table = s.obj(o[k], `'${k}'`);
    const out: Record<string, IndexEntry> = {};
    for (const [id, v] of Object.entries(table)) {
      const e = s.obj(v, `${k}[${id}]`);
      const refs = s.obj(e.refs, `${k}[${id}].refs`);
      const ids = (r: string): number[] => s.arr(refs, r).map((x) => (typeof x === 'number' ? x : s.fail(`${k}[${id}].refs.${r} holds a non-number`)));
      out[id] = {
        name: s.str(e, 'name'), type: s.str(e, 'type'),
        pins: s.arr(e, 'pins').map((p) => (typeof p === 'string' ? p : s.fail(`${k}[${id}].pins holds a non-string`))),
        refs: { maps: ids('maps'), progs: ids('progs') },
      };
    }
    return out;
  };
  return {
    nCpus: s.int(o, 'nCpus'), nextMapId: s.int(o, 'nextMapId'), nextProgId: s.int(o, 'nextProgId'),
    maps: entries('maps'), progs: entries('progs'),
  };
}
