/**
 * The one interface every map type implements, with the kernel's numbering and semantics. Keys and
 * values are bytes; failures are BpfErrors whose code is the errno the kernel would return.
 *
 * Decisions (checked against Linux 6.18 with bpf(2) where user space can observe them):
 * - `lookup` returns `undefined` where the kernel answers ENOENT; every other failure throws a
 *   BpfError whose message starts with `map '<name>':` and says why.
 * - Sizes are checked on every user-space call: the kernel copies exactly key_size/value_size bytes
 *   and cannot notice a wrong buffer, we can, so a wrong length is EINVAL naming both sizes.
 * - Per-CPU maps: user-space values are nCpus slots of round_up(value_size, 8) bytes (as bpf(2));
 *   program-side views are one CPU's value_size bytes. User-space calls act as CPU 0 where a CPU
 *   matters (the NO_COMMON_LRU lists).
 * - Updates of an existing element write in place (the kernel swaps in a new element for hash maps),
 *   so a program's live view stays the element's view until the element is deleted.
 * - Hash maps iterate (get_next_key, batches) in insertion order, not the kernel's bucket order.
 * - Program-side calls skip the user-space permission checks (freeze, BPF_F_RDONLY), as the kernel
 *   does; BPF_F_RDONLY_PROG/WRONLY_PROG are the verifier's business.
 * - Helper-shaped calls that the kernel answers with NULL or a count (ringbuf reserve/output, queue
 *   pop/peek) return undefined/false instead of throwing; the helpers turn that into the return value.
 * - Batch update/delete that fail part way throw MapBatchError, whose `completed` is batch.count.
 *
 * Beside these two interfaces, types have the helper-side calls their helpers need:
 *   queue/stack: push(value, flags), pop(), peek()          bloom_filter: push(value, flags), peek(value), has(value)
 *   ringbuf: reserve(size, flags), submit(rec), discard(rec), output(data, flags), query(flag), drain(), data
 *   perf_event_array: output(cpu, flags, data), drain(cpu?), pending(cpu?), openPerCpuBuffers()
 *   prog_array: tailCallTarget(index)   array_of_maps/hash_of_maps: innerMapId(key)   fd arrays: getId(index)
 *   stack_trace: getStackId(ips, flags), stack(id)
 * The type table (index.ts) has one row per type: validate(spec) returns a problem {code, reason}
 * rather than a bare message, because the kernel answers with different errnos (EINVAL, E2BIG,
 * ENOTSUPP), and create(spec, nCpus, opts) builds the map.
 */

/** enum bpf_map_type, as numbered by the kernel. */
export const MAP_TYPE = {
  unspec: 0, hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6,
  stack_trace: 7, cgroup_array: 8, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11, array_of_maps: 12,
  hash_of_maps: 13, devmap: 14, sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, cgroup_storage: 19,
  reuseport_sockarray: 20, percpu_cgroup_storage: 21, queue: 22, stack: 23, sk_storage: 24,
  devmap_hash: 25, struct_ops: 26, ringbuf: 27, inode_storage: 28, task_storage: 29, bloom_filter: 30,
  user_ringbuf: 31, cgrp_storage: 32, arena: 33,
} as const;

export type MapTypeName = keyof typeof MAP_TYPE;

export function mapTypeName(id: number): MapTypeName | undefined {
  return (Object.keys(MAP_TYPE) as MapTypeName[]).find((k) => MAP_TYPE[k] === id);
}

/** Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
export const UPDATE = { ANY: 0, NOEXIST: 1, EXIST: 2, F_LOCK: 4 } as const;

/** Map creation flags (BPF_F_*), with the kernel's bit numbers. */
export const MAP_FLAGS = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
} as const;

/** BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG */
export const ACCESS_FLAGS =
  MAP_FLAGS.RDONLY | MAP_FLAGS.WRONLY | MAP_FLAGS.RDONLY_PROG | MAP_FLAGS.WRONLY_PROG;

/** bpf_ringbuf_query flags. */
export const RINGBUF_QUERY = { AVAIL_DATA: 0, RING_SIZE: 1, CONS_POS: 2, PROD_POS: 3 } as const;
/** bpf_ringbuf_output/submit/discard flags. */
export const RINGBUF_FLAGS = { NO_WAKEUP: 1, FORCE_WAKEUP: 2 } as const;

