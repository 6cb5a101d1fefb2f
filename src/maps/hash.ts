/**
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH (kernel/bpf/hashtab.c): one
 * implementation, two switches (per-CPU values; LRU eviction instead of E2BIG when full).
 *
 * Elements live in a table by key bytes (key-table.ts) and on a doubly linked list in insertion order,
 * which is the iteration order of get_next_key and of batches (the kernel iterates hash buckets;
 * any stable order is allowed). Each element has its value bytes for as long as it lives, so a
 * program's view of it is stable; updates of an existing element write in place. As in the
 * kernel's preallocated maps, a deleted element's value bytes go to the next element inserted (a
 * program still holding the old pointer sees the new element's value); with BPF_F_NO_PREALLOC
 * each element gets bytes of its own.
 *
 * Batch cursors: every element gets a sequence number when inserted; the 4-byte cursor is the
 * sequence number to resume at (the kernel's cursor is a bucket index, also 4 bytes), so a lookup
 * batch neither repeats nor skips elements when others are deleted in between.
 */
import { MapBase } from './base.js';
import { genericDeleteBatch, genericUpdateBatch } from './batch.js';
import { readU32, roundUp8, roundUpPowerOfTwo, u32Bytes } from './bytes.js';
import { KeyTable } from './key-table.js';
import { PERCPU_VALUE_MAX } from './array.js';
import { LruOrder } from './lru.js';
import { ACCESS_FLAGS, MAP_FLAGS, UPDATE, type BatchResult, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';
import { isResident, residentBytes } from '../vm/resident.js';
import { ResidentIndex } from './resident-index.js';

const HASH_FLAGS = MAP_FLAGS.NO_PREALLOC | MAP_FLAGS.NO_COMMON_LRU | MAP_FLAGS.NUMA_NODE | ACCESS_FLAGS | MAP_FLAGS.ZERO_SEED;
/** KMALLOC_MAX_SIZE on x86-64 and sizeof(struct htab_elem): key + value must stay below their difference. */
const KMALLOC_MAX_SIZE = 4 << 20;
const HTAB_ELEM_SIZE = 48;
/** sizeof(struct bucket): the bucket array must stay below 4 GiB. */
const BUCKET_SIZE = 16;
/** Bytes of value storage allocated at a time: values are views into it (ValueSlabs). */
const SLAB_BYTES = 16384;

export function isLruType(spec: MapSpec): boolean {
  return spec.type === 'lru_hash' || spec.type === 'lru_percpu_hash';
}

export function isPerCpuHashType(spec: MapSpec): boolean {
  return spec.type === 'percpu_hash' || spec.type === 'lru_percpu_hash';
}

/** htab_map_alloc_check and the size checks of htab_map_alloc. */
export function validateHash(spec: MapSpec): MapProblem | undefined {
  const lru = isLruType(spec);
  const percpu = isPerCpuHashType(spec);
  return first(
    () => checkFlags(spec, HASH_FLAGS),
    () => (!lru && spec.flags & MAP_FLAGS.NO_COMMON_LRU ? problem('EINVAL', 'BPF_F_NO_COMMON_LRU is only for LRU maps') : undefined),
    () => (lru && spec.flags & MAP_FLAGS.NO_PREALLOC ? problem('ENOTSUPP', 'LRU maps are always preallocated: BPF_F_NO_PREALLOC is not supported') : undefined),
    () => (spec.maxEntries === 0 || spec.keySize === 0 || spec.valueSize === 0
      ? problem('EINVAL', `${spec.type} maps need max_entries, key_size and value_size > 0, got ${spec.maxEntries}, ${spec.keySize}, ${spec.valueSize}`)
      : undefined),
    () => (spec.keySize + spec.valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE
      ? problem('E2BIG', `key_size + value_size (${spec.keySize + spec.valueSize}) is too large for one element`) : undefined),
    () => (percpu && roundUp8(spec.valueSize) > PERCPU_VALUE_MAX
      ? problem('E2BIG', `per-CPU values are at most ${PERCPU_VALUE_MAX} bytes, got value_size ${spec.valueSize}`) : undefined),
    () => (spec.maxEntries > 2 ** 31 || roundUpPowerOfTwo(spec.maxEntries) > Math.floor(0xffffffff / BUCKET_SIZE)
      ? problem('E2BIG', `max_entries ${spec.maxEntries} needs too many hash buckets`) : undefined),
  );
}

interface HashElem {
  key: Uint8Array;
  /** value_size bytes, or nCpus × round_up(value_size, 8) for per-CPU maps. */
  value: Uint8Array;
  /** Per-CPU maps: one cached view per CPU. */
  views: (Uint8Array | undefined)[] | undefined;
  seq: number;
  prev: HashElem | undefined;
  next: HashElem | undefined;
  /** LruOrder's (LRU maps). */
  lruList: number;
  lruPrev: HashElem | undefined;
  lruNext: HashElem | undefined;
  /** KeyTable's. */
  hash: number;
  chain: HashElem | undefined;
}

/**
 * Value bytes as views into shared buffers, reused after a delete. A small value of its own would
 * be a typed array V8 keeps on its heap and moves out the first time anything asks for its buffer
 * (a run's Region makes a DataView over it, the JIT copies it): about 200 ns a new element.
 */
class ValueSlabs {
  private slab: Uint8Array = new Uint8Array(0);
  private used = 0;
  private readonly free: Uint8Array[] = [];

  constructor(private readonly size: number) {}

  take(): Uint8Array {
    const v = this.free.pop();
    if (v !== undefined) return v.fill(0);
    if (this.used + this.size > this.slab.length) {
      // In the JIT's resident window while it has room (vm/resident.ts): no copies for compiled lookups.
      const len = Math.max(this.size, SLAB_BYTES - (SLAB_BYTES % this.size));
      this.slab = residentBytes(len) ?? new Uint8Array(len);
      this.used = 0;
    }
    const at = this.used;
    this.used += this.size;
    return this.slab.subarray(at, at + this.size);
  }

  give(v: Uint8Array): void {
    this.free.push(v);
  }
}

export class HashMap extends MapBase {
  private readonly elems = new KeyTable<HashElem>();
  private head: HashElem | undefined;
  private tail: HashElem | undefined;
  private nextSeq = 0;
  private readonly stride: number;
  private readonly lru: LruOrder<HashElem> | undefined;
  /** Where values live, unless the map is BPF_F_NO_PREALLOC. */
  private readonly slabs: ValueSlabs | undefined;
  /** Its keys in the resident window (a plain hash map whose values are resident). */
  private readonly index: ResidentIndex | undefined;

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.stride = roundUp8(spec.valueSize);
    if ((spec.flags & MAP_FLAGS.NO_PREALLOC) === 0) {
      this.slabs = new ValueSlabs(isPerCpuHashType(spec) ? nCpus * this.stride : this.stride);
      if (spec.type === 'hash') this.index = ResidentIndex.create(spec.keySize, spec.maxEntries, () => this.residentEntries());
    }
    if (isLruType(spec)) {
      if (spec.flags & MAP_FLAGS.NO_COMMON_LRU) {
        // As the kernel: max_entries rounds up to a multiple of the CPU count, split evenly.
        const perCpu = Math.ceil(spec.maxEntries / nCpus);
        this.spec.maxEntries = perCpu * nCpus;
        this.lru = new LruOrder(nCpus, perCpu);
      } else {
        this.lru = new LruOrder(1, spec.maxEntries);
      }
    }
  }

  override get perCpu(): boolean {
    return isPerCpuHashType(this.spec);
  }

  /** Number of elements. */
  get size(): number {
    return this.elems.size;
  }

  // ---- element list --------------------------------------------------------------------------

  private find(key: Uint8Array): HashElem | undefined {
    return this.elems.get(key);
  }

  private insert(key: Uint8Array, value: Uint8Array, cpu: number): HashElem {
    const e: HashElem = {
      key: key.slice(), value, views: undefined, seq: this.nextSeq++, prev: this.tail, next: undefined,
      lruList: 0, lruPrev: undefined, lruNext: undefined, hash: 0, chain: undefined,
    };
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    this.elems.add(e);
    this.lru?.add(e, this.lru.listFor(cpu));
    const ix = this.index;
    if (ix !== undefined) {
      if (isResident(value)) ix.put(e.key, value.byteOffset);
      else ix.invalidate();
    }
    return e;
  }

  override get residentIndex(): ResidentIndex | undefined {
    return this.index;
  }

  /** The elements as the resident index holds them: key and value address. */
  private *residentEntries(): Iterable<[Uint8Array, number]> {
    for (let e = this.head; e !== undefined; e = e.next) yield [e.key, e.value.byteOffset];
  }

  private remove(e: HashElem): void {
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    this.elems.delete(e);
    this.lru?.remove(e);
    this.index?.remove(e.key);
    this.slabs?.give(e.value);
  }

  /** Make room for one more element inserted from `cpu`: LRU eviction, or E2BIG. */
  private makeRoom(cpu: number): void {
    if (this.lru) {
      const list = this.lru.listFor(cpu);
      if (this.lru.isFull(list)) this.remove(this.lru.oldest(list)!);
      return;
    }
    if (this.elems.size >= this.spec.maxEntries) this.fail('E2BIG', `the map is full (max_entries ${this.spec.maxEntries})`);
  }

  private cpuView(e: HashElem, cpu: number): Uint8Array {
    if (!this.perCpu) return e.value;
    e.views ??= new Array<Uint8Array | undefined>(this.nCpus);
    let v = e.views[cpu];
    if (v === undefined) {
      v = e.value.subarray(cpu * this.stride, cpu * this.stride + this.spec.valueSize);
      e.views[cpu] = v;
    }
    return v;
  }

  // ---- update ------------------------------------------------------------------------------

  /** For maps of maps: check a value from user space before it is stored. */
  protected checkUserValue(_value: Uint8Array): void {}

  /**
   * The one update path. `cpu` undefined: from user space (all CPUs' values given); otherwise a
   * program on that CPU (per-CPU maps: that CPU's value, and zeros elsewhere for a new element).
   */
  private put(key: Uint8Array, value: Uint8Array, flags: number, cpu: number | undefined): void {
    this.checkUpdateFlags(flags);
    const old = this.find(key);
    if (old && flags === UPDATE.NOEXIST) this.fail('EEXIST', 'the key exists and BPF_NOEXIST was given');
    if (!old && flags === UPDATE.EXIST) this.fail('ENOENT', 'the key does not exist and BPF_EXIST was given');
    if (cpu === undefined) this.checkUserValue(value);
    if (old) {
      if (cpu === undefined) old.value.set(value);
      else this.cpuView(old, cpu).set(value);
      this.lru?.touch(old);
      return;
    }
    this.makeRoom(cpu ?? 0);
    // value_size bytes (the slabs' are rounded up to 8: the view is not), or all CPUs' values.
    const size = this.perCpu ? this.nCpus * this.stride : this.spec.valueSize;
    const stored = this.slabs !== undefined ? this.slabs.take().subarray(0, size) : new Uint8Array(size);
    stored.set(value, cpu === undefined || !this.perCpu ? 0 : cpu * this.stride);
    this.insert(key, stored, cpu ?? 0);
  }

  protected override updateElem(key: Uint8Array, value: Uint8Array, flags: number): void {
    this.put(key, value, flags, undefined);
  }

  protected override updateElemFromProgram(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): void {
    this.put(key, value, flags, cpu);
  }

  // ---- lookup, delete, iteration -------------------------------------------------------------

  /** User-space lookups copy and, as in the kernel, do not count as a use for LRU. */
  protected override lookupElem(key: Uint8Array): Uint8Array | undefined {
    return this.find(key)?.value.slice();
  }

  protected override lookupViewElem(key: Uint8Array, cpu: number): Uint8Array | undefined {
    const e = this.find(key);
    if (!e) return undefined;
    this.lru?.touch(e);
    return this.cpuView(e, cpu);
  }

  protected override deleteElem(key: Uint8Array): void {
    const e = this.find(key);
    if (!e) this.fail('ENOENT', 'no such key');
    this.remove(e);
  }

  protected override lookupAndDeleteElem(key: Uint8Array): Uint8Array | undefined {
    const e = this.find(key);
    if (!e) return undefined;
    this.remove(e);
    return e.value.slice();
  }

  protected override nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const e = key === undefined ? undefined : this.find(key);
    // A missing key restarts the iteration, as the kernel does.
    const next = e ? e.next : this.head;
    return next?.key.slice();
  }

  // ---- batches -------------------------------------------------------------------------------

  protected override lookupBatchElems(inBatch: Uint8Array | undefined, count: number, del: boolean): BatchResult {
    const result: BatchResult = { keys: [], values: [], outBatch: undefined, done: false };
    if (inBatch !== undefined && inBatch.length !== 4) this.fail('EINVAL', `a hash map batch cursor is 4 bytes, got ${inBatch.length}`);
    if (count <= 0) return result;
    const start = inBatch === undefined ? 0 : readU32(inBatch);
    let e = this.head;
    while (e && e.seq < start) e = e.next;
    while (e && result.keys.length < count) {
      result.keys.push(e.key.slice());
      result.values.push(e.value.slice());
      const next = e.next;
      if (del) this.remove(e);
      e = next;
    }
    result.done = e === undefined;
    result.outBatch = u32Bytes(e ? e.seq : this.nextSeq);
    return result;
  }

  protected override updateBatchElems(keys: Uint8Array[], values: Uint8Array[], elemFlags: number): void {
    genericUpdateBatch(this, keys, values, elemFlags);
  }

  protected override deleteBatchElems(keys: Uint8Array[]): void {
    genericDeleteBatch(this, keys);
  }
}
