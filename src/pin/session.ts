/**
 * One process's view of the pin store through a VM: opening pinned maps and programs loads them
 * into the VM (with the objects they refer to), persisting puts VM objects into the store, and
 * `writeBack` saves the maps whose contents changed, so a `map update` or a program run through the
 * CLI is seen by the next process.
 *
 * Ids: the store gives every object a stable id (what `id N` and `map[id:N]` mean); a VM gives its
 * own ids per process. The session keeps both directions, and translates the ids stored in
 * prog_array and map-of-maps values, and in map references of instructions.
 */
import { BpfError } from '../errors.js';
import { parseBtf } from '../btf/btf.js';
import type { ObjectSpec, ProgramSpec } from '../elf/object.js';
import { decode, encode, isLddw, type Insn } from '../isa/insn.js';
import { PSEUDO } from '../isa/opcodes.js';
import { u32Bytes } from '../maps/bytes.js';
import { loadObjectIntoVm, type VmObject } from '../vm/load-object.js';
import type { SourceLineInfo, Vm, VmMap, VmProgram } from '../vm/runtime.js';
import { encodeBtf } from './btf-encode.js';
import { funcProto } from './func-proto.js';
import { captureContents, fromHex, refKindOf, restoreContents, specFromJson, specToJson, toHex } from './map-codec.js';
import type { LineInfoJson, MapRecord, ProgRecord } from './records.js';
import type { PinStore } from './store.js';

/** What the store keeps about a program beyond what the VM holds. */
export interface ProgMeta {
  /** The maps MAP_IDX references index (an object's maps, in order). */
  mapsByIdx: readonly VmMap[];
  lineInfo: LineInfoJson[];
  funcProtos: { slot: number; proto: string }[];
  attachType?: string;
  file?: string;
}

interface PendingRefs {
  map: VmMap;
  refs: [string, number][];
  freeze: boolean;
  where: string;
}

/** Per-slot source lines from line-info records: a record covers its slot up to the next, within one function. */
export function lineInfoPerSlot(records: readonly LineInfoJson[], functions: readonly { slot: number }[], slots: number): (SourceLineInfo | undefined)[] {
  const out: (SourceLineInfo | undefined)[] = new Array(slots).fill(undefined);
  const starts = new Set(functions.map((f) => f.slot));
  const sorted = [...records].sort((a, b) => a.insnOff - b.insnOff);
  let next = 0;
  let current: SourceLineInfo | undefined;
  for (let s = 0; s < slots; s++) {
    if (starts.has(s)) current = undefined;
    while (next < sorted.length && sorted[next]!.insnOff <= s) {
      const r = sorted[next++]!;
      current = { fileName: r.fileName, line: r.line, col: r.col, lineText: r.lineText };
    }
    out[s] = current;
  }
  return out;
}

/** The store's form of a program spec's extra information. */
export function progMetaOf(spec: ProgramSpec, obj: ObjectSpec, mapsByIdx: readonly VmMap[]): ProgMeta {
  const meta: ProgMeta = {
    mapsByIdx,
    lineInfo: spec.lineInfoRecords.map((r) => ({ insnOff: r.insnOff, fileName: r.fileName, line: r.line, col: r.col, lineText: r.lineText })),
    funcProtos: obj.btf ? spec.funcInfo.map((f) => ({ slot: f.insnOff, proto: funcProto(obj.btf!, f.typeId) })).filter((f) => f.proto !== '') : [],
    file: obj.file,
  };
  if (spec.attachType !== undefined) meta.attachType = spec.attachType;
  return meta;
}

/** Load an object file's maps and programs into a VM, with what a listing or a pin needs per program. */
export function loadObjectWithMeta(vm: Vm, spec: ObjectSpec): { obj: VmObject; meta: Map<VmProgram, ProgMeta> } {
  const obj = loadObjectIntoVm(vm, spec);
  const mapsByIdx = spec.maps.map((m) => obj.maps.get(m.name)!);
  const meta = new Map<VmProgram, ProgMeta>();
  for (const p of spec.programs) meta.set(obj.programs.get(p.name)!, progMetaOf(p, spec, mapsByIdx));
  return { obj, meta };
}

