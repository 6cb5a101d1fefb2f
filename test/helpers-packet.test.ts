/**
 * Packet helpers from compiled C, in the VM with small PacketOps, and the same object run by the
 * kernel through BPF_PROG_TEST_RUN: the packets and return values must match, and the checksums
 * the helpers leave must verify with an independent RFC 1071 computation.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { csumDiff, internetChecksum } from '../src/helpers/index.js';
import { PerfEventArrayMap } from '../src/maps/index.js';
import { REDIRECT } from '../src/vm/packet-ops.js';
import { clangMissing, loadHelpersObject, runPacket, TestSkb, TestXdp, u32Key } from './support/helpers-kit.js';
import { kernelCleanup, kernelLoad, kernelMissing, kernelRun } from './support/kernel-oracle.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
const noKernel = skip ?? kernelMissing();
if (skip) console.log(`# skipping helpers-packet tests: ${skip}`);
else if (noKernel) console.log(`# not comparing packet helpers with the kernel: ${noKernel}`);
after(() => {
  kernelCleanup();
  removeElfTempDir();
});

const OBJ = 'helpers_packet';
const IP = 14, UDP = 34, RES = 64;

/** Ethernet + IPv4 + UDP with valid checksums, padded to `frame` bytes (results go in the padding). */
function udpPacket(frame = 200, payload = 18): Uint8Array {
  const p = new Uint8Array(frame);
  const dv = new DataView(p.buffer);
  p.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]);
  p[IP] = 0x45;
  dv.setUint16(IP + 2, 20 + 8 + payload);
  dv.setUint16(IP + 4, 0x1234);
  dv.setUint16(IP + 6, 0x4000);
  p[IP + 8] = 64;
  p[IP + 9] = 17;
  p.set([10, 0, 0, 1, 10, 0, 0, 2], IP + 12);
  dv.setUint16(IP + 10, internetChecksum(p.subarray(IP, IP + 20)));
  dv.setUint16(UDP, 40000);
  dv.setUint16(UDP + 2, 53);
  dv.setUint16(UDP + 4, 8 + payload);
  for (let i = 0; i < payload; i++) p[UDP + 8 + i] = (i * 7 + 3) & 0xff;
  const c = udpChecksum(p);
  dv.setUint16(UDP + 6, c === 0 ? 0xffff : c);
  return p;
}

/** The UDP checksum over the pseudo-header and the datagram, as RFC 768 computes it (field taken as 0). */
function udpChecksum(p: Uint8Array): number {
  const len = (p[UDP + 4]! << 8) | p[UDP + 5]!;
  const b = new Uint8Array(12 + len);
  b.set(p.subarray(IP + 12, IP + 20));
  b[9] = 17;
  b[10] = len >> 8;
  b[11] = len & 0xff;
  b.set(p.subarray(UDP, UDP + len), 12);
  b[12 + 6] = 0;
  b[12 + 7] = 0;
  return internetChecksum(b);
}

function checksumsValid(p: Uint8Array): void {
  assert.equal(internetChecksum(p.subarray(IP, IP + 20)), 0, 'the IPv4 header checksum verifies');
  const field = (p[UDP + 6]! << 8) | p[UDP + 7]!;
  assert.equal(field, udpChecksum(p) || 0xffff, 'the UDP checksum verifies');
}

function results(p: Uint8Array, n: number): bigint[] {
  const dv = new DataView(p.buffer, p.byteOffset);
  return Array.from({ length: n }, (_, i) => dv.getBigInt64(RES + 8 * i, true));
}

let pinned: string | undefined;
function kernel(prog: string, data: Uint8Array, ctx?: Uint8Array): { ret: number; data: Uint8Array } | undefined {
  if (noKernel) return undefined;
  pinned ??= kernelLoad(loadHelpersObject(OBJ).path, 'helpers');
  return kernelRun(`${pinned}/${prog}`, data, ctx);
}

function runTc(prog: string, pkt: Uint8Array, ctx?: Uint8Array): { ret: number; data: Uint8Array } {
  const t = loadHelpersObject(OBJ);
  const skb = new TestSkb(pkt.slice(), ctx);
  const { ret } = runPacket(t.vm, t.prog(prog), skb);
  const k = kernel(prog, pkt, ctx);
  if (k) {
    assert.equal(ret, k.ret, `${prog}: the kernel returned ${k.ret}`);
    assert.deepEqual(skb.buf, k.data, `${prog}: the kernel left the same packet`);
  }
  return { ret, data: skb.buf };
}

