/**
 * Packet captures: the classic pcap format (either byte order, microsecond or nanosecond
 * timestamps) and pcapng (Section Header, Interface Description, Enhanced and Simple Packet
 * blocks; other blocks are skipped). Timestamps are kept as nanoseconds since the epoch, so a
 * capture can be read, run through a program and written back with its original times.
 *
 * Malformed captures are BpfErrors (EINVAL) that say where: the byte offset, the record or block.
 */
import { BpfError } from '../errors.js';

/** LINKTYPE_ETHERNET */
export const LINKTYPE_ETHERNET = 1;

export interface CapturedPacket {
  /** Nanoseconds since the epoch. */
  timestampNs: bigint;
  /** The captured bytes (possibly fewer than the packet had, see originalLength). */
  data: Uint8Array;
  /** The packet's length on the wire. */
  originalLength: number;
  /** The link type of the interface it was captured on. */
  linkType: number;
  /** pcapng: the interface's index in its section; pcap: 0. */
  interfaceId: number;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  /** pcap: the file's byte order and timestamp resolution; pcapng: the first section's order. */
  littleEndian: boolean;
  nanosecond: boolean;
  /** pcap: the file's snapshot length; pcapng: the first interface's (0: no limit). */
  snaplen: number;
  packets: CapturedPacket[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const PCAPNG_IDB = 0x00000001;
const PCAPNG_SPB = 0x00000003;
const PCAPNG_EPB = 0x00000006;
/** The obsolete Packet Block, still written by old tools: read like an EPB with a drops count. */
const PCAPNG_PB = 0x00000002;

function malformed(where: string, what: string): BpfError {
  return new BpfError('EINVAL', `malformed capture: ${where}: ${what}`);
}

/** Read a pcap or pcapng capture, telling them apart by their first four bytes. */
export function readCapture(bytes: Uint8Array): Capture {
  if (bytes.length < 4) throw malformed('file', `${bytes.length} bytes is too short for a capture`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = dv.getUint32(0, false), le = dv.getUint32(0, true);
  if (be === PCAPNG_SHB) return readPcapng(bytes);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return readPcap(bytes);
  throw malformed('file', `magic 0x${be.toString(16).padStart(8, '0')} is neither pcap (a1b2c3d4, a1b23c4d, either byte order) nor pcapng (0a0d0d0a)`);
}

export function readPcap(bytes: Uint8Array): Capture {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw malformed('pcap header', `needs 24 bytes, the file has ${bytes.length}`);
  const magicLe = dv.getUint32(0, true);
  const littleEndian = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
  const magic = dv.getUint32(0, littleEndian);
  if (magic !== PCAP_MAGIC_US && magic !== PCAP_MAGIC_NS) throw malformed('pcap header', `bad magic 0x${dv.getUint32(0, false).toString(16)}`);
  const nanosecond = magic === PCAP_MAGIC_NS;
  const major = dv.getUint16(4, littleEndian);
  if (major !== 2) throw malformed('pcap header', `version ${major}.${dv.getUint16(6, littleEndian)}, expected 2.4`);
  const snaplen = dv.getUint32(16, littleEndian);
  // The upper bits of the link type field carry the FCS length; the type is the low 16 bits.
  const linkType = dv.getUint32(20, littleEndian) & 0xffff;
  const packets: CapturedPacket[] = [];
  let at = 24;
  while (at < bytes.length) {
    const n = packets.length;
    if (at + 16 > bytes.length) throw malformed(`pcap record ${n} at byte ${at}`, `its 16-byte header is cut off (${bytes.length - at} bytes left)`);
    const sec = dv.getUint32(at, littleEndian);
    const frac = dv.getUint32(at + 4, littleEndian);
    const incl = dv.getUint32(at + 8, littleEndian);
    const orig = dv.getUint32(at + 12, littleEndian);
    if (frac >= (nanosecond ? 1_000_000_000 : 1_000_000)) {
      throw malformed(`pcap record ${n} at byte ${at}`, `fraction of a second ${frac} is out of range for ${nanosecond ? 'nanosecond' : 'microsecond'} timestamps`);
    }
    if (at + 16 + incl > bytes.length) throw malformed(`pcap record ${n} at byte ${at}`, `says ${incl} captured bytes, only ${bytes.length - at - 16} remain`);
    if (incl > orig) throw malformed(`pcap record ${n} at byte ${at}`, `captured length ${incl} is more than the original length ${orig}`);
    packets.push({
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanosecond ? 1n : 1000n),
      data: bytes.slice(at + 16, at + 16 + incl),
      originalLength: orig,
      linkType,
      interfaceId: 0,
    });
    at += 16 + incl;
  }
  return { format: 'pcap', littleEndian, nanosecond, snaplen, packets };
}

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second, as a numerator over 10^k or 2^k: nanoseconds = ts * 1e9 / unitsPerSecond. */
  unitsPerSecond: bigint;
}

export function readPcapng(bytes: Uint8Array): Capture {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: CapturedPacket[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let first: { le: boolean; snaplen?: number; nanosecond?: boolean } | undefined;
  let at = 0;
  let index = 0;
  while (at < bytes.length) {
    const where = `pcapng block ${index} at byte ${at}`;
    if (at + 12 > bytes.length) throw malformed(where, `a block needs at least 12 bytes, ${bytes.length - at} remain`);
    const rawType = dv.getUint32(at, false);
    if (rawType === PCAPNG_SHB) {
      const bom = dv.getUint32(at + 8, true);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (dv.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else throw malformed(where, `section header's byte-order magic is 0x${bom.toString(16)}, not 1a2b3c4d`);
      interfaces = []; // interface ids count from 0 in each section
      first ??= { le };
    } else if (index === 0) {
      throw malformed(where, 'a pcapng file starts with a Section Header Block');
    }
    const type = dv.getUint32(at, le);
    const len = dv.getUint32(at + 4, le);
    if (len < 12 || len % 4 !== 0) throw malformed(where, `block length ${len} is not a multiple of 4 of at least 12`);
    if (at + len > bytes.length) throw malformed(where, `block of ${len} bytes runs past the end of the file (${bytes.length - at} bytes left)`);
    if (dv.getUint32(at + len - 4, le) !== len) throw malformed(where, `trailing length ${dv.getUint32(at + len - 4, le)} differs from the leading ${len}`);
    const body = at + 8, bodyEnd = at + len - 4;
    switch (type) {
      case PCAPNG_SHB: {
        if (len < 28) throw malformed(where, `section header of ${len} bytes is shorter than 28`);
        const major = dv.getUint16(body + 4, le);
        if (major !== 1) throw malformed(where, `pcapng version ${major}.${dv.getUint16(body + 6, le)}, expected 1.0`);
        break;
      }
      case PCAPNG_IDB: {
        if (bodyEnd - body < 8) throw malformed(where, 'interface description is shorter than 8 bytes');
        const iface: Interface = { linkType: dv.getUint16(body, le), snaplen: dv.getUint32(body + 4, le), unitsPerSecond: 1_000_000n };
        forOptions(bytes, dv, body + 8, bodyEnd, le, where, (code, value) => {
          if (code === 9) { // if_tsresol
            if (value.length < 1) throw malformed(where, 'if_tsresol option is empty');
            const r = value[0]!;
            const exp = BigInt(r & 0x7f);
            if (exp > 60n) throw malformed(where, `if_tsresol ${r} is beyond what a 64-bit timestamp can mean`);
            iface.unitsPerSecond = (r & 0x80) ? 1n << exp : 10n ** exp;
          }
        });
        interfaces.push(iface);
        if (first && first.snaplen === undefined) {
          first.snaplen = iface.snaplen;
          first.nanosecond = iface.unitsPerSecond >= 1_000_000_000n;
        }
        break;
      }
      case PCAPNG_EPB:
      case PCAPNG_PB: {
        if (bodyEnd - body < 20) throw malformed(where, 'packet block is shorter than its 20-byte header');
        const ifId = type === PCAPNG_EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const iface = interfaces[ifId];
        if (!iface) throw malformed(where, `packet names interface ${ifId}, and the section has ${interfaces.length}`);
        const ts = (BigInt(dv.getUint32(body + 4, le)) << 32n) | BigInt(dv.getUint32(body + 8, le));
        const cap = dv.getUint32(body + 12, le);
        const orig = dv.getUint32(body + 16, le);
        if (body + 20 + cap > bodyEnd) throw malformed(where, `says ${cap} captured bytes, the block holds ${bodyEnd - body - 20}`);
        packets.push({
          timestampNs: (ts * 1_000_000_000n) / iface.unitsPerSecond,
          data: bytes.slice(body + 20, body + 20 + cap),
          originalLength: orig,
          linkType: iface.linkType,
          interfaceId: ifId,
        });
        break;
      }
      case PCAPNG_SPB: {
        const iface = interfaces[0];
        if (!iface) throw malformed(where, 'simple packet block before any interface description');
        if (bodyEnd - body < 4) throw malformed(where, 'simple packet block is shorter than 4 bytes');
        const orig = dv.getUint32(body, le);
        // The captured length is the original one cut to the snapshot length and the block.
        let cap = iface.snaplen > 0 ? Math.min(orig, iface.snaplen) : orig;
        cap = Math.min(cap, bodyEnd - body - 4);
        packets.push({ timestampNs: 0n, data: bytes.slice(body + 4, body + 4 + cap), originalLength: orig, linkType: iface.linkType, interfaceId: 0 });
        break;
      }
      default:
        break; // name resolution, statistics, custom blocks...: nothing a program runs on
    }
    at += len;
    index++;
  }
  return { format: 'pcapng', littleEndian: first?.le ?? true, nanosecond: first?.nanosecond ?? false, snaplen: first?.snaplen ?? 0, packets };
}

/** Walk pcapng options (code, length, value padded to 4) until opt_endofopt or the end. */
function forOptions(bytes: Uint8Array, dv: DataView, at: number, end: number, le: boolean, where: string, f: (code: number, value: Uint8Array) => void): void {
  while (at + 4 <= end) {
    const code = dv.getUint16(at, le), len = dv.getUint16(at + 2, le);
    if (code === 0) return;
    if (at + 4 + len > end) throw malformed(where, `option ${code} of ${len} bytes runs past its block`);
    f(code, bytes.subarray(at + 4, at + 4 + len));
    at += 4 + ((len + 3) & ~3);
  }
}

export interface WritePcapOptions {
  /** Nanosecond timestamps (magic a1b23c4d); default microseconds. */
  nanosecond?: boolean;
  /** Byte order of the file; default little-endian. */
  bigEndian?: boolean;
  snaplen?: number;
  linkType?: number;
}

export interface PacketToWrite {
  timestampNs: bigint;
  data: Uint8Array;
  /** Default: data.length. */
  originalLength?: number;
}

/** Write a classic pcap file. */
export function writePcap(packets: readonly PacketToWrite[], opts: WritePcapOptions = {}): Uint8Array {
  const le = !opts.bigEndian;
  const total = 24 + packets.reduce((n, p) => n + 16 + p.data.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, opts.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, opts.snaplen ?? 262144, le);
  dv.setUint32(20, opts.linkType ?? LINKTYPE_ETHERNET, le);
  let at = 24;
  for (const p of packets) {
    const sec = p.timestampNs / 1_000_000_000n;
    const ns = p.timestampNs % 1_000_000_000n;
    if (sec < 0n || sec > 0xffffffffn) throw new BpfError('EINVAL', `pcap: timestamp ${p.timestampNs} ns does not fit the format's 32-bit seconds`);
    dv.setUint32(at, Number(sec), le);
    dv.setUint32(at + 4, Number(opts.nanosecond ? ns : ns / 1000n), le);
    dv.setUint32(at + 8, p.data.length, le);
    dv.setUint32(at + 12, p.originalLength ?? p.data.length, le);
    out.set(p.data, at + 16);
    at += 16 + p.data.length;
  }
  return out;
}

export interface WritePcapngOptions {
  bigEndian?: boolean;
  linkType?: number;
  snaplen?: number;
  /** if_tsresol: nanoseconds (9, the default) or microseconds (6). */
  tsresol?: 6 | 9;
}

/** Write a pcapng file: one section, one interface, an Enhanced Packet Block per packet. */
export function writePcapng(packets: readonly PacketToWrite[], opts: WritePcapngOptions = {}): Uint8Array {
  const le = !opts.bigEndian;
  const resol = opts.tsresol ?? 9;
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array): void => {
    const len = 12 + body.length;
    const b = new Uint8Array(len);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, le);
    dv.setUint32(4, len, le);
    b.set(body, 8);
    dv.setUint32(len - 4, len, le);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const sdv = new DataView(shb.buffer);
  sdv.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, le);
  sdv.setUint16(4, 1, le);
  sdv.setUint16(6, 0, le);
  sdv.setBigInt64(8, -1n, le); // section length unknown
  block(PCAPNG_SHB, shb);
  const idb = new Uint8Array(8 + 8 + 4);
  const idv = new DataView(idb.buffer);
  idv.setUint16(0, opts.linkType ?? LINKTYPE_ETHERNET, le);
  idv.setUint32(4, opts.snaplen ?? 0, le);
  idv.setUint16(8, 9, le); // if_tsresol
  idv.setUint16(10, 1, le);
  idb[12] = resol;
  // then opt_endofopt (4 zero bytes)
  block(PCAPNG_IDB, idb);
  const unit = resol === 9 ? 1n : 1000n;
  for (const p of packets) {
    const padded = (p.data.length + 3) & ~3;
    const body = new Uint8Array(20 + padded);
    const dv = new DataView(body.buffer);
    const ts = p.timestampNs / unit;
    dv.setUint32(0, 0, le);
    dv.setUint32(4, Number((ts >> 32n) & 0xffffffffn), le);
    dv.setUint32(8, Number(ts & 0xffffffffn), le);
    dv.setUint32(12, p.data.length, le);
    dv.setUint32(16, p.originalLength ?? p.data.length, le);
    body.set(p.data, 20);
    block(PCAPNG_EPB, body);
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
