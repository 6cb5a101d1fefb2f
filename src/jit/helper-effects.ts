/**
 * What each helper does to memory, as far as the JIT's copies of regions care (jit/context.ts):
 * whether the copies must be written back before it runs and read again after. One table entry per
 * helper that needs less than the default (write back everything, read everything again).
 */
import type { HelperDef } from '../helpers/registry.js';
import { mapHelpers } from '../helpers/maps.js';
import { callbackHelpers } from '../helpers/callbacks.js';
import type { MapTypeName } from '../maps/types.js';

/**
 * Helpers that neither read nor write the bytes of any region (they take numbers, a map or a
 * context only by identity): before them nothing needs writing back, so a tail-call chain or a
 * timestamp costs no copy of the packet.
 */
const NO_MEMORY = new Set([
  'tail_call', 'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_coarse_ns', 'jiffies64', 'get_prandom_u32',
  'get_smp_processor_id', 'get_numa_node_id', 'get_current_pid_tgid', 'get_current_uid_gid',
]);
/**
 * Helpers that write no memory a program can see (those above, and these, which only read their
 * arguments): after them the copies in linear memory are still right and are not copied in again.
 * Any other helper may have written any region (map_update_elem writes a value the program may hold
 * a pointer to), so everything mapped is read again after it.
 */
const READS_ONLY = new Set([...NO_MEMORY, 'map_lookup_elem', 'csum_diff', 'trace_printk']);
/**
 * How a helper call treats the copies (bits of howOf). RETURNS_REGION: what it returns is a map
 * value or ring buffer record, which verified code reaches without a check (mapped at once).
 */
export const NO_SYNC = 1, NO_REFRESH = 2, MAPS_ONLY = 4, KEY_ONLY = 8, RETURNS_REGION = 16;
/**
 * Helpers that read no memory but their key (r2, key_size bytes): with the key in a stack frame,
 * which is linear memory itself, nothing needs writing back before them.
 */
const READS_KEY = new Set(['map_lookup_elem']);
/**
 * Helpers that write only the storage of maps (the values a program may hold pointers to): after
 * them only copies of map values are read again, not the packet or the context.
 */
const WRITES_MAPS = new Set(['map_update_elem', 'map_delete_elem']);
const hows = new WeakMap<HelperDef, number>();

export function howOf(h: HelperDef): number {
  let how = hows.get(h);
  if (how === undefined) {
    // Registry names carry the kernel's bpf_ prefix; the sets above do not.
    const bare = h.name.startsWith('bpf_') ? h.name.slice(4) : h.name;
    how = (NO_MEMORY.has(bare) ? NO_SYNC : 0) | (READS_ONLY.has(bare) ? NO_REFRESH : 0) | (WRITES_MAPS.has(bare) ? MAPS_ONLY : 0)
      | (READS_KEY.has(bare) ? KEY_ONLY : 0)
      | (h.ret === 'ptr_to_map_value_or_null' || h.ret === 'ptr_to_ringbuf_mem_or_null' ? RETURNS_REGION : 0);
    hows.set(h, how);
  }
  return how;
}

/** Whether `h` may write memory a program can see (anything but the helpers that only read). */
export function writesMemory(h: HelperDef): boolean {
  return (howOf(h) & NO_REFRESH) === 0;
}

/**
 * The kernel's helpers compiled code may run itself (compile.ts compiledLookup, inlineLoop,
 * inlineEach), by name: only these definitions (a VM may register its own under the same id).
 */
const RUN_BY_CODE_NAMES = ['bpf_map_lookup_elem', 'bpf_loop', 'bpf_for_each_map_elem'] as const;
const RUN_BY_CODE = new Map<HelperDef, string>(
  [...mapHelpers, ...callbackHelpers].filter((h) => (RUN_BY_CODE_NAMES as readonly string[]).includes(h.name)).map((h) => [h, h.name]),
);

/** Whether `h` is the kernel's helper of that name (not a VM's own under the same id). */
export function isKernelHelper(h: HelperDef, name: (typeof RUN_BY_CODE_NAMES)[number]): boolean {
  return RUN_BY_CODE.get(h) === name;
}

/**
 * Map types whose lookup from a program changes nothing and gives, for a key, the same answer
 * until the map is written: compiled code may answer it from its lookup cache.
 */
export const CACHED_LOOKUP_TYPES: ReadonlySet<MapTypeName> = new Set<MapTypeName>(['hash', 'array', 'percpu_hash', 'percpu_array']);
/**
 * Map types whose lookups compiled code makes through rt.lookup every time: an LRU lookup marks
 * the element used (maps of maps give a map, and go through the helper).
 */
export const UNCACHED_LOOKUP_TYPES: ReadonlySet<MapTypeName> = new Set<MapTypeName>(['lru_hash', 'lru_percpu_hash']);