export class StoreSession {
  private readonly mapOfStoreId = new Map<number, VmMap>();
  private readonly storeIdOfMap = new Map<VmMap, number>();
  private readonly progOfStoreId = new Map<number, VmProgram>();
  private readonly storeIdOfProg = new Map<VmProgram, number>();
  private readonly meta = new Map<VmProgram, ProgMeta>();
  private readonly mapRecords = new Map<number, MapRecord>();
  private readonly progRecords = new Map<number, ProgRecord>();
  /** Per store map id: the frozen flag and contents last read or written, to skip unchanged maps. */
  private readonly baseline = new Map<number, string>();
  private pending: PendingRefs[] = [];
  private settling = false;

  constructor(readonly store: PinStore, readonly vm: Vm) {
    if (vm.nCpus !== store.nCpus) {
      throw new BpfError('EINVAL', `the bpffs store ${store.dir} holds maps for ${store.nCpus} CPUs, the VM has ${vm.nCpus}`);
    }
  }

  // ---- from the store into the VM ---------------------------------------------------------------

  openMap(storeId: number): VmMap {
    const open = this.mapOfStoreId.get(storeId);
    if (open) return open;
    const rec = this.store.readMap(storeId);
    const where = this.store.objectPath('map', storeId);
    if (rec.nCpus !== this.vm.nCpus) {
      throw new BpfError('EINVAL', `${where}: map was pinned with ${rec.nCpus} CPUs, this store's VM has ${this.vm.nCpus}`, { file: where });
    }
    let meta: { btf?: ReturnType<typeof parseBtf>; btfKeyTypeId?: number; btfValueTypeId?: number } = {};
    if (rec.btf !== undefined) {
      try {
        meta = { btf: parseBtf(new Uint8Array(Buffer.from(rec.btf, 'base64')), { name: where }) };
      } catch (e) {
        throw new BpfError('EINVAL', `${where}: bad pin file: its BTF does not parse: ${(e as Error).message}`, { file: where });
      }
      if (rec.btfKeyTypeId !== undefined) meta.btfKeyTypeId = rec.btfKeyTypeId;
      if (rec.btfValueTypeId !== undefined) meta.btfValueTypeId = rec.btfValueTypeId;
    }
    let vmMap: VmMap;
    try {
      vmMap = this.vm.createMap(specFromJson(rec.spec), meta);
    } catch (e) {
      if (e instanceof BpfError) throw new BpfError('EINVAL', `${where}: bad pin file: the map cannot be created: ${e.message}`, { file: where });
      throw e;
    }
    this.mapOfStoreId.set(storeId, vmMap);
    this.storeIdOfMap.set(vmMap, storeId);
    this.mapRecords.set(storeId, rec);
    this.baseline.set(storeId, JSON.stringify([rec.frozen, rec.contents]));
    restoreContents(vmMap.map, rec.contents, where);
    if (rec.contents.kind === 'refs') this.pending.push({ map: vmMap, refs: rec.contents.refs, freeze: rec.frozen, where });
    else if (rec.frozen) vmMap.map.freeze();
    this.settle();
    return vmMap;
  }

