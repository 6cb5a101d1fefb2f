/**
 * BPF links: BPF_LINK_CREATE and BPF_RAW_TRACEPOINT_OPEN, and the Attachment every attach
 * function returns. A link's fd holds the attachment: closing it detaches the program, so
 * close() is all a caller needs, and a process that dies detaches everything it attached
 * (nothing is pinned unless the caller pins it).
 */
import { BpfError } from '../../errors.js';
import { ATTACH_TYPE } from '../../elf/sections.js';
import { BPF_CMD } from '../attr.js';
import { withScratch } from '../native.js';
import { objPin } from '../objects.js';
import { adoptFd, bpfCall, closeFd, newAttr, type ErrnoReasons } from '../syscall.js';

/** attr.link_create: prog_fd, target_fd/target_ifindex, attach_type, flags, then a per-type union at 16. */
const LINK_CREATE = { prog_fd: 0, target: 4, attach_type: 8, flags: 12, union: 16, size: 64 } as const;

export interface LinkCreateAttrs {
  progFd: number;
  /** A perf event fd, an ifindex, a cgroup fd... (what the attach type takes). */
  target: number;
  attachType: number;
  flags?: number;
  /** perf_event.bpf_cookie (what bpf_get_attach_cookie() returns). */
  cookie?: bigint;
}

/** BPF_LINK_CREATE: the link's fd (adopted). */
export function linkCreate(a: LinkCreateAttrs, what: string, reasons: ErrnoReasons = {}): number {
  return withScratch((s) => {
    const attr = newAttr(s)
      .u32(LINK_CREATE.prog_fd, a.progFd)
      .u32(LINK_CREATE.target, a.target)
      .u32(LINK_CREATE.attach_type, a.attachType)
      .u32(LINK_CREATE.flags, a.flags ?? 0)
      .u64(LINK_CREATE.union, a.cookie ?? 0n);
    return adoptFd(bpfCall(BPF_CMD.LINK_CREATE, attr, LINK_CREATE.size, what, reasons));
  });
}

/** BPF_RAW_TRACEPOINT_OPEN: name (absent for BTF-typed programs, whose target is in the program). */
export function rawTracepointOpen(progFd: number, name: string | undefined, what: string, reasons: ErrnoReasons = {}): number {
  return withScratch((s) => {
    const attr = newAttr(s).ptr(0, name === undefined ? undefined : s.cString(name)).u32(8, progFd);
    return adoptFd(bpfCall(BPF_CMD.RAW_TRACEPOINT_OPEN, attr, 16, what, reasons));
  });
}

/** BPF_PERF_EVENT: the attach type of a link over a perf event fd. */
export const PERF_EVENT_ATTACH = ATTACH_TYPE.perf_event;

/** A program attached somewhere; close() detaches it and releases what the attachment holds. */
export interface Attachment {
  /** What the program is attached to, for messages ("tracepoint syscalls/sys_enter_execve"). */
  readonly target: string;
  /** The BPF link fds (one per CPU for perf_event sampling), -1 once closed. */
  readonly linkFds: readonly number[];
  readonly closed: boolean;
  /** Pin the (first) link in bpffs, so that it outlives this process. */
  pin(path: string): void;
  close(): void;
}

/** An Attachment over link fds, and other fds (perf events) it owns, closed after the links. */
export class LinkAttachment implements Attachment {
  private links: number[];
  private others: number[];
  private cleanup: (() => void) | undefined;

  constructor(readonly target: string, links: number[], others: number[] = [], cleanup?: () => void) {
    this.links = links;
    this.others = others;
    this.cleanup = cleanup;
  }

  get linkFds(): readonly number[] {
    return this.links;
  }

  get closed(): boolean {
    return this.links.length === 0;
  }

  pin(path: string): void {
    const fd = this.links[0];
    if (fd === undefined) throw new BpfError('EBADF', `${this.target}: the attachment was closed`);
    objPin(fd, path);
  }

  close(): void {
    for (const fd of this.links) closeFd(fd);
    for (const fd of this.others) closeFd(fd);
    this.links = [];
    this.others = [];
    const c = this.cleanup;
    this.cleanup = undefined;
    c?.();
  }
}

/** Run `fn` on fds opened so far if something after fails (attach paths open several fds). */
export function closingOnError<T>(fds: number[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    for (const fd of fds) closeFd(fd);
    throw e;
  }
}
