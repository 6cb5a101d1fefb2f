/**
 * What a program's return value means for its type. `name` is a stable category to count by
 * (XDP_PASS, TC_ACT_SHOT, KEEP, SECCOMP_RET_ERRNO...); `description` says it in full (how many
 * bytes a socket filter keeps, which errno a seccomp filter returns).
 */

export interface Verdict {
  readonly name: string;
  readonly description: string;
}

export const XDP_ACTION = { XDP_ABORTED: 0, XDP_DROP: 1, XDP_PASS: 2, XDP_TX: 3, XDP_REDIRECT: 4 } as const;

/** TC_ACT_* (linux/pkt_cls.h). UNSPEC is -1: the retval 0xffffffff. */
export const TC_ACT = {
  TC_ACT_UNSPEC: -1, TC_ACT_OK: 0, TC_ACT_RECLASSIFY: 1, TC_ACT_SHOT: 2, TC_ACT_PIPE: 3,
  TC_ACT_STOLEN: 4, TC_ACT_QUEUED: 5, TC_ACT_REPEAT: 6, TC_ACT_REDIRECT: 7, TC_ACT_TRAP: 8,
} as const;

/** SECCOMP_RET_* actions (linux/seccomp.h): the upper 16 bits of the return value. */
export const SECCOMP_RET = {
  SECCOMP_RET_KILL_PROCESS: 0x80000000, SECCOMP_RET_KILL_THREAD: 0x00000000, SECCOMP_RET_TRAP: 0x00030000,
  SECCOMP_RET_ERRNO: 0x00050000, SECCOMP_RET_USER_NOTIF: 0x7fc00000, SECCOMP_RET_TRACE: 0x7ff00000,
  SECCOMP_RET_LOG: 0x7ffc0000, SECCOMP_RET_ALLOW: 0x7fff0000,
} as const;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

function invert(o: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(o).map(([k, v]) => [v, k]));
}
const XDP_NAMES = invert(XDP_ACTION);
const TC_NAMES = invert(TC_ACT);
const SECCOMP_NAMES = invert(SECCOMP_RET);

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** XDP: the action; anything else is an invalid action, which drivers treat as XDP_ABORTED. */
export function xdpVerdict(retval: number): Verdict {
  const name = XDP_NAMES.get(retval >>> 0);
  if (name) return { name, description: name };
  return { name: 'XDP_INVALID', description: `invalid XDP action ${retval >>> 0} (handled as XDP_ABORTED)` };
}

/** tc (cls_bpf in direct-action mode, act_bpf): a TC_ACT_* code, read as a signed int. */
export function tcVerdict(retval: number): Verdict {
  const name = TC_NAMES.get(retval | 0);
  if (name) return { name, description: name };
  return { name: 'TC_ACT_UNKNOWN', description: `unknown tc action ${retval | 0}` };
}

/** Socket filter: how many bytes of the packet to keep; 0 drops it. */
export function socketFilterVerdict(retval: number): Verdict {
  const n = retval >>> 0;
  if (n === 0) return { name: 'DROP', description: 'drop the packet' };
  return { name: 'KEEP', description: n === 0xffffffff ? 'keep the whole packet' : `keep at most ${n} bytes` };
}

/** cgroup_skb: bit 0 allows the packet; on egress bit 1 asks for congestion notification. */
export function cgroupSkbVerdict(retval: number): Verdict {
  switch (retval >>> 0) {
    case 0: return { name: 'DROP', description: 'drop the packet' };
    case 1: return { name: 'ALLOW', description: 'allow the packet' };
    case 2: return { name: 'DROP_CN', description: 'drop the packet and notify congestion (egress)' };
    case 3: return { name: 'ALLOW_CN', description: 'allow the packet and notify congestion (egress)' };
    default: return { name: 'INVALID', description: `invalid cgroup_skb return value ${retval >>> 0} (the verifier allows 0..3)` };
  }
}

/** seccomp: the action in the upper 16 bits, its data (an errno, a tracer's value) in the lower. */
export function seccompVerdict(retval: number): Verdict {
  const v = retval >>> 0;
  const action = (v & SECCOMP_RET_ACTION_FULL) >>> 0;
  const data = v & SECCOMP_RET_DATA;
  const name = SECCOMP_NAMES.get(action);
  if (!name) {
    return { name: 'SECCOMP_RET_KILL_PROCESS', description: `unknown action ${hex(action)} (the kernel kills the process)` };
  }
  const withData = name === 'SECCOMP_RET_ERRNO' || name === 'SECCOMP_RET_TRAP' || name === 'SECCOMP_RET_TRACE' || name === 'SECCOMP_RET_USER_NOTIF';
  return { name, description: withData ? `${name}(${data})` : name };
}

/** kprobe, tracepoint, perf_event: 0 filters the event out, anything else lets it be recorded. */
export function traceFilterVerdict(retval: number): Verdict {
  return (retval >>> 0) === 0
    ? { name: 'FILTERED', description: 'the event is filtered out' }
    : { name: 'RECORDED', description: 'the event is recorded' };
}

/** raw tracepoints, fentry, fexit: the return value is ignored. */
export function ignoredVerdict(retval: number): Verdict {
  return { name: 'IGNORED', description: `return value ${retval | 0} (ignored by the kernel)` };
}

/** LSM hooks: 0 allows the operation, a negative errno denies it. */
export function lsmVerdict(retval: number): Verdict {
  const v = retval | 0;
  return v === 0 ? { name: 'ALLOW', description: 'allow the operation' } : { name: 'DENY', description: `deny the operation with ${v}` };
}