  openProg(storeId: number): VmProgram {
    const open = this.progOfStoreId.get(storeId);
    if (open) return open;
    const rec = this.store.readProg(storeId);
    const where = this.store.objectPath('prog', storeId);
    let stored: Insn[];
    try {
      stored = decode(fromHex(rec.insns), where);
    } catch (e) {
      throw new BpfError('EINVAL', `${where}: bad pin file: ${(e as Error).message}`, { file: where });
    }
    // map[id:N] (store ids) become indices into the maps this session opened for the program.
    const maps: VmMap[] = [];
    const indexOf = new Map<number, number>();
    const insns = stored.map((insn): Insn => {
      if (!isLddw(insn) || (insn.src !== PSEUDO.MAP_FD && insn.src !== PSEUDO.MAP_VALUE)) return insn;
      let idx = indexOf.get(insn.imm);
      if (idx === undefined) {
        idx = maps.length;
        maps.push(this.openMap(insn.imm));
        indexOf.set(insn.imm, idx);
      }
      return { ...insn, src: insn.src === PSEUDO.MAP_FD ? PSEUDO.MAP_IDX : PSEUDO.MAP_IDX_VALUE, imm: idx };
    });
    const slots = fromHex(rec.insns).length / 8;
    const prog = this.vm.loadProgram({
      name: rec.name, type: rec.type, section: rec.section, insns, license: rec.license, maps,
      lineInfo: lineInfoPerSlot(rec.lineInfo, rec.functions, slots), functions: rec.functions, file: rec.file,
      // Verified when `prog load` put it in the store; reopening it is not a new load.
      verify: false,
    });
    this.progOfStoreId.set(storeId, prog);
    this.storeIdOfProg.set(prog, storeId);
    this.progRecords.set(storeId, rec);
    const meta: ProgMeta = { mapsByIdx: maps, lineInfo: rec.lineInfo, funcProtos: rec.funcProtos };
    if (rec.attachType !== undefined) meta.attachType = rec.attachType;
    if (rec.file !== undefined) meta.file = rec.file;
    this.meta.set(prog, meta);
    this.settle();
    return prog;
  }

