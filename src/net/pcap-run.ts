/**
 * Run a packet program over a capture, packet by packet in order, each packet set up exactly as
 * BPF_PROG_TEST_RUN would set up data_in (src/progtypes): the program is loaded once, maps keep
 * their contents from packet to packet.
 *
 * What goes to the output capture (--pcap-out), each frame with its original timestamp:
 *  - xdp: XDP_PASS, XDP_TX and XDP_REDIRECT frames as the program left them (from data, without
 *    metadata); XDP_DROP, XDP_ABORTED and invalid actions are not written;
 *  - sched_cls/sched_act: the frame as the program left it, unless the action consumed it
 *    (TC_ACT_SHOT, TC_ACT_STOLEN, TC_ACT_QUEUED, TC_ACT_TRAP);
 *  - socket_filter: not written when the filter returns 0; otherwise the original Ethernet header
 *    and the first retval bytes of the packet from layer 3 (the filter's view, where the kernel
 *    trims), the record keeping the packet's original length, like a snapshot length;
 *  - cgroup_skb: the packet unchanged when allowed (1, 3), not written when dropped (0, 2).
 * Frames the kernel's test run would refuse (shorter than an Ethernet header, too short for
 * their IPv4/IPv6 header, longer than a test run takes) are skipped and counted.
 */
import { BpfError } from '../errors.js';
import type { TraceFn } from '../vm/interpreter.js';
import type { Vm, VmProgram } from '../vm/runtime.js';
import { type ProgTypeName } from '../elf/sections.js';
import { checkHelpers } from '../progtypes/test-run.js';
import { progTypeInfo, type ProgTypeInfo } from '../progtypes/table.js';
import { SkbTestBuffer, ETH_HLEN } from '../progtypes/skb.js';
import { XdpTestBuffer } from '../progtypes/xdp.js';
import { freshBytes } from '../vm/fresh-bytes.js';
import type { NetDevice } from '../progtypes/devices.js';
import { LINKTYPE_ETHERNET, readCapture, type CapturedPacket } from './pcap.js';

export interface PcapRunOptions {
  /** The program type, when the program has none. */
  type?: ProgTypeName;
  devices?: readonly NetDevice[];
  budget?: number;
  trace?: TraceFn;
}

export interface PacketResult {
  /** The packet's index in the capture. */
  index: number;
  retval: number;
  verdict: string;
  /** Whether the packet went to the output. */
  written: boolean;
}

export interface SkippedPacket {
  index: number;
  reason: string;
}

export interface PcapRunResult {
  /** Packets per verdict name (XDP_PASS, TC_ACT_SHOT, KEEP, ALLOW...). */
  verdicts: Record<string, number>;
  /** Packets the kernel's test run would refuse, not run. */
  skipped: number;
  skippedPackets: SkippedPacket[];
  /** The output frames, with their original timestamps (see the file comment for which). */
  packets: CapturedPacket[];
  results: PacketResult[];
  /** Wall-clock nanoseconds of all the runs together. */
  durationNs: number;
  /** Instructions executed over all packets. */
  insns: number;
}

const TC_CONSUMED = new Set(['TC_ACT_SHOT', 'TC_ACT_STOLEN', 'TC_ACT_QUEUED', 'TC_ACT_TRAP']);

/** What one packet's run gave: the verdict and the frame to write, if any. */
interface FrameOutcome {
  retval: number;
  insns: number;
  out: Uint8Array | undefined;
}

function runXdp(vm: Vm, prog: VmProgram, info: ProgTypeInfo, frame: Uint8Array, opts: PcapRunOptions): FrameOutcome {
  const buf = new XdpTestBuffer(frame, { devices: opts.devices });
  const { result } = vm.run(prog, (run) => buf.setup(run), { budget: opts.budget, trace: opts.trace });
  const retval = Number(result.r0 & 0xffffffffn);
  const name = info.verdict(retval).name;
  const keep = name === 'XDP_PASS' || name === 'XDP_TX' || name === 'XDP_REDIRECT';
  let out: Uint8Array | undefined;
  if (keep) {
    // (Copied again below for the result.)
    const whole = buf.dataOut(freshBytes);
    out = whole.subarray(buf.data - buf.meta);
  }
  buf.release();
  return { retval, insns: result.insns, out };
}

