/**
 * libbpf's section naming conventions, as one table: the SEC("...") name of a code section says the
 * program type, the expected attach type and, after a '/', where the program attaches. Adding a
 * section kind is adding one row to SECTION_DEFS.
 *
 * Matching follows libbpf (sec_def_matches): a pattern ending in '+' matches the exact name or the
 * name followed by '/' and a target; a pattern ending in '/' matches any name with that prefix; any
 * other pattern matches exactly. The first matching row wins, so more specific rows come first.
 */
import { BpfError } from '../errors.js';

/** enum bpf_prog_type, kernel names without the BPF_PROG_TYPE_ prefix, lower case. */
export const PROG_TYPE = {
  unspec: 0, socket_filter: 1, kprobe: 2, sched_cls: 3, sched_act: 4, tracepoint: 5, xdp: 6,
  perf_event: 7, cgroup_skb: 8, cgroup_sock: 9, lwt_in: 10, lwt_out: 11, lwt_xmit: 12, sock_ops: 13,
  sk_skb: 14, cgroup_device: 15, sk_msg: 16, raw_tracepoint: 17, cgroup_sock_addr: 18,
  lwt_seg6local: 19, lirc_mode2: 20, sk_reuseport: 21, flow_dissector: 22, cgroup_sysctl: 23,
  raw_tracepoint_writable: 24, cgroup_sockopt: 25, tracing: 26, struct_ops: 27, ext: 28, lsm: 29,
  sk_lookup: 30, syscall: 31, netfilter: 32,
} as const;

export type KernelProgTypeName = keyof typeof PROG_TYPE;
/**
 * A program type: one of the kernel's, or 'seccomp'. Seccomp filters are classic BPF in the kernel
 * (there is no eBPF seccomp program type); tsbpf accepts SEC("seccomp") as its own extension so an
 * eBPF object can carry a filter for tsbpf's seccomp runtime. Such a program cannot be loaded into
 * the real kernel as it is.
 */
export type ProgTypeName = KernelProgTypeName | 'seccomp';

/** enum bpf_attach_type, kernel names without the BPF_ prefix, lower case. */
export const ATTACH_TYPE = {
  cgroup_inet_ingress: 0, cgroup_inet_egress: 1, cgroup_inet_sock_create: 2, cgroup_sock_ops: 3,
  sk_skb_stream_parser: 4, sk_skb_stream_verdict: 5, cgroup_device: 6, sk_msg_verdict: 7,
  cgroup_inet4_bind: 8, cgroup_inet6_bind: 9, cgroup_inet4_connect: 10, cgroup_inet6_connect: 11,
  cgroup_inet4_post_bind: 12, cgroup_inet6_post_bind: 13, cgroup_udp4_sendmsg: 14,
  cgroup_udp6_sendmsg: 15, lirc_mode2: 16, flow_dissector: 17, cgroup_sysctl: 18,
  cgroup_udp4_recvmsg: 19, cgroup_udp6_recvmsg: 20, cgroup_getsockopt: 21, cgroup_setsockopt: 22,
  trace_raw_tp: 23, trace_fentry: 24, trace_fexit: 25, modify_return: 26, lsm_mac: 27,
  trace_iter: 28, cgroup_inet4_getpeername: 29, cgroup_inet6_getpeername: 30,
  cgroup_inet4_getsockname: 31, cgroup_inet6_getsockname: 32, xdp_devmap: 33,
  cgroup_inet_sock_release: 34, xdp_cpumap: 35, sk_lookup: 36, xdp: 37, sk_skb_verdict: 38,
  sk_reuseport_select: 39, sk_reuseport_select_or_migrate: 40, perf_event: 41,
  trace_kprobe_multi: 42, lsm_cgroup: 43, struct_ops: 44, netfilter: 45, tcx_ingress: 46,
  tcx_egress: 47, trace_uprobe_multi: 48, cgroup_unix_connect: 49, cgroup_unix_sendmsg: 50,
  cgroup_unix_recvmsg: 51, cgroup_unix_getpeername: 52, cgroup_unix_getsockname: 53,
  netkit_primary: 54, netkit_peer: 55, trace_kprobe_session: 56, trace_uprobe_session: 57,
} as const;

