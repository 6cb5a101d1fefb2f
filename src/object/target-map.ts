/**
 * LoadedMap over any BpfMap: the VM's and the kernel's maps already share the BpfMap interface, so
 * this only adds the name and id and forwards every call (a forwarding class rather than the map
 * itself, so that the target's own extra methods do not become part of the shared API by accident).
 */
import type { BatchResult, BpfMap, MapSpec } from '../maps/types.js';
import type { LoadedMap, Target } from './types.js';

export class TargetMap implements LoadedMap {
  constructor(
    readonly target: Target,
    readonly name: string,
    private readonly idOf: () => number,
    /** The target's map (a VM MapBase or a KernelMap). */
    readonly native: BpfMap,
  ) {}

  get id(): number {
    return this.idOf();
  }
  get spec(): MapSpec {
    return this.native.spec;
  }
  get frozen(): boolean {
    return this.native.frozen;
  }
  get nCpus(): number {
    return this.native.nCpus;
  }
  get userValueSize(): number {
    return this.native.userValueSize;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.native.lookup(key);
  }
  update(key: Uint8Array, value: Uint8Array, flags?: number): void {
    this.native.update(key, value, flags);
  }
  delete(key: Uint8Array): void {
    this.native.delete(key);
  }
  getNextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.native.getNextKey(key);
  }
  lookupAndDelete(key: Uint8Array): Uint8Array | undefined {
    return this.native.lookupAndDelete(key);
  }
  freeze(): void {
    this.native.freeze();
  }
  lookupBatch(inBatch: Uint8Array | undefined, count: number, elemFlags?: number): BatchResult {
    return this.native.lookupBatch(inBatch, count, elemFlags);
  }
  lookupAndDeleteBatch(inBatch: Uint8Array | undefined, count: number, elemFlags?: number): BatchResult {
    return this.native.lookupAndDeleteBatch(inBatch, count, elemFlags);
  }
  updateBatch(keys: Uint8Array[], values: Uint8Array[], elemFlags?: number): void {
    this.native.updateBatch(keys, values, elemFlags);
  }
  deleteBatch(keys: Uint8Array[], elemFlags?: number): void {
    this.native.deleteBatch(keys, elemFlags);
  }

  /** Walks getNextKey/lookup, which both targets have (a key deleted mid-walk is skipped). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    let key = this.getNextKey(undefined);
    while (key !== undefined) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
      key = this.getNextKey(key);
    }
  }
}
