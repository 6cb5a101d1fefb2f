/**
 * pcap and pcapng: both byte orders and timestamp resolutions round-trip; hand-built pcapng
 * files with several sections, interfaces, simple packet blocks and blocks to skip are read;
 * malformed captures are refused with the place named; and a capture of real loopback traffic
 * (taken with an AF_PACKET socket, the mechanism tcpdump uses) is read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, readPcapng, writePcap, writePcapng, type PacketToWrite } from '../src/net/pcap.js';
import { packet } from '../src/net/packet.js';

const frames: PacketToWrite[] = [
  { timestampNs: 1_700_000_000_123_456_789n, data: packet({ src: '10.0.0.1', dst: '10.0.0.2', udp: { srcPort: 1, dstPort: 2 }, payload: 'one' }) },
  { timestampNs: 1_700_000_001_000_000_001n, data: packet({ src: 'fe80::1', dst: 'fe80::2', tcp: { srcPort: 3, dstPort: 4 }, payload: 'three' }), originalLength: 200 },
  { timestampNs: 1_700_000_002_999_999_999n, data: new Uint8Array(15).fill(0xee) },
];

const usOf = (ns: bigint): bigint => (ns / 1000n) * 1000n;

describe('pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanosecond of [false, true]) {
      test(`round trip: ${bigEndian ? 'big' : 'little'}-endian, ${nanosecond ? 'nano' : 'micro'}second timestamps`, () => {
        const bytes = writePcap(frames, { bigEndian, nanosecond });
        const c = readCapture(bytes);
        assert.equal(c.format, 'pcap');
        assert.equal(c.littleEndian, !bigEndian);
        assert.equal(c.nanosecond, nanosecond);
        assert.equal(c.packets.length, 3);
        c.packets.forEach((p, i) => {
          assert.deepEqual(p.data, frames[i]!.data);
          assert.equal(p.originalLength, frames[i]!.originalLength ?? frames[i]!.data.length);
          assert.equal(p.timestampNs, nanosecond ? frames[i]!.timestampNs : usOf(frames[i]!.timestampNs));
          assert.equal(p.linkType, 1);
        });
      });
    }
  }

  test('the header as libpcap writes it', () => {
    const b = writePcap([], {});
    assert.equal(Buffer.from(b).toString('hex'), 'd4c3b2a1020004000000000000000000000004000100' + '0000');
  });

  test('malformed files say where', () => {
    const good = writePcap(frames);
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /too short/],
      ['bad magic', Uint8Array.from([1, 2, 3, 4, ...new Array(20).fill(0)]), /neither pcap/],
      ['cut header', good.subarray(0, 20), /needs 24 bytes/],
      ['cut record header', good.subarray(0, 30), /record 0 at byte 24: its 16-byte header is cut off/],
      ['cut record data', good.subarray(0, 24 + 16 + 10), /record 0 at byte 24: says \d+ captured bytes/],
    ];
    const v3 = good.slice(); v3[4] = 3;
    cases.push(['version', v3, /version 3.4/]);
    const big = good.slice(); new DataView(big.buffer).setUint32(24 + 8, 5000, true); new DataView(big.buffer).setUint32(24 + 12, 10, true);
    cases.push(['captured > original', big, /says 5000 captured bytes|more than the original/]);
    const frac = good.slice(); new DataView(frac.buffer).setUint32(24 + 4, 1_000_000, true);
    cases.push(['microseconds out of range', frac, /fraction of a second 1000000/]);
    for (const [what, bytes, re] of cases) assert.throws(() => readCapture(bytes), (e: Error & { code?: string }) => e.code === 'EINVAL' && re.test(e.message), what);
    assert.throws(() => readPcapng(cat(idb(1, 0))), /starts with a Section Header Block/);
    assert.throws(() => readCapture(cat(idb(1, 0))), /neither pcap/);
  });
});

/** pcapng blocks by hand, for what writePcapng does not write. */
function block(type: number, body: number[] | Uint8Array, le = true): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const b = new Uint8Array(12 + padded);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, b.length, le);
  b.set(body, 8);
  dv.setUint32(b.length - 4, b.length, le);
  return b;
}
function u32(n: number, le = true): number[] { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, le); return [...b]; }
function u16(n: number, le = true): number[] { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, n, le); return [...b]; }
function shb(le = true): Uint8Array { return block(0x0a0d0d0a, [...u32(0x1a2b3c4d, le), ...u16(1, le), ...u16(0, le), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], le); }
function idb(linkType: number, snaplen: number, tsresol?: number, le = true): Uint8Array {
  const opts = tsresol === undefined ? [] : [...u16(9, le), ...u16(1, le), tsresol, 0, 0, 0, 0, 0, 0, 0];
  return block(1, [...u16(linkType, le), 0, 0, ...u32(snaplen, le), ...opts], le);
}
function epb(iface: number, ts: bigint, data: Uint8Array, orig = data.length, le = true): Uint8Array {
  return block(6, [...u32(iface, le), ...u32(Number(ts >> 32n), le), ...u32(Number(ts & 0xffffffffn), le), ...u32(data.length, le), ...u32(orig, le), ...data], le);
}
const cat = (...p: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(p));

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    for (const tsresol of [6, 9] as const) {
      test(`round trip: ${bigEndian ? 'big' : 'little'}-endian, if_tsresol ${tsresol}`, () => {
        const c = readCapture(writePcapng(frames, { bigEndian, tsresol }));
        assert.equal(c.format, 'pcapng');
        assert.equal(c.littleEndian, !bigEndian);
        assert.equal(c.nanosecond, tsresol === 9);
        c.packets.forEach((p, i) => {
          assert.deepEqual(p.data, frames[i]!.data);
          assert.equal(p.originalLength, frames[i]!.originalLength ?? frames[i]!.data.length);
          assert.equal(p.timestampNs, tsresol === 9 ? frames[i]!.timestampNs : usOf(frames[i]!.timestampNs));
        });
      });
    }
  }

  test('sections of either byte order, several interfaces, tsresol 2^-n, SPB, skipped blocks', () => {
    const d = (n: number): Uint8Array => new Uint8Array(n).fill(n);
    const bytes = cat(
      shb(true),
      idb(1, 0),                    // interface 0: microseconds by default
      block(4, [0, 0, 0, 0]),       // a Name Resolution Block: skipped
      idb(1, 64, 0x80 | 10),        // interface 1: 2^-10 seconds
      epb(0, 1_500_000n, d(20)),    // 1.5 s
      epb(1, 3n * 1024n + 512n, d(21)), // 3.5 s
      block(5, [0, 0, 0, 0, ...u32(0), ...u32(0)]), // Interface Statistics: skipped
      shb(false),                   // a new section, big-endian: interfaces start again
      idb(1, 30, 9, false),
      block(3, [...u32(100, false), ...d(32)], false), // SPB: 100 on the wire, snaplen 30
      epb(0, 42n, d(22), 22, false),
    );
    const c = readCapture(bytes);
    assert.deepEqual(c.packets.map((p) => [p.interfaceId, p.timestampNs, p.data.length, p.originalLength]), [
      [0, 1_500_000_000n, 20, 20], [1, 3_500_000_000n, 21, 21], [0, 0n, 30, 100], [0, 42n, 22, 22],
    ]);
    assert.equal(c.littleEndian, true);
  });

  test('malformed blocks say where', () => {
    const ok = writePcapng(frames);
    const cases: [string, Uint8Array, RegExp][] = [
      ['bad byte-order magic', (() => { const b = shb(); b[8] = 0; return b; })(), /byte-order magic/],
      ['length not a multiple of 4', (() => { const b = ok.slice(); new DataView(b.buffer).setUint32(4, 29, true); return b; })(), /block 0 at byte 0: block length 29/],
      ['trailing length differs', (() => { const b = ok.slice(); b[27] = 9; return b; })(), /trailing length/],
      ['runs past the end', ok.subarray(0, ok.length - 8), /runs past the end/],
      ['unknown interface', cat(shb(), idb(1, 0), epb(3, 0n, new Uint8Array(4))), /names interface 3, and the section has 1/],
      ['captured length past the block', (() => { const e = epb(0, 0n, new Uint8Array(8)); new DataView(e.buffer).setUint32(8 + 12, 100, true); return cat(shb(), idb(1, 0), e); })(), /says 100 captured bytes/],
      ['SPB without an interface', cat(shb(), block(3, [...u32(4), 1, 2, 3, 4])), /before any interface/],
      ['version 2', (() => { const b = shb(); b[12] = 2; return b; })(), /version 2.0/],
    ];
    for (const [what, bytes, re] of cases) assert.throws(() => readCapture(bytes), (e: Error & { code?: string }) => e.code === 'EINVAL' && re.test(e.message), what);
    assert.throws(() => readPcapng(cat(idb(1, 0))), /starts with a Section Header Block/);
    assert.throws(() => readCapture(cat(idb(1, 0))), /neither pcap/);
  });
});