export type AttachTypeName = keyof typeof ATTACH_TYPE;

/** Where a program attaches, parsed from the part of the section name after the prefix. */
export type AttachTarget =
  /** kprobe/FUNC[+OFF], kretprobe/FUNC */
  | { kind: 'kprobe'; func: string; offset: number }
  /** kprobe.multi/PATTERN, kprobe.session/PATTERN */
  | { kind: 'kprobe_multi'; pattern: string }
  /** ksyscall/NAME: the syscall name, resolved to the arch's wrapper symbol at attach time */
  | { kind: 'ksyscall'; syscall: string }
  /** uprobe/PATH:FUNC[+OFF], uprobe/PATH:OFF */
  | { kind: 'uprobe'; path: string; func?: string; offset: number }
  /** uprobe.multi/PATH:PATTERN */
  | { kind: 'uprobe_multi'; path: string; pattern: string }
  /** usdt/PATH:PROVIDER:NAME */
  | { kind: 'usdt'; path: string; provider: string; name: string }
  /** tracepoint/CAT/NAME, tp/CAT/NAME */
  | { kind: 'tracepoint'; category: string; name: string }
  /** raw_tracepoint/NAME, raw_tp/NAME */
  | { kind: 'raw_tracepoint'; name: string }
  /** fentry/fexit/fmod_ret/freplace/tp_btf/lsm/iter: a name looked up in the target's BTF */
  | { kind: 'btf'; name: string }
  /** struct_ops/NAME: the struct member this program implements */
  | { kind: 'struct_ops'; member: string };

type TargetParser = 'none' | 'kprobe' | 'kprobe_multi' | 'ksyscall' | 'uprobe' | 'uprobe_multi' | 'usdt'
  | 'tracepoint' | 'raw_tracepoint' | 'btf' | 'struct_ops';

export interface SectionDef {
  /** libbpf's pattern: 'xdp' exact, 'kprobe+' exact or with '/target', 'sk_reuseport/' prefix. */
  pattern: string;
  type: ProgTypeName;
  attachType?: AttachTypeName;
  /** How the part after 'prefix/' is parsed into an AttachTarget. */
  target?: TargetParser;
  /** The program runs on return (kretprobe, uretprobe, kretsyscall, kretprobe.multi). */
  isReturn?: boolean;
  /** BPF_F_SLEEPABLE: the '.s' variants. */
  sleepable?: boolean;
  /** BPF_F_XDP_HAS_FRAGS: the 'xdp.frags' variants. */
  xdpFrags?: boolean;
  /** The attach target is a BTF name that must be resolved at load (libbpf's SEC_ATTACH_BTF). */
  attachBtf?: boolean;
  /** libbpf's SEC_USDT: needs the usdt support maps. */
  usdt?: boolean;
}

/** Build one row; keeps the table below to one line a row. */
function def(pattern: string, type: ProgTypeName, attachType?: AttachTypeName, extra: Omit<SectionDef, 'pattern' | 'type' | 'attachType'> = {}): SectionDef {
  return { pattern, type, ...(attachType !== undefined ? { attachType } : {}), ...extra };
}

const S = { sleepable: true } as const;
const RET = { isReturn: true } as const;
const BTF_T = { target: 'btf', attachBtf: true } as const;

