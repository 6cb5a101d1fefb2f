/**
 * The map types tsbpf implements, as one table: each row checks a spec the way the kernel's
 * map_alloc_check does and builds the map. Adding a type is one row and one file.
 */
import { BpfError } from '../errors.js';
import { ArrayMap, validateArray } from './array.js';
import { BloomFilterMap, validateBloomFilter } from './bloom-filter.js';
import { HashMap, validateHash } from './hash.js';
import { LpmTrieMap, validateLpmTrie } from './lpm-trie.js';
import { ArrayOfMapsMap, HashOfMapsMap, validateArrayOfMaps, validateHashOfMaps } from './map-of-maps.js';
import { PerfEventArrayMap, validatePerfEventArray } from './perf-event-array.js';
import { ProgArrayMap, validateProgArray } from './prog-array.js';
import { QueueStackMap, validateQueueStack } from './queue-stack.js';
import { RingbufMap, validateRingbuf } from './ringbuf.js';
import { StackTraceMap, validateStackTrace } from './stack-trace.js';
import type { MapBase } from './base.js';
import type { MapOptions, MapSpec, MapTypeName } from './types.js';
import type { MapProblem } from './validate.js';

export interface MapTypeEntry<M extends MapBase = MapBase> {
  /** The kernel's answer to this spec: a problem (errno and reason) or undefined when it is fine. */
  validate(spec: MapSpec): MapProblem | undefined;
  create(spec: MapSpec, nCpus: number, opts: MapOptions): M;
}

function row<M extends MapBase>(
  validate: (spec: MapSpec) => MapProblem | undefined,
  make: new (spec: MapSpec, nCpus: number, opts: MapOptions) => M,
): MapTypeEntry<M> {
  return { validate, create: (spec, nCpus, opts) => new make(spec, nCpus, opts) };
}

export const MAP_TYPES = {
  array: row(validateArray, ArrayMap),
  percpu_array: row(validateArray, ArrayMap),
  hash: row(validateHash, HashMap),
  percpu_hash: row(validateHash, HashMap),
  lru_hash: row(validateHash, HashMap),
  lru_percpu_hash: row(validateHash, HashMap),
  lpm_trie: row(validateLpmTrie, LpmTrieMap),
  prog_array: row(validateProgArray, ProgArrayMap),
  perf_event_array: row(validatePerfEventArray, PerfEventArrayMap),
  ringbuf: row(validateRingbuf, RingbufMap),
  queue: row(validateQueueStack, QueueStackMap),
  stack: row(validateQueueStack, QueueStackMap),
  bloom_filter: row(validateBloomFilter, BloomFilterMap),
  array_of_maps: row(validateArrayOfMaps, ArrayOfMapsMap),
  hash_of_maps: row(validateHashOfMaps, HashOfMapsMap),
  stack_trace: row(validateStackTrace, StackTraceMap),
} satisfies Partial<Record<MapTypeName, MapTypeEntry>>;

export type SupportedMapType = keyof typeof MAP_TYPES;

/** The map class each supported type name gives. */
export type MapOfType<T extends MapTypeName> = T extends SupportedMapType
  ? ReturnType<(typeof MAP_TYPES)[T]['create']>
  : MapBase;

export const DEFAULT_NCPUS = 2;

export function isSupportedMapType(type: string): type is SupportedMapType {
  return Object.prototype.hasOwnProperty.call(MAP_TYPES, type);
}

const U32_MAX = 0xffffffff;

/** Checks every type shares (bpf(2)'s map_create before the type's own check). */
function commonProblem(spec: MapSpec): MapProblem | undefined {
  for (const f of ['keySize', 'valueSize', 'maxEntries', 'flags'] as const) {
    const v = spec[f];
    if (!Number.isInteger(v) || v < 0 || v > U32_MAX) return { code: 'EINVAL', reason: `${f} must be a u32, got ${v}` };
  }
  if (spec.mapExtra !== undefined && spec.mapExtra !== 0n && spec.type !== 'bloom_filter') {
    return { code: 'EINVAL', reason: `map_extra is only for bloom_filter maps, got ${spec.mapExtra} on a ${spec.type} map` };
  }
  return undefined;
}

/** Why the kernel would refuse this spec, or undefined if it would create the map. */
export function mapSpecProblem(spec: MapSpec): MapProblem | undefined {
  if (!isSupportedMapType(spec.type)) {
    return { code: 'EOPNOTSUPP', reason: `map type ${spec.type} is not implemented by tsbpf` };
  }
  return commonProblem(spec) ?? MAP_TYPES[spec.type].validate(spec);
}

/**
 * Create a map, refusing a spec the kernel would refuse: a BpfError with the kernel's errno and a
 * message naming the map and the reason. `opts.nCpus` (default 2) sets the per-CPU value count.
 */
export function createMap<T extends MapTypeName>(spec: MapSpec & { type: T }, opts: MapOptions = {}): MapOfType<T> {
  const nCpus = opts.nCpus ?? DEFAULT_NCPUS;
  if (!Number.isInteger(nCpus) || nCpus < 1) {
    throw new BpfError('EINVAL', `map '${spec.name}': nCpus must be a positive integer, got ${nCpus}`);
  }
  const p = mapSpecProblem(spec);
  if (p) throw new BpfError(p.code, `map '${spec.name}': ${p.reason}`);
  try {
    return MAP_TYPES[spec.type as SupportedMapType].create(spec, nCpus, opts) as MapOfType<T>;
  } catch (e) {
    // A typed array larger than the JavaScript heap allows: the kernel's ENOMEM.
    if (e instanceof RangeError) throw new BpfError('ENOMEM', `map '${spec.name}': cannot allocate its storage (${e.message})`);
    throw e;
  }
}

/** Split a per-CPU user-space value (nCpus × round_up(value_size, 8)) into each CPU's value_size bytes. */
export function perCpuValues(map: { spec: MapSpec; nCpus: number }, value: Uint8Array): Uint8Array[] {
  const stride = (map.spec.valueSize + 7) & ~7;
  return Array.from({ length: map.nCpus }, (_, cpu) => value.subarray(cpu * stride, cpu * stride + map.spec.valueSize));
}

/** Join per-CPU values (each value_size bytes) into the user-space layout. */
export function joinPerCpuValues(map: { spec: MapSpec; nCpus: number }, values: Uint8Array[]): Uint8Array {
  const stride = (map.spec.valueSize + 7) & ~7;
  const out = new Uint8Array(map.nCpus * stride);
  values.forEach((v, cpu) => out.set(v.subarray(0, map.spec.valueSize), cpu * stride));
  return out;
}

export { MapBase, MapBatchError } from './base.js';
export { ArrayMap, PERCPU_VALUE_MAX } from './array.js';
export { HashMap } from './hash.js';
export { LpmTrieMap } from './lpm-trie.js';
export { FdArrayMap } from './fd-array.js';
export { ProgArrayMap } from './prog-array.js';
export { PerfEventArrayMap, type PerfSample } from './perf-event-array.js';
export { RingbufMap, RINGBUF_HDR_SZ, RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT } from './ringbuf.js';
export { QueueStackMap } from './queue-stack.js';
export { BloomFilterMap } from './bloom-filter.js';
export { ArrayOfMapsMap, HashOfMapsMap } from './map-of-maps.js';
export { StackTraceMap, PERF_EVENT_MAX_STACK } from './stack-trace.js';
export { jhash, jhash2 } from './jhash.js';
export type { MapProblem } from './validate.js';
export * from './types.js';