/**
 * Capture loopback traffic: a Python AF_PACKET socket on lo writes a pcap file (its own writer,
 * independent of ours) while this process sends UDP datagrams to it.
 */
const CAPTURE_PY = `
import socket, struct, sys, time
port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(('lo', 0))
s.settimeout(5)
print('ready', flush=True)
got = []
deadline = time.time() + 10
while len(got) < count and time.time() < deadline:
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        break
    if addr[2] == 4:  # PACKET_OUTGOING: lo shows each packet twice
        continue
    if len(data) >= 38 and data[12:14] == b'\\x08\\x00' and data[23] == 17 and struct.unpack('>H', data[36:38])[0] == port:
        got.append((time.time(), data))
with open(path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for t, d in got:
        f.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(d), len(d)))
        f.write(d)
print('captured', len(got), flush=True)
`;

const noPython = spawnSync('python3', ['-c', 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)'], { encoding: 'utf8' }).status === 0
  ? undefined : 'python3 with AF_PACKET sockets (root) is not available';

describe('a capture of real loopback traffic', { skip: noPython }, () => {
  test('AF_PACKET capture of UDP datagrams sent by this process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-net-'));
    const path = join(dir, 'lo.pcap');
    const port = 40000 + (process.pid % 20000);
    const count = 5;
    try {
      const py = spawn('python3', ['-c', CAPTURE_PY, String(port), String(count), path], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve) => py.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('ready')) resolve(); }));
      const sock = createSocket('udp4');
      for (let i = 0; i < count; i++) {
        await new Promise<void>((r) => sock.send(Buffer.from(`tsbpf datagram ${i}`), port, '127.0.0.1', () => r()));
      }
      sock.close();
      await new Promise<void>((r) => py.on('exit', () => r()));
      const c = readCapture(new Uint8Array(readFileSync(path)));
      assert.equal(c.packets.length, count, out);
      c.packets.forEach((p, i) => {
        assert.equal(Buffer.from(p.data.subarray(42)).toString(), `tsbpf datagram ${i}`);
        assert.equal((p.data[36]! << 8) | p.data[37]!, port);
        assert.ok(p.timestampNs > 1_600_000_000_000_000_000n);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
