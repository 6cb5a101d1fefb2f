/**
 * bpf(2) itself: one call with a native bpf_attr, its result as a number or a KernelError, and the
 * file descriptors it returns. Every fd the backend opens is recorded, so that close() of an fd it
 * did not open, or closed already (a number the process may have reused since), is a no-op rather
 * than closing someone else's descriptor, so that tests can check nothing leaks, and so that what
 * is still open at exit is closed explicitly.
 */
import { ATTR_BUFFER_SIZE, Attr, commandName } from './attr.js';
import { ERRNO, errnoName, kernelError, type KernelError } from './errors.js';
import { nativeLibc, type Availability } from './ffi.js';
import { withScratch, type Scratch } from './native.js';

/** bpf(2): the result (>= 0) or -errno. A call interrupted by a signal (EINTR) is made again. */
export function rawBpf(cmd: number, attr: Attr, size: number): number {
  const libc = nativeLibc();
  for (;;) {
    const r = libc.bpf(cmd, attr.bytes, size);
    if (r >= 0) return r;
    const errno = libc.errno();
    if (errno !== ERRNO.EINTR) return -errno;
  }
}

/** Per-errno reasons that replace the generic hint in the error message. */
export type ErrnoReasons = Partial<Record<string, string>>;

/** bpf(2) that throws a KernelError naming `what` on failure. */
export function bpfCall(cmd: number, attr: Attr, size: number, what: string, reasons: ErrnoReasons = {}): number {
  const r = rawBpf(cmd, attr, size);
  if (r >= 0) return r;
  throw errorFor(cmd, -r, what, reasons);
}

export function errorFor(cmd: number, errno: number, what: string, reasons: ErrnoReasons = {}, log?: string, logName?: string): KernelError {
  return kernelError(commandName(cmd), errno, what, reasons[errnoName(errno)], log, logName);
}

/** A zeroed bpf_attr in scratch memory. */
export function newAttr(s: Scratch): Attr {
  return new Attr(s.alloc(ATTR_BUFFER_SIZE));
}

// ---- file descriptors ----------------------------------------------------------------------

const openFds = new Set<number>();
let exitHook = false;

/** Record an fd bpf(2) returned, so that close() and process exit release it. */
export function adoptFd(fd: number): number {
  openFds.add(fd);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', closeAllFds);
  }
  return fd;
}

/** Close an fd this backend opened; false when it was not ours or is closed already. */
export function closeFd(fd: number): boolean {
  if (!openFds.delete(fd)) return false;
  nativeLibc().close(fd);
  return true;
}

export function isOpenFd(fd: number): boolean {
  return openFds.has(fd);
}

/** How many fds the backend holds open (for tests that check nothing leaks). */
export function openFdCount(): number {
  return openFds.size;
}

function closeAllFds(): void {
  for (const fd of [...openFds]) closeFd(fd);
}

// ---- availability --------------------------------------------------------------------------

let availability: Availability | undefined;

/**
 * Whether the kernel backend works here: koffi loads, libc binds, and bpf(2) creates (and we then
 * close) a one-element array map, which needs the privileges every other command needs. Cached.
 */
export function kernelAvailable(): Availability {
  if (availability) return availability;
  try {
    nativeLibc();
  } catch (e) {
    availability = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    return availability;
  }
  const r = withScratch((s) => {
    const attr = newAttr(s);
    attr.u32(0, 2).u32(4, 4).u32(8, 4).u32(12, 1); // BPF_MAP_TYPE_ARRAY, key 4, value 4, 1 entry
    return rawBpf(0, attr, 16);
  });
  if (r >= 0) {
    nativeLibc().close(r);
    availability = { ok: true };
  } else {
    const e = errorFor(0, -r, 'probe');
    availability = { ok: false, reason: `bpf(2) refuses to create a map here: ${e.message.replace(/^probe: /, '')}` };
  }
  return availability;
}
