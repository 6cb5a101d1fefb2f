/**
 * The maps an object defines, in libbpf's order: legacy `maps` section definitions, BTF-defined maps
 * of the `.maps` section, then one array map per global-data section (.data*, .rodata*, .bss*).
 *
 * BTF-defined maps: each variable of the `.maps` DATASEC is a struct whose members describe the
 * map; src/btf/map-defs.ts decodes it (libbpf's parse_btf_map_def). What is checked here is the ELF
 * side (the variable lies inside the section, is global, its struct fits it) and what the loader
 * adds: map types by name, ring buffer sizes, and the `values` initialisers from `.rel.maps`.
 */
import { setDatasecLayout, type Btf } from '../btf/btf.js';
import { LIBBPF_PIN_BY_NAME, parseBtfMapDef, type BtfMapDef } from '../btf/map-defs.js';
import { BpfError } from '../errors.js';
import { MAP_FLAGS, MAP_TYPE, mapTypeName, type MapSpec } from '../maps/types.js';
import { SHT, STT, type ElfFile, type ElfSection } from './elf64.js';
import { objError } from './functions.js';
import type { MapLocator } from './relocations.js';

/** Where a map came from. */
export type MapOrigin = 'btf' | 'legacy' | 'data' | 'rodata' | 'bss';

/** One initial entry of a map-in-map or prog-array, from `.values = { [slot] = &x }`. */
export type MapInitSlot =
  | { slot: number; kind: 'map'; name: string; mapIndex: number }
  | { slot: number; kind: 'program'; name: string };

export interface ObjectMap {
  /** The map's name: the variable name, or libbpf's internal name for global data (`obj.data`). */
  name: string;
  spec: MapSpec;
  origin: MapOrigin;
  /** The ELF section that defines it. */
  section: string;
  /** Initial contents of the single value of a global-data map (.bss: zeros). */
  initialValue?: Uint8Array;
  /** libbpf freezes .rodata (and .kconfig) after writing the initial value: user space cannot change it. */
  frozen?: boolean;
  /** LIBBPF_PIN_BY_NAME: pinned under the pin root by its name. */
  pinning?: 'by_name';
  /** Maps of maps: the template of the inner maps (also in spec.inner). */
  inner?: MapSpec;
  /** Initial entries of a map-in-map or prog-array. */
  initSlots?: MapInitSlot[];
  numaNode?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
}

/** Internal: a map plus where it is defined, for relocations. */
interface Located {
  map: ObjectMap;
  shndx: number;
  offset: number;
  /** Bytes of the definition (BTF maps: the DATASEC var size). */
  size: number;
  /** BTF maps with a `values` member: its byte offset in the definition. */
  valuesOffset?: number;
}

const BPF_OBJ_NAME_LEN = 16;
const PAGE_SIZE = 4096;
/**
 * Global data beyond this is refused before its initial value is allocated. The kernel caps an
 * array value at KMALLOC_MAX_SIZE (4 MiB on x86-64), so this leaves the VM room while keeping a
 * corrupt section size from allocating gigabytes.
 */
const MAX_GLOBAL_DATA = 256 << 20;

export class ObjectMaps implements MapLocator {
  readonly list: ObjectMap[] = [];
  private readonly located: Located[] = [];
  private readonly dataMaps = new Map<number, number>();
  private readonly mapSections = new Set<number>();
  /** "section:offset" -> index of a map definition (not global data). */
  private readonly byPlace = new Map<string, number>();
  private readonly byName = new Map<string, number>();

  add(map: ObjectMap, shndx: number, offset: number, size: number, valuesOffset?: number): number {
    this.list.push(map);
    this.located.push(valuesOffset === undefined ? { map, shndx, offset, size } : { map, shndx, offset, size, valuesOffset });
    const index = this.list.length - 1;
    if (map.origin === 'btf' || map.origin === 'legacy') {
      if (!this.byPlace.has(`${shndx}:${offset}`)) this.byPlace.set(`${shndx}:${offset}`, index);
      if (!this.byName.has(map.name)) this.byName.set(map.name, index);
    }
    return index;
  }

