/**
 * Which context loads and stores the kernel allows, per program type: the *_is_valid_access
 * functions (net/core/filter.c, kernel/trace/bpf_trace.c) as a privileged loader meets them. The
 * layouts of progtypes/context.ts say where each field is; the rules here are the kernel's own,
 * which differ by type in ways a per-field read/write flag cannot say: cb[] takes any aligned size
 * (even 8 bytes across two elements), xdp_md only whole u32 reads, perf_event registers only whole
 * u64 reads, kprobe registers any aligned size, and fields that depend on the attach type.
 */
import { type ContextLayout, SKB, XDP_MD, PT_REGS_SIZE, PERF_EVENT_DATA, MAX_BPF_FUNC_ARGS, PERF_MAX_TRACE_SIZE, contextAccessAllowed } from '../progtypes/context.js';

const U32 = 4;
const U64 = 8;

/** bpf_ctx_narrow_access_ok: a power-of-two load no wider than the field (alignment checked before). */
const narrowOk = (size: number, fieldSize: number): boolean => size <= fieldSize && (size & (size - 1)) === 0;

/** off lies inside the field [start, start + size) (the kernel's bpf_ctx_range). */
const within = (off: number, start: number, size = U32): boolean => off >= start && off < start + size;

const CB_END = SKB.cb + 5 * U32;
const SOCK_FIELDS_END = SKB.local_port + U32;

/** bpf_skb_is_valid_access: the rules every __sk_buff type shares. */
function skbCommon(off: number, size: number, write: boolean): boolean {
  if (off < 0 || off >= SKB.size || off % size !== 0) return false;
  if (within(off, SKB.cb, CB_END - SKB.cb)) return off + size <= CB_END;
  if (within(off, SKB.data) || within(off, SKB.data_meta) || within(off, SKB.data_end)) return size === U32;
  if (within(off, SKB.remote_ip4) || within(off, SKB.local_ip4) || within(off, SKB.remote_ip6, 16) || within(off, SKB.local_ip6, 16)) return size === U32;
  if (within(off, SKB.flow_keys, U64)) return false;
  if (within(off, SKB.hwtstamp, U64)) return !write && size === U64;
  if (within(off, SKB.tstamp, U64)) return size === U64;
  if (off === SKB.sk) return !write && size === U64;
  if (off === SKB.tstamp_type) return false;
  if (off > SKB.tstamp_type && off < SKB.hwtstamp) return false;
  return write ? size === U32 : narrowOk(size, U32);
}

type Rule = (off: number, size: number, write: boolean, attach: string | undefined) => boolean;

const skbRanges = (off: number, ...fields: (readonly [number, number?])[]): boolean => fields.some(([s, n]) => within(off, s, n));

const RULES: Record<string, Rule> = {
  // sk_filter_is_valid_access
  socket_filter: (off, size, write) => {
    if (skbRanges(off, [SKB.tc_classid], [SKB.data], [SKB.data_meta], [SKB.data_end], [SKB.family, SOCK_FIELDS_END - SKB.family],
      [SKB.tstamp, U64], [SKB.wire_len], [SKB.hwtstamp, U64])) return false;
    if (write && !within(off, SKB.cb, CB_END - SKB.cb)) return false;
    return skbCommon(off, size, write);
  },
  // tc_cls_act_is_valid_access
  sched_cls: (off, size, write) => {
    if (write && !skbRanges(off, [SKB.mark], [SKB.tc_index], [SKB.priority], [SKB.tc_classid], [SKB.cb, CB_END - SKB.cb],
      [SKB.tstamp, U64], [SKB.queue_mapping])) return false;
    if (within(off, SKB.family, SOCK_FIELDS_END - SKB.family)) return false;
    // tstamp_type tells how to read tstamp: tc may read it, as one byte.
    if (off === SKB.tstamp_type) return size === 1;
    return skbCommon(off, size, write);
  },
  // cg_skb_is_valid_access, for a loader with CAP_BPF
  cgroup_skb: (off, size, write) => {
    if (skbRanges(off, [SKB.tc_classid], [SKB.data_meta], [SKB.wire_len])) return false;
    if (write && !skbRanges(off, [SKB.mark], [SKB.priority], [SKB.cb, CB_END - SKB.cb], [SKB.tstamp, U64])) return false;
    return skbCommon(off, size, write);
  },
  // xdp_is_valid_access: whole u32 reads; egress_ifindex only in devmap programs
  xdp: (off, size, write, attach) => {
    if (write) return false;
    if (off === XDP_MD.egress_ifindex && attach !== 'xdp_devmap') return false;
    return off >= 0 && off < XDP_MD.size && off % size === 0 && size === U32;
  },
  // kprobe_prog_is_valid_access
  kprobe: (off, size, write) => !write && off >= 0 && off < PT_REGS_SIZE && off % size === 0 && off + size <= PT_REGS_SIZE,
  // pe_prog_is_valid_access: registers as whole longs, sample_period and addr also narrower
  perf_event: (off, size, write) => {
    if (write || off < 0 || off >= PERF_EVENT_DATA.size || off % size !== 0) return false;
    if (within(off, PERF_EVENT_DATA.sample_period, U64) || within(off, PERF_EVENT_DATA.addr, U64)) return narrowOk(size, U64);
    return size === U64;
  },
  // tp_prog_is_valid_access: the common fields are hidden
  tracepoint: (off, size, write) => !write && off >= U64 && off < PERF_MAX_TRACE_SIZE && off % size === 0,
  // raw_tp_prog_is_valid_access
  raw_tracepoint: (off, size, write) => !write && off >= 0 && off < U64 * MAX_BPF_FUNC_ARGS && off % size === 0,
};
RULES.sched_act = RULES.sched_cls!;

/**
 * May a program of `progType` (attached as `attachType`) load (`write` false) or store `size` bytes
 * at `off` of its context? Types without a rule here use the layout's own access flags.
 */
export function ctxAccessOk(progType: string, attachType: string | undefined, layout: ContextLayout, off: number, size: number, write: boolean): boolean {
  const rule = RULES[progType];
  return rule ? rule(off, size, write, attachType) : contextAccessAllowed(layout, off, size, write);
}