function runSkb(vm: Vm, prog: VmProgram, info: ProgTypeInfo, frame: Uint8Array, opts: PcapRunOptions, l2: boolean): FrameOutcome {
  const skb = new SkbTestBuffer(frame, { l2, devices: opts.devices });
  const qm = skb.queueMapping;
  const { result } = vm.run(prog, (run) => skb.setup(run), { budget: opts.budget, trace: opts.trace });
  skb.settle(qm);
  const retval = Number(result.r0 & 0xffffffffn);
  const name = info.verdict(retval).name;
  let out: Uint8Array | undefined;
  switch (info.name) {
    case 'socket_filter': {
      if (retval === 0) break;
      const keep = Math.min(retval >>> 0, skb.len);
      out = freshBytes(ETH_HLEN + keep);
      out.set(frame.subarray(0, ETH_HLEN));
      out.set(skb.bytes().subarray(0, keep), ETH_HLEN);
      break;
    }
    case 'cgroup_skb':
      if (name === 'ALLOW' || name === 'ALLOW_CN') out = frame;
      break;
    default:
      if (!TC_CONSUMED.has(name)) out = skb.dataOut(freshBytes);
  }
  return { retval, insns: result.insns, out };
}

/** Run `prog` over every packet of a pcap or pcapng capture. */
export function runPcap(vm: Vm, prog: VmProgram, captureBytes: Uint8Array, opts: PcapRunOptions = {}): PcapRunResult {
  const info = progTypeInfo(opts.type ?? prog.type);
  if (info.testRun !== 'xdp' && info.testRun !== 'skb-l2' && info.testRun !== 'skb-l3') {
    throw new BpfError('EINVAL', `runPcap: ${info.name} programs do not run on packets (xdp, sched_cls, sched_act, socket_filter and cgroup_skb do)`);
  }
  checkHelpers(info, prog);
  const capture = readCapture(captureBytes);
  const res: PcapRunResult = { verdicts: {}, skipped: 0, skippedPackets: [], packets: [], results: [], durationNs: 0, insns: 0 };
  let total = 0n;
  capture.packets.forEach((p, index) => {
    if (p.linkType !== LINKTYPE_ETHERNET) {
      throw new BpfError('EINVAL', `runPcap: packet ${index} was captured on link type ${p.linkType}; only Ethernet (1) frames can be run`);
    }
    let outcome: FrameOutcome;
    const t0 = process.hrtime.bigint();
    try {
      outcome = info.testRun === 'xdp' ? runXdp(vm, prog, info, p.data, opts) : runSkb(vm, prog, info, p.data, opts, info.testRun === 'skb-l2');
    } catch (e) {
      // The test run's refusals of the frame itself (EINVAL for its size, ENODEV...): skip it.
      if (e instanceof BpfError && e.message.startsWith('BPF_PROG_TEST_RUN:')) {
        res.skipped++;
        res.skippedPackets.push({ index, reason: e.message.slice('BPF_PROG_TEST_RUN: '.length) });
        return;
      }
      throw e;
    } finally {
      total += process.hrtime.bigint() - t0;
    }
    const verdict = info.verdict(outcome.retval).name;
    res.verdicts[verdict] = (res.verdicts[verdict] ?? 0) + 1;
    res.insns += outcome.insns;
    const written = outcome.out !== undefined;
    if (outcome.out !== undefined) {
      res.packets.push({
        timestampNs: p.timestampNs,
        data: outcome.out.slice(),
        // A frame the program resized has that size on the wire; a trimmed one keeps its own.
        originalLength: info.name === 'socket_filter' ? p.originalLength : Math.max(outcome.out.length, p.originalLength - p.data.length + outcome.out.length),
        linkType: p.linkType,
        interfaceId: p.interfaceId,
      });
    }
    res.results.push({ index, retval: outcome.retval, verdict, written });
  });
  res.durationNs = Number(total);
  return res;
}
