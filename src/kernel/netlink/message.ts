/**
 * Netlink messages as bytes: a builder for a request (nlmsghdr, a fixed family header such as
 * tcmsg, then rtattrs, nested ones included) and parsers for what the kernel sends back. Layouts
 * and constants are from the uapi headers linux/netlink.h and linux/rtnetlink.h; every field is in
 * host byte order (little-endian on every architecture this backend binds, except s390x, which
 * the builder honours through os.endianness()).
 */
import { endianness } from 'node:os';

const LE = endianness() === 'LE';

/** struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32. */
export const NLMSG_HDRLEN = 16;
/** struct rtattr / nlattr: len u16, type u16, payload padded to 4. */
export const NLA_HDRLEN = 4;

export const NLM_F = {
  REQUEST: 0x01, MULTI: 0x02, ACK: 0x04, ECHO: 0x08, DUMP_INTR: 0x10,
  ROOT: 0x100, MATCH: 0x200, DUMP: 0x300,
  REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800,
  /** In an ACK: the original request was left out (NETLINK_CAP_ACK); TLVs follow (NETLINK_EXT_ACK). */
  CAPPED: 0x100, ACK_TLVS: 0x200,
} as const;

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/** Extended ACK attributes (enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR = { MSG: 1, OFFS: 2 } as const;

export const NLA_F_NESTED = 1 << 15;
const NLA_TYPE_MASK = ~(NLA_F_NESTED | (1 << 14)) & 0xffff;

export const align4 = (n: number): number => (n + 3) & ~3;

/** A netlink request under construction; attributes are appended in order. */
export class NlMessage {
  private buf = Buffer.alloc(512);
  private len = NLMSG_HDRLEN;

  /** `header` is the family header (tcmsg, ifinfomsg...) placed right after the nlmsghdr. */
  constructor(readonly type: number, readonly flags: number, header: Uint8Array) {
    this.put(header);
    this.pad();
  }

  /** An attribute with raw bytes as its payload. */
  attr(type: number, payload: Uint8Array): this {
    const start = this.begin(type);
    this.put(payload);
    return this.end(start);
  }

  u32(type: number, v: number): this {
    const b = Buffer.alloc(4);
    if (LE) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return this.attr(type, b);
  }

  /** A NUL-terminated string attribute (NLA_STRING / NLA_NUL_STRING both accept it). */
  str(type: number, s: string): this {
    return this.attr(type, Buffer.from(`${s}\0`, 'utf8'));
  }

  /** A nested attribute holding what `fill` appends. */
  nest(type: number, fill: (m: this) => void): this {
    const start = this.begin(type | NLA_F_NESTED);
    fill(this);
    return this.end(start);
  }

  /** The finished bytes, with the length, type, flags (plus `extraFlags`) and sequence number in the header. */
  bytes(seq: number, extraFlags = 0): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    const w32 = (v: number, at: number) => (LE ? out.writeUInt32LE(v >>> 0, at) : out.writeUInt32BE(v >>> 0, at));
    const w16 = (v: number, at: number) => (LE ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at));
    w32(this.len, 0);
    w16(this.type, 4);
    w16(this.flags | extraFlags, 6);
    w32(seq, 8);
    w32(0, 12);
    return out;
  }

  private begin(type: number): number {
    const start = this.len;
    this.reserve(NLA_HDRLEN);
    this.len += NLA_HDRLEN;
    if (LE) this.buf.writeUInt16LE(type, start + 2);
    else this.buf.writeUInt16BE(type, start + 2);
    return start;
  }

  /** The attribute's length is its header and payload without the trailing padding, which follows. */
  private end(start: number): this {
    const len = this.len - start;
    if (len > 0xffff) throw new RangeError(`netlink attribute of ${len} bytes is too long`);
    if (LE) this.buf.writeUInt16LE(len, start);
    else this.buf.writeUInt16BE(len, start);
    this.pad();
    return this;
  }

  private put(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private pad(): void {
    const n = align4(this.len);
    this.reserve(n - this.len);
    this.buf.fill(0, this.len, n);
    this.len = n;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }
}

/** One message the kernel sent: its header fields and the payload after the nlmsghdr. */
export interface NlReply {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
}

export function readU32(b: Uint8Array, at: number): number {
  const d = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return LE ? d.readUInt32LE(at) : d.readUInt32BE(at);
}

export function readI32(b: Uint8Array, at: number): number {
  const d = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return LE ? d.readInt32LE(at) : d.readInt32BE(at);
}

function readU16(b: Buffer, at: number): number {
  return LE ? b.readUInt16LE(at) : b.readUInt16BE(at);
}

/** The messages in one datagram; a truncated or malformed one ends the list with an error. */
export function parseMessages(data: Buffer): NlReply[] {
  const out: NlReply[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= data.length) {
    const len = readU32(data, at);
    if (len < NLMSG_HDRLEN || at + len > data.length) throw new Error(`malformed netlink message (length ${len} at offset ${at} of ${data.length})`);
    out.push({
      type: readU16(data, at + 4),
      flags: readU16(data, at + 6),
      seq: readU32(data, at + 8),
      pid: readU32(data, at + 12),
      payload: data.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return out;
}

/** Attributes in `data` from `offset`, by type (flags masked off; the last of a repeated type wins). */
export function parseAttrs(data: Buffer, offset = 0): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = offset;
  while (at + NLA_HDRLEN <= data.length) {
    const len = readU16(data, at);
    if (len < NLA_HDRLEN || at + len > data.length) break;
    out.set(readU16(data, at + 2) & NLA_TYPE_MASK, data.subarray(at + NLA_HDRLEN, at + len));
    at += align4(len);
  }
  return out;
}

/** A NUL-terminated string attribute's text. */
export function attrString(b: Buffer | undefined): string | undefined {
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}
