/**
 * Every user-facing failure in tsbpf is a BpfError: a stable code a program can switch on, and a
 * message that names the place (file, line, instruction index) so a person can act on it.
 */
export type BpfErrorCode =
  | 'EASM' // assembly text that cannot be parsed
  | 'EDECODE' // bytes that are not a valid instruction
  | 'EREJECT' // a program refused before it runs
  | 'EFAULT' // an invalid memory access at run time
  | 'ELIMIT' // the instruction budget or call depth was exceeded
  | 'EHELPER' // an unknown helper or a helper that failed
  | 'EIO' // a file that could not be read or written
  // The kernel's errno names, for operations whose failure a kernel would report the same way
  | 'EINVAL' | 'ENOENT' | 'EEXIST' | 'E2BIG' | 'ENOSPC' | 'EPERM' | 'EBUSY' | 'ENOMEM'
  | 'EOPNOTSUPP' | 'ENOTSUPP' | 'EACCES' | 'ENOEXEC' | 'ELOOP' | 'EBADF' | 'ENOSYS' | 'ENODEV'
  | 'ENXIO' | 'EMSGSIZE' | 'EAGAIN' | 'ERANGE';

export interface BpfErrorPlace {
  file?: string;
  line?: number;
  insn?: number;
}

export class BpfError extends Error {
  readonly code: BpfErrorCode;
  readonly place: BpfErrorPlace;
  constructor(code: BpfErrorCode, message: string, place: BpfErrorPlace = {}) {
    super(message);
    this.name = 'BpfError';
    this.code = code;
    this.place = place;
  }
}

export function isBpfError(e: unknown): e is BpfError {
  return e instanceof BpfError;
}