  addData(map: ObjectMap, shndx: number): void {
    this.dataMaps.set(shndx, this.add(map, shndx, 0, 0));
  }

  markMapSection(shndx: number): void {
    this.mapSections.add(shndx);
  }

  mapAt(shndx: number, offset: number): number | undefined {
    return this.byPlace.get(`${shndx}:${offset}`);
  }

  /** The map whose definition contains [offset, offset+len) (for .rel.maps slots). */
  mapContaining(shndx: number, offset: number, len: number): number | undefined {
    // Definitions of one section sorted by offset, then a binary search for the last one at or
    // before `offset`: .rel.maps can be long and so can the list of maps.
    let sorted = this.sortedBySection.get(shndx);
    if (!sorted) {
      sorted = this.located.map((l, i) => ({ l, i })).filter((x) => x.l.shndx === shndx && x.l.size > 0).sort((a, b) => a.l.offset - b.l.offset);
      this.sortedBySection.set(shndx, sorted);
    }
    let lo = 0;
    let hi = sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.l.offset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const { l, i } = sorted[found]!;
    return offset + len <= l.offset + l.size ? i : undefined;
  }
  private readonly sortedBySection = new Map<number, { l: Located; i: number }[]>();

  locationOf(index: number): Located {
    return this.located[index]!;
  }

  isMapSection(shndx: number): boolean {
    return this.mapSections.has(shndx);
  }

  dataMapOf(shndx: number): number | undefined {
    return this.dataMaps.get(shndx);
  }

  indexByName(name: string): number | undefined {
    return this.byName.get(name);
  }
}

function mapTypeOf(file: string, mapName: string, id: number): MapSpec['type'] {
  const t = mapTypeName(id);
  if (t === undefined || id === MAP_TYPE.unspec) {
    throw objError(file, `map '${mapName}'`, id === 0 ? `map type isn't specified (no 'type' member, or type 0)` : `unknown map type ${id}`);
  }
  return t;
}

/** libbpf rounds a ring buffer's size up to a power-of-2 number of pages, as the kernel requires. */
function adjustRingbufSize(sz: number): number {
  if (sz === 0) return 0;
  if (sz % PAGE_SIZE === 0 && Number.isInteger(Math.log2(sz / PAGE_SIZE))) return sz;
  for (let mul = 1; mul * PAGE_SIZE <= 0xffffffff; mul *= 2) if (mul * PAGE_SIZE > sz) return mul * PAGE_SIZE;
  return sz;
}

// ---------------------------------------------------------------------------------------------
// Legacy `maps` section

/** struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags; } */
const LEGACY_DEF_SIZE = 20;

export function readLegacyMaps(elf: ElfFile, sec: ElfSection, maps: ObjectMaps, warn: (w: string) => void): void {
  const file = elf.file;
  maps.markMapSection(sec.index);
  const syms = elf.symbolsIn(sec.index)
    .filter((s) => s.index !== 0 && s.type !== STT.SECTION && s.type !== STT.FILE && s.name !== '')
    .sort((a, b) => a.value - b.value);
  if (syms.length === 0) return;
  warn(`${file}: legacy map definitions in section 'maps' (struct bpf_map_def): libbpf 1.x refuses them; use BTF-defined maps in SEC(".maps")`);
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  const evenSize = Math.floor(sec.size / syms.length);
  for (const s of syms) {
    const where = `map '${s.name}' (section 'maps')`;
    const defSize = s.size > 0 ? s.size : evenSize;
    if (defSize < LEGACY_DEF_SIZE) throw objError(file, where, `definition is ${defSize} bytes, smaller than struct bpf_map_def (${LEGACY_DEF_SIZE})`);
    if (s.value + defSize > sec.data.length) {
      throw objError(file, where, `definition at bytes ${s.value}..${s.value + defSize} lies outside the section (${sec.data.length} bytes)`);
    }
    const u32 = (i: number) => dv.getUint32(s.value + i * 4, true);
    for (let b = LEGACY_DEF_SIZE; b < defSize; b++) {
      if (sec.data[s.value + b] !== 0) {
        warn(`${file}: ${where}: definition has ${defSize - LEGACY_DEF_SIZE} bytes beyond struct bpf_map_def that are not zero; ignored`);
        break;
      }
    }
    const spec: MapSpec = {
      type: mapTypeOf(file, s.name, u32(0)),
      name: s.name,
      keySize: u32(1),
      valueSize: u32(2),
      maxEntries: u32(3),
      flags: u32(4),
    };
    maps.add({ name: s.name, spec, origin: 'legacy', section: sec.name }, sec.index, s.value, defSize);
  }
}

