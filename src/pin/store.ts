/**
 * The pin store: a directory that plays bpffs for tsbpf processes. A map or program pinned by one
 * process is opened by another by its pin path, its store id, or its name.
 *
 * Layout (see records.ts for the file contents and pin-file.ts for their envelope):
 *   <dir>/<pin path>          pin files (any depth of directories), each naming one object
 *   <dir>/.objects/map-<id>   one file per map: spec, BTF, contents
 *   <dir>/.objects/prog-<id>  one file per program
 *   <dir>/.index              ids, names, pins, references
 *   <dir>/.tracelog           trace_printk lines of programs run against this store
 *   <dir>/.lock               held by the one process writing
 * Names starting with '.' are the store's own; pin paths may not use them.
 *
 * Objects live as long as a pin or a live object refers to them (bpffs pins and kernel references):
 * removing a pin file unpins, and `collect` deletes what nothing keeps alive.
 */
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { BpfError } from '../errors.js';
import { DEFAULT_NCPUS } from '../maps/index.js';
import { appendFileDurable, TMP_PREFIX } from './atomic-file.js';
import { readPinFile, writePinFile } from './pin-file.js';
import {
  checkIndexRecord, checkMapRecord, checkPinRecord, checkProgRecord,
  type IndexEntry, type IndexRecord, type MapRecord, type PinRecord, type ProgRecord,
} from './records.js';
import { StoreLock } from './store-lock.js';
import { SYS_BPFFS } from './store-path.js';

export type ObjectKind = 'map' | 'prog';

export interface ResolvedPin {
  /** Relative to the store root, with '/' separators. */
  rel: string;
  abs: string;
}

export interface LiveSet {
  maps: Set<number>;
  progs: Set<number>;
}

const INDEX = '.index';
const OBJECTS = '.objects';
const TRACELOG = '.tracelog';

export class PinStore {
  readonly dir: string;
  private readonly lock: StoreLock;
  private cachedIndex: IndexRecord | undefined;

  private constructor(dir: string) {
    this.dir = dir;
    this.lock = new StoreLock(join(dir, '.lock'));
  }

