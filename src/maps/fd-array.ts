/**
 * What prog_array, perf_event_array and array_of_maps share (the kernel's fd_array_map_*): an
 * array of slots, each empty or holding an object. bpf(2) passes file descriptors; tsbpf stores the
 * u32 id the runtime gave the program, perf event or map. Slots can be emptied (delete), updates
 * take BPF_ANY only, and iteration goes over every index like an array's.
 */
import { MapBase } from './base.js';
import { readU32, u32Bytes } from './bytes.js';
import type { MapSpec } from './types.js';
import { checkValueSize, first, type MapProblem } from './validate.js';
import { validateArrayLike } from './array.js';

export function validateFdArray(spec: MapSpec): MapProblem | undefined {
  return first(() => validateArrayLike(spec), () => checkValueSize(spec, 4));
}

export abstract class FdArrayMap extends MapBase {
  protected readonly ids: (number | undefined)[];
  /** Cached 4-byte views of the ids, for program-side lookups that return them. */
  private readonly views = new Map<number, Uint8Array>();

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.ids = new Array<number | undefined>(spec.maxEntries);
  }

  /** The id stored at `index`, or undefined for an empty or out-of-range slot. */
  getId(index: number): number | undefined {
    return index >= 0 && index < this.spec.maxEntries ? this.ids[index] : undefined;
  }

  /** Check an id from user space before it is stored (the kernel resolves the fd here). */
  protected abstract checkId(id: number): void;

  protected override updateElem(key: Uint8Array, value: Uint8Array, flags: number): void {
    if (flags !== 0) this.fail('EINVAL', `${this.spec.type} updates take BPF_ANY only, got flags ${flags}`);
    const index = readU32(key);
    if (index >= this.spec.maxEntries) this.fail('E2BIG', `index ${index} is out of range (max_entries ${this.spec.maxEntries})`);
    const id = readU32(value);
    this.checkId(id);
    this.ids[index] = id;
    this.views.get(index)?.set(value);
  }

  protected override deleteElem(key: Uint8Array): void {
    const index = readU32(key);
    if (index >= this.spec.maxEntries) this.fail('E2BIG', `index ${index} is out of range (max_entries ${this.spec.maxEntries})`);
    if (this.ids[index] === undefined) this.fail('ENOENT', `slot ${index} is empty`);
    this.ids[index] = undefined;
    this.views.delete(index);
  }

  /** User-space lookup: the id (prog_array and array_of_maps; perf_event_array overrides). */
  protected override lookupElem(key: Uint8Array): Uint8Array | undefined {
    const id = this.getId(readU32(key));
    return id === undefined ? undefined : u32Bytes(id);
  }

  protected idView(index: number): Uint8Array | undefined {
    const id = this.getId(index);
    if (id === undefined) return undefined;
    let v = this.views.get(index);
    if (v === undefined) {
      v = u32Bytes(id);
      this.views.set(index, v);
    }
    return v;
  }

  protected override nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const index = key === undefined ? this.spec.maxEntries : readU32(key);
    if (index >= this.spec.maxEntries) return u32Bytes(0);
    if (index === this.spec.maxEntries - 1) return undefined;
    return u32Bytes(index + 1);
  }
}
