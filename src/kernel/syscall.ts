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

// ---- perf_event_open, ioctl, mmap: what attaching and event delivery need ------------------

/** __NR_perf_event_open (same tables as __NR_bpf in ffi.ts). */
const PERF_EVENT_OPEN_NR: Readonly<Record<string, number>> = {
  x64: 298, ia32: 336, arm64: 241, arm: 364, riscv64: 241, loong64: 241, ppc64: 319, s390x: 331,
};

/** The libc calls beyond bpf(2) used by src/kernel/attach and src/kernel/events, bound on first use. */
export interface HostCalls {
  /** perf_event_open(2): fd or -errno. */
  perfEventOpen(attr: unknown, pid: number, cpu: number, groupFd: number, flags: number): number;
  /** ioctl(2) with an integer argument: result or -errno. */
  ioctl(fd: number, request: number, arg: number): number;
  /** mmap(2) of a shared mapping of `fd`: the mapping's pointer, or -errno. */
  mmap(length: number, prot: number, fd: number, offset: number): { ptr: unknown; addr: bigint } | number;
  munmap(ptr: unknown, length: number): number;
  /** sysconf(_SC_PAGESIZE): the unit of every mmap offset and length. */
  pageSize: number;
}

let hostCalls: HostCalls | undefined;

export function host(): HostCalls {
  if (hostCalls) return hostCalls;
  const { koffi } = nativeLibc();
  const nr = PERF_EVENT_OPEN_NR[process.arch];
  if (nr === undefined) throw new Error(`no perf_event_open(2) syscall number known for CPU architecture ${process.arch}`);
  const lib = koffi.load('libc.so.6');
  const syscall5 = lib.func('long syscall(long nr, void *attr, long pid, long cpu, long group_fd, unsigned long flags)');
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, unsigned long arg)');
  const mmap = lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)');
  const munmap = lib.func('int munmap(void *addr, size_t length)');
  const MAP_SHARED = 1;
  const MAP_FAILED = (1n << 64n) - 1n;
  const errno = (): number => koffi.errno();
  const SC_PAGESIZE = 30; // glibc's value on every Linux architecture
  const pageSize = Number(lib.func('long sysconf(int name)')(SC_PAGESIZE));
  hostCalls = {
    pageSize,
    perfEventOpen(attr, pid, cpu, groupFd, flags) {
      for (;;) {
        const r = Number(syscall5(nr, attr, pid, cpu, groupFd, flags));
        if (r >= 0) return r;
        if (errno() !== ERRNO.EINTR) return -errno();
      }
    },
    ioctl(fd, request, arg) {
      const r = Number(ioctl(fd, request, arg));
      return r < 0 ? -errno() : r;
    },
    mmap(length, prot, fd, offset) {
      const ptr = mmap(null, length, prot, MAP_SHARED, fd, offset);
      const addr = ptr === null ? 0n : BigInt.asUintN(64, BigInt(koffi.address(ptr)));
      if (ptr === null || addr === MAP_FAILED) return -errno();
      return { ptr, addr };
    },
    munmap(ptr, length) {
      const r = Number(munmap(ptr, length));
      return r < 0 ? -errno() : r;
    },
  };
  return hostCalls;
}

// ---- sockets: what the rtnetlink client (src/kernel/netlink) needs -------------------------

/** The libc socket calls used by src/kernel/netlink, bound on first use. Each returns >= 0 or -errno. */
export interface SocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2) to the sockaddr bytes in `addr`. */
  bind(fd: number, addr: Uint8Array): number;
  /** setsockopt(2) with the option value bytes in `value`. */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** sendto(2) of all of `buf` to the sockaddr bytes in `addr`: bytes sent or -errno. */
  sendto(fd: number, buf: Uint8Array, flags: number, addr: Uint8Array): number;
  /** recv(2) into `buf`: bytes received (the datagram's real length with MSG_TRUNC) or -errno. */
  recv(fd: number, buf: Uint8Array, flags: number): number;
  /** recvfrom(2) into `buf`, discarding the sender's address. */
  recvfrom(fd: number, buf: Uint8Array, flags: number): number;
  close(fd: number): number;
  /** if_nametoindex(3): the index, or -errno (ENODEV for no such interface). */
  ifNameToIndex(name: string): number;
}

let socketCalls: SocketCalls | undefined;

export function sockets(): SocketCalls {
  if (socketCalls) return socketCalls;
  const { koffi } = nativeLibc();
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bind = lib.func('int bind(int fd, void *addr, uint32_t addrlen)');
  const setsockopt = lib.func('int setsockopt(int fd, int level, int optname, void *optval, uint32_t optlen)');
  const sendto = lib.func('long sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t addrlen)');
  const recv = lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)');
  const recvfrom = lib.func('long recvfrom(int fd, _Out_ void *buf, size_t len, int flags, void *addr, void *addrlen)');
  const close = lib.func('int close(int fd)');
  const ifNameToIndex = lib.func('unsigned int if_nametoindex(const char *name)');
  const errno = (): number => koffi.errno();
  /** Retry on EINTR; else the result or -errno. */
  const call = (f: () => unknown): number => {
    for (;;) {
      const r = Number(f());
      if (r >= 0) return r;
      const e = errno();
      if (e !== ERRNO.EINTR) return -e;
    }
  };
  socketCalls = {
    socket: (domain, type, protocol) => call(() => socket(domain, type, protocol)),
    bind: (fd, addr) => call(() => bind(fd, addr, addr.length)),
    setsockopt: (fd, level, name, value) => call(() => setsockopt(fd, level, name, value, value.length)),
    sendto: (fd, buf, flags, addr) => call(() => sendto(fd, buf, buf.length, flags, addr, addr.length)),
    recv: (fd, buf, flags) => call(() => recv(fd, buf, buf.length, flags)),
    recvfrom: (fd, buf, flags) => call(() => recvfrom(fd, buf, buf.length, flags, null, null)),
    close: (fd) => Number(close(fd)),
    ifNameToIndex(name) {
      const r = Number(ifNameToIndex(name));
      return r > 0 ? r : -(errno() || ERRNO.ENODEV);
    },
  };
  return socketCalls;
}