  /** Fill prog_array and map-of-maps slots once the objects they name are open (they may name each other). */
  private settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      while (this.pending.length > 0) {
        const p = this.pending.shift()!;
        const kind = refKindOf(p.map.map.spec.type);
        for (const [keyHex, storeId] of p.refs) {
          const exists = this.store.has(kind === 'prog' ? 'prog' : 'map', storeId);
          if (!exists) {
            throw new BpfError('EINVAL', `${p.where}: bad pin file: slot ${keyHex} refers to ${kind} id ${storeId}, which is not in the store`, { file: p.where });
          }
          const vmId = kind === 'prog' ? this.openProg(storeId).id : this.openMap(storeId).id;
          p.map.map.update(fromHex(keyHex), u32Bytes(vmId), 0);
        }
        if (p.freeze) p.map.map.freeze();
      }
    } finally {
      this.settling = false;
    }
  }

  /** The store id of a VM map or program this session knows (opened or persisted). */
  storeMapId(m: VmMap): number | undefined {
    return this.storeIdOfMap.get(m);
  }

  storeProgId(p: VmProgram): number | undefined {
    return this.storeIdOfProg.get(p);
  }

  /** The VM map that is store map `id`, if open. */
  openedMap(storeId: number): VmMap | undefined {
    return this.mapOfStoreId.get(storeId);
  }

  progRecord(storeId: number): ProgRecord | undefined {
    return this.progRecords.get(storeId);
  }

  progMeta(p: VmProgram): ProgMeta | undefined {
    return this.meta.get(p);
  }

  // ---- from the VM into the store (hold the store's write lock) ---------------------------------

  /** Load an object file's maps and programs into the VM, remembering what the store needs. */
  loadObject(spec: ObjectSpec): VmObject {
    const { obj, meta } = loadObjectWithMeta(this.vm, spec);
    for (const [p, m] of meta) this.meta.set(p, m);
    return obj;
  }

  /** The store id of a VM map, putting the map into the store if it is not there yet. */
  persistMap(m: VmMap): number {
    const known = this.storeIdOfMap.get(m);
    if (known !== undefined) return known;
    const id = this.store.allocId('map');
    this.mapOfStoreId.set(id, m);
    this.storeIdOfMap.set(m, id);
    const rec: MapRecord = {
      id, spec: specToJson(m.map.spec), nCpus: m.map.nCpus, frozen: m.map.frozen, createdAt: new Date().toISOString(),
      contents: { kind: 'none', reason: 'not yet written' },
    };
    // BTF is kept when it types the key or value: that is what typed dumps use it for.
    if (m.btf && (m.btfKeyTypeId || m.btfValueTypeId)) {
      rec.btf = Buffer.from(encodeBtf(m.btf)).toString('base64');
      if (m.btfKeyTypeId !== undefined) rec.btfKeyTypeId = m.btfKeyTypeId;
      if (m.btfValueTypeId !== undefined) rec.btfValueTypeId = m.btfValueTypeId;
    }
    this.mapRecords.set(id, rec);
    this.saveMap(id, m);
    return id;
  }

  /** The store id of a VM program, putting it (and the maps it uses) into the store if needed. */
  persistProg(p: VmProgram): number {
    const known = this.storeIdOfProg.get(p);
    if (known !== undefined) return known;
    const meta = this.meta.get(p);
    const id = this.store.allocId('prog');
    this.progOfStoreId.set(id, p);
    this.storeIdOfProg.set(p, id);
    const mapOf = (insn: Insn): VmMap => {
      const byIdx = insn.src === PSEUDO.MAP_IDX || insn.src === PSEUDO.MAP_IDX_VALUE;
      const m = byIdx ? meta?.mapsByIdx[insn.imm] : this.vm.maps.get(insn.imm);
      if (!m) throw new BpfError('EINVAL', `program '${p.name}': a map reference (${byIdx ? 'index' : 'id'} ${insn.imm}) has no map to pin`);
      return m;
    };
    const insns = p.insns.map((insn): Insn => {
      if (!isLddw(insn)) return insn;
      switch (insn.src) {
        case PSEUDO.MAP_FD: case PSEUDO.MAP_IDX:
          return { ...insn, src: PSEUDO.MAP_FD, imm: this.persistMap(mapOf(insn)) };
        case PSEUDO.MAP_VALUE: case PSEUDO.MAP_IDX_VALUE:
          return { ...insn, src: PSEUDO.MAP_VALUE, imm: this.persistMap(mapOf(insn)) };
        default:
          return insn;
      }
    });
    const rec: ProgRecord = {
      id, name: p.name, type: p.type, license: p.license, tag: p.tag, loadedAt: p.loadedAt.toISOString(),
      insns: toHex(encode(insns)), mapIds: p.mapIds.map((vmId) => this.persistMap(this.vm.maps.get(vmId)!)),
      lineInfo: meta?.lineInfo ?? [], functions: (p.functions ?? []).map((f) => ({ name: f.name, slot: f.slot })),
      funcProtos: meta?.funcProtos ?? [],
    };
    if (p.section !== undefined) rec.section = p.section;
    if (meta?.attachType !== undefined) rec.attachType = meta.attachType;
    if (meta?.file !== undefined) rec.file = meta.file;
    this.progRecords.set(id, rec);
    this.store.writeProg(rec);
    return id;
  }

  private refId = (kind: 'prog' | 'map', vmId: number): number => {
    if (kind === 'prog') {
      const p = this.vm.programs.get(vmId);
      if (!p) throw new BpfError('EINVAL', `a prog_array holds program id ${vmId}, which the VM does not have`);
      return this.persistProg(p);
    }
    const m = this.vm.maps.get(vmId);
    if (!m) throw new BpfError('EINVAL', `a map of maps holds map id ${vmId}, which the VM does not have`);
    return this.persistMap(m);
  };

  private saveMap(storeId: number, m: VmMap): boolean {
    const contents = captureContents(m.map, this.refId);
    const state = JSON.stringify([m.map.frozen, contents]);
    if (this.baseline.get(storeId) === state) return false;
    const rec = { ...this.mapRecords.get(storeId)!, frozen: m.map.frozen, contents };
    const refs = { maps: [] as number[], progs: [] as number[] };
    if (contents.kind === 'refs') (refKindOf(m.map.spec.type) === 'prog' ? refs.progs : refs.maps).push(...contents.refs.map((r) => r[1]));
    this.store.writeMap(rec, refs);
    this.mapRecords.set(storeId, rec);
    this.baseline.set(storeId, state);
    return true;
  }

  /** Save every store map of this session whose contents or frozen state changed; returns their ids. */
  writeBack(): number[] {
    const changed: number[] = [];
    for (const [storeId, m] of [...this.mapOfStoreId]) if (this.saveMap(storeId, m)) changed.push(storeId);
    return changed;
  }
}
