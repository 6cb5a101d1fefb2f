/**
 * A kernel map behind the BpfMap interface the VM's maps implement (src/maps/types.ts), so code
 * that reads and writes maps does not care where they live. The checks the VM makes before a call
 * (permissions after freeze or with BPF_F_RDONLY/WRONLY, key and value sizes) are made here first,
 * with the VM's words, because the kernel cannot tell a wrong-sized buffer from a right one; what
 * only the kernel knows (a full map, a missing key) comes back as its errno with the VM's reason.
 * Either way the error is a BpfError whose message starts with `map '<name>':`.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';
import { roundUp8 } from '../maps/bytes.js';
import { MAP_FLAGS, MAP_TYPE, mapTypeName, type BatchResult, type BpfMap, type MapSpec, type MapTypeName } from '../maps/types.js';
import { possibleCpus } from './cpus.js';
import {
  mapCreate, mapDeleteElem, mapFreeze, mapGetNextKey, mapLookupAndDeleteElem, mapLookupBatch, mapLookupElem,
  mapUpdateElem, mapWriteBatch, type CallContext, type MapCreateAttrs,
} from './map-commands.js';
import { mapInfo, objGet, objPin, type KernelMapInfo } from './objects.js';
import { closeFd, isOpenFd } from './syscall.js';

const PER_CPU = new Set<MapTypeName>(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']);
/** Maps whose batch cursor is the kernel's 4-byte bucket index rather than a key. */
const HASH_LIKE = new Set<MapTypeName>(['hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'hash_of_maps']);
const ARRAY_LIKE = new Set<MapTypeName>(['array', 'percpu_array', 'prog_array', 'perf_event_array', 'array_of_maps', 'cgroup_array']);

export interface KernelMapCreateOptions {
  /** BTF object fd and type ids for typed dumps in bpftool (the kernel checks them against the sizes). */
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  /** Maps of maps: an fd of a map like the inner maps (a template; it may be closed after creation). */
  innerMapFd?: number;
  numaNode?: number;
}

export class KernelMap implements BpfMap {
  readonly spec: MapSpec;
  readonly nCpus: number;
  private fdValue: number;
  private isFrozen = false;
  private idValue: number | undefined;

  /** Wrap an fd (which this map then owns and closes) of a map described by `spec`. */
  constructor(fd: number, spec: MapSpec) {
    this.fdValue = fd;
    this.spec = { ...spec };
    this.nCpus = possibleCpus();
  }

  /** BPF_MAP_CREATE from a spec, as the VM's createMap does. */
  static create(spec: MapSpec, opts: KernelMapCreateOptions = {}): KernelMap {
    const type = MAP_TYPE[spec.type];
    if (type === undefined) throw new BpfError('EINVAL', `map '${spec.name}': unknown map type '${spec.type}'`);
    const attrs: MapCreateAttrs = {
      type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags, name: spec.name,
    };
    if (spec.mapExtra !== undefined) attrs.mapExtra = spec.mapExtra;
    if (opts.innerMapFd !== undefined) attrs.innerMapFd = opts.innerMapFd;
    if (opts.numaNode !== undefined) attrs.numaNode = opts.numaNode;
    if (opts.btfFd !== undefined) {
      attrs.btfFd = opts.btfFd;
      attrs.btfKeyTypeId = opts.btfKeyTypeId ?? 0;
      attrs.btfValueTypeId = opts.btfValueTypeId ?? 0;
    }
    const fd = mapCreate(attrs, {
      what: `map '${spec.name}'`,
      reasons: {
        EINVAL: `the kernel refused the map definition (type ${spec.type}, key_size ${spec.keySize}, value_size ${spec.valueSize}, max_entries ${spec.maxEntries}, flags 0x${spec.flags.toString(16)}${opts.btfFd !== undefined ? ', with BTF' : ''})`,
        E2BIG: 'the map is larger than this kernel allows (max_entries, key or value size)',
      },
    });
    const spec2: MapSpec = { ...spec };
    if (opts.btfKeyTypeId) spec2.btfKeyTypeId = opts.btfKeyTypeId;
    if (opts.btfValueTypeId) spec2.btfValueTypeId = opts.btfValueTypeId;
    return new KernelMap(fd, spec2);
  }

  /** A map from an fd (owned from now on): its spec is read from the kernel. */
  static fromFd(fd: number): KernelMap {
    const info = mapInfo(fd);
    return new KernelMap(fd, specOfInfo(info));
  }

  /** BPF_OBJ_GET of a pinned map. */
  static fromPin(path: string, fileFlags = 0): KernelMap {
    const fd = objGet(path, fileFlags);
    try {
      return KernelMap.fromFd(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  get fd(): number {
    if (this.fdValue < 0) throw new BpfError('EBADF', `map '${this.spec.name}': the map was closed`);
    return this.fdValue;
  }

  get closed(): boolean {
    return this.fdValue < 0 || !isOpenFd(this.fdValue);
  }

  /** The kernel's id for the map (stable while it exists; fds are per process). */
  get id(): number {
    this.idValue ??= mapInfo(this.fd).id;
    return this.idValue;
  }

  get frozen(): boolean {
    return this.isFrozen;
  }

  get perCpu(): boolean {
    return PER_CPU.has(this.spec.type);
  }

  get userValueSize(): number {
    return this.perCpu ? this.nCpus * roundUp8(this.spec.valueSize) : this.spec.valueSize;
  }

  info(): KernelMapInfo {
    return mapInfo(this.fd);
  }

  pin(path: string): void {
    objPin(this.fd, path);
  }

  close(): void {
    if (this.fdValue >= 0) closeFd(this.fdValue);
    this.fdValue = -1;
  }

  // ---- BpfMap ------------------------------------------------------------------------------------

  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkReadable();
    this.checkKey(key);
    return mapLookupElem(this.fd, key, this.userValueSize, 0, this.ctx());
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    this.checkWritable();
    this.checkKey(key);
    this.checkValue(value);
    const max = this.spec.maxEntries;
    mapUpdateElem(this.fd, key, value, flags, this.ctx({
      EEXIST: this.isArray ? 'array elements always exist: BPF_NOEXIST cannot succeed' : 'the key exists and BPF_NOEXIST was given',
      ENOENT: 'the key does not exist and BPF_EXIST was given',
      E2BIG: this.isArray ? `index out of range (max_entries ${max})` : `the map is full (max_entries ${max})`,
      EPERM: 'the map is frozen or read-only for user space',
      EINVAL: `update flags ${flags} or the value are not accepted by ${this.spec.type} maps`,
      EBADF: 'the value is not an fd of a program or map the map can hold',
    }));
  }

  delete(key: Uint8Array): void {
    this.checkWritable();
    this.checkKey(key);
    mapDeleteElem(this.fd, key, this.ctx({
      ENOENT: 'no such key',
      EINVAL: this.isArray && !this.isFdArray ? 'array elements cannot be deleted' : `${this.spec.type} maps refuse this delete`,
    }));
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    this.checkReadable();
    if (key !== undefined) this.checkKey(key);
    return mapGetNextKey(this.fd, key, this.spec.keySize, this.ctx());
  }

  lookupAndDelete(key: Uint8Array): Uint8Array | undefined {
    this.checkReadable();
    this.checkWritable();
    if (this.spec.keySize !== 0) this.checkKey(key);
    return mapLookupAndDeleteElem(this.fd, key, this.userValueSize, this.ctx());
  }

  freeze(): void {
    this.checkWritable();
    mapFreeze(this.fd, this.ctx({ EBUSY: 'the map is frozen already or is mmap-ed writable', EPERM: 'the map is frozen already' }));
    this.isFrozen = true;
  }

  lookupBatch(inBatch: Uint8Array | undefined, count: number, elemFlags = 0): BatchResult {
    this.checkReadable();
    return this.batchLookup(inBatch, count, elemFlags, false);
  }

  lookupAndDeleteBatch(inBatch: Uint8Array | undefined, count: number, elemFlags = 0): BatchResult {
    this.checkReadable();
    this.checkWritable();
    return this.batchLookup(inBatch, count, elemFlags, true);
  }

  updateBatch(keys: Uint8Array[], values: Uint8Array[], elemFlags = 0): void {
    this.checkWritable();
    if (keys.length !== values.length) this.fail('EINVAL', `update batch needs as many values as keys, got ${keys.length} keys and ${values.length} values`);
    keys.forEach((k) => this.checkKey(k));
    values.forEach((v) => this.checkValue(v));
    mapWriteBatch(this.fd, keys, values, { elemFlags, ctx: this.ctx() });
  }

  deleteBatch(keys: Uint8Array[], elemFlags = 0): void {
    this.checkWritable();
    keys.forEach((k) => this.checkKey(k));
    mapWriteBatch(this.fd, keys, undefined, { elemFlags, ctx: this.ctx({ ENOENT: 'a key of the batch does not exist' }) });
  }

  /** Every key and value, in the kernel's get_next_key order. */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    let key = this.getNextKey(undefined);
    while (key !== undefined) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
      key = this.getNextKey(key);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private get isArray(): boolean {
    return ARRAY_LIKE.has(this.spec.type);
  }

  private get isFdArray(): boolean {
    return this.isArray && this.spec.type !== 'array' && this.spec.type !== 'percpu_array';
  }

  private batchLookup(inBatch: Uint8Array | undefined, count: number, elemFlags: number, del: boolean): BatchResult {
    const hashLike = HASH_LIKE.has(this.spec.type);
    const cursor = hashLike ? 4 : this.spec.keySize;
    if (inBatch !== undefined && inBatch.length !== cursor) {
      this.fail('EINVAL', hashLike ? `a hash map batch cursor is 4 bytes, got ${inBatch.length}` : `in_batch must be ${cursor} bytes (key_size), got ${inBatch.length}`);
    }
    const r = mapLookupBatch(this.fd, inBatch, count, { key: this.spec.keySize, value: this.userValueSize, cursor }, { del, elemFlags, ctx: this.ctx() });
    const outBatch = hashLike || r.keys.length > 0 ? r.outBatch : undefined;
    return { keys: r.keys, values: r.values, outBatch, done: r.done };
  }

  private ctx(reasons?: Partial<Record<string, string>>): CallContext {
    return reasons ? { what: `map '${this.spec.name}'`, reasons } : { what: `map '${this.spec.name}'` };
  }

  private fail(code: BpfErrorCode, reason: string): never {
    throw new BpfError(code, `map '${this.spec.name}': ${reason}`);
  }

  private checkKey(key: Uint8Array): void {
    if (key.length !== this.spec.keySize) this.fail('EINVAL', `key must be ${this.spec.keySize} bytes (key_size), got ${key.length}`);
  }

  private checkValue(value: Uint8Array): void {
    const size = this.userValueSize;
    if (value.length !== size) {
      const why = size === this.spec.valueSize ? 'value_size' : `${this.nCpus} CPUs × round_up(value_size ${this.spec.valueSize}, 8)`;
      this.fail('EINVAL', `value must be ${size} bytes (${why}), got ${value.length}`);
    }
  }

  private checkWritable(): void {
    if (this.isFrozen) this.fail('EPERM', 'the map is frozen: user space can no longer write to it');
    if (this.spec.flags & MAP_FLAGS.RDONLY) this.fail('EPERM', 'the map was created BPF_F_RDONLY: user space cannot write to it');
  }

  private checkReadable(): void {
    if (this.spec.flags & MAP_FLAGS.WRONLY) this.fail('EPERM', 'the map was created BPF_F_WRONLY: user space cannot read it');
  }
}

/** A MapSpec from what the kernel says about a map. */
export function specOfInfo(info: KernelMapInfo): MapSpec {
  const type = mapTypeName(info.type);
  if (!type) throw new BpfError('EINVAL', `map '${info.name}' (id ${info.id}) has map type ${info.type}, which tsbpf does not know`);
  const spec: MapSpec = {
    type, name: info.name, keySize: info.keySize, valueSize: info.valueSize, maxEntries: info.maxEntries, flags: info.flags,
  };
  if (info.mapExtra) spec.mapExtra = info.mapExtra;
  if (info.btfKeyTypeId) spec.btfKeyTypeId = info.btfKeyTypeId;
  if (info.btfValueTypeId) spec.btfValueTypeId = info.btfValueTypeId;
  return spec;
}
