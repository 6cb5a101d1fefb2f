/**
 * `--target kernel`: which verbs take it, whether bpf(2) can be used here, and references to kernel
 * objects (id N, pinned PATH on a real bpffs, name NAME, tag TAG) opened as fds this process owns.
 * Every fd opened here is closed by the verb (and, failing that, at process exit by the kernel).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BpfError } from '../../errors.js';
import { kernelAvailable, closeFd } from '../../kernel/syscall.js';
import { getFdById, listIds, mapInfo, objGet, progInfo, type ObjectKind } from '../../kernel/objects.js';
import { UsageError } from '../io.js';
import type { ObjectRef } from '../tokens.js';

/** True when argv asks for the kernel target (`--target kernel` or `--target=kernel`). */
export function wantsKernel(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target' && argv[i + 1] === 'kernel') return true;
    if (argv[i] === '--target=kernel') return true;
  }
  return false;
}

/** Fail with what to do when bpf(2) cannot be used (no root, no CONFIG_BPF_SYSCALL, no koffi). */
export function requireKernel(): void {
  const a = kernelAvailable();
  if (a.ok) return;
  const r = a.reason;
  const code = /EPERM|permission|privilege/i.test(r) ? 'EPERM' : 'ENOSYS';
  const todo = code === 'EPERM'
    ? 'run as root (or with CAP_BPF and CAP_PERFMON/CAP_NET_ADMIN), or use --target vm'
    : 'use --target vm (tsbpf\'s own VM needs no kernel support)';
  throw new BpfError(code, `--target kernel: bpf(2) cannot be used here: ${r}; ${todo}`);
}

/** Is `dir` (or the closest existing parent) on a bpf filesystem? From /proc/self/mounts. */
export function bpffsOf(path: string): string | undefined {
  let mounts: string[][];
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  } catch {
    return undefined;
  }
  let best: string | undefined;
  let bestIsBpf = false;
  for (const m of mounts) {
    const [, mnt, type] = m;
    if (!mnt || !type) continue;
    if ((path === mnt || path.startsWith(mnt.endsWith('/') ? mnt : mnt + '/')) && (best === undefined || mnt.length >= best.length)) {
      best = mnt;
      bestIsBpf = type === 'bpf';
    }
  }
  return bestIsBpf ? best : undefined;
}

/** Check a path to pin at: absolute, in a mounted bpffs, its directory there, nothing there yet. */
export function checkPinPath(path: string): void {
  if (!path.startsWith('/')) throw new UsageError(`--target kernel: pin path '${path}' must be absolute, in a bpffs mount such as /sys/fs/bpf/NAME`);
  if (!bpffsOf(path)) {
    throw new BpfError('EPERM', `${path}: not on a bpf filesystem; kernel pins live in bpffs: mount one with \`mount -t bpf bpf /sys/fs/bpf\` and pin under it`);
  }
  // bpffs refuses any name with a '.' (EPERM from mkdir and BPF_OBJ_PIN alike), so say it first.
  const rel = path.slice(bpffsOf(path)!.length);
  if (rel.includes('.')) throw new BpfError('EPERM', `${path}: bpffs does not allow '.' in pin or directory names; choose a name without dots`);
  if (!existsSync(dirname(path))) throw new BpfError('ENOENT', `${path}: directory ${dirname(path)} does not exist (create it with mkdir; bpffs takes directories)`);
  if (existsSync(path)) throw new BpfError('EEXIST', `${path}: a pin already exists there (remove it with rm first)`);
}

/** Open a pinned object, with the missing-pin and not-bpffs cases said plainly. */
/** A map name as a pin name: '.' (global data maps: obj.rodata) is refused by bpffs; libbpf uses '_'. */
export const pinName = (name: string): string => name.replace(/\./g, '_');

export function openPinned(path: string): number {
  if (!existsSync(path)) {
    const where = bpffsOf(path) ? '' : ` (and ${path} is not on a bpf filesystem: kernel pins are under /sys/fs/bpf)`;
    throw new BpfError('ENOENT', `pinned ${path}: no such pin${where}; list pins with ls, or pin with \`tsbpf prog load --target kernel\``);
  }
  if (!bpffsOf(path)) throw new BpfError('EINVAL', `pinned ${path}: not on a bpf filesystem, so not a kernel pin (tsbpf's store pins are read without --target kernel)`);
  return objGet(path);
}

/** The fd of a kernel program or map by reference; the caller closes it. */
export function openRef(kind: Extract<ObjectKind, 'prog' | 'map'>, ref: ObjectRef): number {
  switch (ref.by) {
    case 'id': return getFdById(kind, ref.id);
    case 'pinned': return openPinned(ref.path);
    case 'name':
    case 'tag': {
      // As bpftool: the name (or tag) must pick exactly one object; ids appear and go while we look.
      const hits: number[] = [];
      for (const id of listIds(kind)) {
        let fd: number;
        try {
          fd = getFdById(kind, id);
        } catch {
          continue;
        }
        const info = kind === 'prog' ? progInfo(fd) : mapInfo(fd);
        const match = ref.by === 'name' ? info.name === ref.name : 'tag' in info && info.tag === ref.tag;
        if (match) hits.push(fd);
        else closeFd(fd);
      }
      const what = ref.by === 'name' ? `name ${ref.name}` : `tag ${ref.tag}`;
      if (hits.length === 0) throw new BpfError('ENOENT', `no kernel ${kind} with ${what}`);
      if (hits.length > 1) {
        const ids = hits.map((fd) => (kind === 'prog' ? progInfo(fd).id : mapInfo(fd).id));
        hits.forEach(closeFd);
        throw new UsageError(`${hits.length} kernel ${kind}s have ${what} (ids ${ids.join(', ')}): give id N`);
      }
      return hits[0]!;
    }
  }
}

/** Run `body` with the fd, closing it after. */
export function withFd<T>(fd: number, body: (fd: number) => T): T {
  try {
    return body(fd);
  } finally {
    closeFd(fd);
  }
}

/** memlock of an fd, from /proc/self/fdinfo as bpftool reads it (0 when it cannot be read). */
export function memlockOf(fd: number): number {
  try {
    const m = /^memlock:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Seconds since the epoch for a CLOCK_BOOTTIME nanosecond stamp, as bpftool converts load_time. */
export function bootToEpochSec(bootNs: bigint): number {
  let uptime = 0;
  try {
    uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  } catch {
    /* without /proc the stamp stays relative to boot */
  }
  const bootEpoch = Date.now() / 1000 - uptime;
  return Math.floor(bootEpoch + Number(bootNs) / 1e9);
}
