/**
 * A live map's contents to the store's JSON form (records.ts MapContents) and back.
 *
 * Contents are restored through the program-side calls (updateFromProgram, push), which is how
 * the kernel's own loader fills a BPF_F_RDONLY or frozen map too: the user-space permission checks
 * are for users, and a map read back from its pin must come back exactly as it was, flags and all.
 * Maps whose values are object ids (prog_array, maps of maps) hold store ids in the record; the
 * session (session.ts) translates them, because the ids a VM hands out differ from run to run.
 */
import { BpfError } from '../errors.js';
import type { MapBase } from '../maps/base.js';
import { perCpuValues } from '../maps/index.js';
import { QueueStackMap } from '../maps/queue-stack.js';
import { FdArrayMap } from '../maps/fd-array.js';
import { readU32, roundUp8, u32Bytes } from '../maps/bytes.js';
import { MAP_FLAGS, type MapSpec, type MapTypeName } from '../maps/types.js';
import type { MapContents, MapSpecJson } from './records.js';

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toB64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Which kind of object the values of a map type name, if any. */
export function refKindOf(type: MapTypeName | string): 'prog' | 'map' | undefined {
  if (type === 'prog_array') return 'prog';
  if (type === 'array_of_maps' || type === 'hash_of_maps') return 'map';
  return undefined;
}

export function specToJson(spec: MapSpec): MapSpecJson {
  const j: MapSpecJson = {
    type: spec.type, name: spec.name, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags,
  };
  if (spec.mapExtra !== undefined && spec.mapExtra !== 0n) j.mapExtra = spec.mapExtra.toString();
  if (spec.inner) j.inner = specToJson(spec.inner);
  return j;
}

export function specFromJson(j: MapSpecJson): MapSpec {
  const spec: MapSpec = {
    type: j.type as MapTypeName, name: j.name, keySize: j.keySize, valueSize: j.valueSize, maxEntries: j.maxEntries, flags: j.flags,
  };
  if (j.mapExtra !== undefined) spec.mapExtra = BigInt(j.mapExtra);
  if (j.inner) spec.inner = specFromJson(j.inner);
  return spec;
}

/** The bloom filter keeps its bit array private; the store needs it to keep a filter's answers. */
interface BloomBits { bits: Uint8Array }

/**
 * The contents of `map`. `refId` turns an id stored in a prog_array or map of maps (a VM id) into
 * the store id of that object, persisting the object if it is not in the store yet.
 */
export function captureContents(map: MapBase, refId: (kind: 'prog' | 'map', vmId: number) => number): MapContents {
  const spec = map.spec;
  if (spec.flags & MAP_FLAGS.WRONLY) {
    return { kind: 'none', reason: 'the map is BPF_F_WRONLY: user space cannot read its contents to keep them' };
  }
  const ref = refKindOf(spec.type);
  switch (spec.type) {
    case 'array': case 'percpu_array': {
      const size = map.userValueSize;
      const all = new Uint8Array(spec.maxEntries * size);
      for (let i = 0; i < spec.maxEntries; i++) all.set(map.lookup(u32Bytes(i))!, i * size);
      return { kind: 'array', values: toB64(all) };
    }
    case 'prog_array': case 'array_of_maps': {
      const refs: [string, number][] = [];
      const fd = map as unknown as FdArrayMap;
      for (let i = 0; i < spec.maxEntries; i++) {
        const id = fd.getId(i);
        if (id !== undefined) refs.push([toHex(u32Bytes(i)), refId(ref!, id)]);
      }
      return { kind: 'refs', refs };
    }
    case 'hash_of_maps':
      return { kind: 'refs', refs: [...map.entries()].map(([k, v]) => [toHex(k), refId('map', readU32(v))]) };
    case 'hash': case 'percpu_hash': case 'lru_hash': case 'lru_percpu_hash': case 'lpm_trie':
      return { kind: 'entries', entries: [...map.entries()].map(([k, v]) => [toHex(k), toHex(v)]) };
    case 'queue': case 'stack': {
      const q = map as QueueStackMap;
      const popped: Uint8Array[] = [];
      for (let v = q.pop(); v !== undefined; v = q.pop()) popped.push(v);
      // A stack pops newest first: keep the record oldest first for both kinds.
      const oldestFirst = spec.type === 'stack' ? popped.reverse() : popped;
      for (const v of oldestFirst) q.push(v, 0);
      return { kind: 'queue', values: oldestFirst.map(toHex) };
    }
    case 'bloom_filter':
      return { kind: 'bits', bits: toB64((map as unknown as BloomBits).bits) };
    default:
      return { kind: 'none', reason: `the contents of ${spec.type} maps are not kept in pins` };
  }
}

/** Write one user-space-layout value at `key` through the program-side path (all CPUs). */
function putValue(map: MapBase, key: Uint8Array, value: Uint8Array): void {
  if (!map.perCpu) {
    map.updateFromProgram(key, value.subarray(0, map.spec.valueSize), 0, 0);
    return;
  }
  perCpuValues(map, value).forEach((v, cpu) => map.updateFromProgram(key, v, 0, cpu));
}

function contentError(where: string, reason: string): BpfError {
  return new BpfError('EINVAL', `${where}: bad pin file: ${reason}`, { file: where });
}

/**
 * Fill a new map from a record's contents (everything but `refs`, which need the other objects:
 * see session.ts). `where` names the file for messages.
 */
export function restoreContents(map: MapBase, c: MapContents, where: string): void {
  const spec = map.spec;
  try {
    switch (c.kind) {
      case 'array': {
        const all = fromB64(c.values);
        const size = map.userValueSize;
        if (all.length !== spec.maxEntries * size) {
          throw contentError(where, `array contents are ${all.length} bytes, expected ${spec.maxEntries} × ${size}`);
        }
        for (let i = 0; i < spec.maxEntries; i++) {
          const v = all.subarray(i * size, (i + 1) * size);
          if (v.some((b) => b !== 0)) putValue(map, u32Bytes(i), v);
        }
        return;
      }
      case 'entries':
        for (const [k, v] of c.entries) putValue(map, fromHex(k), fromHex(v));
        return;
      case 'queue':
        for (const v of c.values) (map as QueueStackMap).push(fromHex(v), 0);
        return;
      case 'bits': {
        const bits = fromB64(c.bits);
        const target = (map as unknown as BloomBits).bits;
        if (bits.length !== target.length) throw contentError(where, `bloom filter bits are ${bits.length} bytes, expected ${target.length}`);
        target.set(bits);
        return;
      }
      case 'refs': case 'none':
        return;
    }
  } catch (e) {
    if (e instanceof BpfError && !e.message.includes('bad pin file')) {
      throw new BpfError('EINVAL', `${where}: bad pin file: its contents do not fit the map: ${e.message}`, { file: where });
    }
    throw e;
  }
}

/** The per-CPU stride (bytes per CPU in user-space values). */
export const perCpuStride = (spec: MapSpec): number => roundUp8(spec.valueSize);
