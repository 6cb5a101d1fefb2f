/**
 * Context structs as BPF programs see them: each field's name, offset, size, whether a program of
 * the type may read or write it, and which fields hold packet pointers. Layouts follow the UAPI
 * headers (linux/bpf.h, asm/ptrace.h for x86-64, linux/bpf_perf_event.h, linux/seccomp.h); the
 * access rules follow the kernel's *_is_valid_access functions for each program type.
 */

/** What a program may do with a field: the verifier refuses any other access. */
export type FieldAccess = 'none' | 'read' | 'read-write';

/** The fields whose loads give a packet pointer (the kernel's PTR_TO_PACKET, _END, _META). */
export type PacketPointer = 'data' | 'data_end' | 'data_meta';

export interface ContextField {
  /** The C name; an array is one field with `count` elements (cb[5], args[6]). */
  readonly name: string;
  readonly offset: number;
  /** Bytes of one element. */
  readonly size: number;
  readonly count?: number;
  readonly access: FieldAccess;
  readonly packet?: PacketPointer;
  /** The struct a pointer field points to (__sk_buff.sk is a struct bpf_sock *). */
  readonly pointsTo?: string;
  /** The field holds a value in network byte order (as the UAPI comments say). */
  readonly networkOrder?: boolean;
}

export interface ContextLayout {
  /** The C type programs declare their context as, e.g. 'struct __sk_buff'. */
  readonly name: string;
  readonly size: number;
  readonly fields: readonly ContextField[];
}

export function field(name: string, offset: number, size: number, access: FieldAccess = 'read', extra: Partial<ContextField> = {}): ContextField {
  return { name, offset, size, access, ...extra };
}

/** The field containing byte `offset` of a layout, if any. */
export function fieldAt(layout: ContextLayout, offset: number): ContextField | undefined {
  return layout.fields.find((f) => offset >= f.offset && offset < f.offset + f.size * (f.count ?? 1));
}

/** A field by name; `cb[2]`-style names pick an element (its offset is returned too). */
export function fieldNamed(layout: ContextLayout, name: string): { field: ContextField; offset: number } | undefined {
  const m = /^([A-Za-z_][\w.]*)(?:\[(\d+)\])?$/.exec(name);
  if (!m) return undefined;
  const f = layout.fields.find((x) => x.name === m[1]);
  if (!f) return undefined;
  const i = m[2] === undefined ? 0 : Number(m[2]);
  if (i >= (f.count ?? 1)) return undefined;
  return { field: f, offset: f.offset + i * f.size };
}

/**
 * Whether a program may access `size` bytes at `offset` of its context: the field allows it, the
 * access is aligned and stays inside one element, writes are full width, and pointers (packet
 * pointers, __sk_buff.sk) and __sk_buff.tstamp are read whole. Narrower aligned reads of plain
 * integers are allowed, as the kernel's narrow-load rules allow them. (A summary of the kernel's
 * *_is_valid_access functions for the verifier to start from; the verifier owns the details.)
 */
export function contextAccessAllowed(layout: ContextLayout, offset: number, size: number, write: boolean): boolean {
  const f = fieldAt(layout, offset);
  if (f === undefined || f.access === 'none' || (write && f.access !== 'read-write')) return false;
  const elemStart = f.offset + Math.floor((offset - f.offset) / f.size) * f.size;
  if (offset + size > elemStart + f.size) return false;
  if (offset % size !== 0) return false;
  const fullOnly = write || f.packet !== undefined || f.pointsTo !== undefined || f.name === 'tstamp';
  return fullOnly ? size === f.size && offset === elemStart : true;
}

// ---- struct __sk_buff ----

/** Offsets of struct __sk_buff (linux/bpf.h), 192 bytes. */
export const SKB = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24,
  vlan_proto: 28, priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68,
  tc_classid: 72, data: 76, data_end: 80, napi_id: 84, family: 88, remote_ip4: 92, local_ip4: 96,
  remote_ip6: 100, local_ip6: 116, remote_port: 132, local_port: 136, data_meta: 140, flow_keys: 144,
  tstamp: 152, wire_len: 160, gso_segs: 164, sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184,
  size: 192,
} as const;

