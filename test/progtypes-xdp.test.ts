/**
 * XDP test runs, differential against the kernel: the programs of test/c/progtypes_xdp.c run in
 * tsbpf and in Linux (BPF_PROG_TEST_RUN) with the same data_in and ctx_in; retval, data_out,
 * ctx_out and refusals must be the same.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vm, VmProgram } from '../src/vm/runtime.js';
import type { VmObject } from '../src/vm/load-object.js';
import { checkChecksums, packet } from '../src/net/packet.js';
import { testRun } from '../src/progtypes/test-run.js';
import { XDP_MD } from '../src/progtypes/context.js';
import { XdpTestBuffer } from '../src/progtypes/xdp.js';
import { kernelCleanup, kernelUnavailable } from './support/kernel-oracle.js';
import { loadVm, pinProgtypes, testHelpers } from './support/progtypes-oracle.js';
import { agree } from './support/progtypes-compare.js';

// Compiled objects, pins and temporary files go when the file's tests are done.
after(kernelCleanup);

const why = kernelUnavailable();
if (why) console.log(`# progtypes-xdp: kernel comparisons skipped: ${why}`);

function xdpMd(f: Partial<Record<keyof typeof XDP_MD, number>>, size: number = XDP_MD.size): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [k, v] of Object.entries(f)) dv.setUint32(XDP_MD[k as keyof typeof XDP_MD], v!, true);
  return b;
}

const udp4 = packet({ src: '192.168.0.1', dst: '192.168.0.2', udp: { srcPort: 12345, dstPort: 53 }, payload: 'abcdefghijklmnop', ttl: 64 });
const udp6 = packet({ src: 'fe80::1', dst: 'fe80::2', udp: { srcPort: 1, dstPort: 2 }, payload: 'hello' });

/** A frame whose bytes 14.. steer xdp_adjust: meta/4, head/4 (signed bytes), tail (s16 LE). */
function adjustFrame(len: number, meta: number, head: number, tail: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set([0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x08, 0x00]);
  for (let i = 18; i < len; i++) f[i] = (i * 7 + 1) & 0xff;
  const dv = new DataView(f.buffer);
  dv.setInt8(14, meta / 4);
  dv.setInt8(15, head / 4);
  dv.setInt16(16, tail, true);
  return f;
}

