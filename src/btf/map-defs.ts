/**
 * BTF-defined maps: the `struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps")`
 * convention of libbpf's bpf_helpers.h, decoded from the object's BTF the way libbpf's
 * parse_btf_map_def does. The numbers travel in the types, not in the data: `__uint(x, N)` is a
 * member `int (*x)[N]` (N is the array length), `__type(x, T)` is `T *x` (T's id and size),
 * `__ulong(x, N)` is an anonymous enum whose one enumerator is N (for values over 32 bits), and
 * `__array(values, T)` is a trailing `T *values[]` for map-in-map and prog-array initial slots
 * (their contents come from relocations against the `.maps` section, which the object loader reads).
 *
 * This is the one decoder of map definitions: the object loader (src/elf/maps.ts) uses
 * parseBtfMapDef for each variable of `.maps`, with its own checks of the ELF side around it.
 */
import { BpfError } from '../errors.js';
import { MAP_TYPE } from '../maps/types.js';
import type { Btf } from './btf.js';
import type { BtfMember, BtfType } from './types.js';

/** `__uint(pinning, LIBBPF_PIN_BY_NAME)`: pinned under the pin root by the map's name. */
export const LIBBPF_PIN_BY_NAME = 1;

export interface BtfMapDef {
  /** The variable's name (the map's name). */
  name: string;
  /** The VAR type id, and its place in the DATASEC. */
  varId: number;
  offset: number;
  /** The fields found; absent ones were not given. */
  type?: number;
  maxEntries?: number;
  mapFlags?: number;
  numaNode?: number;
  keySize?: number;
  keyTypeId?: number;
  valueSize?: number;
  valueTypeId?: number;
  pinning?: number;
  mapExtra?: bigint;
  /** Map-in-map: the inner map's definition (from `__array(values, struct {...})`). */
  inner?: BtfMapDef;
  /** The map has a trailing `values` array: 'maps' for map-in-map, 'progs' for a prog array. */
  values?: 'maps' | 'progs';
  /** With `values`: the member's byte offset in the definition (where its initial slots are). */
  valuesOffset?: number;
}

export interface ParseBtfMapDefOptions {
  /** Reject unknown fields, as libbpf does in strict mode (default true). */
  strict?: boolean;
}

export interface ParseBtfMapDefsOptions extends ParseBtfMapDefOptions {
  /** The DATASEC to read (default ".maps"). */
  section?: string;
}

function mapError(name: string, why: string, code: 'EINVAL' | 'EOPNOTSUPP' = 'EINVAL'): BpfError {
  return new BpfError(code, `map '${name}': ${why}`);
}

/** `int (*name)[N]` -> N. */
function intField(btf: Btf, mapName: string, m: BtfMember): number {
  const t = btf.resolve(m.type);
  if (t.kind !== 'ptr') throw mapError(mapName, `attr '${m.name}': expected PTR, got ${t.kind}`);
  const arr = btf.typeById(t.type!);
  if (arr.kind !== 'array') throw mapError(mapName, `attr '${m.name}': expected ARRAY, got ${arr.kind}`);
  return arr.nelems!;
}

/** `__ulong(name, N)`: an anonymous enum with one enumerator of value N (or an __uint). */
function longField(btf: Btf, mapName: string, m: BtfMember): bigint {
  const t = btf.resolve(m.type);
  if (t.kind === 'ptr') return BigInt(intField(btf, mapName, m));
  if (t.kind !== 'enum' && t.kind !== 'enum64') throw mapError(mapName, `attr '${m.name}': expected ENUM or ENUM64, got ${t.kind}`);
  if (t.values!.length !== 1) throw mapError(mapName, `attr '${m.name}': invalid __ulong`);
  return BigInt.asUintN(64, t.values![0]!.value);
}

/** `T *name` -> T's id and size. */
function typeField(btf: Btf, mapName: string, m: BtfMember): { id: number; size: number } {
  const t = btf.typeById(m.type);
  if (t.kind !== 'ptr') throw mapError(mapName, `${m.name} spec is not PTR: ${t.kind}`);
  let size: number;
  try {
    size = btf.sizeOf(t.type!);
  } catch {
    throw mapError(mapName, `can't determine ${m.name} size for type [${t.type}]`);
  }
  return { id: t.type!, size };
}

/**
 * Decode one map definition: `def` is the struct a `.maps` variable has as its type (or, for
 * map-in-map, the inner struct of `__array(values, ...)`). Errors name the map as libbpf's do:
 * "map 'name': ...", with no file (the object loader adds it).
 */
export function parseBtfMapDef(btf: Btf, mapName: string, def: BtfType, opts: ParseBtfMapDefOptions = {}): BtfMapDef {
  const out: BtfMapDef = { name: mapName, varId: 0, offset: 0 };
  parseDef(btf, mapName, def, opts.strict ?? true, false, out);
  return out;
}