/** The socket-lookup fields from `family` to `local_port`, as one group (sk_skb and cgroup_skb read them). */
const SK_FIELDS = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port'] as const;

/** Per program type: the __sk_buff fields it may not touch and those it may write. */
interface SkbAccessRule {
  none: readonly string[];
  write: readonly string[];
}

function skbLayout(rule: SkbAccessRule): ContextLayout {
  const a = (name: string): FieldAccess => (rule.none.includes(name) ? 'none' : rule.write.includes(name) ? 'read-write' : 'read');
  const u32 = (name: string, extra: Partial<ContextField> = {}): ContextField => field(name, SKB[name as keyof typeof SKB], 4, a(name), extra);
  return {
    name: 'struct __sk_buff',
    size: SKB.size,
    fields: [
      u32('len'), u32('pkt_type'), u32('mark'), u32('queue_mapping'), u32('protocol', { networkOrder: true }),
      u32('vlan_present'), u32('vlan_tci'), u32('vlan_proto', { networkOrder: true }), u32('priority'),
      u32('ingress_ifindex'), u32('ifindex'), u32('tc_index'), u32('cb', { count: 5 }), u32('hash'), u32('tc_classid'),
      u32('data', { packet: 'data' }), u32('data_end', { packet: 'data_end' }), u32('napi_id'),
      u32('family'), u32('remote_ip4', { networkOrder: true }), u32('local_ip4', { networkOrder: true }),
      u32('remote_ip6', { count: 4, networkOrder: true }), u32('local_ip6', { count: 4, networkOrder: true }),
      u32('remote_port', { networkOrder: true }), u32('local_port'),
      u32('data_meta', { packet: 'data_meta' }),
      field('flow_keys', SKB.flow_keys, 8, 'none', { pointsTo: 'struct bpf_flow_keys' }),
      field('tstamp', SKB.tstamp, 8, a('tstamp')),
      u32('wire_len'), u32('gso_segs'),
      field('sk', SKB.sk, 8, a('sk'), { pointsTo: 'struct bpf_sock' }),
      u32('gso_size'),
      field('tstamp_type', SKB.tstamp_type, 1, a('tstamp_type')),
      field('hwtstamp', SKB.hwtstamp, 8, a('hwtstamp')),
    ],
  };
}

/** sk_filter_is_valid_access: no packet pointers, only cb[] is writable. */
export const SKB_SOCKET_FILTER = skbLayout({
  none: ['tc_classid', 'data', 'data_meta', 'data_end', ...SK_FIELDS, 'tstamp', 'wire_len', 'hwtstamp', 'tstamp_type'],
  write: ['cb'],
});

/** tc_cls_act_is_valid_access: direct packet access, qdisc fields writable, no socket fields. */
export const SKB_TC = skbLayout({
  none: [...SK_FIELDS],
  write: ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'],
});

/** cg_skb_is_valid_access: data/data_end readable (with CAP_BPF), socket fields readable. */
export const SKB_CGROUP = skbLayout({
  none: ['tc_classid', 'data_meta', 'wire_len', 'tstamp_type'],
  write: ['mark', 'priority', 'cb', 'tstamp'],
});

// ---- struct xdp_md ----

export const XDP_MD = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20, size: 24 } as const;

export const XDP_MD_LAYOUT: ContextLayout = {
  name: 'struct xdp_md',
  size: XDP_MD.size,
  fields: [
    field('data', 0, 4, 'read', { packet: 'data' }),
    field('data_end', 4, 4, 'read', { packet: 'data_end' }),
    field('data_meta', 8, 4, 'read', { packet: 'data_meta' }),
    field('ingress_ifindex', 12, 4),
    field('rx_queue_index', 16, 4),
    field('egress_ifindex', 20, 4),
  ],
};

// ---- struct bpf_sock (what __sk_buff.sk points to) ----

export const BPF_SOCK = {
  bound_dev_if: 0, family: 4, type: 8, protocol: 12, mark: 16, priority: 20, src_ip4: 24, src_ip6: 28,
  src_port: 44, dst_port: 48, dst_ip4: 52, dst_ip6: 56, state: 72, rx_queue_mapping: 76, size: 80,
} as const;