/** bpf_perf_event_output: the index part of the flags, and the value that means "this CPU". */
export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = 0xffffffffn;

/** bpf_get_stackid flags. */
export const STACKID_FLAGS = {
  SKIP_FIELD_MASK: 0xff,
  USER_STACK: 1 << 8,
  FAST_STACK_CMP: 1 << 9,
  REUSE_STACKID: 1 << 10,
} as const;

export interface MapSpec {
  type: MapTypeName;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** bloom_filter: number of hash functions (low 4 bits); others: 0. */
  mapExtra?: bigint;
  /** Maps of maps: the spec every inner map must match. */
  inner?: MapSpec;
  /** BTF type ids of key and value when BTF describes them (for typed dumps). */
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
}

/** Options for createMap. */
export interface MapOptions {
  /** Number of possible CPUs: the per-CPU value count and the CPU range programs may run on. */
  nCpus?: number;
  /**
   * Maps of maps: resolves an inner map id given from user space to that map's spec, so an update
   * can refuse an unknown id (EBADF) or an incompatible map (EINVAL) as the kernel does. Without it
   * ids are stored unchecked and the runtime validates them.
   */
  resolveMap?: (id: number) => MapSpec | undefined;
}

/** What a lookup batch returns. `done` is the kernel's ENOENT: the iteration reached the end. */
export interface BatchResult {
  keys: Uint8Array[];
  values: Uint8Array[];
  /**
   * The cursor to pass as the next call's inBatch. Array-like maps and lpm_trie: the last key
   * returned (undefined when none was, as the kernel leaves out_batch alone). Hash maps: an opaque
   * 4-byte position, always set.
   */
  outBatch: Uint8Array | undefined;
  done: boolean;
}

/**
 * A map as user space sees it (the bpf(2) commands). Per-CPU maps take and return values for all
 * CPUs concatenated, each rounded up to 8 bytes, as bpf(2) does.
 */
export interface BpfMap {
  readonly spec: MapSpec;
  /** Frozen maps refuse updates from user space (BPF_MAP_FREEZE). */
  readonly frozen: boolean;
  /** Number of CPUs this map was created for. */
  readonly nCpus: number;
  /** Length of a value in user-space calls (nCpus × round_up(value_size, 8) for per-CPU maps). */
  readonly userValueSize: number;

  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array, flags?: number): void;
  delete(key: Uint8Array): void;
  /** The key after `key` in iteration order; the first key when `key` is undefined or absent. */
  getNextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash types, queue/stack pop, stack_trace). */
  lookupAndDelete(key: Uint8Array): Uint8Array | undefined;
  freeze(): void;

  /** BPF_MAP_LOOKUP_BATCH: up to `count` elements after the cursor `inBatch` (undefined: start). */
  lookupBatch(inBatch: Uint8Array | undefined, count: number, elemFlags?: number): BatchResult;
  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH (hash types). */
  lookupAndDeleteBatch(inBatch: Uint8Array | undefined, count: number, elemFlags?: number): BatchResult;
  /** BPF_MAP_UPDATE_BATCH: elemFlags may only be 0 or BPF_F_LOCK, as in the kernel. */
  updateBatch(keys: Uint8Array[], values: Uint8Array[], elemFlags?: number): void;
  /** BPF_MAP_DELETE_BATCH (hash types, lpm_trie). */
  deleteBatch(keys: Uint8Array[], elemFlags?: number): void;
}

/**
 * What BPF programs (through helpers) do with a map, beside the user-space calls above. Values
 * handed to programs are live views into the map's storage: a program's store through the pointer
 * it got from lookup changes the map, as in the kernel. A view stays the same object for as long
 * as its element exists, so the VM can give it one stable address.
 */
export interface ProgramMapOps {
  /** bpf_map_lookup_elem: the live value (this CPU's, for per-CPU maps), or undefined. */
  lookupView(key: Uint8Array, cpu: number): Uint8Array | undefined;
  /** bpf_map_update_elem from a program (per-CPU maps: sets this CPU's value). */
  updateFromProgram(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): void;
  /** bpf_map_delete_elem from a program. */
  deleteFromProgram(key: Uint8Array): void;
}
