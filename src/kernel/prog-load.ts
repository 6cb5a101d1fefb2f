/**
 * BPF_PROG_LOAD with the verifier log handled as libbpf does: a load that asks for no log and
 * fails is made again with log level 1 so the error can say why; a log buffer that is too small
 * (ENOSPC: since Linux 6.4 the load then fails even if the program was fine) is grown to the size
 * the kernel reports in log_true_size, and the load repeated.
 */
import { BPF_CMD, PROG_LOAD } from './attr.js';
import { attemptWithLog, cText, type LoadAttempt } from './btf.js';
import { ERRNO } from './errors.js';
import { withScratch } from './native.js';
import { adoptFd, errorFor, newAttr, rawBpf } from './syscall.js';

/** Verifier log levels (BPF_LOG_LEVEL1/2, BPF_LOG_STATS); they combine. */
export const LOG_LEVEL = { BASIC: 1, VERBOSE: 2, STATS: 4 } as const;

/** prog_flags bits. */
export const PROG_FLAGS = {
  STRICT_ALIGNMENT: 1 << 0, ANY_ALIGNMENT: 1 << 1, TEST_RND_HI32: 1 << 2, TEST_STATE_FREQ: 1 << 3,
  SLEEPABLE: 1 << 4, XDP_HAS_FRAGS: 1 << 5, TEST_REG_INVARIANTS: 1 << 7,
} as const;

/** struct bpf_func_info. */
export interface KernelFuncInfo {
  insnOff: number;
  typeId: number;
}

/** struct bpf_line_info, with string offsets into the BTF loaded as prog_btf_fd. */
export interface KernelLineInfo {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  /** line << 10 | column, as the kernel packs them. */
  lineCol: number;
}

export interface ProgLoadAttrs {
  /** enum bpf_prog_type. */
  type: number;
  /** The encoded instructions (8 bytes a slot). */
  insns: Uint8Array;
  license: string;
  /** Cut to 15 bytes. */
  name?: string;
  /** enum bpf_attach_type. */
  expectedAttachType?: number;
  flags?: number;
  kernVersion?: number;
  btfFd?: number;
  funcInfo?: readonly KernelFuncInfo[];
  lineInfo?: readonly KernelLineInfo[];
  attachBtfId?: number;
  attachProgFd?: number;
  /** Verifier log level for the load (0: none, and a failing load is retried with 1 to explain it). */
  logLevel?: number;
  /** Initial log buffer size (it grows as needed). */
  logSize?: number;
}

export interface LoadedProg {
  fd: number;
  /** The verifier log (empty unless a log level was asked for). */
  log: string;
}

const FUNC_INFO_REC = 8;
const LINE_INFO_REC = 16;
const EAGAIN_RETRIES = 5;

/** The verifier's reasons, per errno, in words a user can act on. */
const REASONS = {
  EACCES: 'the verifier rejected the program (the log below says at which instruction and why)',
  EINVAL: 'the kernel refused the program: the verifier rejected it, or an attribute (program type, expected attach type, flags, BTF func/line info) is invalid for this kernel; see the log',
  EPERM: 'loading programs needs root or CAP_BPF (+ CAP_PERFMON for tracing, CAP_NET_ADMIN for networking); fentry/fexit/lsm programs can also be refused by kernel lockdown or a BPF LSM policy',
  E2BIG: 'the program is too large or the verifier hit its complexity limit (1M processed instructions)',
  ENOSPC: 'the verifier log did not fit its buffer',
} as const;