/** The section table, in libbpf's order (first match wins). */
export const SECTION_DEFS: readonly SectionDef[] = [
  def('socket', 'socket_filter'),
  def('sk_reuseport/migrate', 'sk_reuseport', 'sk_reuseport_select_or_migrate'),
  def('sk_reuseport', 'sk_reuseport', 'sk_reuseport_select'),
  def('kprobe+', 'kprobe', undefined, { target: 'kprobe' }),
  def('uprobe+', 'kprobe', undefined, { target: 'uprobe' }),
  def('uprobe.s+', 'kprobe', undefined, { target: 'uprobe', ...S }),
  def('kretprobe+', 'kprobe', undefined, { target: 'kprobe', ...RET }),
  def('uretprobe+', 'kprobe', undefined, { target: 'uprobe', ...RET }),
  def('uretprobe.s+', 'kprobe', undefined, { target: 'uprobe', ...RET, ...S }),
  def('kprobe.multi+', 'kprobe', 'trace_kprobe_multi', { target: 'kprobe_multi' }),
  def('kretprobe.multi+', 'kprobe', 'trace_kprobe_multi', { target: 'kprobe_multi', ...RET }),
  def('kprobe.session+', 'kprobe', 'trace_kprobe_session', { target: 'kprobe_multi' }),
  def('uprobe.multi+', 'kprobe', 'trace_uprobe_multi', { target: 'uprobe_multi' }),
  def('uretprobe.multi+', 'kprobe', 'trace_uprobe_multi', { target: 'uprobe_multi', ...RET }),
  def('uprobe.session+', 'kprobe', 'trace_uprobe_session', { target: 'uprobe_multi' }),
  def('uprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', { target: 'uprobe_multi', ...S }),
  def('uretprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', { target: 'uprobe_multi', ...RET, ...S }),
  def('uprobe.session.s+', 'kprobe', 'trace_uprobe_session', { target: 'uprobe_multi', ...S }),
  def('ksyscall+', 'kprobe', undefined, { target: 'ksyscall' }),
  def('kretsyscall+', 'kprobe', undefined, { target: 'ksyscall', ...RET }),
  def('usdt+', 'kprobe', undefined, { target: 'usdt', usdt: true }),
  def('usdt.s+', 'kprobe', undefined, { target: 'usdt', usdt: true, ...S }),
  def('tc/ingress', 'sched_cls', 'tcx_ingress'),
  def('tc/egress', 'sched_cls', 'tcx_egress'),
  def('tcx/ingress', 'sched_cls', 'tcx_ingress'),
  def('tcx/egress', 'sched_cls', 'tcx_egress'),
  def('tc', 'sched_cls'),
  def('classifier', 'sched_cls'),
  def('action', 'sched_act'),
  def('netkit/primary', 'sched_cls', 'netkit_primary'),
  def('netkit/peer', 'sched_cls', 'netkit_peer'),
  def('tracepoint+', 'tracepoint', undefined, { target: 'tracepoint' }),
  def('tp+', 'tracepoint', undefined, { target: 'tracepoint' }),
  def('tracepoint.s+', 'tracepoint', undefined, { target: 'tracepoint', ...S }),
  def('tp.s+', 'tracepoint', undefined, { target: 'tracepoint', ...S }),
  def('raw_tracepoint+', 'raw_tracepoint', undefined, { target: 'raw_tracepoint' }),
  def('raw_tp+', 'raw_tracepoint', undefined, { target: 'raw_tracepoint' }),
  def('raw_tracepoint.s+', 'raw_tracepoint', undefined, { target: 'raw_tracepoint', ...S }),
  def('raw_tp.s+', 'raw_tracepoint', undefined, { target: 'raw_tracepoint', ...S }),
  def('raw_tracepoint.w+', 'raw_tracepoint_writable', undefined, { target: 'raw_tracepoint' }),
  def('raw_tp.w+', 'raw_tracepoint_writable', undefined, { target: 'raw_tracepoint' }),
  def('tp_btf+', 'tracing', 'trace_raw_tp', BTF_T),
  def('tp_btf.s+', 'tracing', 'trace_raw_tp', { ...BTF_T, ...S }),
  def('fentry+', 'tracing', 'trace_fentry', BTF_T),
  def('fmod_ret+', 'tracing', 'modify_return', BTF_T),
  def('fexit+', 'tracing', 'trace_fexit', BTF_T),
  def('fentry.s+', 'tracing', 'trace_fentry', { ...BTF_T, ...S }),
  def('fmod_ret.s+', 'tracing', 'modify_return', { ...BTF_T, ...S }),
  def('fexit.s+', 'tracing', 'trace_fexit', { ...BTF_T, ...S }),
  def('freplace+', 'ext', undefined, BTF_T),
  def('lsm+', 'lsm', 'lsm_mac', BTF_T),
  def('lsm.s+', 'lsm', 'lsm_mac', { ...BTF_T, ...S }),
  def('lsm_cgroup+', 'lsm', 'lsm_cgroup', BTF_T),
  def('iter+', 'tracing', 'trace_iter', BTF_T),
  def('iter.s+', 'tracing', 'trace_iter', { ...BTF_T, ...S }),
  def('syscall', 'syscall', undefined, S),
  def('xdp.frags/devmap', 'xdp', 'xdp_devmap', { xdpFrags: true }),
  def('xdp/devmap', 'xdp', 'xdp_devmap'),
  def('xdp.frags/cpumap', 'xdp', 'xdp_cpumap', { xdpFrags: true }),
  def('xdp/cpumap', 'xdp', 'xdp_cpumap'),
  def('xdp.frags', 'xdp', 'xdp', { xdpFrags: true }),
  def('xdp', 'xdp', 'xdp'),
  def('perf_event', 'perf_event'),
  def('lwt_in', 'lwt_in'),
  def('lwt_out', 'lwt_out'),
  def('lwt_xmit', 'lwt_xmit'),
  def('lwt_seg6local', 'lwt_seg6local'),
  def('sockops', 'sock_ops', 'cgroup_sock_ops'),
  def('sk_skb/stream_parser', 'sk_skb', 'sk_skb_stream_parser'),
  def('sk_skb/stream_verdict', 'sk_skb', 'sk_skb_stream_verdict'),
  def('sk_skb/verdict', 'sk_skb', 'sk_skb_verdict'),
  def('sk_skb', 'sk_skb'),
  def('sk_msg', 'sk_msg', 'sk_msg_verdict'),
  def('lirc_mode2', 'lirc_mode2', 'lirc_mode2'),
  def('flow_dissector', 'flow_dissector', 'flow_dissector'),
  def('cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress'),
  def('cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress'),
  def('cgroup/skb', 'cgroup_skb'),
  def('cgroup/sock_create', 'cgroup_sock', 'cgroup_inet_sock_create'),
  def('cgroup/sock_release', 'cgroup_sock', 'cgroup_inet_sock_release'),
  def('cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create'),
  def('cgroup/post_bind4', 'cgroup_sock', 'cgroup_inet4_post_bind'),
  def('cgroup/post_bind6', 'cgroup_sock', 'cgroup_inet6_post_bind'),
  def('cgroup/bind4', 'cgroup_sock_addr', 'cgroup_inet4_bind'),
  def('cgroup/bind6', 'cgroup_sock_addr', 'cgroup_inet6_bind'),
  def('cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect'),
  def('cgroup/connect6', 'cgroup_sock_addr', 'cgroup_inet6_connect'),
  def('cgroup/connect_unix', 'cgroup_sock_addr', 'cgroup_unix_connect'),
  def('cgroup/sendmsg4', 'cgroup_sock_addr', 'cgroup_udp4_sendmsg'),
  def('cgroup/sendmsg6', 'cgroup_sock_addr', 'cgroup_udp6_sendmsg'),
  def('cgroup/sendmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_sendmsg'),
  def('cgroup/recvmsg4', 'cgroup_sock_addr', 'cgroup_udp4_recvmsg'),
  def('cgroup/recvmsg6', 'cgroup_sock_addr', 'cgroup_udp6_recvmsg'),
  def('cgroup/recvmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_recvmsg'),
  def('cgroup/getpeername4', 'cgroup_sock_addr', 'cgroup_inet4_getpeername'),
  def('cgroup/getpeername6', 'cgroup_sock_addr', 'cgroup_inet6_getpeername'),
  def('cgroup/getpeername_unix', 'cgroup_sock_addr', 'cgroup_unix_getpeername'),
  def('cgroup/getsockname4', 'cgroup_sock_addr', 'cgroup_inet4_getsockname'),
  def('cgroup/getsockname6', 'cgroup_sock_addr', 'cgroup_inet6_getsockname'),
  def('cgroup/getsockname_unix', 'cgroup_sock_addr', 'cgroup_unix_getsockname'),
  def('cgroup/sysctl', 'cgroup_sysctl', 'cgroup_sysctl'),
  def('cgroup/getsockopt', 'cgroup_sockopt', 'cgroup_getsockopt'),
  def('cgroup/setsockopt', 'cgroup_sockopt', 'cgroup_setsockopt'),
  def('cgroup/dev', 'cgroup_device', 'cgroup_device'),
  def('struct_ops+', 'struct_ops', undefined, { target: 'struct_ops' }),
  def('struct_ops.s+', 'struct_ops', undefined, { target: 'struct_ops', ...S }),
  def('sk_lookup', 'sk_lookup', 'sk_lookup'),
  def('netfilter', 'netfilter', 'netfilter'),
  // tsbpf extension: see ProgTypeName.
  def('seccomp', 'seccomp'),
];

