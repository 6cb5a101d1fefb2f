/**
 * The kernel's generic batch operations (generic_map_{lookup,update,delete}_batch), written over a
 * map's single-element calls. The lookup cursor is a key: `outBatch` is the last key returned and
 * the next call continues with get_next_key from it. Update and delete stop at the first failing
 * element and report how many were done, like batch.count.
 */
import { isBpfError } from '../errors.js';
import { MapBatchError, type MapBase } from './base.js';
import type { BatchResult } from './types.js';

export interface GenericBatchTarget {
  getNextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array, flags?: number): void;
  delete(key: Uint8Array): void;
}

export function genericLookupBatch(map: MapBase & GenericBatchTarget, inBatch: Uint8Array | undefined, count: number): BatchResult {
  const result: BatchResult = { keys: [], values: [], outBatch: undefined, done: false };
  if (inBatch !== undefined) map.checkKey(inBatch, 'in_batch');
  if (count <= 0) return result;
  let prev = inBatch;
  while (result.keys.length < count) {
    const key = map.getNextKey(prev);
    if (key === undefined) {
      result.done = true;
      break;
    }
    const value = map.lookup(key);
    prev = key;
    // An element deleted between get_next_key and lookup is skipped, as the kernel retries.
    if (value === undefined) continue;
    result.keys.push(key);
    result.values.push(value);
  }
  if (result.keys.length > 0) result.outBatch = result.keys[result.keys.length - 1];
  return result;
}

function partial(e: unknown, done: number, what: string): never {
  if (!isBpfError(e)) throw e;
  throw new MapBatchError(e.code, `${e.message} (${what} batch stopped after ${done} element${done === 1 ? '' : 's'})`, done);
}

export function genericUpdateBatch(map: MapBase, keys: Uint8Array[], values: Uint8Array[], flags: number): void {
  for (let i = 0; i < keys.length; i++) {
    try {
      map.update(keys[i]!, values[i]!, flags);
    } catch (e) {
      partial(e, i, 'update');
    }
  }
}

export function genericDeleteBatch(map: MapBase, keys: Uint8Array[]): void {
  for (let i = 0; i < keys.length; i++) {
    try {
      map.delete(keys[i]!);
    } catch (e) {
      partial(e, i, 'delete');
    }
  }
}