  /** Open (creating it if needed) the store at `dir`. */
  static open(dir: string): PinStore {
    const abs = resolve(dir);
    try {
      if (existsSync(abs) && !statSync(abs).isDirectory()) {
        throw new BpfError('EINVAL', `${abs}: the bpffs store must be a directory`, { file: abs });
      }
      mkdirSync(join(abs, OBJECTS), { recursive: true });
    } catch (e) {
      if (e instanceof BpfError) throw e;
      throw new BpfError('EIO', `${abs}: cannot create the bpffs store: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: abs });
    }
    return new PinStore(abs);
  }

  /** Run `fn` as the store's one writer; the index is re-read inside, so it is current. */
  write<T>(fn: () => T): T {
    return this.lock.hold(() => {
      this.cachedIndex = undefined;
      const r = fn();
      return r;
    });
  }

  // ---- pin paths -------------------------------------------------------------------------------

  /**
   * A user's pin path inside the store: relative paths are relative to the store root, and
   * `/sys/fs/bpf/...` means the same place in the store, so bpftool command lines work unchanged.
   */
  resolve(path: string): ResolvedPin {
    let rel: string;
    const norm = normalize(path);
    if (norm === SYS_BPFFS || norm.startsWith(SYS_BPFFS + '/')) rel = norm.slice(SYS_BPFFS.length + 1);
    else if (isAbsolute(norm)) {
      rel = relative(this.dir, norm);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new BpfError('EINVAL', `${path}: is outside the bpffs store ${this.dir} (give a path relative to it, or under ${SYS_BPFFS}/)`, { file: path });
      }
    } else rel = norm;
    rel = rel.split(sep).filter((p) => p !== '' && p !== '.').join('/');
    if (rel === '' ) throw new BpfError('EINVAL', `${path}: names the store root, not a pin`, { file: path });
    const parts = rel.split('/');
    if (parts.includes('..')) throw new BpfError('EINVAL', `${path}: leaves the bpffs store`, { file: path });
    const hidden = parts.find((p) => p.startsWith('.'));
    if (hidden !== undefined) {
      throw new BpfError('EINVAL', `${path}: '${hidden}': names starting with '.' are reserved for the store's own files`, { file: path });
    }
    return { rel, abs: join(this.dir, ...parts) };
  }

  /** The path shown to users for a pin. */
  display(rel: string): string {
    return join(this.dir, ...rel.split('/'));
  }

  readPin(path: string): PinRecord & ResolvedPin {
    const r = this.resolve(path);
    const { body } = readPinFile(r.abs, 'pin');
    return { ...checkPinRecord(body, r.abs), ...r };
  }

  /** Pin object `id` at `path` (EEXIST if something is there, as bpf_obj_pin). Hold the write lock. */
  addPin(path: string, object: ObjectKind, id: number): ResolvedPin {
    const r = this.resolve(path);
    if (existsSync(r.abs)) throw new BpfError('EEXIST', `${this.display(r.rel)}: a pin or directory already exists there`, { file: r.abs });
    const entry = this.entry(object, id);
    writePinFile(r.abs, 'pin', { object, id } satisfies PinRecord);
    if (!entry.pins.includes(r.rel)) entry.pins.push(r.rel);
    this.saveIndex();
    return r;
  }

  // ---- the index -------------------------------------------------------------------------------

  index(): IndexRecord {
    if (this.cachedIndex) return this.cachedIndex;
    const path = join(this.dir, INDEX);
    if (!existsSync(path)) {
      this.cachedIndex = { nCpus: DEFAULT_NCPUS, nextMapId: 1, nextProgId: 1, maps: {}, progs: {} };
    } else {
      this.cachedIndex = checkIndexRecord(readPinFile(path, 'index').body, path);
    }
    return this.cachedIndex;
  }

  get nCpus(): number {
    return this.index().nCpus;
  }

  saveIndex(): void {
    writePinFile(join(this.dir, INDEX), 'index', this.index());
  }

  private table(kind: ObjectKind): Record<string, IndexEntry> {
    return kind === 'map' ? this.index().maps : this.index().progs;
  }

  entry(kind: ObjectKind, id: number): IndexEntry {
    const e = this.table(kind)[String(id)];
    if (!e) throw new BpfError('ENOENT', `no ${kind === 'map' ? 'map' : 'program'} with id ${id} in the bpffs store ${this.dir}`);
    return e;
  }

  has(kind: ObjectKind, id: number): boolean {
    return this.table(kind)[String(id)] !== undefined;
  }

  ids(kind: ObjectKind): number[] {
    return Object.keys(this.table(kind)).map(Number).sort((a, b) => a - b);
  }

  findByName(kind: ObjectKind, name: string): number[] {
    return Object.entries(this.table(kind)).filter(([, e]) => e.name === name).map(([id]) => Number(id)).sort((a, b) => a - b);
  }

  allocId(kind: ObjectKind): number {
    const ix = this.index();
    return kind === 'map' ? ix.nextMapId++ : ix.nextProgId++;
  }

  // ---- objects ---------------------------------------------------------------------------------

  objectPath(kind: ObjectKind, id: number): string {
    return join(this.dir, OBJECTS, `${kind}-${id}`);
  }

  readMap(id: number): MapRecord {
    this.entry('map', id);
    const path = this.objectPath('map', id);
    const rec = checkMapRecord(readPinFile(path, 'map').body, path);
    if (rec.id !== id) throw new BpfError('EINVAL', `${path}: bad pin file: holds map id ${rec.id}, not ${id}`, { file: path });
    return rec;
  }

  readProg(id: number): ProgRecord {
    this.entry('prog', id);
    const path = this.objectPath('prog', id);
    const rec = checkProgRecord(readPinFile(path, 'prog').body, path);
    if (rec.id !== id) throw new BpfError('EINVAL', `${path}: bad pin file: holds program id ${rec.id}, not ${id}`, { file: path });
    return rec;
  }

  /** Write a map's record and its index entry. Hold the write lock. */
  writeMap(rec: MapRecord, refs: IndexEntry['refs']): void {
    writePinFile(this.objectPath('map', rec.id), 'map', rec);
    this.setEntry('map', rec.id, rec.spec.name, rec.spec.type, refs);
  }

  writeProg(rec: ProgRecord): void {
    writePinFile(this.objectPath('prog', rec.id), 'prog', rec);
    this.setEntry('prog', rec.id, rec.name, rec.type, { maps: [...rec.mapIds], progs: [] });
  }

  private setEntry(kind: ObjectKind, id: number, name: string, type: string, refs: IndexEntry['refs']): void {
    const table = this.table(kind);
    const old = table[String(id)];
    table[String(id)] = { name, type, pins: old?.pins ?? [], refs };
    this.saveIndex();
  }

  // ---- liveness --------------------------------------------------------------------------------

  /** Pins of an object that still exist on disk and still name it. */
  livePins(kind: ObjectKind, id: number): string[] {
    return this.entry(kind, id).pins.filter((rel) => {
      try {
        const p = checkPinRecord(readPinFile(join(this.dir, ...rel.split('/')), 'pin').body, rel);
        return p.object === kind && p.id === id;
      } catch {
        return false;
      }
    });
  }

  /** Objects reachable from a live pin through references (what bpffs and the kernel keep). */
  live(): LiveSet {
    const ix = this.index();
    const set: LiveSet = { maps: new Set(), progs: new Set() };
    const visit = (kind: ObjectKind, id: number): void => {
      const s = kind === 'map' ? set.maps : set.progs;
      const e = (kind === 'map' ? ix.maps : ix.progs)[String(id)];
      if (!e || s.has(id)) return;
      s.add(id);
      for (const m of e.refs.maps) visit('map', m);
      for (const p of e.refs.progs) visit('prog', p);
    };
    for (const kind of ['map', 'prog'] as const) {
      for (const id of this.ids(kind)) if (this.livePins(kind, id).length > 0) visit(kind, id);
    }
    return set;
  }

  /** Forget pins that were removed and delete objects nothing keeps alive. Hold the write lock. */
  collect(): void {
    const ix = this.index();
    let changed = false;
    for (const kind of ['map', 'prog'] as const) {
      for (const id of this.ids(kind)) {
        const e = this.entry(kind, id);
        const pins = this.livePins(kind, id);
        if (pins.length !== e.pins.length) {
          e.pins = pins;
          changed = true;
        }
      }
    }
    const live = this.live();
    for (const kind of ['map', 'prog'] as const) {
      const table = kind === 'map' ? ix.maps : ix.progs;
      for (const id of this.ids(kind)) {
        if ((kind === 'map' ? live.maps : live.progs).has(id)) continue;
        delete table[String(id)];
        changed = true;
        try {
          unlinkSync(this.objectPath(kind, id));
        } catch {
          /* never written */
        }
      }
    }
    if (changed) this.saveIndex();
  }

  // ---- trace log -------------------------------------------------------------------------------

  appendTrace(lines: readonly string[]): void {
    if (lines.length === 0) return;
    appendFileDurable(join(this.dir, TRACELOG), lines.map((l) => (l.endsWith('\n') ? l : l + '\n')).join(''));
  }

  /** The trace lines so far; `consume` empties the log as reading trace_pipe does. Hold the lock to consume. */
  readTrace(consume: boolean): string[] {
    const path = join(this.dir, TRACELOG);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new BpfError('EIO', `${path}: cannot read: ${(e as Error).message}`, { file: path });
    }
    if (consume && text !== '') writeFileSync(path, '');
    return text.split('\n').filter((l) => l !== '');
  }
}

export { TMP_PREFIX };