/** What a code section's name says about its programs. */
export interface SectionInfo {
  /** The section name as written, including a leading '?'. */
  section: string;
  def: SectionDef;
  type: ProgTypeName;
  attachType?: AttachTypeName;
  attachTarget?: AttachTarget;
  isReturn: boolean;
  sleepable: boolean;
  xdpFrags: boolean;
  /** libbpf's SEC("?name"): the program is not loaded unless asked for. */
  autoload: boolean;
}

function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith('/')) return name.startsWith(pattern);
  if (pattern.endsWith('+')) {
    const stem = pattern.slice(0, -1);
    return name === stem || name.startsWith(stem + '/');
  }
  return name === pattern;
}

export function findSectionDef(name: string): SectionDef | undefined {
  return SECTION_DEFS.find((d) => matches(d.pattern, name));
}

/** Data and metadata sections that never hold programs, even when marked executable by mistake. */
export function isDataSectionName(name: string): boolean {
  return name.startsWith('.') || name === 'license' || name === 'version' || name === 'maps';
}

function badName(section: string, why: string): BpfError {
  return new BpfError('EINVAL', `sec '${section}': ${why}`);
}

function parseOffset(section: string, s: string): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : /^[0-9]+$/.test(s) ? parseInt(s, 10) : NaN;
  if (!Number.isSafeInteger(n)) throw badName(section, `'${s}' is not an offset (decimal or 0x hex)`);
  return n;
}

