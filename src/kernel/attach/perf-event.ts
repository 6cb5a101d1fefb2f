/**
 * perf_event_open(2) with a struct perf_event_attr laid out as include/uapi/linux/perf_event.h
 * lays it out (PERF_ATTR_SIZE_VER8, 136 bytes), and the ioctls on the fd it returns. Tracepoints,
 * kprobes, uprobes, software sampling and the perf buffer all start here; what differs is the
 * event type and config.
 */
import { errnoName, kernelError, type KernelError } from '../errors.js';
import { withScratch } from '../native.js';
import { adoptFd, closeFd, host } from '../syscall.js';

/** enum perf_type_id (dynamic PMUs such as kprobe and uprobe have their type in sysfs). */
export const PERF_TYPE = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 } as const;

/** enum perf_sw_ids. */
export const PERF_COUNT_SW = { CPU_CLOCK: 0, TASK_CLOCK: 1, PAGE_FAULTS: 2, CONTEXT_SWITCHES: 3, BPF_OUTPUT: 10 } as const;

/** PERF_SAMPLE_RAW: the sample carries the bytes bpf_perf_event_output() gave. */
export const PERF_SAMPLE_RAW = 1 << 10;

/** The ioctls (_IO('$', n) and _IOW('$', 8, __u32)). */
export const PERF_IOC = { ENABLE: 0x2400, DISABLE: 0x2401, SET_BPF: 0x40042408 } as const;

const ATTR_SIZE = 136;
/** Bits of the flags word at offset 40. */
const FLAG = { disabled: 1n << 0n, freq: 1n << 10n, watermark: 1n << 14n } as const;
const PERF_FLAG_FD_CLOEXEC = 8;

export interface PerfEventAttr {
  type: number;
  config?: bigint;
  /** sample_period, or sample_freq when `freq` is set. */
  samplePeriod?: bigint;
  freq?: boolean;
  sampleType?: number;
  /** Samples (or, with `watermark`, bytes) between wakeups. */
  wakeupEvents?: number;
  disabled?: boolean;
  /** config1: kprobe_func / uprobe_path, a pointer to a C string. */
  path?: string;
  /** config2: kprobe_addr / probe_offset. */
  config2?: bigint;
}

/**
 * perf_event_open: the fd (adopted: closeFd closes it) or a KernelError saying what failed.
 * `what` names the event for the message; `reasons` maps errno names to explanations.
 */
export function perfEventOpen(a: PerfEventAttr, pid: number, cpu: number, what: string, reasons: Partial<Record<string, string>> = {}): number {
  const r = withScratch((s) => {
    const mem = s.alloc(ATTR_SIZE);
    const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, ATTR_SIZE);
    dv.setUint32(0, a.type, true);
    dv.setUint32(4, ATTR_SIZE, true);
    dv.setBigUint64(8, a.config ?? 0n, true);
    dv.setBigUint64(16, a.samplePeriod ?? 0n, true);
    dv.setBigUint64(24, BigInt(a.sampleType ?? 0), true);
    let flags = 0n;
    if (a.disabled) flags |= FLAG.disabled;
    if (a.freq) flags |= FLAG.freq;
    dv.setBigUint64(40, flags, true);
    dv.setUint32(48, a.wakeupEvents ?? 0, true);
    if (a.path !== undefined) dv.setBigUint64(56, s.cString(a.path).addr, true);
    dv.setBigUint64(64, a.config2 ?? 0n, true);
    return host().perfEventOpen(mem.bytes, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  });
  if (r < 0) throw perfError(-r, what, reasons);
  return adoptFd(r);
}

export function perfError(errno: number, what: string, reasons: Partial<Record<string, string>> = {}): KernelError {
  const name = errnoName(errno);
  const generic: Record<string, string> = {
    EACCES: 'perf events need root or CAP_PERFMON (check kernel.perf_event_paranoid)',
    EPERM: 'perf events need root or CAP_PERFMON (check kernel.perf_event_paranoid and lockdown)',
    ENOENT: 'the kernel does not know this event (type/config)',
    ENODEV: 'this event does not exist on this CPU',
    EMFILE: 'the process has too many open file descriptors',
  };
  return kernelError('perf_event_open', errno, what, reasons[name] ?? generic[name]);
}

/** An ioctl on a perf event fd that throws on failure. */
export function perfIoctl(fd: number, request: number, arg: number, what: string): void {
  const r = host().ioctl(fd, request, arg);
  if (r < 0) throw kernelError('ioctl', -r, what, undefined);
}

/** Close a perf event fd opened here (no-op when it was closed already). */
export function closePerfEvent(fd: number): void {
  closeFd(fd);
}
