/**
 * The kernel's helpers, as one table built from the groups below (one file per area). Each entry
 * carries the kernel's prototype (argument and return kinds of its bpf_func_proto), so the
 * verifier can check calls against it, and an implementation over the VM's runtime services.
 *
 * Where the kernel has one proto per program type (perf_event_output, get_stackid, get_func_ip,
 * redirect), the argument kinds agree across them: `proto` names the tracing or tc one, and the
 * implementation follows the run (its program type, whether it has PacketOps).
 */
import { HelperRegistry, type HelperDef } from './registry.js';
import { mapHelpers } from './maps.js';
import { timeHelpers } from './time.js';
import { taskHelpers } from './task.js';
import { traceHelpers } from './trace.js';
import { probeHelpers } from './probe.js';
import { ringbufHelpers } from './ringbuf.js';
import { perfHelpers } from './perf.js';
import { packetHelpers } from './packet.js';
import { redirectHelpers } from './redirect.js';
import { tailCallHelpers } from './tailcall.js';
import { callbackHelpers } from './callbacks.js';
import { lockHelpers } from './lock.js';
import { stringHelpers } from './strings.js';
import { stackHelpers } from './stack.js';

/** Every helper tsbpf implements, by area. */
export const HELPER_GROUPS = {
  maps: mapHelpers,
  time: timeHelpers,
  task: taskHelpers,
  trace: traceHelpers,
  probe: probeHelpers,
  ringbuf: ringbufHelpers,
  perf: perfHelpers,
  packet: packetHelpers,
  redirect: redirectHelpers,
  tailcall: tailCallHelpers,
  callbacks: callbackHelpers,
  lock: lockHelpers,
  strings: stringHelpers,
  stack: stackHelpers,
} as const satisfies Record<string, readonly HelperDef[]>;

export const KERNEL_HELPERS: readonly HelperDef[] = Object.values(HELPER_GROUPS).flat();

/** A registry with every kernel helper tsbpf implements (a new one each call: callers may add to it). */
export function kernelHelpers(): HelperRegistry {
  return new HelperRegistry(KERNEL_HELPERS);
}

export { HelperRegistry } from './registry.js';
export type { HelperArgKind, HelperCall, HelperDef, HelperImpl, HelperRetKind } from './registry.js';
export { ERRNO, errnoName, negErrno, type ErrnoName } from './errno.js';
export { bprintf, MAX_BPRINTF_BIN_ARGS, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, type FormatMemory, type FormatOutcome } from './format.js';
export { csumDiff, csumFold, csumPartial, csumReplace2, csumReplace4, csumReplaceByDiff, internetChecksum } from './csum.js';
export { traceLine, TRACE_FLAGS, DEFAULT_TRACE_FLAGS, FUNC_IP } from './trace.js';
export { KERNEL_STACK, USER_STACK, syntheticStack } from './stack.js';
export { BPF_MAX_LOOPS } from './callbacks.js';
export { XDP_REDIRECT, TC_ACT_REDIRECT, XDP_ABORTED, TC_ACT_SHOT } from './redirect.js';
export { BPF_F_CTXLEN_MASK } from './perf.js';
