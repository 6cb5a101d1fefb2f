/**
 * The classic tc attach point, as libbpf's bpf_tc_hook_create() and bpf_tc_attach() do it, over
 * rtnetlink (no `tc` binary): a clsact qdisc on the interface (RTM_NEWQDISC, kind "clsact",
 * parent TC_H_CLSACT), then a cls_bpf filter in direct-action mode on its ingress or egress hook
 * (RTM_NEWTFILTER, kind "bpf", TCA_OPTIONS { TCA_BPF_FD, TCA_BPF_NAME, TCA_BPF_FLAGS }).
 *
 * Unlike a BPF link, a tc filter is not tied to an fd: it stays attached until it is deleted.
 * close() deletes it (RTM_DELTFILTER), and the qdisc too when this process created it and no
 * filter is left on it; attachments still open when the process exits normally are closed then,
 * but a killed process leaves its filters in place (as with libbpf and `tc`). tcx (attachTcx)
 * is the link-based alternative on Linux 6.6+.
 *
 * Facts (message types, tcmsg layout, handles, attribute numbers) are from linux/rtnetlink.h,
 * linux/pkt_sched.h and linux/pkt_cls.h. Requests go to the caller's network namespace.
 */
import { endianness } from 'node:os';
import { BpfError } from '../../errors.js';
import { ERRNO, isKernelError, kernelError } from '../errors.js';
import type { KernelProgram } from '../kernel-program.js';
import { NLM_F, NlMessage, attrString, parseAttrs, withRtnetlink, type NlReply, type RtnetlinkSocket } from '../netlink/index.js';
import { sockets } from '../syscall.js';
import type { Attachment } from './link.js';

export const RTM = { NEWQDISC: 36, DELQDISC: 37, GETQDISC: 38, NEWTFILTER: 44, DELTFILTER: 45, GETTFILTER: 46 } as const;
/** enum TCA_* (rtnetlink.h): attributes after a tcmsg. */
const TCA = { KIND: 1, OPTIONS: 2, CHAIN: 11 } as const;
/** enum TCA_BPF_* (pkt_cls.h): cls_bpf's options. */
const TCA_BPF = { FD: 6, NAME: 7, FLAGS: 8, FLAGS_GEN: 9, TAG: 10, ID: 11 } as const;
const TCA_BPF_FLAG_ACT_DIRECT = 1;
/** TC_H_CLSACT (= TC_H_INGRESS) and the minor numbers of its two hooks (pkt_sched.h). */
export const TC_H = { CLSACT: 0xfffffff1, MIN_INGRESS: 0xfff2, MIN_EGRESS: 0xfff3 } as const;
const ETH_P_ALL = 0x0003;
const TCMSG_SIZE = 20;

/** TC_H_MAKE(maj, min): the major number's high half and the minor number's low half. */
export const tcHandle = (maj: number, min: number): number => ((maj & 0xffff0000) | (min & 0xffff)) >>> 0;

const htons = (v: number): number => (endianness() === 'LE' ? ((v & 0xff) << 8) | ((v >> 8) & 0xff) : v & 0xffff);

export type TcDirection = 'ingress' | 'egress';

const parentOf = (direction: TcDirection): number =>
  tcHandle(TC_H.CLSACT, direction === 'ingress' ? TC_H.MIN_INGRESS : TC_H.MIN_EGRESS);