/** BPF_PROG_LOAD: the program's fd (owned: close it with closeFd) and the verifier log. */
export function progLoad(a: ProgLoadAttrs, what = `program '${a.name ?? ''}'`): LoadedProg {
  if (a.insns.length === 0 || a.insns.length % 8 !== 0) {
    throw errorFor(BPF_CMD.PROG_LOAD, ERRNO.EINVAL, what, { EINVAL: `${a.insns.length} bytes of instructions is not a whole, non-empty number of 8-byte slots` });
  }
  const attempt = (level: number, logSize: number): LoadAttempt =>
    withScratch((s) => {
      const log = level ? s.alloc(logSize) : undefined;
      const attr = newAttr(s)
        .u32(PROG_LOAD.prog_type, a.type)
        .u32(PROG_LOAD.insn_cnt, a.insns.length / 8)
        .ptr(PROG_LOAD.insns, s.copy(a.insns))
        .ptr(PROG_LOAD.license, s.cString(a.license))
        .u32(PROG_LOAD.log_level, level)
        .u32(PROG_LOAD.log_size, log ? logSize : 0)
        .ptr(PROG_LOAD.log_buf, log)
        .u32(PROG_LOAD.kern_version, a.kernVersion ?? 0)
        .u32(PROG_LOAD.prog_flags, a.flags ?? 0)
        .name(PROG_LOAD.prog_name, a.name ?? '')
        .u32(PROG_LOAD.expected_attach_type, a.expectedAttachType ?? 0)
        .u32(PROG_LOAD.attach_btf_id, a.attachBtfId ?? 0)
        .u32(PROG_LOAD.attach_prog_fd, a.attachProgFd ?? 0);
      if (a.btfFd !== undefined) {
        attr.u32(PROG_LOAD.prog_btf_fd, a.btfFd);
        if (a.funcInfo?.length) {
          const fi = s.alloc(a.funcInfo.length * FUNC_INFO_REC);
          const dv = new DataView(fi.bytes.buffer, fi.bytes.byteOffset, fi.bytes.byteLength);
          a.funcInfo.forEach((f, i) => {
            dv.setUint32(i * FUNC_INFO_REC, f.insnOff, true);
            dv.setUint32(i * FUNC_INFO_REC + 4, f.typeId, true);
          });
          attr.u32(PROG_LOAD.func_info_rec_size, FUNC_INFO_REC).ptr(PROG_LOAD.func_info, fi).u32(PROG_LOAD.func_info_cnt, a.funcInfo.length);
        }
        if (a.lineInfo?.length) {
          const li = s.alloc(a.lineInfo.length * LINE_INFO_REC);
          const dv = new DataView(li.bytes.buffer, li.bytes.byteOffset, li.bytes.byteLength);
          a.lineInfo.forEach((l, i) => {
            const o = i * LINE_INFO_REC;
            dv.setUint32(o, l.insnOff, true);
            dv.setUint32(o + 4, l.fileNameOff, true);
            dv.setUint32(o + 8, l.lineOff, true);
            dv.setUint32(o + 12, l.lineCol, true);
          });
          attr.u32(PROG_LOAD.line_info_rec_size, LINE_INFO_REC).ptr(PROG_LOAD.line_info, li).u32(PROG_LOAD.line_info_cnt, a.lineInfo.length);
        }
      }
      let r = rawBpf(BPF_CMD.PROG_LOAD, attr, PROG_LOAD.size);
      // The kernel answers EAGAIN when it briefly cannot allocate (libbpf retries the same way).
      for (let i = 0; r === -ERRNO.EAGAIN && i < EAGAIN_RETRIES; i++) r = rawBpf(BPF_CMD.PROG_LOAD, attr, PROG_LOAD.size);
      return { r, log: log ? cText(log.bytes) : '', trueSize: attr.getU32(PROG_LOAD.log_true_size) };
    });

  // A refusal without a log is retried at log level 1 (LOG_LEVEL.BASIC) for the verifier's reasons.
  const { r, log } = attemptWithLog(attempt, a.logLevel ?? 0, a.logSize ?? 256 << 10, [ERRNO.EINVAL, ERRNO.EACCES, ERRNO.E2BIG]);
  if (r >= 0) return { fd: adoptFd(r), log };
  throw errorFor(BPF_CMD.PROG_LOAD, -r, what, REASONS, log || undefined);
}
