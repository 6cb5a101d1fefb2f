/**
 * Packet builders for tests and example captures: Ethernet frames carrying IPv4 or IPv6 with UDP
 * or TCP, every checksum correct (the IPv4 header's, and UDP/TCP over the pseudo-header), and a
 * checker that recomputes them. Addresses are written the usual way ('10.0.0.1', 'fe80::1',
 * '02:00:00:00:00:01').
 */
import { BpfError } from '../errors.js';

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd } as const;
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

function bad(what: string): BpfError {
  return new BpfError('EINVAL', what);
}

/** '02:00:00:00:00:01' (or with '-') as 6 bytes. */
export function macAddress(s: string | Uint8Array): Uint8Array {
  if (s instanceof Uint8Array) {
    if (s.length !== 6) throw bad(`a MAC address has 6 bytes, not ${s.length}`);
    return s;
  }
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw bad(`'${s}' is not a MAC address (like 02:00:00:00:00:01)`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** '192.168.0.1' as 4 bytes. */
export function ipv4Address(s: string | Uint8Array): Uint8Array {
  if (s instanceof Uint8Array) {
    if (s.length !== 4) throw bad(`an IPv4 address has 4 bytes, not ${s.length}`);
    return s;
  }
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw bad(`'${s}' is not an IPv4 address`);
  return Uint8Array.from(parts.map(Number));
}

/** 'fe80::1', '2001:db8:0:0:0:0:0:1' or '::ffff:10.0.0.1' as 16 bytes. */
export function ipv6Address(s: string | Uint8Array): Uint8Array {
  if (s instanceof Uint8Array) {
    if (s.length !== 16) throw bad(`an IPv6 address has 16 bytes, not ${s.length}`);
    return s;
  }
  let text = s;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Address(v4[2]!);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw bad(`'${s}' is not an IPv6 address (two '::')`);
  const words = (h: string): number[] => (h === '' ? [] : h.split(':').map((w) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) throw bad(`'${s}' is not an IPv6 address ('${w}')`);
    return parseInt(w, 16);
  }));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) throw bad(`'${s}' is not an IPv6 address (${given} groups)`);
  const all = [...head, ...new Array(8 - given).fill(0), ...rest, ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[i * 2] = w >> 8; out[i * 2 + 1] = w & 0xff; });
  return out;
}

/** The Internet checksum (RFC 1071) of the concatenated parts: the value to store. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd === undefined) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function be16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function be32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export interface EthernetOptions {
  dst?: string | Uint8Array;
  src?: string | Uint8Array;
  /** EtherType; set from the payload's IP version by `packet`. */
  type?: number;
  /** An 802.1Q tag: the VLAN id (and priority) inserted before the EtherType. */
  vlan?: { id: number; priority?: number };
}

export function ethernetFrame(opts: EthernetOptions, payload: Uint8Array): Uint8Array {
  const dst = macAddress(opts.dst ?? '02:00:00:00:00:02');
  const src = macAddress(opts.src ?? '02:00:00:00:00:01');
  const tag = opts.vlan ? concat(be16(ETHERTYPE.VLAN), be16(((opts.vlan.priority ?? 0) << 13) | (opts.vlan.id & 0xfff))) : new Uint8Array(0);
  return concat(dst, src, tag, be16(opts.type ?? ETHERTYPE.IPV4), payload);
}

export interface Ipv4Options {
  src: string | Uint8Array;
  dst: string | Uint8Array;
  protocol: number;
  ttl?: number;
  id?: number;
  tos?: number;
  /** The DF bit (default set, as Linux sends). */
  dontFragment?: boolean;
}

/** An IPv4 header (no options) and its payload, with the header checksum. */
export function ipv4Packet(o: Ipv4Options, payload: Uint8Array): Uint8Array {
  const total = 20 + payload.length;
  if (total > 0xffff) throw bad(`an IPv4 packet of ${total} bytes is longer than 65535`);
  const h = new Uint8Array(20);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  h.set(be16(total), 2);
  h.set(be16(o.id ?? 0), 4);
  h[6] = (o.dontFragment ?? true) ? 0x40 : 0;
  h[8] = o.ttl ?? 64;
  h[9] = o.protocol;
  h.set(ipv4Address(o.src), 12);
  h.set(ipv4Address(o.dst), 16);
  h.set(be16(internetChecksum(h)), 10);
  return concat(h, payload);
}

