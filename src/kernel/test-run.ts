/**
 * BPF_PROG_TEST_RUN on a program fd: data in and out, context in and out, repeat, flags, cpu.
 * The output buffers are sized up front, generously, because a retry after ENOSPC would run the
 * program again, and a program's runs change its maps.
 */
import { BPF_CMD, TEST_RUN } from './attr.js';
import { withScratch } from './native.js';
import { errorFor, newAttr, rawBpf } from './syscall.js';

export interface KernelTestRunAttrs {
  dataIn?: Uint8Array;
  /** Size of the data_out buffer; default: data_in + 4096 (room for bpf_xdp_adjust_tail and friends), 0 for none. */
  dataOutSize?: number;
  ctxIn?: Uint8Array;
  /** Size of the ctx_out buffer; default: ctx_in's size (none without ctx_in). */
  ctxOutSize?: number;
  repeat?: number;
  flags?: number;
  cpu?: number;
  /** XDP live frames: packets a batch (BPF_F_TEST_XDP_LIVE_FRAMES). */
  batchSize?: number;
}

export interface KernelTestRunOutput {
  retval: number;
  /** test.duration: mean nanoseconds a run, as the kernel measured it. */
  durationNs: number;
  dataOut?: Uint8Array;
  ctxOut?: Uint8Array;
}

const DATA_OUT_ROOM = 4096;

export function progTestRun(fd: number, a: KernelTestRunAttrs, what = `program fd ${fd}`): KernelTestRunOutput {
  return withScratch((s) => {
    const dataIn = a.dataIn ? s.copy(a.dataIn) : undefined;
    const dataOutSize = a.dataOutSize ?? (a.dataIn ? a.dataIn.length + DATA_OUT_ROOM : 0);
    const dataOut = dataOutSize > 0 ? s.alloc(dataOutSize) : undefined;
    const ctxIn = a.ctxIn ? s.copy(a.ctxIn) : undefined;
    const ctxOutSize = a.ctxOutSize ?? a.ctxIn?.length ?? 0;
    const ctxOut = ctxOutSize > 0 ? s.alloc(ctxOutSize) : undefined;
    const attr = newAttr(s)
      .u32(TEST_RUN.prog_fd, fd)
      .u32(TEST_RUN.data_size_in, a.dataIn?.length ?? 0)
      .u32(TEST_RUN.data_size_out, dataOutSize)
      .ptr(TEST_RUN.data_in, dataIn)
      .ptr(TEST_RUN.data_out, dataOut)
      .u32(TEST_RUN.repeat, a.repeat ?? 0)
      .u32(TEST_RUN.ctx_size_in, a.ctxIn?.length ?? 0)
      .u32(TEST_RUN.ctx_size_out, ctxOutSize)
      .ptr(TEST_RUN.ctx_in, ctxIn)
      .ptr(TEST_RUN.ctx_out, ctxOut)
      .u32(TEST_RUN.flags, a.flags ?? 0)
      .u32(TEST_RUN.cpu, a.cpu ?? 0)
      .u32(TEST_RUN.batch_size, a.batchSize ?? 0);
    const r = rawBpf(BPF_CMD.PROG_TEST_RUN, attr, TEST_RUN.size);
    if (r < 0) {
      const needData = attr.getU32(TEST_RUN.data_size_out);
      const needCtx = attr.getU32(TEST_RUN.ctx_size_out);
      throw errorFor(BPF_CMD.PROG_TEST_RUN, -r, what, {
        ENOSPC: `the output did not fit: data_out needs ${needData} bytes (given ${dataOutSize}), ctx_out ${needCtx} (given ${ctxOutSize}); the program ran, so its map changes stand`,
        ENOTSUPP: 'this program type has no BPF_PROG_TEST_RUN (kprobe, tracepoint, perf_event, lsm programs cannot be test-run)',
        EINVAL: 'the kernel refused the test-run input: data_in too short for the type (an XDP or skb frame needs at least an Ethernet header), a context it does not accept, or flags/repeat/cpu the type does not take',
      });
    }
    const out: KernelTestRunOutput = { retval: attr.getU32(TEST_RUN.retval), durationNs: attr.getU32(TEST_RUN.duration) };
    if (dataOut) out.dataOut = dataOut.bytes.slice(0, Math.min(dataOutSize, attr.getU32(TEST_RUN.data_size_out)));
    if (ctxOut) out.ctxOut = ctxOut.bytes.slice(0, Math.min(ctxOutSize, attr.getU32(TEST_RUN.ctx_size_out)));
    return out;
  });
}
