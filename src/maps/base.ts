/**
 * The common body of every map: user-space permission and size checks, freeze, error messages that
 * name the map, and the kernel's answer for each operation a type does not have. A type overrides
 * the `*Elem` hooks it supports; the public methods do the checks first, in the kernel's order
 * (permissions, then sizes, then the type's own checks).
 */
import { BpfError, type BpfErrorCode } from '../errors.js';
import { roundUp8 } from './bytes.js';
import { MAP_FLAGS, type BatchResult, type BpfMap, type MapSpec, type ProgramMapOps } from './types.js';
import type { ResidentIndex } from './resident-index.js';

/** A batch call that failed part way: `completed` elements were done (the kernel's batch.count). */
export class MapBatchError extends BpfError {
  readonly completed: number;
  constructor(code: BpfErrorCode, message: string, completed: number) {
    super(code, message);
    this.name = 'MapBatchError';
    this.completed = completed;
  }
}

export abstract class MapBase implements BpfMap, ProgramMapOps {
  readonly spec: MapSpec;
  readonly nCpus: number;
  private isFrozen = false;

  constructor(spec: MapSpec, nCpus: number) {
    this.spec = { ...spec };
    this.nCpus = nCpus;
  }

  get frozen(): boolean {
    return this.isFrozen;
  }

  /** Its keys in the JIT's resident window, for compiled lookups (plain hash maps: maps/hash.ts). */
  get residentIndex(): ResidentIndex | undefined {
    return undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Per-CPU maps override this to true. */
  get perCpu(): boolean {
    return false;
  }

  get userValueSize(): number {
    return this.perCpu ? this.nCpus * roundUp8(this.spec.valueSize) : this.spec.valueSize;
  }

  /** A BpfError whose message names this map. */
  error(code: BpfErrorCode, reason: string): BpfError {
    return new BpfError(code, `map '${this.spec.name}': ${reason}`);
  }

  fail(code: BpfErrorCode, reason: string): never {
    throw this.error(code, reason);
  }

  // ---- user space (bpf(2)) -------------------------------------------------------------------

  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkReadable();
    this.checkKey(key);
    return this.lookupElem(key);
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    this.checkWritable();
    this.checkKey(key);
    this.checkValue(value, this.userValueSize);
    this.updateElem(key, value, flags);
  }

  delete(key: Uint8Array): void {
    this.checkWritable();
    this.checkKey(key);
    this.deleteElem(key);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    this.checkReadable();
    if (key !== undefined) this.checkKey(key);
    return this.nextKey(key);
  }

  lookupAndDelete(key: Uint8Array): Uint8Array | undefined {
    this.checkReadable();
    this.checkWritable();
    this.checkKey(key);
    return this.lookupAndDeleteElem(key);
  }

  freeze(): void {
    // A frozen map has lost its write permission, so freezing again is EPERM (not EBUSY) in 6.18.
    this.checkWritable();
    this.isFrozen = true;
  }

  lookupBatch(inBatch: Uint8Array | undefined, count: number, elemFlags = 0): BatchResult {
    this.checkReadable();
    this.checkBatchFlags(elemFlags);
    return this.lookupBatchElems(inBatch, count, false);
  }

  lookupAndDeleteBatch(inBatch: Uint8Array | undefined, count: number, elemFlags = 0): BatchResult {
    this.checkReadable();
    this.checkWritable();
    this.checkBatchFlags(elemFlags);
    return this.lookupBatchElems(inBatch, count, true);
  }

  updateBatch(keys: Uint8Array[], values: Uint8Array[], elemFlags = 0): void {
    this.checkWritable();
    this.checkBatchFlags(elemFlags);
    if (keys.length !== values.length) {
      this.fail('EINVAL', `update batch needs as many values as keys, got ${keys.length} keys and ${values.length} values`);
    }
    this.updateBatchElems(keys, values, elemFlags);
  }

  deleteBatch(keys: Uint8Array[], elemFlags = 0): void {
    this.checkWritable();
    this.checkBatchFlags(elemFlags);
    this.deleteBatchElems(keys);
  }

