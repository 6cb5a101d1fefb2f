/**
 * The errno numbers helpers return (negated, as the kernel's helpers do). Map classes and program
 * types report failures as BpfErrors named by errno; a helper turns such an error into its -errno
 * return value, because that is what a BPF program sees from the kernel.
 */
import { BpfError } from '../errors.js';

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ELOOP: 40,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;

export type ErrnoName = keyof typeof ERRNO;

export function isErrnoName(code: string): code is ErrnoName {
  return Object.prototype.hasOwnProperty.call(ERRNO, code);
}

/** -errno for each name, made once (helpers return them on hot paths: a failed tail call, a missing key). */
const NEG_ERRNO = Object.fromEntries(
  (Object.keys(ERRNO) as ErrnoName[]).map((k) => [k, BigInt.asUintN(64, BigInt(-ERRNO[k]))]),
) as Record<ErrnoName, bigint>;

/** -errno as the unsigned 64-bit value r0 holds. */
export function negErrno(code: ErrnoName): bigint {
  return NEG_ERRNO[code];
}

/** The errno name of a negative helper result (as r0 holds it), or undefined. */
export function errnoName(r0: bigint): ErrnoName | undefined {
  const n = -Number(BigInt.asIntN(64, r0));
  return (Object.keys(ERRNO) as ErrnoName[]).find((k) => ERRNO[k] === n);
}

/**
 * Run an operation whose kernel counterpart returns 0 or -errno: 0n when it succeeds, -errno when
 * it throws a BpfError named by an errno. Other failures (a VM fault, a bug) propagate.
 */
export function errnoResult(op: () => void): bigint {
  try {
    op();
    return 0n;
  } catch (e) {
    return errnoOf(e);
  }
}

/** What errnoResult gives for a failure `e`: -errno, or `e` thrown on (for hot paths that catch themselves). */
export function errnoOf(e: unknown): bigint {
  if (e instanceof BpfError && isErrnoName(e.code)) return negErrno(e.code);
  throw e;
}
