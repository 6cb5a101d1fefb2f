/**
 * kprobes and uprobes through their dynamic PMUs (/sys/bus/event_source/devices/{kprobe,uprobe}):
 * perf_event_open with the PMU's type, the retprobe bit its format file names, and the target in
 * config1/config2 (kprobe: function name + offset; uprobe: binary path + file offset, and the USDT
 * semaphore's file offset in config bits 32-63), then a BPF link over the perf event. No tracefs
 * kprobe_events / uprobe_events entries are made, so nothing is left behind if the process dies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BpfError } from '../../errors.js';
import type { KernelProgram } from '../kernel-program.js';
import { LinkAttachment, PERF_EVENT_ATTACH, closingOnError, linkCreate } from './link.js';
import { perfEventOpen } from './perf-event.js';
import { uprobeOffset } from './host-elf.js';

const PMU_DIR = '/sys/bus/event_source/devices';

interface Pmu {
  type: number;
  retprobeBit: number;
}

function pmu(kind: 'kprobe' | 'uprobe'): Pmu {
  const dir = `${PMU_DIR}/${kind}`;
  if (!existsSync(`${dir}/type`)) {
    throw new BpfError('EOPNOTSUPP', kind === 'kprobe'
      ? `this kernel has no kprobe support (CONFIG_KPROBE_EVENTS is off: there is no ${dir}); use a tracepoint (tracefs events/), a raw tracepoint, or fentry/fexit where the kernel allows them`
      : `this kernel has no uprobe support (CONFIG_UPROBE_EVENTS is off: there is no ${dir})`);
  }
  const type = Number(readFileSync(`${dir}/type`, 'utf8').trim());
  const m = /config:(\d+)/.exec(readFileSync(`${dir}/format/retprobe`, 'utf8'));
  return { type, retprobeBit: m ? Number(m[1]) : 0 };
}

function checkKprobeProgram(prog: KernelProgram, target: string): void {
  if (prog.type !== 'kprobe') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${target} takes a kprobe-type program (SEC("kprobe/..."), "uprobe/...", "usdt/...")`);
}

export interface KprobeOptions {
  retprobe?: boolean;
  offset?: number;
  cookie?: bigint;
}

/** A kprobe (or kretprobe) on kernel function `func`. */
export function attachKprobe(prog: KernelProgram, func: string, opts: KprobeOptions = {}): LinkAttachment {
  const target = `${opts.retprobe ? 'kretprobe' : 'kprobe'} ${func}${opts.offset ? `+${opts.offset}` : ''}`;
  checkKprobeProgram(prog, target);
  const p = pmu('kprobe');
  const config = opts.retprobe ? 1n << BigInt(p.retprobeBit) : 0n;
  const pfd = perfEventOpen({ type: p.type, config, path: func, config2: BigInt(opts.offset ?? 0), samplePeriod: 1n, wakeupEvents: 1 }, -1, 0, target, {
    ENOENT: `the kernel has no function '${func}' that can be probed (see /proc/kallsyms and ${'/sys/kernel/tracing'}/available_filter_functions)`,
    EINVAL: `'${func}' cannot be probed (blacklisted, inlined, or the offset is not an instruction boundary)`,
  });
  return closingOnError([pfd], () => new LinkAttachment(target, [linkCreate({ progFd: prog.fd, target: pfd, attachType: PERF_EVENT_ATTACH, cookie: opts.cookie ?? 0n }, `program '${prog.name}' on ${target}`)], [pfd]));
}

export interface UprobeOptions {
  retprobe?: boolean;
  /** Only this process (default: every process that maps the file). */
  pid?: number;
  /** bpf_get_attach_cookie() value. */
  cookie?: bigint;
  /** File offset of a USDT semaphore the kernel increments while the probe is attached. */
  refCtrOffset?: number;
}

/** Where a uprobe goes: a function (+ offset) by symbol, or a raw file offset. */
export type UprobeTarget = { func: string; offset?: number } | { fileOffset: number };

/** A uprobe (or uretprobe) in binary `path`. */
export function attachUprobe(prog: KernelProgram, path: string, at: UprobeTarget, opts: UprobeOptions = {}): LinkAttachment {
  const abs = resolve(path);
  const where = 'func' in at ? `${at.func}${at.offset ? `+${at.offset}` : ''}` : `0x${at.fileOffset.toString(16)}`;
  const target = `${opts.retprobe ? 'uretprobe' : 'uprobe'} ${abs}:${where}`;
  checkKprobeProgram(prog, target);
  const fileOffset = 'func' in at ? uprobeOffset(abs, at.func, at.offset ?? 0) : at.fileOffset;
  const p = pmu('uprobe');
  let config = opts.retprobe ? 1n << BigInt(p.retprobeBit) : 0n;
  if (opts.refCtrOffset) config |= BigInt(opts.refCtrOffset) << 32n; // PERF_UPROBE_REF_CTR_OFFSET_SHIFT
  const pid = opts.pid ?? -1;
  const pfd = perfEventOpen({ type: p.type, config, path: abs, config2: BigInt(fileOffset), samplePeriod: 1n, wakeupEvents: 1 }, pid, pid === -1 ? 0 : -1, target, {
    ENOENT: `${abs} does not exist or the offset is outside it`,
    EINVAL: `the kernel refused the probe point (offset 0x${fileOffset.toString(16)} is not an instruction, or the semaphore offset is wrong)`,
    ESRCH: `there is no process ${pid}`,
  });
  return closingOnError([pfd], () => new LinkAttachment(target, [linkCreate({ progFd: prog.fd, target: pfd, attachType: PERF_EVENT_ATTACH, cookie: opts.cookie ?? 0n }, `program '${prog.name}' on ${target}`)], [pfd]));
}