export interface Ipv6Options {
  src: string | Uint8Array;
  dst: string | Uint8Array;
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export function ipv6Packet(o: Ipv6Options, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw bad(`an IPv6 payload of ${payload.length} bytes needs a jumbogram`);
  const h = new Uint8Array(40);
  const tc = o.trafficClass ?? 0, fl = o.flowLabel ?? 0;
  h.set(be32(((6 << 28) | (tc << 20) | (fl & 0xfffff)) >>> 0), 0);
  h.set(be16(payload.length), 4);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  h.set(ipv6Address(o.src), 8);
  h.set(ipv6Address(o.dst), 24);
  return concat(h, payload);
}

/** The pseudo-header UDP and TCP checksums cover, for IPv4 or IPv6 addresses. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 4) return concat(src, dst, Uint8Array.of(0, protocol), be16(length));
  return concat(src, dst, be32(length), Uint8Array.of(0, 0, 0, protocol));
}

export interface UdpOptions {
  srcPort: number;
  dstPort: number;
}

/** A UDP datagram with its checksum over the pseudo-header of `src` and `dst` (4 or 16 bytes). */
export function udpDatagram(o: UdpOptions, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const h = concat(be16(o.srcPort), be16(o.dstPort), be16(len), be16(0));
  let sum = internetChecksum(pseudoHeader(src, dst, IPPROTO.UDP, len), h, payload);
  if (sum === 0) sum = 0xffff; // 0 means "no checksum" in UDP
  h.set(be16(sum), 6);
  return concat(h, payload);
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flags as bits, or letters: 'S' SYN, 'A' ACK, 'F' FIN, 'R' RST, 'P' PSH, 'U' URG. */
  flags?: number | string;
  window?: number;
  urgent?: number;
}

function tcpFlags(f: number | string | undefined): number {
  if (f === undefined) return TCP_FLAGS.ACK;
  if (typeof f === 'number') return f;
  const letters: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };
  let bits = 0;
  for (const c of f.toUpperCase()) {
    if (letters[c] === undefined) throw bad(`'${c}' is not a TCP flag letter (F S R P A U E C)`);
    bits |= letters[c]!;
  }
  return bits;
}

/** A TCP segment (20-byte header, no options) with its checksum over the pseudo-header. */
export function tcpSegment(o: TcpOptions, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  h.set(be16(o.srcPort), 0);
  h.set(be16(o.dstPort), 2);
  h.set(be32(o.seq ?? 0), 4);
  h.set(be32(o.ack ?? 0), 8);
  h[12] = 5 << 4;
  h[13] = tcpFlags(o.flags);
  h.set(be16(o.window ?? 65535), 14);
  h.set(be16(o.urgent ?? 0), 18);
  h.set(be16(internetChecksum(pseudoHeader(src, dst, IPPROTO.TCP, 20 + payload.length), h, payload)), 16);
  return concat(h, payload);
}

export interface PacketSpec {
  eth?: Omit<EthernetOptions, 'type'>;
  /** IPv4 or IPv6, told apart by the source address. */
  src: string;
  dst: string;
  udp?: UdpOptions;
  tcp?: TcpOptions;
  /** The IP protocol when neither udp nor tcp is given. */
  protocol?: number;
  ttl?: number;
  id?: number;
  tos?: number;
  payload?: Uint8Array | string;
}

/** A whole frame: Ethernet, IPv4 or IPv6, then UDP, TCP or a raw payload. */
export function packet(spec: PacketSpec): Uint8Array {
  const v6 = spec.src.includes(':');
  const src = v6 ? ipv6Address(spec.src) : ipv4Address(spec.src);
  const dst = v6 ? ipv6Address(spec.dst) : ipv4Address(spec.dst);
  const data = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : spec.payload ?? new Uint8Array(0);
  let l4 = data, proto = spec.protocol ?? 253; // 253: RFC 3692 experimental
  if (spec.udp) { l4 = udpDatagram(spec.udp, data, src, dst); proto = IPPROTO.UDP; }
  else if (spec.tcp) { l4 = tcpSegment(spec.tcp, data, src, dst); proto = IPPROTO.TCP; }
  const l3 = v6
    ? ipv6Packet({ src, dst, nextHeader: proto, hopLimit: spec.ttl, trafficClass: spec.tos }, l4)
    : ipv4Packet({ src, dst, protocol: proto, ttl: spec.ttl, id: spec.id, tos: spec.tos }, l4);
  return ethernetFrame({ ...spec.eth, type: v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4 }, l3);
}

export interface ChecksumReport {
  /** The IPv4 header checksum is right (undefined for IPv6 and non-IP frames). */
  ipv4?: boolean;
  /** The UDP or TCP checksum is right (undefined when there is neither, or it is cut off). */
  l4?: boolean;
}

/** Recompute a frame's checksums (after a program rewrote it, say). */
export function checkChecksums(frame: Uint8Array): ChecksumReport {
  if (frame.length < 14) return {};
  const type = (frame[12]! << 8) | frame[13]!;
  let l3 = 14, src: Uint8Array, dst: Uint8Array, proto: number, l4: number, l4len: number;
  const report: ChecksumReport = {};
  if (type === ETHERTYPE.IPV4 && frame.length >= l3 + 20) {
    const ihl = (frame[l3]! & 0x0f) * 4;
    report.ipv4 = internetChecksum(frame.subarray(l3, l3 + ihl)) === 0;
    src = frame.subarray(l3 + 12, l3 + 16);
    dst = frame.subarray(l3 + 16, l3 + 20);
    proto = frame[l3 + 9]!;
    l4 = l3 + ihl;
    l4len = ((frame[l3 + 2]! << 8) | frame[l3 + 3]!) - ihl;
  } else if (type === ETHERTYPE.IPV6 && frame.length >= l3 + 40) {
    src = frame.subarray(l3 + 8, l3 + 24);
    dst = frame.subarray(l3 + 24, l3 + 40);
    proto = frame[l3 + 6]!;
    l4 = l3 + 40;
    l4len = (frame[l3 + 4]! << 8) | frame[l3 + 5]!;
  } else {
    return report;
  }
  if ((proto === IPPROTO.UDP || proto === IPPROTO.TCP) && l4 + l4len <= frame.length && l4len >= 8) {
    const seg = frame.subarray(l4, l4 + l4len);
    report.l4 = internetChecksum(pseudoHeader(src, dst, proto, l4len), seg) === 0;
  }
  return report;
}