/** struct tcmsg: family u8, pad u8, pad u16, ifindex s32, handle u32, parent u32, info u32. */
function tcmsg(ifindex: number, handle: number, parent: number, info: number): Buffer {
  const b = Buffer.alloc(TCMSG_SIZE);
  const le = endianness() === 'LE';
  const w = (v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  w(ifindex, 4);
  w(handle, 8);
  w(parent, 12);
  w(info, 16);
  return b;
}

function readTcmsg(p: Buffer): { ifindex: number; handle: number; parent: number; info: number } {
  const le = endianness() === 'LE';
  const r = (at: number) => (le ? p.readUInt32LE(at) : p.readUInt32BE(at));
  return { ifindex: r(4), handle: r(8), parent: r(12), info: r(16) };
}

/** The index of interface `iface` in this network namespace (if_nametoindex), or ENODEV explained. */
export function tcIfindex(iface: string | number, what = `tc on ${iface}`): number {
  if (typeof iface === 'number') return iface;
  const r = sockets().ifNameToIndex(iface);
  if (r > 0) return r;
  throw kernelError('if_nametoindex', -r, what, `there is no network interface '${iface}' in this network namespace (see \`ip link\`)`);
}

const DEVICE_REASONS = (iface: string | number) => ({
  ENODEV: `there is no network interface ${iface} in this network namespace (see \`ip link\`)`,
  EPERM: 'changing tc qdiscs and filters needs root or CAP_NET_ADMIN',
  EOPNOTSUPP: 'this kernel has no clsact qdisc or cls_bpf classifier (CONFIG_NET_SCH_INGRESS, CONFIG_NET_CLS_BPF), or cannot load the module',
});

/** Qdiscs this process created, by ifindex: close() removes them once no filter is left. */
const ownedQdiscs = new Set<number>();

/**
 * Create the clsact qdisc on `iface` (RTM_NEWQDISC with NLM_F_CREATE|NLM_F_EXCL). True when it was
 * created, false when one was there already (EEXIST).
 */
export function createClsact(iface: string | number): boolean {
  const ifindex = tcIfindex(iface, `clsact qdisc on ${iface}`);
  return withRtnetlink((sock) => {
    const msg = new NlMessage(RTM.NEWQDISC, NLM_F.CREATE | NLM_F.EXCL, tcmsg(ifindex, tcHandle(TC_H.CLSACT, 0), TC_H.CLSACT, 0)).str(TCA.KIND, 'clsact');
    try {
      sock.request(msg, `clsact qdisc on ${iface}`, DEVICE_REASONS(iface));
      return true;
    } catch (e) {
      if (isKernelError(e) && e.errno === ERRNO.EEXIST) return false;
      throw e;
    }
  });
}

/** Delete the clsact qdisc on `iface`, and with it every filter on it. False when there was none. */
export function destroyClsact(iface: string | number): boolean {
  const ifindex = tcIfindex(iface, `clsact qdisc on ${iface}`);
  ownedQdiscs.delete(ifindex);
  return withRtnetlink((sock) => deleteQdisc(sock, ifindex, `clsact qdisc on ${iface}`));
}

function deleteQdisc(sock: RtnetlinkSocket, ifindex: number, what: string): boolean {
  const msg = new NlMessage(RTM.DELQDISC, 0, tcmsg(ifindex, tcHandle(TC_H.CLSACT, 0), TC_H.CLSACT, 0)).str(TCA.KIND, 'clsact');
  try {
    sock.request(msg, what);
    return true;
  } catch (e) {
    // No qdisc there (EINVAL, ENOENT), or no interface any more (ENODEV).
    if (isKernelError(e) && [ERRNO.ENOENT, ERRNO.EINVAL, ERRNO.ENODEV].includes(e.errno)) return false;
    throw e;
  }
}

/** The kind of the qdisc at the clsact/ingress slot of `ifindex` ("clsact", "ingress"), or undefined. */
function qdiscKindAtClsact(sock: RtnetlinkSocket, ifindex: number, what: string): string | undefined {
  const replies = sock.request(new NlMessage(RTM.GETQDISC, NLM_F.DUMP, tcmsg(ifindex, 0, 0, 0)), what);
  for (const m of replies) {
    if (m.type !== RTM.NEWQDISC) continue;
    const t = readTcmsg(m.payload);
    if (t.ifindex === ifindex && t.parent === TC_H.CLSACT) return attrString(parseAttrs(m.payload, TCMSG_SIZE).get(TCA.KIND));
  }
  return undefined;
}

/** A cls_bpf filter as the kernel reports it. */
export interface TcFilterInfo {
  ifindex: number;
  direction: TcDirection;
  handle: number;
  priority: number;
  /** The classifier kind ("bpf" for BPF programs). */
  kind: string;
  /** The program's id, name and tag (hex) for a "bpf" filter. */
  progId?: number;
  progName?: string;
  progTag?: string;
  directAction?: boolean;
}

function filterInfo(m: NlReply, direction: TcDirection): TcFilterInfo {
  const t = readTcmsg(m.payload);
  const attrs = parseAttrs(m.payload, TCMSG_SIZE);
  const info: TcFilterInfo = {
    ifindex: t.ifindex, direction, handle: t.handle, priority: t.info >>> 16, kind: attrString(attrs.get(TCA.KIND)) ?? '',
  };
  const opts = attrs.get(TCA.OPTIONS);
  if (opts && info.kind === 'bpf') {
    const o = parseAttrs(opts);
    const id = o.get(TCA_BPF.ID);
    if (id) info.progId = endianness() === 'LE' ? id.readUInt32LE(0) : id.readUInt32BE(0);
    const name = attrString(o.get(TCA_BPF.NAME));
    if (name !== undefined) info.progName = name;
    const tag = o.get(TCA_BPF.TAG);
    if (tag) info.progTag = tag.toString('hex');
    const flags = o.get(TCA_BPF.FLAGS);
    if (flags) info.directAction = ((endianness() === 'LE' ? flags.readUInt32LE(0) : flags.readUInt32BE(0)) & TCA_BPF_FLAG_ACT_DIRECT) !== 0;
  }
  return info;
}

/** Every filter on the clsact `direction` hook of `iface` (RTM_GETTFILTER dump); [] when there is no clsact qdisc. */
export function listTcFilters(iface: string | number, direction: TcDirection): TcFilterInfo[] {
  const ifindex = tcIfindex(iface, `tc ${direction} filters on ${iface}`);
  return withRtnetlink((sock) => listFilters(sock, ifindex, direction, `tc ${direction} filters on ${iface}`));
}

function listFilters(sock: RtnetlinkSocket, ifindex: number, direction: TcDirection, what: string): TcFilterInfo[] {
  const msg = new NlMessage(RTM.GETTFILTER, NLM_F.DUMP, tcmsg(ifindex, 0, parentOf(direction), 0));
  let replies: NlReply[];
  try {
    replies = sock.request(msg, what);
  } catch (e) {
    if (isKernelError(e) && [ERRNO.EINVAL, ERRNO.ENOENT].includes(e.errno)) return []; // no qdisc
    throw e;
  }
  // A dump also reports each priority's classifier itself, with handle 0: only filters are kept.
  return replies.filter((m) => m.type === RTM.NEWTFILTER).map((m) => filterInfo(m, direction)).filter((f) => f.handle !== 0);
}

/** The filter at `priority`/`handle` on the clsact `direction` hook of `iface`, or undefined (as bpf_tc_query). */
export function queryTcFilter(iface: string | number, direction: TcDirection, at: { priority: number; handle: number }): TcFilterInfo | undefined {
  const ifindex = tcIfindex(iface, `tc ${direction} filter on ${iface}`);
  checkPriorityHandle(at.priority, at.handle, true);
  return withRtnetlink((sock) => {
    const msg = new NlMessage(RTM.GETTFILTER, 0, tcmsg(ifindex, at.handle, parentOf(direction), tcHandle(at.priority << 16, htons(ETH_P_ALL))))
      .str(TCA.KIND, 'bpf');
    try {
      const r = sock.request(msg, `tc ${direction} filter ${at.priority}:${at.handle} on ${iface}`).find((m) => m.type === RTM.NEWTFILTER);
      return r && filterInfo(r, direction);
    } catch (e) {
      if (isKernelError(e) && [ERRNO.ENOENT, ERRNO.EINVAL].includes(e.errno)) return undefined;
      throw e;
    }
  });
}

function checkPriorityHandle(priority: number | undefined, handle: number | undefined, required = false): void {
  if (priority !== undefined && (!Number.isInteger(priority) || priority < (required ? 1 : 0) || priority > 0xffff)) {
    throw new BpfError('EINVAL', `tc priority ${priority} is out of range (1..65535)`);
  }
  if (handle !== undefined && (!Number.isInteger(handle) || handle < (required ? 1 : 0) || handle > 0xffffffff)) {
    throw new BpfError('EINVAL', `tc handle ${handle} is out of range (1..0xffffffff)`);
  }
}

export interface TcClsactOptions {
  /** The filter's priority (1..65535, lower runs first); the kernel picks one when absent. */
  priority?: number;
  /** The filter's handle; the kernel picks one when absent. */
  handle?: number;
  /** Replace a filter at the same priority and handle instead of failing with EEXIST. */
  replace?: boolean;
  /** Remove the clsact qdisc on close() when this process created it and no filter is left (default true). */
  removeQdisc?: boolean;
}

/** A cls_bpf filter on a clsact hook; close() deletes it. */
export class TcAttachment implements Attachment {
  private isClosed = false;

  constructor(
    readonly target: string,
    readonly ifindex: number,
    readonly direction: TcDirection,
    readonly priority: number,
    readonly handle: number,
    private readonly removeQdisc: boolean,
  ) {}

  /** A tc filter has no link fd. */
  get linkFds(): readonly number[] {
    return [];
  }

  get closed(): boolean {
    return this.isClosed;
  }

  pin(): void {
    throw new BpfError('EOPNOTSUPP', `${this.target}: a tc filter is not a BPF link and cannot be pinned (it stays attached until deleted; tcx links can be pinned)`);
  }

  /** What the kernel reports for this filter now, or undefined when it is gone. */
  query(): TcFilterInfo | undefined {
    return queryTcFilter(this.ifindex, this.direction, { priority: this.priority, handle: this.handle });
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    live.delete(this);
    withRtnetlink((sock) => {
      const msg = new NlMessage(RTM.DELTFILTER, 0, tcmsg(this.ifindex, this.handle, parentOf(this.direction), tcHandle(this.priority << 16, htons(ETH_P_ALL))))
        .str(TCA.KIND, 'bpf');
      try {
        sock.request(msg, `detaching ${this.target}`);
      } catch (e) {
        // Gone already: deleted by someone else, or with its qdisc or interface.
        if (!(isKernelError(e) && [ERRNO.ENOENT, ERRNO.EINVAL, ERRNO.ENODEV].includes(e.errno))) throw e;
      }
      if (this.removeQdisc && ownedQdiscs.has(this.ifindex)) {
        const left = [...listFilters(sock, this.ifindex, 'ingress', this.target), ...listFilters(sock, this.ifindex, 'egress', this.target)];
        if (left.length === 0) {
          ownedQdiscs.delete(this.ifindex);
          deleteQdisc(sock, this.ifindex, `clsact qdisc of ${this.target}`);
        }
      }
    });
  }
}

/** Open attachments, deleted at a normal process exit (a tc filter would otherwise outlive us). */
const live = new Set<TcAttachment>();
let exitHook = false;

function closeLive(): void {
  for (const a of [...live]) {
    try {
      a.close();
    } catch {
      // best effort at exit
    }
  }
}

/**
 * Attach a sched_cls program to the clsact `direction` hook of `iface` in direct-action mode,
 * creating the clsact qdisc when missing (as bpf_tc_hook_create + bpf_tc_attach).
 */
export function attachTcClsact(prog: KernelProgram, iface: string | number, direction: TcDirection, options: TcClsactOptions = {}): TcAttachment {
  const where = `tc clsact ${direction} on ${iface}`;
  if (prog.type !== 'sched_cls') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${where} takes a sched_cls program (SEC("tc"))`);
  if (direction !== 'ingress' && direction !== 'egress') throw new BpfError('EINVAL', `${where}: the direction is 'ingress' or 'egress'`);
  checkPriorityHandle(options.priority, options.handle);
  const ifindex = tcIfindex(iface, `program '${prog.name}' on ${where}`);
  const created = createClsact(ifindex);
  if (created) ownedQdiscs.add(ifindex);
  else {
    // An 'ingress' qdisc sits in the same slot and would silently take an egress filter on ingress.
    const kind = withRtnetlink((sock) => qdiscKindAtClsact(sock, ifindex, `qdiscs of ${iface}`));
    if (kind !== undefined && kind !== 'clsact') {
      throw kernelError('RTM_NEWQDISC', ERRNO.EEXIST, `program '${prog.name}' on ${where}`,
        `${iface} has an '${kind}' qdisc where clsact goes (remove it with \`tc qdisc del dev ${iface} ${kind}\`, or use attachTcx)`);
    }
  }
  const priority = options.priority ?? 0;
  const handle = options.handle ?? 0;
  const what = `program '${prog.name}' on ${where}`;
  const got = withRtnetlink((sock) => {
    try {
      return addFilter(sock);
    } catch (e) {
      // Leave the interface as it was: drop the qdisc made for this filter if nothing else uses it.
      if (created && listFilters(sock, ifindex, 'ingress', what).length + listFilters(sock, ifindex, 'egress', what).length === 0) {
        ownedQdiscs.delete(ifindex);
        deleteQdisc(sock, ifindex, what);
      }
      throw e;
    }
  });
  function addFilter(sock: RtnetlinkSocket): { priority: number; handle: number } {
    const flags = NLM_F.CREATE | NLM_F.ECHO | (options.replace ? NLM_F.REPLACE : NLM_F.EXCL);
    const msg = new NlMessage(RTM.NEWTFILTER, flags, tcmsg(ifindex, handle, parentOf(direction), tcHandle(priority << 16, htons(ETH_P_ALL))))
      .str(TCA.KIND, 'bpf')
      .nest(TCA.OPTIONS, (m) => {
        m.u32(TCA_BPF.FD, prog.fd).str(TCA_BPF.NAME, `${prog.name}:[${prog.id}]`).u32(TCA_BPF.FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
      });
    const replies = sock.request(msg, what, {
      ...DEVICE_REASONS(iface),
      EEXIST: `a filter with priority ${priority} and handle ${handle} is there already (pass replace: true to replace it)`,
      EINVAL: 'the kernel refused the filter (is the program a sched_cls program? is a clsact qdisc, not another ingress qdisc, on the interface?)',
    });
    const echo = replies.find((m) => m.type === RTM.NEWTFILTER);
    if (!echo) return { priority, handle };
    const t = readTcmsg(echo.payload);
    return { priority: t.info >>> 16, handle: t.handle };
  }
  if (got.priority === 0 || got.handle === 0) {
    throw kernelError('RTM_NEWTFILTER', ERRNO.EIO, what, 'the kernel did not say which priority and handle it gave the filter; pass both to attach');
  }
  const att = new TcAttachment(where, ifindex, direction, got.priority, got.handle, options.removeQdisc ?? true);
  live.add(att);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', closeLive);
  }
  return att;
}
