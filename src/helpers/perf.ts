/**
 * bpf_perf_event_output (kernel/trace/bpf_trace.c for tracing programs, net/core/filter.c's
 * bpf_skb_event_output and bpf_xdp_event_output for packet programs). The sample goes to the
 * perf_event_array slot the flags' low 32 bits name (BPF_F_CURRENT_CPU: the run's CPU). Packet
 * programs (the run has PacketOps) may also ask, in BPF_F_CTXLEN_MASK (bits 32-51), for that many
 * bytes of the packet to follow the data in the sample; tracing programs may set no other bits.
 */
import { BPF_F_INDEX_MASK, PerfEventArrayMap } from '../maps/index.js';
import { PACKET_OPS, type PacketOps } from '../vm/packet-ops.js';
import type { HelperDef } from './registry.js';
import { errnoResult, negErrno } from './errno.js';
import { helper, mapArg, mapOfClass, mem, runOf } from './support.js';

/** BPF_F_CTXLEN_MASK: (0xfffffULL << 32). */
export const BPF_F_CTXLEN_MASK = 0xfffffn << 32n;

export const perfHelpers: readonly HelperDef[] = [
  helper('perf_event_output', {
    proto: 'bpf_perf_event_output_proto',
    args: ['ptr_to_ctx', 'const_map_ptr', 'anything', 'ptr_to_mem', 'const_size_or_zero'],
    ret: 'integer',
    gplOnly: true,
    impl(call, _r1, r2, r3, r4, r5) {
      const name = 'bpf_perf_event_output';
      const run = runOf(call, name);
      const pea = mapOfClass(call, name, mapArg(call, name, r2), PerfEventArrayMap, 'a perf_event_array map');
      const data = mem(call, name, r4, Number(r5), false, 'data');
      const packet = run.state[PACKET_OPS] as PacketOps | undefined;
      const allowed = packet ? BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK : BPF_F_INDEX_MASK;
      if ((r3 & ~allowed) !== 0n) return negErrno('EINVAL');
      let sample = data.slice();
      const ctxLen = Number((r3 & BPF_F_CTXLEN_MASK) >> 32n);
      if (packet && ctxLen > 0) {
        const bytes = packet.bytes();
        if (ctxLen > bytes.length) return negErrno('EFAULT');
        sample = new Uint8Array(data.length + ctxLen);
        sample.set(data);
        sample.set(bytes.subarray(0, ctxLen), data.length);
      }
      return errnoResult(() => pea.output(run.cpu, r3 & BPF_F_INDEX_MASK, sample));
    },
  }),
];