function runXdp(prog: string, pkt: Uint8Array): { ret: number; data: Uint8Array; xdp: TestXdp } {
  const t = loadHelpersObject(OBJ);
  const xdp = new TestXdp(pkt);
  const { ret } = runPacket(t.vm, t.prog(prog), xdp);
  const k = kernel(prog, pkt);
  if (k) {
    assert.equal(ret, k.ret, `${prog}: the kernel returned ${k.ret}`);
    assert.deepEqual(xdp.testRunOutput(), k.data, `${prog}: the kernel left the same packet`);
  }
  return { ret, data: xdp.packet(), xdp };
}

test('SNAT with l3/l4_csum_replace and skb_load/store_bytes keeps both checksums valid', { skip }, () => {
  const before = udpPacket();
  checksumsValid(before);
  const { ret, data } = runTc('snat', before);
  assert.equal(ret, 0);
  assert.deepEqual([...data.subarray(IP + 12, IP + 16)], [192, 0, 2, 99]);
  assert.equal(data[IP + 8], 63, 'TTL decremented through a 2-byte l3_csum_replace');
  checksumsValid(data);
});

test('DNAT with csum_diff and replace-by-diff (flags size 0) keeps both checksums valid', { skip }, () => {
  const before = udpPacket();
  const { data } = runTc('dnat', before);
  assert.deepEqual([...data.subarray(IP + 16, IP + 20)], [198, 51, 100, 7]);
  checksumsValid(data);
  const [diff, l4, l3] = results(data, 3);
  assert.equal(diff, BigInt(csumDiff(Uint8Array.from([10, 0, 0, 2]), Uint8Array.from([198, 51, 100, 7]), 0)));
  assert.deepEqual([l4, l3], [0n, 0n]);
});

test('packet helpers check offsets, sizes and flags as the kernel does', { skip }, () => {
  const { data } = runTc('csum_errors', udpPacket());
  assert.deepEqual(results(data, 12), [
    -14n, // odd checksum offset: EFAULT
    -14n, // offset past the packet: EFAULT
    -22n, // field size 3: EINVAL
    -22n, // BPF_F_PSEUDO_HDR is not an l3 flag: EINVAL
    -22n, // unknown l4 flag: EINVAL
    -22n, // size 0 (a diff) with from != 0: EINVAL
    -14n, // skb_load_bytes past the end: EFAULT...
    0n, // ...with the buffer zeroed
    -22n, // skb_store_bytes flag 4: EINVAL
    -14n, // skb_store_bytes past the end: EFAULT
    0n, // MANGLED_0 leaves a zero UDP checksum alone
    0n, // MARK_ENFORCE updates it
  ]);
  assert.equal((data[UDP + 6]! << 8) | data[UDP + 7]!, 0xffff, 'a checksum that comes out 0 is written as CSUM_MANGLED_0');
});

test('csum_diff gives the kernel\'s folded values', { skip }, () => {
  const pkt = new Uint8Array(160);
  for (let i = 0; i < 32; i++) pkt[i] = (i * 37 + 11) & 0xff;
  const { ret, data } = runXdp('xdp_csum_diff', pkt);
  assert.equal(ret, 2);
  // What Linux 6.18 returns for this input (BPF_PROG_TEST_RUN): 16-bit values since csum_from32to16
  // folds them, sizes need not be multiples of 4, and with both sizes 0 the seed comes back folded.
  assert.deepEqual(results(data, 8), [0x8080n, 0x1bf4n, 0x648cn, 0xe92cn, 0xf0efn, 0x9d9dn, 0xaf21n, 0x648cn]);
});

test('xdp_adjust_head and xdp_adjust_tail move the packet\'s ends', { skip }, () => {
  const pkt = new Uint8Array(100).map((_, i) => i);
  const { ret, data } = runXdp('xdp_adjust', pkt);
  assert.equal(ret, 2);
  assert.equal(data.length, 100 + 4 + 6 - 2);
  assert.deepEqual([...data.subarray(0, 4)], [0xca, 0xfe, 0xf0, 0x0d]);
  const r = new DataView(data.buffer, data.byteOffset + 4);
  assert.deepEqual([0, 4, 8, 12].map((o) => r.getInt32(o, true)), [0, -22, 0, 0], 'growing the head past its room: EINVAL');
  assert.deepEqual([...data.subarray(20, 104)], [...pkt.subarray(16, 100)]);
});