// ---- x86-64 struct pt_regs (kprobe) ----

/** The registers of x86-64 struct pt_regs in order (UAPI names, asm/ptrace.h), 8 bytes each. */
export const PT_REGS_NAMES = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss',
] as const;
export type PtRegName = (typeof PT_REGS_NAMES)[number];
export const PT_REGS_SIZE = PT_REGS_NAMES.length * 8;

/** The kernel's own names for the same registers (struct pt_regs inside the kernel, bpf_tracing.h). */
export const PT_REGS_KERNEL_NAMES: Readonly<Record<string, PtRegName>> = {
  bp: 'rbp', bx: 'rbx', ax: 'rax', cx: 'rcx', dx: 'rdx', si: 'rsi', di: 'rdi', orig_ax: 'orig_rax',
  ip: 'rip', flags: 'eflags', sp: 'rsp',
};

export const PT_REGS_LAYOUT: ContextLayout = {
  name: 'struct pt_regs',
  size: PT_REGS_SIZE,
  fields: PT_REGS_NAMES.map((n, i) => field(n, i * 8, 8)),
};

// ---- struct bpf_perf_event_data ----

export const PERF_EVENT_DATA = { regs: 0, sample_period: PT_REGS_SIZE, addr: PT_REGS_SIZE + 8, size: PT_REGS_SIZE + 16 } as const;

export const PERF_EVENT_LAYOUT: ContextLayout = {
  name: 'struct bpf_perf_event_data',
  size: PERF_EVENT_DATA.size,
  fields: [
    ...PT_REGS_NAMES.map((n, i) => field(`regs.${n}`, i * 8, 8)),
    field('sample_period', PERF_EVENT_DATA.sample_period, 8),
    field('addr', PERF_EVENT_DATA.addr, 8),
  ],
};

// ---- u64 argument arrays: raw tracepoints, fentry/fexit, LSM ----

/** MAX_BPF_FUNC_ARGS: a raw tracepoint's or traced function's arguments, as u64s. */
export const MAX_BPF_FUNC_ARGS = 12;

export function u64ArgsLayout(name: string): ContextLayout {
  return { name, size: MAX_BPF_FUNC_ARGS * 8, fields: [field('args', 0, 8, 'read', { count: MAX_BPF_FUNC_ARGS })] };
}

export const RAW_TP_LAYOUT = u64ArgsLayout('struct bpf_raw_tracepoint_args');
/** fentry/fexit/fmod_ret/lsm programs get the traced function's arguments (fexit: then its return value). */
export const TRACING_LAYOUT = u64ArgsLayout('u64 args[]');

// ---- tracepoint: the event's format, given by the user ----

/** PERF_MAX_TRACE_SIZE: the largest tracepoint record a program may read. */
export const PERF_MAX_TRACE_SIZE = 8192;

/** Without a format: the 8 bytes of common fields (hidden from programs) and then anything. */
export const TRACEPOINT_LAYOUT: ContextLayout = {
  name: 'tracepoint record',
  size: PERF_MAX_TRACE_SIZE,
  // tp_prog_is_valid_access: any aligned read from offset 8 up to PERF_MAX_TRACE_SIZE, the common
  // fields excluded; modelled as u64 slots so that reads of 1..8 bytes inside one slot pass.
  fields: [field('common', 0, 8, 'none'), field('fields', 8, 8, 'read', { count: (PERF_MAX_TRACE_SIZE - 8) / 8 })],
};

// ---- struct seccomp_data ----

export const SECCOMP_DATA = { nr: 0, arch: 4, instruction_pointer: 8, args: 16, size: 64 } as const;

export const SECCOMP_LAYOUT: ContextLayout = {
  name: 'struct seccomp_data',
  size: SECCOMP_DATA.size,
  fields: [field('nr', 0, 4), field('arch', 4, 4), field('instruction_pointer', 8, 8), field('args', 16, 8, 'read', { count: 6 })],
};
