/**
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c): max_entries
 * preallocated, zeroed values indexed by a u32 key. Elements always exist, so delete is EINVAL and
 * BPF_NOEXIST is always EEXIST. Storage is one buffer with each value rounded up to 8 bytes; views
 * handed to programs are cached subarrays, so an index always gets the same view object.
 */
import { MapBase } from './base.js';
import { genericLookupBatch, genericUpdateBatch } from './batch.js';
import { readU32, roundUp8, u32Bytes } from './bytes.js';
import { UPDATE, MAP_FLAGS, ACCESS_FLAGS, type BatchResult, type MapSpec } from './types.js';
import { checkFlags, checkKeySize, checkMaxEntries, checkNonZeroValue, first, problem, type MapProblem } from './validate.js';
import { residentBytes } from '../vm/resident.js';

/** The largest array storage put in the resident window (a few big arrays would fill it). */
const RESIDENT_ARRAY_MAX = 1 << 20;

/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value the kernel allocates. */
export const PERCPU_VALUE_MAX = 32768;

const ARRAY_FLAGS = MAP_FLAGS.NUMA_NODE | MAP_FLAGS.MMAPABLE | ACCESS_FLAGS | MAP_FLAGS.PRESERVE_ELEMS | MAP_FLAGS.INNER_MAP;

/** array_map_alloc_check, shared with the fd arrays (prog_array, perf_event_array, array_of_maps). */
export function validateArrayLike(spec: MapSpec): MapProblem | undefined {
  const percpu = spec.type === 'percpu_array';
  return first(
    () => checkMaxEntries(spec),
    () => checkKeySize(spec, 4),
    () => checkNonZeroValue(spec),
    () => checkFlags(spec, ARRAY_FLAGS),
    () => (percpu && spec.flags & MAP_FLAGS.MMAPABLE ? problem('EINVAL', 'percpu_array maps cannot be BPF_F_MMAPABLE') : undefined),
    () => (spec.type !== 'perf_event_array' && spec.flags & MAP_FLAGS.PRESERVE_ELEMS
      ? problem('EINVAL', 'only perf_event_array maps take BPF_F_PRESERVE_ELEMS') : undefined),
    () => (percpu && spec.valueSize > PERCPU_VALUE_MAX
      ? problem('E2BIG', `percpu_array values are at most ${PERCPU_VALUE_MAX} bytes, got value_size ${spec.valueSize}`) : undefined),
    () => (spec.valueSize > 0x7fffffff ? problem('E2BIG', `value_size ${spec.valueSize} is too large`) : undefined),
  );
}

export const validateArray = validateArrayLike;

export class ArrayMap extends MapBase {
  private readonly stride: number;
  private readonly slotsPerElem: number;
  private readonly storage: Uint8Array;
  private readonly views = new Map<number, Uint8Array>();

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.stride = roundUp8(spec.valueSize);
    this.slotsPerElem = this.perCpu ? nCpus : 1;
    const len = spec.maxEntries * this.slotsPerElem * this.stride;
    // A small array (global data, counters) lives in the JIT's resident window while it has room
    // (vm/resident.ts): compiled code reaches it without copies.
    this.storage = (len <= RESIDENT_ARRAY_MAX ? residentBytes(len) : undefined) ?? new Uint8Array(len);
  }

  override get perCpu(): boolean {
    return this.spec.type === 'percpu_array';
  }

  /** The live value of element `index` on `cpu` (cpu 0 for plain arrays): one view per slot. */
  private view(index: number, cpu: number): Uint8Array {
    const slot = index * this.slotsPerElem + (this.perCpu ? cpu : 0);
    let v = this.views.get(slot);
    if (v === undefined) {
      v = this.storage.subarray(slot * this.stride, slot * this.stride + this.spec.valueSize);
      this.views.set(slot, v);
    }
    return v;
  }

  private slotBytes(index: number, cpu: number): Uint8Array {
    const slot = index * this.slotsPerElem + cpu;
    return this.storage.subarray(slot * this.stride, (slot + 1) * this.stride);
  }

  protected override lookupElem(key: Uint8Array): Uint8Array | undefined {
    const index = readU32(key);
    if (index >= this.spec.maxEntries) return undefined;
    if (!this.perCpu) return this.view(index, 0).slice();
    // bpf(2) copies round_up(value_size, 8) bytes per CPU.
    const out = new Uint8Array(this.userValueSize);
    for (let cpu = 0; cpu < this.nCpus; cpu++) out.set(this.slotBytes(index, cpu), cpu * this.stride);
    return out;
  }

  /** array_map_update_elem's checks, in its order. */
  private checkArrayUpdate(index: number, flags: number): void {
    if ((flags & ~UPDATE.F_LOCK) > UPDATE.EXIST) this.checkUpdateFlags(flags);
    if (index >= this.spec.maxEntries) this.fail('E2BIG', `index ${index} is out of range (max_entries ${this.spec.maxEntries})`);
    if (flags & UPDATE.NOEXIST) this.fail('EEXIST', `array elements always exist: BPF_NOEXIST cannot succeed (index ${index})`);
    if (flags & UPDATE.F_LOCK) this.checkUpdateFlags(flags);
  }

  protected override updateElem(key: Uint8Array, value: Uint8Array, flags: number): void {
    const index = readU32(key);
    this.checkArrayUpdate(index, flags);
    if (!this.perCpu) {
      this.view(index, 0).set(value);
      return;
    }
    for (let cpu = 0; cpu < this.nCpus; cpu++) {
      this.slotBytes(index, cpu).set(value.subarray(cpu * this.stride, (cpu + 1) * this.stride));
    }
  }

  protected override deleteElem(key: Uint8Array): void {
    this.fail('EINVAL', `array elements cannot be deleted (index ${readU32(key)})`);
  }

  protected override nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const index = key === undefined ? this.spec.maxEntries : readU32(key);
    // The kernel restarts at 0 for a missing or out-of-range key.
    if (index >= this.spec.maxEntries) return u32Bytes(0);
    if (index === this.spec.maxEntries - 1) return undefined;
    return u32Bytes(index + 1);
  }

  protected override lookupBatchElems(inBatch: Uint8Array | undefined, count: number, del: boolean): BatchResult {
    if (del) return super.lookupBatchElems(inBatch, count, del);
    return genericLookupBatch(this, inBatch, count);
  }

  protected override updateBatchElems(keys: Uint8Array[], values: Uint8Array[], elemFlags: number): void {
    genericUpdateBatch(this, keys, values, elemFlags);
  }

  protected override lookupViewElem(key: Uint8Array, cpu: number): Uint8Array | undefined {
    const index = readU32(key);
    return index < this.spec.maxEntries ? this.view(index, cpu) : undefined;
  }

  protected override updateElemFromProgram(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): void {
    const index = readU32(key);
    this.checkArrayUpdate(index, flags);
    this.view(index, cpu).set(value);
  }
}
