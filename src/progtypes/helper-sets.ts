/**
 * Which helpers each program type may call: the kernel's *_func_proto functions as data. Each set
 * is bpf_base_func_proto plus the type's own, by name (the UAPI numbering gives the ids).
 *
 * The sets were read from Linux 6.18 itself: a program of each type calling each helper id was
 * loaded with CAP_BPF and CAP_PERFMON, and a helper counts as available unless the verifier said
 * "program of this type cannot use helper" or "not supported for program type" (the probe is
 * re-run by test/progtypes-table.test.ts). Types the probe cannot load here (tracing and lsm need
 * a BTF attach target and trampolines) follow kernel/trace/bpf_trace.c and kernel/bpf/bpf_lsm.c.
 */
import { helperId } from '../isa/helper-names.js';

/**
 * bpf_base_func_proto for a program loaded with CAP_BPF and CAP_PERFMON: the helpers every type
 * gets (the intersection of the probed sets).
 */
const BASE = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'ktime_get_ns', 'trace_printk',
  'get_prandom_u32', 'get_smp_processor_id', 'tail_call', 'get_current_pid_tgid',
  'get_current_uid_gid', 'get_current_comm', 'get_cgroup_classid', 'perf_event_read',
  'perf_event_output', 'get_current_task', 'current_task_under_cgroup', 'get_numa_node_id',
  'perf_event_read_value', 'get_current_cgroup_id', 'map_push_elem', 'map_pop_elem',
  'map_peek_elem', 'spin_lock', 'spin_unlock', 'strtol', 'strtoul', 'send_signal',
  'probe_read_user', 'probe_read_kernel', 'probe_read_user_str', 'probe_read_kernel_str',
  'send_signal_thread', 'jiffies64', 'get_ns_current_pid_tgid', 'get_current_ancestor_cgroup_id',
  'ktime_get_boot_ns', 'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit', 'ringbuf_discard',
  'ringbuf_query', 'get_task_stack', 'copy_from_user', 'snprintf_btf', 'per_cpu_ptr',
  'this_cpu_ptr', 'task_storage_get', 'task_storage_delete', 'get_current_task_btf',
  'for_each_map_elem', 'snprintf', 'timer_init', 'timer_set_callback', 'timer_start',
  'timer_cancel', 'task_pt_regs', 'get_branch_snapshot', 'trace_vprintk', 'find_vma', 'loop',
  'strncmp', 'copy_from_user_task', 'kptr_xchg', 'map_lookup_percpu_elem', 'dynptr_from_mem',
  'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr', 'dynptr_read',
  'dynptr_write', 'dynptr_data', 'ktime_get_tai_ns', 'user_ringbuf_drain', 'cgrp_storage_get',
  'cgrp_storage_delete',
] as const;

/** The socket casts every networking type gets (bpf_sk_base_func_proto). */
const SKC_CASTS = [
  'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
  'skc_to_udp6_sock', 'skc_to_unix_sock', 'skc_to_mptcp_sock', 'ktime_get_coarse_ns',
] as const;

const SYNCOOKIE_RAW = [
  'tcp_raw_gen_syncookie_ipv4', 'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4',
  'tcp_raw_check_syncookie_ipv6',
] as const;

/** sk_filter_func_proto */
const SOCKET_FILTER = [
  'skb_load_bytes', 'get_socket_cookie', 'get_socket_uid', 'skb_load_bytes_relative', 'get_netns_cookie',
  ...SKC_CASTS,
];

/** tc_cls_act_func_proto (sched_cls and sched_act share it) */
const TC = [
  'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'skb_vlan_push',
  'skb_vlan_pop', 'skb_get_tunnel_key', 'skb_set_tunnel_key', 'redirect', 'get_route_realm',
  'skb_load_bytes', 'csum_diff', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'skb_change_proto',
  'skb_change_type', 'skb_under_cgroup', 'get_hash_recalc', 'skb_change_tail', 'skb_pull_data',
  'csum_update', 'set_hash_invalid', 'skb_change_head', 'get_socket_cookie', 'get_socket_uid',
  'set_hash', 'skb_adjust_room', 'skb_get_xfrm_state', 'skb_load_bytes_relative', 'fib_lookup',
  'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release',
  'sk_fullsock', 'tcp_sock', 'skb_ecn_set_ce', 'get_listener_sock', 'skc_lookup_tcp',
  'tcp_check_syncookie', 'sk_storage_get', 'sk_storage_delete', 'tcp_gen_syncookie',
  'get_netns_cookie', 'sk_assign', 'csum_level', 'skb_cgroup_classid', 'redirect_neigh',
  'redirect_peer', 'check_mtu', 'skb_set_tstamp', ...SKC_CASTS, ...SYNCOOKIE_RAW,
];

/** xdp_func_proto */
const XDP = [
  'redirect', 'csum_diff', 'xdp_adjust_head', 'redirect_map', 'xdp_adjust_meta', 'xdp_adjust_tail',
  'fib_lookup', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release', 'skc_lookup_tcp',
  'tcp_check_syncookie', 'tcp_gen_syncookie', 'check_mtu', 'xdp_get_buff_len', 'xdp_load_bytes',
  'xdp_store_bytes', ...SKC_CASTS, ...SYNCOOKIE_RAW,
];