describe('XDP test runs agree with the kernel', { skip: why }, () => {
  let vm: Vm, obj: VmObject, dir: string;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  const pin = (n: string): string => `${dir}/${n}`;

  before(async () => {
    ({ vm, obj } = await loadVm('xdp'));
    dir = pinProgtypes('xdp');
    console.log(`# progtypes-xdp: packet helpers from ${(await testHelpers()).from}`);
  });
  after(kernelCleanup);

  test('xdp_swap rewrites an IPv4 frame and sends it back (XDP_TX), checksum still right', () => {
    const k = agree(vm, prog('xdp_swap'), pin('xdp_swap'), { dataIn: udp4 }, 'xdp_swap udp4');
    assert.equal(k.retval, 3);
    const out = Buffer.from(k.dataOut!, 'hex');
    assert.deepEqual(checkChecksums(out), { ipv4: true, l4: true });
    assert.equal(out[22], 63);
  });

  test('xdp_swap passes IPv6 and drops nothing shorter than a header', () => {
    assert.equal(agree(vm, prog('xdp_swap'), pin('xdp_swap'), { dataIn: udp6 }, 'xdp_swap udp6').retval, 2);
    agree(vm, prog('xdp_swap'), pin('xdp_swap'), { dataIn: udp4.subarray(0, 14) }, 'xdp_swap 14 bytes');
  });

  test('repeated runs share one buffer, as in the kernel', () => {
    const k = agree(vm, prog('xdp_swap'), pin('xdp_swap'), { dataIn: udp4, repeat: 5 }, 'xdp_swap repeat 5');
    assert.equal(Buffer.from(k.dataOut!, 'hex')[22], 59);
    agree(vm, prog('xdp_swap'), pin('xdp_swap'), { dataIn: udp4, repeat: 4 }, 'xdp_swap repeat 4');
  });

  test('the program sees the loopback device and rx queue 0', () => {
    const k = agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: udp4 }, 'xdp_ctx');
    const out = Uint8Array.from(Buffer.from(k.dataOut!, 'hex'));
    const dv = new DataView(out.buffer);
    assert.deepEqual([dv.getUint32(14, true), dv.getUint32(18, true), dv.getUint32(22, true), dv.getUint32(26, true)], [udp4.length, 0, 1, 0]);
  });

  test('ctx_in: metadata from data_in, ingress device, data_end and ctx_out', () => {
    const big = adjustFrame(400, 0, 0, 0);
    const cases: [string, Uint8Array][] = [
      ['all zero but data_end', xdpMd({ data_end: udp4.length })],
      ['4 bytes of metadata on lo', xdpMd({ data: 4, data_end: udp4.length, ingress_ifindex: 1 })],
      ['data_end short of data_in: the rest becomes a fragment', xdpMd({ data_end: 50 })],
      ['a short context', xdpMd({ data_end: udp4.length }, 8)],
      ['a long context with a zero tail', xdpMd({ data_end: udp4.length }, 28)],
    ];
    for (const [what, ctx] of cases) agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: udp4, ctxIn: ctx }, what);
    for (const meta of [32, 36, 64, 200, 216]) agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: big, ctxIn: xdpMd({ data: meta, data_end: 400 }) }, `metadata ${meta}`);
    agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: big, ctxIn: xdpMd({ data_end: 10 }) }, 'data_end 10');
    agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: big, ctxIn: xdpMd({}) }, 'data_end 0');
  });

  test('ctx_out without ctx_in: a zero context, so no linear data', () => {
    agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: udp4, ctxOut: true }, 'ctx_out only', 'syscall');
  });

  test('refusals: the same errno as the kernel', () => {
    const p = prog('xdp_ctx'), k = pin('xdp_ctx');
    const n = udp4.length;
    const cases: [string, Uint8Array, Uint8Array | undefined][] = [
      ['13-byte frame', udp4.subarray(0, 13), undefined],
      ['egress_ifindex set', udp4, xdpMd({ data_end: n, egress_ifindex: 1 })],
      ['rx queue without a device', udp4, xdpMd({ data_end: n, rx_queue_index: 1 })],
      ['rx queue 1 of lo (it has one)', udp4, xdpMd({ data_end: n, ingress_ifindex: 1, rx_queue_index: 1 })],
      ['no such device', udp4, xdpMd({ data_end: n, ingress_ifindex: 99 })],
      ['metadata not a multiple of 4', udp4, xdpMd({ data: 6, data_end: n })],
      ['metadata leaving no room for the xdp_frame', adjustFrame(400, 0, 0, 0), xdpMd({ data: 220, data_end: 400 })],
      ['data_meta set', udp4, xdpMd({ data_end: n, data_meta: 4 })],
      ['data_end past data_in', udp4, xdpMd({ data_end: n + 1 })],
      ['data past data_end', udp4, xdpMd({ data: 8, data_end: 4 })],
      ['non-zero bytes after the context', udp4, (() => { const c = xdpMd({ data_end: n }, 28); c[26] = 1; return c; })()],
      ['a short frame and a bad context: E2BIG first', udp4.subarray(0, 10), (() => { const c = xdpMd({}, 32); c[30] = 1; return c; })()],
    ];
    for (const [what, data, ctx] of cases) {
      const o = agree(vm, p, k, { dataIn: data, ...(ctx ? { ctxIn: ctx } : {}) }, what);
      assert.ok(o.errno, `${what}: both should refuse`);
    }
    assert.equal(agree(vm, p, k, { dataIn: udp4, flags: 4 }, 'unknown flag', 'syscall').errno, 'EINVAL');
  });

  test('frames longer than the page: the linear part is 3520 bytes, the rest fragments', () => {
    for (const len of [3519, 3520, 3521, 5000, 9000]) agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: adjustFrame(len, 0, 0, 0) }, `${len} bytes`);
    // At most MAX_SKB_FRAGS (17) fragments (bpftool's data_out is too small for these: bpf(2) directly).
    for (const len of [3520 + 17 * 4096, 3521 + 17 * 4096]) agree(vm, prog('xdp_ctx'), pin('xdp_ctx'), { dataIn: adjustFrame(len, 0, 0, 0) }, `${len} bytes`, 'syscall');
  });

  test('bpf_xdp_adjust_meta/head/tail: the same limits and results', () => {
    const cases: [number, number, number, number][] = [
      [60, 0, 0, 0], [60, -4, 0, 0], [60, -32, 0, 0], [60, -36, 0, 0], [60, -216, 0, 0], [60, -220, 0, 0], [60, 4, 0, 0],
      [60, -8, 0, 0], [60, 0, -216, 0], [60, 0, -220, 0], [60, 0, -212, 0], [60, -8, -208, 0], [60, -8, -212, 0],
      [60, 0, 44, 0], [60, 0, 48, 0], [60, 0, -4, 0], [60, 0, 0, -46], [60, 0, 0, -47], [60, 0, 0, 3460], [60, 0, 0, 3461],
      [60, 0, 0, 100], [60, -4, -8, 8], [60, -12, -100, -20],
      // with fragments: the tail shrinks fragments first, grows the last one within its page
      [5000, 0, 0, -100], [5000, 0, 0, -1480], [5000, 0, 0, -1500], [5000, 0, 0, -4986], [5000, 0, 0, -4987],
      [5000, 0, 0, 100], [5000, 0, 0, 2616], [5000, 0, 0, 2617], [9000, -8, 16, -5000],
    ];
    for (const [len, meta, head, tail] of cases) {
      agree(vm, prog('xdp_adjust'), pin('xdp_adjust'), { dataIn: adjustFrame(len, meta, head, tail) }, `adjust ${len} bytes meta ${meta} head ${head} tail ${tail}`);
    }
  });

  test('each test run starts on a zeroed page, whatever the runs before left in it', () => {
    // The first run writes into the headroom (its failed tail adjustment's -EINVAL at data - 66);
    // the next exposes those bytes as metadata (data - 72 .. data - 64), which the kernel's new
    // page has zero.
    for (const [meta, head, tail] of [[0, -68, 5000], [-8, -64, 0], [0, -68, 5000], [-8, -64, 0]] as const) {
      const k = agree(vm, prog('xdp_adjust'), pin('xdp_adjust'), { dataIn: adjustFrame(100, meta, head, tail) }, `adjust meta ${meta} head ${head} tail ${tail}`);
      if (meta === 0) assert.equal(Buffer.from(k.dataOut!, 'hex')[2], 0xea, 'the run left -EINVAL in the headroom');
    }
  });

  test('repeat with adjustments accumulates them', () => {
    agree(vm, prog('xdp_adjust'), pin('xdp_adjust'), { dataIn: adjustFrame(100, -4, -8, 4), repeat: 3 }, 'adjust repeat 3');
  });
});