  /** Every key and value, in getNextKey order (a dump). */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    let key = this.getNextKey(undefined);
    while (key !== undefined) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
      key = this.getNextKey(key);
    }
  }

  // ---- programs (helpers) --------------------------------------------------------------------

  lookupView(key: Uint8Array, cpu: number): Uint8Array | undefined {
    this.checkKey(key);
    this.checkCpu(cpu);
    return this.lookupViewElem(key, cpu);
  }

  updateFromProgram(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): void {
    this.checkKey(key);
    this.checkValue(value, this.spec.valueSize);
    this.checkCpu(cpu);
    this.updateElemFromProgram(key, value, flags, cpu);
  }

  deleteFromProgram(key: Uint8Array): void {
    this.checkKey(key);
    this.deleteElem(key);
  }

  // ---- hooks: the kernel's answers for a type that lacks the operation -----------------------

  protected lookupElem(_key: Uint8Array): Uint8Array | undefined {
    return this.fail('ENOTSUPP', `${this.spec.type} maps have no lookup from user space`);
  }
  protected updateElem(_key: Uint8Array, _value: Uint8Array, _flags: number): void {
    this.fail('ENOTSUPP', `${this.spec.type} maps have no update from user space`);
  }
  protected deleteElem(_key: Uint8Array): void {
    this.fail('ENOTSUPP', `${this.spec.type} maps have no delete`);
  }
  protected nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return this.fail('ENOTSUPP', `${this.spec.type} maps have no get_next_key`);
  }
  protected lookupAndDeleteElem(_key: Uint8Array): Uint8Array | undefined {
    return this.fail('ENOTSUPP', `${this.spec.type} maps have no lookup_and_delete`);
  }
  protected lookupBatchElems(_in: Uint8Array | undefined, _count: number, del: boolean): BatchResult {
    return this.fail('ENOTSUPP', `${this.spec.type} maps have no ${del ? 'lookup_and_delete' : 'lookup'} batch`);
  }
  protected updateBatchElems(_keys: Uint8Array[], _values: Uint8Array[], _elemFlags: number): void {
    this.fail('ENOTSUPP', `${this.spec.type} maps have no update batch`);
  }
  protected deleteBatchElems(_keys: Uint8Array[]): void {
    this.fail('ENOTSUPP', `${this.spec.type} maps have no delete batch`);
  }
  protected lookupViewElem(_key: Uint8Array, _cpu: number): Uint8Array | undefined {
    return this.fail('EINVAL', `programs cannot look up elements of ${this.spec.type} maps`);
  }
  protected updateElemFromProgram(_key: Uint8Array, _value: Uint8Array, _flags: number, _cpu: number): void {
    this.fail('EINVAL', `programs cannot update ${this.spec.type} maps`);
  }

  // ---- checks ----------------------------------------------------------------------------------

  checkKey(key: Uint8Array, what = 'key'): void {
    if (key.length !== this.spec.keySize) {
      this.fail('EINVAL', `${what} must be ${this.spec.keySize} bytes (key_size), got ${key.length}`);
    }
  }

  checkValue(value: Uint8Array, size: number): void {
    if (value.length !== size) {
      const why = size === this.spec.valueSize ? 'value_size' : `${this.nCpus} CPUs × round_up(value_size ${this.spec.valueSize}, 8)`;
      this.fail('EINVAL', `value must be ${size} bytes (${why}), got ${value.length}`);
    }
  }

  checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.nCpus) {
      this.fail('EINVAL', `CPU ${cpu} is out of range (the map was made for ${this.nCpus} CPUs)`);
    }
  }

  /** User-space writes: refused after BPF_MAP_FREEZE or on a BPF_F_RDONLY map. */
  checkWritable(): void {
    if (this.isFrozen) this.fail('EPERM', 'the map is frozen: user space can no longer write to it');
    if (this.spec.flags & MAP_FLAGS.RDONLY) this.fail('EPERM', 'the map was created BPF_F_RDONLY: user space cannot write to it');
  }

  /** User-space reads: refused on a BPF_F_WRONLY map. */
  checkReadable(): void {
    if (this.spec.flags & MAP_FLAGS.WRONLY) this.fail('EPERM', 'the map was created BPF_F_WRONLY: user space cannot read it');
  }

  /** Batch elem_flags may only be BPF_F_LOCK, and that needs a bpf_spin_lock in the value. */
  checkBatchFlags(elemFlags: number): void {
    if (elemFlags !== 0) {
      this.fail('EINVAL', elemFlags === 4
        ? 'BPF_F_LOCK needs a bpf_spin_lock in the value, and tsbpf map values have none'
        : `batch elem_flags may only be BPF_F_LOCK, got ${elemFlags}`);
    }
  }

  /** Update flags for maps that take BPF_ANY/NOEXIST/EXIST: anything else is EINVAL. */
  checkUpdateFlags(flags: number): void {
    if (flags === 0 || flags === 1 || flags === 2) return;
    if ((flags & ~4) <= 2) this.fail('EINVAL', 'BPF_F_LOCK needs a bpf_spin_lock in the value, and tsbpf map values have none');
    this.fail('EINVAL', `update flags must be BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2), got ${flags}`);
  }
}