// ---------------------------------------------------------------------------------------------
// BTF-defined maps

/**
 * Run a BTF query and turn its errors into ones that name the file and the map: BTF errors name
 * neither, the map-definition parser names the map only, ours already name both.
 */
function inMap<T>(file: string, where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof BpfError) || e.message.startsWith(`${file}: ${where}`)) throw e;
    const reason = e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message;
    throw new BpfError(e.code, reason.startsWith(`${where}: `) ? `${file}: ${reason}` : `${file}: ${where}: ${reason}`, { file });
  }
}

function specFromDef(file: string, name: string, d: BtfMapDef, warn: (w: string) => void): MapSpec {
  const type = mapTypeOf(file, name, d.type!);
  let maxEntries = d.maxEntries ?? 0;
  if (type === 'ringbuf' || type === 'user_ringbuf') {
    const adjusted = adjustRingbufSize(maxEntries);
    if (adjusted !== maxEntries) {
      warn(`${file}: map '${name}': ring buffer size ${maxEntries} rounded up to ${adjusted} (a power-of-2 number of pages), as libbpf does`);
      maxEntries = adjusted;
    }
  }
  const spec: MapSpec = {
    type, name, keySize: d.keySize ?? 0, valueSize: d.valueSize ?? 0, maxEntries, flags: d.mapFlags ?? 0,
  };
  if (d.mapExtra !== undefined) spec.mapExtra = d.mapExtra;
  if (d.keyTypeId !== undefined) spec.btfKeyTypeId = d.keyTypeId;
  if (d.valueTypeId !== undefined) spec.btfValueTypeId = d.valueTypeId;
  return spec;
}

export function readBtfMaps(elf: ElfFile, sec: ElfSection, btf: Btf | undefined, btfProblem: string | undefined, maps: ObjectMaps, warn: (w: string) => void): void {
  const file = elf.file;
  maps.markMapSection(sec.index);
  if (!btf) {
    throw objError(file, `sec '.maps'`, `BTF-defined maps need the object's BTF, but ${btfProblem ?? 'the object has no .BTF section (compile with -g)'}`);
  }
  const ds = inMap(file, `sec '.maps'`, () => btf.datasec('.maps'));
  if (!ds) throw objError(file, `sec '.maps'`, `DATASEC '.maps' not found in BTF`, 'ENOENT');
  const vars = [...ds.vars].sort((a, b) => a.offset - b.offset);
  for (const v of vars) {
    const where = `map '${v.name}'`;
    if (v.name === '') throw objError(file, `sec '.maps'`, `a map variable has an empty name`);
    if (v.offset + v.size > sec.size) throw objError(file, where, `BTF data is corrupted: bytes ${v.offset}..${v.offset + v.size} lie outside section '.maps' (${sec.size} bytes)`);
    const varType = inMap(file, where, () => btf.typeById(v.varId));
    if (varType.kind !== 'var') throw objError(file, where, `unexpected var kind ${varType.kind.toUpperCase()}`);
    if (v.linkage !== 1) {
      throw objError(file, where, `unsupported map linkage ${v.linkage === 0 ? 'static' : v.linkage === 2 ? 'extern' : v.linkage}: a map must be a global variable`, 'EOPNOTSUPP');
    }
    const def = inMap(file, where, () => btf.resolve(v.type));
    if (def.kind !== 'struct') throw objError(file, where, `unexpected def kind ${def.kind.toUpperCase()}: a map definition is a struct`);
    if (def.size! > v.size) throw objError(file, where, `invalid def size ${def.size} > ${v.size}`);
    const d = inMap(file, where, () => parseBtfMapDef(btf, v.name, def, { strict: false }));
    const spec = specFromDef(file, v.name, d, warn);
    const map: ObjectMap = { name: v.name, spec, origin: 'btf', section: sec.name };
    if (d.inner) {
      const inner = specFromDef(file, `${v.name}.inner`, d.inner, warn);
      spec.inner = inner;
      map.inner = inner;
    }
    if (d.pinning === LIBBPF_PIN_BY_NAME) map.pinning = 'by_name';
    if (d.numaNode !== undefined) map.numaNode = d.numaNode;
    if (spec.btfKeyTypeId !== undefined) map.btfKeyTypeId = spec.btfKeyTypeId;
    if (spec.btfValueTypeId !== undefined) map.btfValueTypeId = spec.btfValueTypeId;
    maps.add(map, sec.index, v.offset, v.size, d.valuesOffset);
  }
}