test('xdp_adjust_meta makes room for metadata in front of the packet', { skip }, () => {
  const { ret, data, xdp } = runXdp('xdp_meta', new Uint8Array(64));
  assert.equal(ret, 2);
  const meta = xdp.testRunOutput();
  assert.equal(meta.length, 64 + 8);
  assert.equal(new DataView(meta.buffer).getUint32(0, true), 0x11223344);
  const r = new DataView(data.buffer);
  assert.deepEqual([r.getInt32(0, true), r.getInt32(4, true)], [0, -13], 'a metadata size that is not a multiple of 4: EACCES');
});

test('bpf_redirect returns XDP_REDIRECT or TC_ACT_REDIRECT and records the target', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const x = runPacket(t.vm, t.prog('xdp_redirect'), new TestXdp(new Uint8Array(20)));
  assert.equal(x.ret, 4);
  assert.deepEqual(x.run.state[REDIRECT], { kind: 'ifindex', ifindex: 5, flags: 0 });
  assert.equal(runPacket(t.vm, t.prog('xdp_redirect'), new TestXdp(Uint8Array.of(1, ...new Uint8Array(19)))).ret, 0, 'XDP takes no flags: XDP_ABORTED');
  for (const flags of [0, 1]) {
    const pkt = new Uint8Array(20);
    pkt[0] = flags;
    const k = kernel('xdp_redirect', pkt);
    if (k) assert.equal(k.ret, flags ? 0 : 4);
  }
  const ctx = (mark: number): Uint8Array => {
    const c = new Uint8Array(192);
    new DataView(c.buffer).setUint32(8, mark, true);
    return c;
  };
  const tc = runTc('tc_redirect', udpPacket(), ctx(1));
  assert.equal(tc.ret, 7, 'BPF_F_INGRESS: TC_ACT_REDIRECT');
  assert.equal(runTc('tc_redirect', udpPacket(), ctx(2)).ret, 2, 'an unknown flag: TC_ACT_SHOT');
});

test('bpf_redirect_map: a hit redirects, a miss returns the flags\' low bits', { skip }, () => {
  const t = loadHelpersObject('helpers_redirect');
  t.obj.maps.get('ports')!.map.update(u32Key(1), u32Key(7));
  const run = (key: number, flags: number) => runPacket(t.vm, t.prog('xdp_redirect_map'), new TestXdp(Uint8Array.of(key, flags, ...new Uint8Array(18))));
  const hit = run(1, 0);
  assert.equal(hit.ret, 4);
  assert.deepEqual(hit.run.state[REDIRECT], { kind: 'map', mapId: t.obj.maps.get('ports')!.id, key: 1, flags: 0 });
  assert.equal(run(9, 2).ret, 2, 'key 9 is past max_entries: the fallback XDP_PASS');
  assert.equal(run(9, 1).ret, 1, 'fallback XDP_DROP');
  assert.equal(run(9, 8).ret, 4, 'BPF_F_BROADCAST needs no entry');
  assert.equal(run(1, 4).ret, 0, 'an unknown flag: XDP_ABORTED');
});

test('a tail call loop stops after 33 tail calls, as in the kernel', { skip }, () => {
  const { ret, data } = runXdp('xdp_self', new Uint8Array(20));
  assert.equal(ret, 2);
  assert.equal(data[0], 34, 'one run and 33 tail calls');
});

test('perf_event_output from a packet program appends BPF_F_CTXLEN_MASK bytes of the packet', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const pkt = udpPacket();
  assert.equal(runPacket(t.vm, t.prog('sample'), new TestSkb(pkt.slice())).ret, -2, 'no perf event open: ENOENT');
  const k = kernel('sample', pkt);
  if (k) assert.equal(k.ret, -2);
  const events = t.obj.maps.get('pkt_events')!.map as PerfEventArrayMap;
  events.openPerCpuBuffers();
  assert.equal(runPacket(t.vm, t.prog('sample'), new TestSkb(pkt.slice())).ret, 0);
  const [s] = events.drain();
  assert.deepEqual([...s!.data], [0xcd, 0xab, 0, 0, ...pkt.subarray(0, 14)]);
});
