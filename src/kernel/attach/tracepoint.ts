/**
 * Tracepoints, classic and raw. A classic tracepoint is a perf event of PERF_TYPE_TRACEPOINT whose
 * config is the id tracefs gives it; the program is attached to that event with a BPF link
 * (BPF_LINK_CREATE, attach type BPF_PERF_EVENT, since 5.15), which detaches when closed, unlike
 * PERF_EVENT_IOC_SET_BPF. One event opened with pid -1 on CPU 0 fires for every task on every CPU:
 * tracepoint events with a BPF program run the program wherever the tracepoint is hit.
 * A raw tracepoint needs no perf event: BPF_RAW_TRACEPOINT_OPEN names it.
 */
import { BpfError } from '../../errors.js';
import type { KernelProgram } from '../kernel-program.js';
import { LinkAttachment, PERF_EVENT_ATTACH, closingOnError, linkCreate, rawTracepointOpen } from './link.js';
import { PERF_TYPE, perfEventOpen } from './perf-event.js';
import { tracefsRoot, tracepointId } from './tracefs.js';

/** A program of type tracepoint on tracepoint `category/name` ("syscalls", "sys_enter_execve"). */
export function attachTracepoint(prog: KernelProgram, category: string, name: string): LinkAttachment {
  const target = `tracepoint ${category}/${name}`;
  if (prog.type !== 'tracepoint') {
    throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${target} takes a tracepoint program (SEC("tracepoint/${category}/${name}"))`);
  }
  const id = tracepointId(category, name);
  const pfd = perfEventOpen({ type: PERF_TYPE.TRACEPOINT, config: BigInt(id), samplePeriod: 1n, wakeupEvents: 1 }, -1, 0, target);
  return closingOnError([pfd], () => {
    const link = linkCreate({ progFd: prog.fd, target: pfd, attachType: PERF_EVENT_ATTACH }, `program '${prog.name}' on ${target}`);
    return new LinkAttachment(target, [link], [pfd]);
  });
}

/** A raw_tracepoint program on the kernel tracepoint `name` (e.g. "sys_enter", "sched_switch"). */
export function attachRawTracepoint(prog: KernelProgram, name: string): LinkAttachment {
  const target = `raw tracepoint ${name}`;
  const link = rawTracepointOpen(prog.fd, name, `program '${prog.name}' on ${target}`, {
    ENOENT: `the kernel has no tracepoint '${name}' (raw tracepoint names are the event names without the category: see ${tracefsRootOrDefault()}/available_events)`,
    EINVAL: `program '${prog.name}' is not a raw_tracepoint program, or '${name}' cannot take it`,
  });
  return new LinkAttachment(target, [link]);
}

function tracefsRootOrDefault(): string {
  try {
    return tracefsRoot();
  } catch {
    return '/sys/kernel/tracing';
  }
}
