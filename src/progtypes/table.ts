/**
 * One row per program type: its kernel id, its context, the helpers it may call, what its return
 * value means, and how BPF_PROG_TEST_RUN treats it. Adding a type is adding a row here (and a file
 * when its test run is a new kind).
 */
import { BpfError } from '../errors.js';
import { PROG_TYPE, type ProgTypeName } from '../elf/sections.js';
import {
  PERF_EVENT_LAYOUT, PT_REGS_LAYOUT, RAW_TP_LAYOUT, SECCOMP_LAYOUT, SKB_CGROUP, SKB_SOCKET_FILTER, SKB_TC,
  TRACEPOINT_LAYOUT, TRACING_LAYOUT, XDP_MD_LAYOUT, type ContextLayout,
} from './context.js';
import { HELPER_SETS } from './helper-sets.js';
import {
  cgroupSkbVerdict, ignoredVerdict, lsmVerdict, seccompVerdict, socketFilterVerdict, tcVerdict,
  traceFilterVerdict, xdpVerdict, type Verdict,
} from './verdicts.js';

/**
 * How BPF_PROG_TEST_RUN runs a type (net/bpf/test_run.c):
 *  - xdp: an XDP buffer from data_in;
 *  - skb-l2: a socket buffer with skb->data at the Ethernet header (tc);
 *  - skb-l3: a socket buffer with the Ethernet header pulled (socket filters, cgroup_skb);
 *  - raw_tp: ctx_in as the u64 arguments, no data, no repeat;
 *  - tracing: the kernel calls its test functions, which run the program only if attached;
 *  - context: (tsbpf) ctx_in is the whole context, as for seccomp filters;
 *  - unsupported: the kernel has no test run for the type (ENOTSUPP).
 */
export type TestRunKind = 'xdp' | 'skb-l2' | 'skb-l3' | 'raw_tp' | 'tracing' | 'context' | 'unsupported';

export interface ProgTypeInfo {
  readonly name: ProgTypeName;
  /** enum bpf_prog_type; undefined for tsbpf's own types (seccomp). */
  readonly kernelId: number | undefined;
  /** The C type of the context argument. */
  readonly contextName: string;
  readonly context: ContextLayout;
  /** Helper ids the type may call (sorted). */
  readonly helpers: readonly number[];
  readonly verdict: (retval: number) => Verdict;
  readonly testRun: TestRunKind;
  /** One line on what the return value means. */
  readonly returns: string;
  /**
   * The values the verifier lets the program return (check_return_code), inclusive, when it checks
   * them at all: `byAttach` for an expected attach type, else `any`.
   */
  readonly returnRange?: ReturnRanges;
}

export interface RetRange {
  readonly min: number;
  readonly max: number;
}

export interface ReturnRanges {
  readonly any?: RetRange;
  readonly byAttach?: Readonly<Partial<Record<string, RetRange>>>;
}

/** The allowed return values of a program of `type` attached as `attachType`, or undefined if any value goes. */
export function returnRangeOf(type: string, attachType?: string): RetRange | undefined {
  const r = findProgType(type)?.returnRange;
  if (!r) return undefined;
  return (attachType !== undefined ? r.byAttach?.[attachType] : undefined) ?? r.any;
}

function row(name: ProgTypeName, context: ContextLayout, verdict: (r: number) => Verdict, testRun: TestRunKind, returns: string, returnRange?: ReturnRanges): ProgTypeInfo {
  const helpers = (HELPER_SETS as Readonly<Record<string, readonly number[]>>)[name];
  if (!helpers) throw new Error(`progtypes/table: no helper set for ${name}`);
  const kernelId = name === 'seccomp' ? undefined : PROG_TYPE[name];
  return { name, kernelId, contextName: context.name, context, helpers, verdict, testRun, returns, ...(returnRange ? { returnRange } : {}) };
}

export const PROG_TYPES: readonly ProgTypeInfo[] = [
  row('socket_filter', SKB_SOCKET_FILTER, socketFilterVerdict, 'skb-l3', 'bytes of the packet to keep; 0 drops it'),
  row('kprobe', PT_REGS_LAYOUT, traceFilterVerdict, 'unsupported', '0 filters the event out, anything else records it'),
  row('sched_cls', SKB_TC, tcVerdict, 'skb-l2', 'a TC_ACT_* code (direct action)'),
  row('sched_act', SKB_TC, tcVerdict, 'skb-l2', 'a TC_ACT_* code'),
  row('tracepoint', TRACEPOINT_LAYOUT, traceFilterVerdict, 'unsupported', '0 filters the event out, anything else records it'),
  row('xdp', XDP_MD_LAYOUT, xdpVerdict, 'xdp', 'an XDP action: ABORTED 0, DROP 1, PASS 2, TX 3, REDIRECT 4'),
  row('perf_event', PERF_EVENT_LAYOUT, traceFilterVerdict, 'unsupported', '0 discards the sample, anything else keeps it'),
  row('cgroup_skb', SKB_CGROUP, cgroupSkbVerdict, 'skb-l3', '1 allows the packet, 0 drops it (egress: bit 1 notifies congestion)',
    { any: { min: 0, max: 1 }, byAttach: { cgroup_inet_egress: { min: 0, max: 3 } } }),
  row('raw_tracepoint', RAW_TP_LAYOUT, ignoredVerdict, 'raw_tp', 'ignored'),
  row('tracing', TRACING_LAYOUT, ignoredVerdict, 'tracing', 'ignored (fentry, fexit); the new return value (fmod_ret)',
    { byAttach: { trace_fentry: { min: 0, max: 0 }, trace_fexit: { min: 0, max: 0 } } }),
  row('lsm', TRACING_LAYOUT, lsmVerdict, 'unsupported', '0 allows the operation, a negative errno denies it'),
  row('seccomp', SECCOMP_LAYOUT, seccompVerdict, 'context', 'a SECCOMP_RET_* action with its data in the low 16 bits'),
];

const BY_NAME = new Map<string, ProgTypeInfo>(PROG_TYPES.map((t) => [t.name, t]));

export function findProgType(name: string): ProgTypeInfo | undefined {
  return BY_NAME.get(name);
}

export function progTypeInfo(name: string): ProgTypeInfo {
  const t = BY_NAME.get(name);
  if (t) return t;
  const known = PROG_TYPES.map((x) => x.name).join(', ');
  throw new BpfError('EINVAL', name === 'unspec'
    ? `the program has no type (loaded without a section name): say which type it is (${known})`
    : `program type '${name}' is not supported by tsbpf's program types (supported: ${known})`);
}

/** The verdict of a return value for a program type. */
export function verdictOf(type: string, retval: number): Verdict {
  return progTypeInfo(type).verdict(retval);
}

/** Whether a type may call helper `id`. */
export function helperAllowed(type: string, id: number): boolean {
  return progTypeInfo(type).helpers.includes(id);
}
