/**
 * A program loaded into the kernel: its fd, id and tag, the verifier log, and a test run whose
 * options and result mirror src/progtypes testRun's (what the kernel does not report — the 64-bit
 * r0, instruction counts, redirect targets — is left out rather than made up).
 */
import { BpfError } from '../errors.js';
import { PROG_TYPE, type ProgTypeName } from '../elf/sections.js';
import { findProgType } from '../progtypes/table.js';
import type { Verdict } from '../progtypes/verdicts.js';
import { objGet, objPin, progInfo, type KernelProgInfo } from './objects.js';
import { closeFd, isOpenFd } from './syscall.js';
import { progTestRun } from './test-run.js';

export interface KernelTestRunOptions {
  /** data_in: the frame, from its Ethernet header. */
  dataIn?: Uint8Array;
  /** ctx_in: the context (__sk_buff, xdp_md, raw tracepoint arguments). */
  ctxIn?: Uint8Array;
  /** Whether to ask for ctx_out (default: when ctxIn is given); its size is the type's context size. */
  ctxOut?: boolean;
  /** Runs (0 or absent: 1). */
  repeat?: number;
  cpu?: number;
  flags?: number;
  /** data_out buffer size (default: data_in + 4096). */
  dataOutSize?: number;
  /** ctx_out buffer size (default: ctx_in's, or the type's context size when ctxOut is asked for). */
  ctxOutSize?: number;
  /** XDP live frames batch size. */
  batchSize?: number;
}

/** What the kernel reports of a test run, in the shape of src/progtypes TestRunResult. */
export interface KernelTestRunResult {
  /** test.retval: r0's lower 32 bits, unsigned. */
  retval: number;
  /** What the return value means for the program's type (when tsbpf knows the type). */
  verdict?: Verdict;
  dataOut?: Uint8Array;
  ctxOut?: Uint8Array;
  /** test.duration: mean nanoseconds a run, measured by the kernel. */
  durationNs: number;
  /** Runs made (the kernel runs max(1, repeat) times). */
  runs: number;
}

const TYPE_NAMES = new Map<number, ProgTypeName>(Object.entries(PROG_TYPE).map(([k, v]) => [v, k as ProgTypeName]));

export class KernelProgram {
  private fdValue: number;
  private infoCache: KernelProgInfo | undefined;

  /** Wrap a program fd, which this object owns and closes. */
  constructor(
    fd: number,
    readonly name: string,
    readonly type: ProgTypeName,
    /** The verifier log of the load (empty unless a log level was asked for). */
    readonly log = '',
  ) {
    this.fdValue = fd;
  }

  /** A program from an fd (owned from now on): its name and type are read from the kernel. */
  static fromFd(fd: number): KernelProgram {
    const info = progInfo(fd);
    const type = TYPE_NAMES.get(info.type);
    if (!type) throw new BpfError('EINVAL', `program '${info.name}' (id ${info.id}) has program type ${info.type}, which tsbpf does not know`);
    const p = new KernelProgram(fd, info.name, type);
    p.infoCache = info;
    return p;
  }

  /** BPF_OBJ_GET of a pinned program. */
  static fromPin(path: string): KernelProgram {
    const fd = objGet(path);
    try {
      return KernelProgram.fromFd(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  get fd(): number {
    if (this.fdValue < 0) throw new BpfError('EBADF', `program '${this.name}': the program was closed`);
    return this.fdValue;
  }

  get closed(): boolean {
    return this.fdValue < 0 || !isOpenFd(this.fdValue);
  }

  /** BPF_OBJ_GET_INFO_BY_FD (fresh; `xlated` also fetches the translated instructions). */
  info(opts: { xlated?: boolean } = {}): KernelProgInfo {
    const info = progInfo(this.fd, opts);
    this.infoCache = info;
    return info;
  }

  private cached(): KernelProgInfo {
    this.infoCache ??= progInfo(this.fd);
    return this.infoCache;
  }

  /** The kernel's id for the program. */
  get id(): number {
    return this.cached().id;
  }

  /** The kernel's tag: 16 hex digits (compare src/vm/runtime.ts programTag). */
  get tag(): string {
    return this.cached().tag;
  }

  pin(path: string): void {
    objPin(this.fd, path);
  }

  close(): void {
    if (this.fdValue >= 0) closeFd(this.fdValue);
    this.fdValue = -1;
  }

  /** BPF_PROG_TEST_RUN. */
  testRun(opts: KernelTestRunOptions = {}): KernelTestRunResult {
    const info = findProgType(this.type);
    let ctxOutSize = opts.ctxOutSize;
    if (ctxOutSize === undefined && opts.ctxOut && !opts.ctxIn) {
      if (!info) throw new BpfError('EINVAL', `program '${this.name}': ctxOut needs ctxOutSize for program type ${this.type}`);
      ctxOutSize = info.context.size;
    }
    if (opts.ctxOut === false) ctxOutSize = 0;
    const attrs: Parameters<typeof progTestRun>[1] = {};
    if (opts.dataIn) attrs.dataIn = opts.dataIn;
    if (opts.ctxIn) attrs.ctxIn = opts.ctxIn;
    if (opts.dataOutSize !== undefined) attrs.dataOutSize = opts.dataOutSize;
    if (ctxOutSize !== undefined) attrs.ctxOutSize = ctxOutSize;
    if (opts.repeat !== undefined) attrs.repeat = opts.repeat;
    if (opts.cpu !== undefined) attrs.cpu = opts.cpu;
    if (opts.flags !== undefined) attrs.flags = opts.flags;
    if (opts.batchSize !== undefined) attrs.batchSize = opts.batchSize;
    const out = progTestRun(this.fd, attrs, `program '${this.name}'`);
    const result: KernelTestRunResult = { retval: out.retval, durationNs: out.durationNs, runs: Math.max(1, Math.floor(opts.repeat ?? 1)) };
    if (info) result.verdict = info.verdict(out.retval);
    if (out.dataOut) result.dataOut = out.dataOut;
    if (out.ctxOut) result.ctxOut = out.ctxOut;
    return result;
  }
}