/** A `values` initialiser of a prog-array, before programs are known. */
export interface PendingProgSlot {
  mapIndex: number;
  slot: number;
  symbol: string;
  shndx: number;
  value: number;
}

/**
 * Relocations in .rel.maps: `.values = { [i] = &inner_map }` (map-in-map) or `{ [i] = &prog }`
 * (prog-array). Map slots are filled here; program slots are returned for the caller to check
 * against the programs it found.
 */
export function readMapValuesRelocs(elf: ElfFile, mapsSec: ElfSection, maps: ObjectMaps): PendingProgSlot[] {
  const file = elf.file;
  const pending: PendingProgSlot[] = [];
  for (const relSec of elf.relocationSectionsFor(mapsSec)) {
    if (relSec.type !== SHT.REL) continue;
    elf.relocations(relSec).forEach((rel, i) => {
      const sym = elf.symbols[rel.symbol]!;
      const where = `.maps relo #${i} against '${sym.name}'`;
      const mapIndex = maps.mapContaining(mapsSec.index, rel.offset, 8);
      if (mapIndex === undefined) throw objError(file, where, `no map contains offset ${rel.offset} of '.maps'`);
      const map = maps.list[mapIndex]!;
      const loc = maps.locationOf(mapIndex);
      const valuesOff = loc.valuesOffset;
      if (valuesOff === undefined) throw objError(file, where, `map '${map.name}' has no 'values' member to initialise`);
      const within = rel.offset - loc.offset - valuesOff;
      if (within < 0 || within % 8 !== 0) throw objError(file, where, `offset ${rel.offset} is not a slot of '${map.name}'.values`);
      const slot = within / 8;
      if (map.spec.maxEntries > 0 && slot >= map.spec.maxEntries) {
        throw objError(file, where, `slot ${slot} of '${map.name}' is beyond max_entries ${map.spec.maxEntries}`);
      }
      map.initSlots ??= [];
      if (map.spec.type === 'array_of_maps' || map.spec.type === 'hash_of_maps') {
        if (sym.shndx !== mapsSec.index) throw objError(file, where, `'${sym.name}' isn't a BTF-defined map`);
        const target = maps.indexByName(sym.name);
        if (target === undefined) throw objError(file, where, `'${sym.name}' isn't a valid map reference`, 'ENOENT');
        map.initSlots.push({ slot, kind: 'map', name: sym.name, mapIndex: target });
      } else if (map.spec.type === 'prog_array') {
        pending.push({ mapIndex, slot, symbol: sym.name, shndx: sym.shndx, value: sym.value });
      } else {
        throw objError(file, where, `map '${map.name}' of type ${map.spec.type} cannot be initialised with 'values'`);
      }
    });
  }
  return pending;
}