describe('XDP test runs without the kernel', () => {
  test('a test buffer starts zeroed around its frame, though its page served another before', () => {
    const first = new XdpTestBuffer(new Uint8Array(3000).fill(0xee), {});
    first.page.fill(0xdd);
    first.ctx.fill(0xcc);
    first.release();
    const next = new XdpTestBuffer(new Uint8Array(60).fill(0x11), {});
    assert.equal(next.page, first.page, 'the page given back serves the next buffer');
    assert.ok(next.page.subarray(0, next.meta).every((b) => b === 0), 'headroom');
    assert.ok(next.page.subarray(next.meta, next.end).every((b) => b === 0x11), 'frame');
    assert.ok(next.page.subarray(next.end).every((b) => b === 0), 'after the frame');
    const ctx = new DataView(next.ctx.buffer, next.ctx.byteOffset, XDP_MD.size);
    assert.deepEqual([ctx.getUint32(XDP_MD.ingress_ifindex, true), ctx.getUint32(XDP_MD.rx_queue_index, true), ctx.getUint32(XDP_MD.egress_ifindex, true)], [1, 0, 0]);
    next.release();
    next.release();
    const a = new XdpTestBuffer(new Uint8Array(60), {}), b = new XdpTestBuffer(new Uint8Array(60), {});
    assert.notEqual(a.page, b.page, 'a page given back twice serves one buffer at a time');
  });

  test('devmap programs and live frames are refused', async () => {
    const { vm, obj } = await loadVm('xdp');
    const p = obj.programs.get('xdp_swap')!;
    assert.throws(() => testRun(vm, p, { dataIn: udp4, flags: 2 }), { code: 'ENOTSUPP' });
    assert.throws(() => testRun(vm, { ...p, section: 'xdp/devmap' }, { dataIn: udp4 }), { code: 'EINVAL' });
    const r = testRun(vm, p, { dataIn: udp4 });
    assert.equal(r.verdict.name, 'XDP_TX');
    assert.equal(r.runs, 1);
    assert.ok(r.insns > 10);
  });
});
