/**
 * A perf_event program on a sampling event on every online CPU: by default the software CPU clock
 * (PERF_COUNT_SW_CPU_CLOCK, which needs no hardware PMU, so it works in VMs) at `frequency` samples
 * a second. One perf event and one BPF link per CPU; close() detaches them all.
 */
import { BpfError } from '../../errors.js';
import type { KernelProgram } from '../kernel-program.js';
import { closeFd } from '../syscall.js';
import { onlineCpus } from '../events/online-cpus.js';
import { LinkAttachment, PERF_EVENT_ATTACH, linkCreate } from './link.js';
import { PERF_COUNT_SW, PERF_TYPE, perfEventOpen } from './perf-event.js';

export interface PerfSamplingOptions {
  /** Samples a second on each CPU (default 99), or use `period`. */
  frequency?: number;
  /** Events between samples instead of a frequency. */
  period?: number;
  /** Event type and config (default: software CPU clock). */
  type?: number;
  config?: number;
  /** Only these CPUs (default: every online CPU). */
  cpus?: readonly number[];
}

export function attachPerfEvent(prog: KernelProgram, opts: PerfSamplingOptions = {}): LinkAttachment {
  if (prog.type !== 'perf_event') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; sampling takes a perf_event program (SEC("perf_event"))`);
  const type = opts.type ?? PERF_TYPE.SOFTWARE;
  const config = opts.config ?? PERF_COUNT_SW.CPU_CLOCK;
  const freq = opts.period === undefined;
  const rate = BigInt(freq ? opts.frequency ?? 99 : opts.period!);
  const target = `perf event type ${type} config ${config} ${freq ? `at ${rate} Hz` : `every ${rate} events`}`;
  const events: number[] = [];
  const links: number[] = [];
  try {
    for (const cpu of opts.cpus ?? onlineCpus()) {
      const pfd = perfEventOpen({ type, config: BigInt(config), samplePeriod: rate, freq }, -1, cpu, `${target} on CPU ${cpu}`, {
        ENOENT: 'this CPU or kernel has no such event (hardware events need a PMU: VMs often lack one; use the software CPU clock)',
      });
      events.push(pfd);
      links.push(linkCreate({ progFd: prog.fd, target: pfd, attachType: PERF_EVENT_ATTACH }, `program '${prog.name}' on ${target} on CPU ${cpu}`));
    }
  } catch (e) {
    for (const fd of [...links, ...events]) closeFd(fd);
    throw e;
  }
  return new LinkAttachment(target, links, events);
}