/**
 * DATASECs in an object's BTF as clang writes them have size 0 and every variable at offset 0: the
 * real layout is only in the ELF section header and symbol table. Fill it in (setDatasecLayout,
 * libbpf's btf_fixup_datasec) so that map definitions and global-data types can be read, and the
 * BTF could be given to a kernel. A size already given (a linked object) is kept.
 */
export function fixupDatasecs(elf: ElfFile, btf: Btf, warn: (w: string) => void): void {
  for (const t of btf.types) {
    if (t.kind !== 'datasec') continue;
    const sec = elf.sectionByName(t.name);
    if (!sec) continue; // .kconfig, .ksyms: no ELF section, nothing to fix
    const symbols = new Map<string, number>();
    for (const s of elf.symbolsIn(sec.index)) if (s.type === STT.OBJECT && !symbols.has(s.name)) symbols.set(s.name, s.value);
    setDatasecLayout(btf, t, t.size || sec.size, (name, v) => {
      const at = symbols.get(name);
      if (at === undefined) warn(`${elf.file}: BTF DATASEC '${t.name}': variable '${name}' has no symbol in section '${sec.name}'; offset left at ${v.offset}`);
      return at;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Global data

export type DataKind = 'data' | 'rodata' | 'bss';

/** libbpf's classification of a non-code section as global data, or undefined. */
export function dataKindOf(sec: ElfSection): DataKind | undefined {
  const n = sec.name;
  if (sec.type === SHT.PROGBITS) {
    if (n === '.data' || n.startsWith('.data.')) return 'data';
    if (n === '.rodata' || n.startsWith('.rodata.')) return 'rodata';
  }
  if (sec.type === SHT.NOBITS && (n === '.bss' || n.startsWith('.bss.'))) return 'bss';
  return undefined;
}

/**
 * libbpf's internal map name: as much of the object name as fits before the section name in 15
 * characters (the section part taking at least 7), or the section name alone for a custom
 * `.data.foo`-style section; characters the kernel does not allow become '_'.
 */
export function internalMapName(objName: string, secName: string): string {
  let sfxLen = Math.max(7, secName.length);
  if (sfxLen >= BPF_OBJ_NAME_LEN) sfxLen = BPF_OBJ_NAME_LEN - 1;
  const pfxLen = secName.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length);
  const name = objName.slice(0, pfxLen) + secName.slice(0, sfxLen);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

export function readGlobalData(elf: ElfFile, sec: ElfSection, kind: DataKind, objName: string, btf: Btf | undefined, maps: ObjectMaps): void {
  const file = elf.file;
  if (sec.size === 0) return;
  if (sec.size > MAX_GLOBAL_DATA) {
    throw objError(file, `sec '${sec.name}'`, `${sec.size} bytes of global data is more than any BPF array map value can hold`, 'E2BIG');
  }
  const name = internalMapName(objName, sec.name);
  let flags = kind === 'rodata' ? MAP_FLAGS.RDONLY_PROG : 0;
  const ds = btf?.findByName(sec.name, 'datasec');
  // libbpf makes the map mmap-able when user space can see one of its variables (a non-static one).
  if (ds && btf && ds.vars!.some((v) => btf.hasType(v.type) && btf.types[v.type]!.kind === 'var' && (btf.types[v.type]!.linkage ?? 0) !== 0)) {
    flags |= MAP_FLAGS.MMAPABLE;
  }
  const spec: MapSpec = { type: 'array', name, keySize: 4, valueSize: sec.size, maxEntries: 1, flags };
  const initialValue = kind === 'bss' ? new Uint8Array(sec.size) : sec.data.slice();
  const map: ObjectMap = { name, spec, origin: kind, section: sec.name, initialValue };
  if (kind === 'rodata') map.frozen = true;
  if (ds) {
    spec.btfValueTypeId = ds.id;
    map.btfValueTypeId = ds.id;
  }
  maps.addData(map, sec.index);
}
