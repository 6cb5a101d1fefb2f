/**
 * The verifier's log and its error. Messages use the kernel's exact wording (kernel/bpf/verifier.c)
 * so a line from tsbpf can be compared with, and searched for like, a line from the real verifier.
 * Each format lives here once; the checks call these functions and never spell a message themselves.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';

/** The errnos the verifier returns for a refused program. */
export type VerifierErrno = Extract<BpfErrorCode, 'EINVAL' | 'EACCES' | 'E2BIG' | 'EPERM' | 'EFAULT' | 'ENOTSUPP'>;

/** The kernel's log_level bits (BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, BPF_LOG_STATS). */
export const VLOG = { LEVEL1: 1, LEVEL2: 2, STATS: 4 } as const;

/** An append-only log of lines, as the kernel's `verbose()` writes them (without the trailing newline). */
export class VerifierLog {
  readonly lines: string[] = [];
  constructor(readonly level: number = VLOG.LEVEL1) {}

  /** A line printed at any log level (the kernel's `verbose`). */
  line(text: string): void {
    this.lines.push(text);
  }

  /** A line printed only at log level 2 (the kernel's `if (env->log.level & BPF_LOG_LEVEL2) verbose(...)`). */
  verbose(text: string): void {
    if (this.level & VLOG.LEVEL2) this.lines.push(text);
  }

  /** The log as the kernel hands it to user space: lines joined by newlines, ending with one. */
  text(): string {
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }

  /** End the check: log the message and return (for `throw`) the error carrying the whole log. */
  fail(errno: VerifierErrno, message: string, insn?: number): VerifierError {
    this.line(message);
    return new VerifierError(errno, message, this.lines.slice(), insn);
  }
}

/** A program refused by the verifier: `code` is the errno the kernel returns, `log` its log lines. */
export class VerifierError extends BpfError {
  readonly log: readonly string[];
  /** The message of the rejection (the last log line). */
  readonly reason: string;
  constructor(code: VerifierErrno, reason: string, log: readonly string[], insn?: number) {
    super(code, `verifier: ${reason}${insn !== undefined ? ` (insn ${insn})` : ''}`, insn !== undefined ? { insn } : {});
    this.name = 'VerifierError';
    this.reason = reason;
    this.log = log;
  }
}

export function isVerifierError(e: unknown): e is VerifierError {
  return e instanceof VerifierError;
}

/** The kernel's messages for the subprogram and control-flow checks; instruction numbers are slots. */
export const MSG = {
  /** add_subprog: a call or function pointer whose target is outside the program. */
  callToInvalidDestination: (): string => 'call to invalid destination',
  /** add_subprog: more than BPF_MAX_SUBPROGS functions. */
  tooManySubprograms: (): string => 'too many subprograms',
  /** check_subprogs: a jump leaves its subprogram (or the program). */
  jumpOutOfRange: (from: number, to: number): string => `jump out of range from insn ${from} to ${to}`,
  /** check_subprogs: a subprogram's last instruction falls through into the next one (or off the end). */
  lastInsnNotExit: (): string => 'last insn is not an exit or jmp',
  /** check_cfg: a loop, refused when the loader is not bpf_capable. */
  backEdge: (from: number, to: number): string => `back-edge from insn ${from} to ${to}`,
  /** check_cfg: an instruction no path from the entry (or a callback) reaches. */
  unreachableInsn: (insn: number): string => `unreachable insn ${insn}`,
  /** check_cfg: a path that lands on the second half of an lddw. */
  jumpIntoLdimm64: (insn: number): string => `jump into the middle of ldimm64 insn ${insn}`,
  /** check_subprogs at log level 2: each function's start. */
  funcStart: (index: number, start: number): string => `func#${index} @${start}`,
} as const;
