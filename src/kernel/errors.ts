/**
 * errno from bpf(2) as a BpfError: the errno's name as the code where BpfErrorCode has it, the
 * number and the command kept on the error, and a message that says what failed and what to do.
 * The numbers are the asm-generic ones every architecture Node runs on uses; 524 (ENOTSUPP) is the
 * kernel-internal code that bpf(2) leaks to user space for operations a map or program lacks.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';

export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, EFBIG: 27,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35,
  ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, EOVERFLOW: 75, EBADFD: 77, EMSGSIZE: 90,
  EOPNOTSUPP: 95, ETIMEDOUT: 110, ECANCELED: 125, ENOTSUPP: 524,
};

const NAMES = new Map<number, string>(Object.entries(ERRNO).map(([k, v]) => [v, k]));

export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `errno ${errno}`;
}

/** The BpfErrorCodes that are errno names; any other errno becomes EIO (its name stays in the message). */
const CODES = new Set<string>([
  'EINVAL', 'ENOENT', 'EEXIST', 'E2BIG', 'ENOSPC', 'EPERM', 'EBUSY', 'ENOMEM', 'EOPNOTSUPP', 'ENOTSUPP',
  'EACCES', 'ENOEXEC', 'ELOOP', 'EBADF', 'ENOSYS', 'ENODEV', 'ENXIO', 'EMSGSIZE', 'EAGAIN', 'ERANGE',
  'EFAULT', 'EIO',
]);

function codeOf(name: string): BpfErrorCode {
  return (CODES.has(name) ? name : 'EIO') as BpfErrorCode;
}

/** What the common errnos of bpf(2) usually mean, and what to do about them. */
const HINTS: Readonly<Record<string, string>> = {
  EPERM: 'the operation needs root or CAP_BPF (plus CAP_PERFMON or CAP_NET_ADMIN for tracing and networking programs); check kernel.unprivileged_bpf_disabled and kernel lockdown',
  EACCES: 'the kernel refused access (the verifier rejected the program, or the object is read-only)',
  EINVAL: 'the kernel found an attribute invalid (a size, a flag or a type this kernel does not accept)',
  E2BIG: 'a size is above what the kernel allows, or the attribute has fields this kernel does not know',
  ENOMEM: 'the kernel could not allocate memory for the object (memory cgroup or RLIMIT_MEMLOCK limits?)',
  EBADF: 'a file descriptor given is not open or is not a BPF object of the right kind',
  ENOTSUPP: 'this kernel does not support the operation for this kind of object',
  EOPNOTSUPP: 'this kernel does not support the operation for this kind of object',
  ENOSPC: 'a buffer given was too small for what the kernel had to write',
  EFAULT: 'the kernel could not read or write a user buffer',
  ENOSYS: 'this kernel has no bpf(2) (built without CONFIG_BPF_SYSCALL)',
  EMFILE: 'the process has too many open file descriptors',
};

/** A bpf(2) failure. `code` is the errno name when BpfErrorCode has one (else EIO). */
export class KernelError extends BpfError {
  readonly errno: number;
  readonly errnoName: string;
  /** The command, as BPF_<NAME>. */
  readonly command: string;
  /** The verifier (or BTF) log, when the kernel wrote one. */
  readonly log?: string;
  constructor(command: string, errno: number, message: string, log?: string) {
    super(codeOf(errnoName(errno)), message);
    this.name = 'KernelError';
    this.errno = errno;
    this.errnoName = errnoName(errno);
    this.command = command;
    if (log !== undefined) this.log = log;
  }
}

export function isKernelError(e: unknown): e is KernelError {
  return e instanceof KernelError;
}

/**
 * The error for `command` failing with `errno`. `what` names the object ("map 'counts'", "pin
 * /sys/fs/bpf/x"); `reason`, when given, replaces the generic hint.
 */
export function kernelError(
  command: string, errno: number, what: string, reason?: string, log?: string, logName = 'verifier log',
): KernelError {
  const name = errnoName(errno);
  const why = reason ?? HINTS[name] ?? 'the kernel refused the call';
  const tail = log ? `\n${logName}:\n${logTail(log)}` : '';
  return new KernelError(command, errno, `${what}: ${command} failed with ${name}: ${why}${tail}`, log);
}

/** Keep messages readable: a long log is cut to its last lines there (the error's `log` has it all). */
const LOG_LINES_IN_MESSAGE = 60;

function logTail(log: string): string {
  const lines = log.trimEnd().split('\n');
  if (lines.length <= LOG_LINES_IN_MESSAGE) return lines.join('\n');
  return [`... (${lines.length - LOG_LINES_IN_MESSAGE} earlier lines in error.log)`, ...lines.slice(-LOG_LINES_IN_MESSAGE)].join('\n');
}