/** The text after 'prefix/', or undefined for a bare 'prefix' (a target given at attach time). */
function targetText(def: SectionDef, name: string): string | undefined {
  if (!def.pattern.endsWith('+')) return undefined;
  const stem = def.pattern.slice(0, -1);
  return name.length > stem.length ? name.slice(stem.length + 1) : undefined;
}

/** kprobe/FUNC or kprobe/FUNC+OFF. */
function parseKprobe(section: string, t: string): AttachTarget {
  const m = /^([^+]+)(?:\+(.+))?$/.exec(t);
  if (!m) throw badName(section, `kprobe target '${t}' is not FUNC or FUNC+OFFSET`);
  return { kind: 'kprobe', func: m[1]!, offset: m[2] === undefined ? 0 : parseOffset(section, m[2]) };
}

/** uprobe/PATH:FUNC[+OFF] or uprobe/PATH:OFF. The path ends at the first ':', as in libbpf. */
function parseUprobe(section: string, t: string): AttachTarget {
  const colon = t.indexOf(':');
  if (colon <= 0 || colon === t.length - 1) {
    throw badName(section, `uprobe target '${t}' is not BINARY:FUNCTION[+OFFSET] or BINARY:OFFSET`);
  }
  const path = t.slice(0, colon);
  const rest = t.slice(colon + 1);
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(rest)) return { kind: 'uprobe', path, offset: parseOffset(section, rest) };
  const plus = rest.indexOf('+');
  if (plus < 0) return { kind: 'uprobe', path, func: rest, offset: 0 };
  if (plus === 0) throw badName(section, `uprobe target '${t}' has an offset but no function`);
  return { kind: 'uprobe', path, func: rest.slice(0, plus), offset: parseOffset(section, rest.slice(plus + 1)) };
}

