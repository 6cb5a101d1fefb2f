/**
 * Which helpers may take which maps (the kernel's check_map_func_compatibility), as two tables: what
 * a map type allows, and what a helper requires. A call is refused with "cannot pass map_type N into
 * func NAME#ID" when either table says no. Types and helpers absent from a table have no restriction
 * from it (a hash map takes any map helper; bpf_map_lookup_elem takes any map its type allows).
 */
import type { MapTypeName } from '../maps/types.js';

/** Map types that only some helpers may take, with those helpers (by name, without bpf_). */
export const MAP_TYPE_HELPERS: Partial<Record<MapTypeName, readonly string[]>> = {
  prog_array: ['tail_call'],
  perf_event_array: ['perf_event_read', 'perf_event_output', 'skb_output', 'perf_event_read_value', 'xdp_output'],
  ringbuf: ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr'],
  user_ringbuf: ['user_ringbuf_drain'],
  stack_trace: ['get_stackid'],
  cgroup_array: ['skb_under_cgroup', 'current_task_under_cgroup'],
  cgroup_storage: ['get_local_storage'],
  percpu_cgroup_storage: ['get_local_storage'],
  devmap: ['redirect_map', 'map_lookup_elem'],
  devmap_hash: ['redirect_map', 'map_lookup_elem'],
  cpumap: ['redirect_map'],
  xskmap: ['redirect_map', 'map_lookup_elem'],
  array_of_maps: ['map_lookup_elem'],
  hash_of_maps: ['map_lookup_elem'],
  sockmap: ['sk_redirect_map', 'sock_map_update', 'msg_redirect_map', 'sk_select_reuseport', 'map_lookup_elem', 'map_update_elem', 'map_delete_elem'],
  sockhash: ['sk_redirect_hash', 'sock_hash_update', 'msg_redirect_hash', 'sk_select_reuseport', 'map_lookup_elem', 'map_update_elem', 'map_delete_elem'],
  reuseport_sockarray: ['sk_select_reuseport'],
  queue: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  stack: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  sk_storage: ['sk_storage_get', 'sk_storage_delete', 'kptr_xchg'],
  inode_storage: ['inode_storage_get', 'inode_storage_delete', 'kptr_xchg'],
  task_storage: ['task_storage_get', 'task_storage_delete', 'kptr_xchg'],
  cgrp_storage: ['cgrp_storage_get', 'cgrp_storage_delete', 'kptr_xchg'],
  bloom_filter: ['map_peek_elem', 'map_push_elem'],
};

/** Helpers that only take some map types, with those types. */
export const HELPER_MAP_TYPES: Readonly<Record<string, readonly MapTypeName[]>> = {
  tail_call: ['prog_array'],
  perf_event_read: ['perf_event_array'],
  perf_event_output: ['perf_event_array'],
  perf_event_read_value: ['perf_event_array'],
  skb_output: ['perf_event_array'],
  xdp_output: ['perf_event_array'],
  ringbuf_output: ['ringbuf'],
  ringbuf_reserve: ['ringbuf'],
  ringbuf_query: ['ringbuf'],
  user_ringbuf_drain: ['user_ringbuf'],
  get_stackid: ['stack_trace'],
  current_task_under_cgroup: ['cgroup_array'],
  skb_under_cgroup: ['cgroup_array'],
  redirect_map: ['devmap', 'devmap_hash', 'cpumap', 'xskmap'],
  sk_redirect_map: ['sockmap'],
  msg_redirect_map: ['sockmap'],
  sock_map_update: ['sockmap'],
  sk_redirect_hash: ['sockhash'],
  msg_redirect_hash: ['sockhash'],
  sock_hash_update: ['sockhash'],
  get_local_storage: ['cgroup_storage', 'percpu_cgroup_storage'],
  sk_select_reuseport: ['reuseport_sockarray', 'sockmap', 'sockhash'],
  map_pop_elem: ['queue', 'stack'],
  map_peek_elem: ['queue', 'stack', 'bloom_filter'],
  map_push_elem: ['queue', 'stack', 'bloom_filter'],
  map_lookup_percpu_elem: ['percpu_array', 'percpu_hash', 'lru_percpu_hash'],
  sk_storage_get: ['sk_storage'],
  sk_storage_delete: ['sk_storage'],
  inode_storage_get: ['inode_storage'],
  inode_storage_delete: ['inode_storage'],
  task_storage_get: ['task_storage'],
  task_storage_delete: ['task_storage'],
  cgrp_storage_get: ['cgrp_storage'],
  cgrp_storage_delete: ['cgrp_storage'],
};

/**
 * Map types the kernel creates read-only for programs (BPF_F_RDONLY_PROG set by their allocators):
 * a program may look them up or redirect into them but not change them.
 */
export const PROG_READONLY_MAP_TYPES: readonly MapTypeName[] = ['devmap', 'devmap_hash'];

/** Map types bpf_for_each_map_elem can walk (those whose ops have map_for_each_callback). */
export const FOR_EACH_MAP_TYPES: readonly MapTypeName[] = ['hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'array', 'percpu_array'];

/** Map types whose lookup result needs no NULL check when the key is a constant below max_entries. */
export const ELIDE_NULL_MAP_TYPES: readonly MapTypeName[] = ['array', 'percpu_array'];

/** May helper `name` (without bpf_) take a map of type `type`? */
export function mapHelperCompatible(type: MapTypeName, name: string): boolean {
  const byType = MAP_TYPE_HELPERS[type];
  if (byType && !byType.includes(name)) return false;
  const byHelper = HELPER_MAP_TYPES[name];
  return !byHelper || byHelper.includes(type);
}
