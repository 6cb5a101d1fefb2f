/**
 * A minimal rtnetlink client: an AF_NETLINK/NETLINK_ROUTE socket in the caller's network
 * namespace, one request at a time, synchronous. Requests ask for an ACK; the ACK (an NLMSG_ERROR
 * whose error is 0) ends the exchange, a negative error becomes a KernelError that carries the
 * kernel's extended-ACK message when it gave one ("Parent Qdisc doesn't exists"), and a dump
 * ends at NLMSG_DONE. Replies with another sequence number (stale ones) are skipped.
 */
import { ERRNO, errnoName, kernelError, type KernelError } from '../errors.js';
import { sockets } from '../syscall.js';
import { NLM_F, NLMSG, NLMSG_HDRLEN, NLMSGERR_ATTR, attrString, parseAttrs, parseMessages, readI32, readU32, type NlMessage, type NlReply } from './message.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const MSG_TRUNC = 0x20;
/** Big enough for any datagram a dump sends (the kernel caps them near 32 KiB, or a page). */
const RECV_BUFFER = 64 << 10;

/** Per-errno explanations, replacing the generic hint; `what` describes the request. */
export type NetlinkReasons = Partial<Record<string, string>>;

/** The command names used in errors, by rtnetlink message type. */
const RTM_NAMES: Readonly<Record<number, string>> = {
  36: 'RTM_NEWQDISC', 37: 'RTM_DELQDISC', 38: 'RTM_GETQDISC', 44: 'RTM_NEWTFILTER', 45: 'RTM_DELTFILTER', 46: 'RTM_GETTFILTER',
};

function sockaddrNl(): Uint8Array {
  const b = Buffer.alloc(12); // sockaddr_nl: family u16, pad u16, pid u32 (0: the kernel), groups u32
  b.writeUInt16LE(AF_NETLINK, 0);
  return b;
}

function intOpt(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  return b;
}

export class RtnetlinkSocket {
  private fd: number;
  private seq: number;
  private readonly buf = Buffer.alloc(RECV_BUFFER);

  constructor() {
    const io = sockets();
    const fd = io.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) throw kernelError('socket', -fd, 'rtnetlink socket (AF_NETLINK, NETLINK_ROUTE)');
    this.fd = fd;
    // Both are best-effort: without them errors only lack the kernel's text.
    io.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, intOpt(1));
    io.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, intOpt(1));
    const r = io.bind(fd, sockaddrNl());
    if (r < 0) {
      io.close(fd);
      throw kernelError('bind', -r, 'rtnetlink socket');
    }
    this.seq = Math.floor(Date.now() / 1000) >>> 0;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /**
   * Send `msg` (NLM_F_REQUEST and NLM_F_ACK are added; for a dump, only NLM_F_REQUEST) and return
   * the messages the kernel answered with before the ACK or NLMSG_DONE. `what` names the object
   * for errors; `reasons` explains errnos.
   */
  request(msg: NlMessage, what: string, reasons: NetlinkReasons = {}): NlReply[] {
    if (this.fd < 0) throw new Error('rtnetlink socket is closed');
    const io = sockets();
    const seq = (this.seq = (this.seq + 1) >>> 0);
    const dump = (msg.flags & NLM_F.DUMP) === NLM_F.DUMP && (msg.flags & (NLM_F.CREATE | NLM_F.EXCL | NLM_F.REPLACE)) === 0 && isGet(msg.type);
    const data = msg.bytes(seq, NLM_F.REQUEST | (dump ? 0 : NLM_F.ACK));
    const command = RTM_NAMES[msg.type] ?? `netlink message ${msg.type}`;
    const sent = io.sendto(this.fd, data, 0, sockaddrNl());
    if (sent < 0) throw kernelError(command, -sent, what, reasons[errnoName(-sent)]);
    const replies: NlReply[] = [];
    for (;;) {
      const n = io.recv(this.fd, this.buf, MSG_TRUNC);
      if (n < 0) throw kernelError(command, -n, `${what} (reading the reply)`, reasons[errnoName(-n)]);
      if (n > this.buf.length) throw kernelError(command, ERRNO.EMSGSIZE, what, `a reply of ${n} bytes did not fit in ${this.buf.length}`);
      for (const m of parseMessages(this.buf.subarray(0, n))) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG.DONE) return replies;
        if (m.type === NLMSG.ERROR) {
          const error = readI32(m.payload, 0);
          if (error === 0) {
            if (!dump) return replies;
            continue;
          }
          throw netlinkError(command, -error, m, what, reasons);
        }
        if (m.type === NLMSG.NOOP) continue;
        replies.push({ ...m, payload: Buffer.from(m.payload) });
      }
    }
  }

  close(): void {
    if (this.fd < 0) return;
    sockets().close(this.fd);
    this.fd = -1;
  }
}

function isGet(type: number): boolean {
  return type >= 16 && type % 4 === 2; // RTM_GET*: the third of each group of four
}

/** The error of an NLMSG_ERROR reply, with the kernel's extended-ACK message when present. */
function netlinkError(command: string, errno: number, m: NlReply, what: string, reasons: NetlinkReasons): KernelError {
  let text: string | undefined;
  if (m.flags & NLM_F.ACK_TLVS) {
    // struct nlmsgerr: int error, then the request's nlmsghdr (and its payload unless CAPPED), then TLVs.
    const orig = m.payload.length >= 4 + NLMSG_HDRLEN ? readU32(m.payload, 4) : NLMSG_HDRLEN;
    const tlvAt = 4 + (m.flags & NLM_F.CAPPED ? NLMSG_HDRLEN : orig);
    text = attrString(parseAttrs(m.payload, tlvAt).get(NLMSGERR_ATTR.MSG));
  }
  const reason = reasons[errnoName(errno)];
  const kernelSays = text ? `the kernel says "${text}"` : undefined;
  const why = reason && kernelSays ? `${reason} (${kernelSays})` : reason ?? kernelSays;
  return kernelError(command, errno, what, why);
}

/** Run `fn` with a fresh socket, closed when it returns. */
export function withRtnetlink<T>(fn: (sock: RtnetlinkSocket) => T): T {
  const sock = new RtnetlinkSocket();
  try {
    return fn(sock);
  } finally {
    sock.close();
  }
}