function parseDef(btf: Btf, mapName: string, def: BtfType, strict: boolean, isInner: boolean, out: BtfMapDef): void {
  const members = def.members!;
  members.forEach((m, i) => {
    // libbpf takes a size of 0 as not given: only two different non-zero sizes conflict.
    const setSize = (field: 'keySize' | 'valueSize', size: number): void => {
      const have = out[field];
      if (have && have !== size) throw mapError(mapName, `conflicting ${field === 'keySize' ? 'key' : 'value'} size ${have} != ${size}`);
      out[field] = size;
    };
    switch (m.name) {
      case 'type': out.type = intField(btf, mapName, m); break;
      case 'max_entries': out.maxEntries = intField(btf, mapName, m); break;
      case 'map_flags': out.mapFlags = intField(btf, mapName, m); break;
      case 'numa_node': out.numaNode = intField(btf, mapName, m); break;
      case 'key_size': setSize('keySize', intField(btf, mapName, m)); break;
      case 'value_size': setSize('valueSize', intField(btf, mapName, m)); break;
      case 'key': {
        const k = typeField(btf, mapName, m);
        setSize('keySize', k.size);
        out.keyTypeId = k.id;
        break;
      }
      case 'value': {
        const v = typeField(btf, mapName, m);
        setSize('valueSize', v.size);
        out.valueTypeId = v.id;
        break;
      }
      case 'values': {
        const isMapInMap = out.type === MAP_TYPE.array_of_maps || out.type === MAP_TYPE.hash_of_maps;
        const isProgArray = out.type === MAP_TYPE.prog_array;
        const desc = isMapInMap ? 'map-in-map inner' : 'prog-array value';
        if (isInner) throw mapError(mapName, 'multi-level inner maps not supported', 'EOPNOTSUPP');
        if (i !== members.length - 1) throw mapError(mapName, `'values' member should be last`);
        if (!isMapInMap && !isProgArray) {
          throw mapError(mapName, `should be map-in-map or prog-array to have 'values' (declare 'type' before it)`, 'EOPNOTSUPP');
        }
        setSize('valueSize', 4);
        const arr = btf.typeById(m.type);
        if (arr.kind !== 'array' || arr.nelems !== 0) throw mapError(mapName, `${desc} spec is not a zero-sized array`);
        const ptr = btf.resolve(arr.elemType!);
        if (ptr.kind !== 'ptr') throw mapError(mapName, `${desc} def is of unexpected kind ${ptr.kind}`);
        const target = btf.resolve(ptr.type!);
        out.valuesOffset = m.bitOffset / 8;
        if (isProgArray) {
          if (target.kind !== 'func_proto') throw mapError(mapName, `prog-array value def is of unexpected kind ${target.kind}`);
          out.values = 'progs';
          break;
        }
        if (target.kind !== 'struct') throw mapError(mapName, `map-in-map inner def is of unexpected kind ${target.kind}`);
        const inner: BtfMapDef = { name: `${mapName}.inner`, varId: 0, offset: 0 };
        parseDef(btf, inner.name, target, strict, true, inner);
        out.inner = inner;
        out.values = 'maps';
        break;
      }
      case 'pinning': {
        if (isInner) throw mapError(mapName, "inner def can't be pinned");
        const v = intField(btf, mapName, m);
        if (v !== 0 && v !== LIBBPF_PIN_BY_NAME) throw mapError(mapName, `invalid pinning value ${v} (0 none, ${LIBBPF_PIN_BY_NAME} LIBBPF_PIN_BY_NAME)`);
        out.pinning = v;
        break;
      }
      case 'map_extra': out.mapExtra = longField(btf, mapName, m); break;
      default:
        // Not strict: ignored, as libbpf does with relaxed_maps (they may be newer fields).
        if (strict) throw mapError(mapName, `unknown field '${m.name}'`, 'EOPNOTSUPP');
    }
  });
  if (!out.type) throw mapError(mapName, "map type isn't specified (no '__uint(type, ...)' member, or type 0)");
}

/** Every map defined in the `.maps` DATASEC (none when the section has no BTF). */
export function parseBtfMapDefs(btf: Btf, opts: ParseBtfMapDefsOptions = {}): BtfMapDef[] {
  const sec = btf.datasec(opts.section ?? '.maps');
  if (!sec) return [];
  return sec.vars.map((v) => {
    const vt = btf.typeById(v.varId);
    if (vt.kind !== 'var') throw mapError(v.name, `unexpected ${vt.kind} in ${sec.name}`);
    if (v.linkage !== 0 && v.linkage !== 1) throw mapError(v.name, 'unsupported map linkage extern');
    const def = btf.resolve(v.type);
    if (def.kind !== 'struct') throw mapError(v.name, `unexpected def kind ${def.kind}`);
    const out: BtfMapDef = { name: v.name, varId: v.varId, offset: v.offset };
    parseDef(btf, v.name, def, opts.strict ?? true, false, out);
    return out;
  });
}
