/**
 * The one place tsbpf touches native code: libc's syscall(2), close(2) and errno through koffi, a
 * prebuilt FFI shipped inside its npm package. koffi is loaded lazily with require() on first use,
 * so importing tsbpf never loads native code, and a machine where koffi or bpf(2) is missing
 * (another OS, an unsupported CPU, no privileges) keeps the rest of tsbpf working: kernelAvailable()
 * says why the kernel backend cannot be used, and every kernel call throws that reason.
 */
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import { BpfError } from '../errors.js';

type Koffi = typeof KoffiModule;

/** __NR_bpf for the architectures Node runs on under Linux (arch/<arch>/.../syscall tables). */
const BPF_SYSCALL_NR: Readonly<Record<string, number>> = {
  x64: 321,
  ia32: 357,
  arm64: 280,
  arm: 386,
  riscv64: 280,
  loong64: 280,
  ppc64: 361,
  s390x: 351,
};

/** What the backend needs from libc, bound once. */
export interface Libc {
  readonly koffi: Koffi;
  /** bpf(2) through syscall(2): the raw return value (-1 on failure, errno then set). */
  bpf(cmd: number, attr: unknown, size: number): number;
  close(fd: number): number;
  /** errno as the last native call left it. */
  errno(): number;
}

export type Availability = { ok: true } | { ok: false; reason: string };

let libc: Libc | undefined;
let loadProblem: string | undefined;

function bindLibc(): Libc {
  if (process.platform !== 'linux') throw new Error(`bpf(2) exists only on Linux (this is ${process.platform})`);
  const nr = BPF_SYSCALL_NR[process.arch];
  if (nr === undefined) throw new Error(`no bpf(2) syscall number known for CPU architecture ${process.arch}`);
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    throw new Error(`the koffi package (native FFI) cannot be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const lib = koffi.load('libc.so.6');
  // syscall(2) is variadic; on the ABIs above, integer and pointer arguments of a variadic call are
  // passed exactly as in a fixed-argument call, so a fixed prototype is both correct and faster.
  const syscall = lib.func('long syscall(long nr, long cmd, void *attr, unsigned int size)');
  const close = lib.func('int close(int fd)');
  return {
    koffi,
    bpf: (cmd, attr, size) => Number(syscall(nr, cmd, attr, size)),
    close: (fd) => Number(close(fd)),
    errno: () => koffi.errno(),
  };
}

/** libc bound through koffi, or a BpfError (ENOSYS) saying why it cannot be. */
export function nativeLibc(): Libc {
  if (libc) return libc;
  if (loadProblem === undefined) {
    try {
      libc = bindLibc();
      return libc;
    } catch (e) {
      loadProblem = e instanceof Error ? e.message : String(e);
    }
  }
  throw new BpfError('ENOSYS', `the Linux kernel backend is unavailable: ${loadProblem}`);
}

/** Whether koffi and libc could be bound (without calling bpf(2)); see kernelAvailable() for bpf(2) itself. */
export function ffiAvailable(): Availability {
  try {
    nativeLibc();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