/** cg_skb_func_proto */
const CGROUP_SKB = [
  'skb_load_bytes', 'get_socket_cookie', 'get_socket_uid', 'skb_load_bytes_relative',
  'skb_cgroup_id', 'get_local_storage', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp',
  'sk_release', 'sk_fullsock', 'tcp_sock', 'skb_ecn_set_ce', 'get_listener_sock', 'skc_lookup_tcp',
  'sk_storage_get', 'sk_storage_delete', 'get_netns_cookie', 'sk_cgroup_id', 'sk_ancestor_cgroup_id',
  ...SKC_CASTS,
];

/**
 * Helpers whose proto exists only under a kernel config or policy: bpf_override_return needs
 * CONFIG_BPF_KPROBE_OVERRIDE, bpf_probe_write_user CAP_SYS_ADMIN and no lockdown. They are in the
 * sets below (the source has them) but a given kernel may refuse them.
 */
export const CONFIG_GATED_HELPERS: readonly string[] = ['override_return', 'probe_write_user'];

/** bpf_tracing_func_proto's additions to the base (the legacy probe_read and the stack helpers). */
const TRACING_COMMON = ['probe_read', 'probe_read_str', 'get_stackid', 'get_stack', 'get_attach_cookie', 'probe_write_user'];

/** kprobe_prog_func_proto */
const KPROBE = [...TRACING_COMMON, 'get_func_ip', 'override_return'];
/** tp_prog_func_proto */
const TRACEPOINT = TRACING_COMMON;
/** pe_prog_func_proto */
const PERF_EVENT = [...TRACING_COMMON, 'perf_prog_read_value', 'read_branch_records'];
/** raw_tp_prog_func_proto */
const RAW_TRACEPOINT = TRACING_COMMON;

/**
 * tracing_prog_func_proto (fentry, fexit, fmod_ret, tp_btf): raw tracepoints' set plus the
 * socket casts and storage, the function argument accessors (trampoline-based programs) and
 * get_func_ip. seq_printf, seq_write and seq_printf_btf are for iterators only and left out.
 */
const TRACING = [
  ...RAW_TRACEPOINT, 'get_func_ip', 'skb_output', 'xdp_output', 'skc_to_tcp6_sock', 'skc_to_tcp_sock',
  'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock', 'skc_to_unix_sock',
  'skc_to_mptcp_sock', 'sk_storage_get', 'sk_storage_delete', 'sock_from_file', 'get_socket_cookie',
  'xdp_get_buff_len', 'd_path', 'get_func_arg', 'get_func_ret', 'get_func_arg_cnt',
];

/** bpf_lsm_func_proto (BPF_LSM_MAC; lsm_cgroup's extra cgroup helpers are left out). */
const LSM = [
  ...TRACING, 'inode_storage_get', 'inode_storage_delete', 'bprm_opts_set', 'ima_inode_hash', 'ima_file_hash',
];

/**
 * tsbpf's seccomp programs (a tsbpf extension, see elf/sections.ts) get the part of the base set
 * that needs no privilege: maps, time, random numbers, ring buffers, loops and trace_printk.
 */
const SECCOMP = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_pop_elem',
  'map_peek_elem', 'map_lookup_percpu_elem', 'get_prandom_u32', 'get_smp_processor_id',
  'get_numa_node_id', 'tail_call', 'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_tai_ns',
  'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit', 'ringbuf_discard', 'ringbuf_query',
  'for_each_map_elem', 'loop', 'strncmp', 'trace_printk',
];

/** Helpers only sleepable programs may call (the verifier refuses them elsewhere). */
export const SLEEPABLE_ONLY_HELPERS: readonly string[] = ['copy_from_user', 'copy_from_user_task', 'ima_inode_hash', 'ima_file_hash'];

/** Helper ids UAPI added after isa/helper-names.ts's list ends (Linux 6.2). */
const LATE_IDS: Readonly<Record<string, number>> = { cgrp_storage_get: 210, cgrp_storage_delete: 211 };

export function idOfHelper(name: string): number {
  const id = helperId(name) ?? LATE_IDS[name];
  if (id === undefined) throw new Error(`progtypes/helper-sets: no helper is named ${name}`);
  return id;
}

function set(...names: readonly string[]): readonly number[] {
  return [...new Set([...BASE, ...names].map(idOfHelper))].sort((a, b) => a - b);
}

/** Helper ids by program type name. */
export const HELPER_SETS = {
  socket_filter: set(...SOCKET_FILTER),
  kprobe: set(...KPROBE),
  sched_cls: set(...TC),
  sched_act: set(...TC),
  tracepoint: set(...TRACEPOINT),
  xdp: set(...XDP),
  perf_event: set(...PERF_EVENT),
  cgroup_skb: set(...CGROUP_SKB),
  raw_tracepoint: set(...RAW_TRACEPOINT),
  tracing: set(...TRACING),
  lsm: set(...LSM),
  seccomp: [...new Set(SECCOMP.map(idOfHelper))].sort((a, b) => a - b) as readonly number[],
} as const;

/** The base set's ids (bpf_base_func_proto). */
export const BASE_HELPERS: readonly number[] = set();
