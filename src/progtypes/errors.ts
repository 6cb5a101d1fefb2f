/**
 * Refusals of BPF_PROG_TEST_RUN as the kernel gives them: a BpfError whose code is the errno the
 * bpf(2) call would fail with, so callers (and the differential tests) can compare the two.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';

/** The errnos test runs fail with. */
export type TestRunErrno = Extract<BpfErrorCode, 'EINVAL' | 'E2BIG' | 'ENOMEM' | 'ENOTSUPP' | 'EOPNOTSUPP' | 'EFAULT' | 'ENODEV' | 'ENXIO' | 'ENOSPC' | 'EMSGSIZE'>;

export function refuse(errno: TestRunErrno, message: string): BpfError {
  return new BpfError(errno, `BPF_PROG_TEST_RUN: ${message}`);
}