function parseTarget(section: string, def: SectionDef, t: string): AttachTarget {
  switch (def.target) {
    case 'kprobe': return parseKprobe(section, t);
    case 'kprobe_multi': return { kind: 'kprobe_multi', pattern: t };
    case 'ksyscall': return { kind: 'ksyscall', syscall: t };
    case 'uprobe': return parseUprobe(section, t);
    case 'uprobe_multi': {
      const colon = t.indexOf(':');
      if (colon <= 0 || colon === t.length - 1) throw badName(section, `uprobe.multi target '${t}' is not BINARY:PATTERN`);
      return { kind: 'uprobe_multi', path: t.slice(0, colon), pattern: t.slice(colon + 1) };
    }
    case 'usdt': {
      const parts = t.split(':');
      if (parts.length !== 3 || parts.some((p) => p === '')) throw badName(section, `usdt target '${t}' is not BINARY:PROVIDER:NAME`);
      return { kind: 'usdt', path: parts[0]!, provider: parts[1]!, name: parts[2]! };
    }
    case 'tracepoint': {
      const slash = t.indexOf('/');
      if (slash <= 0 || slash === t.length - 1) throw badName(section, `tracepoint target '${t}' is not CATEGORY/NAME`);
      return { kind: 'tracepoint', category: t.slice(0, slash), name: t.slice(slash + 1) };
    }
    case 'raw_tracepoint': return { kind: 'raw_tracepoint', name: t };
    case 'btf': return { kind: 'btf', name: t };
    case 'struct_ops': return { kind: 'struct_ops', member: t };
    default: throw badName(section, `takes no attach target after '/'`);
  }
}

/**
 * What a section name says, or undefined when no row matches (the caller decides whether that is an
 * error: it is for a section holding code).
 */
export function parseSectionName(section: string): SectionInfo | undefined {
  const autoload = !section.startsWith('?');
  const name = autoload ? section : section.slice(1);
  const d = findSectionDef(name);
  if (!d) return undefined;
  const t = targetText(d, name);
  const info: SectionInfo = {
    section,
    def: d,
    type: d.type,
    isReturn: d.isReturn ?? false,
    sleepable: d.sleepable ?? false,
    xdpFrags: d.xdpFrags ?? false,
    autoload,
  };
  if (d.attachType !== undefined) info.attachType = d.attachType;
  if (t !== undefined) {
    if (t === '') throw badName(section, `empty attach target after '/'`);
    info.attachTarget = parseTarget(section, d, t);
  }
  return info;
}

/** Like parseSectionName, but an unknown name is libbpf's error. */
export function sectionInfoOrThrow(section: string, file?: string): SectionInfo {
  const info = parseSectionName(section);
  if (info) return info;
  throw new BpfError(
    'EINVAL',
    `${file ? file + ': ' : ''}sec '${section}': failed to guess program type from the section name; use a SEC() name libbpf knows (e.g. "xdp", "tc", "kprobe/FUNC", "tracepoint/CAT/NAME")`,
    file ? { file } : {},
  );
}
