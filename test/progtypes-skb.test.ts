/**
 * Socket-buffer test runs (tc, socket filters, cgroup_skb), differential against the kernel: the
 * programs of test/c/progtypes_{tc,socket,cgroup}.c run in tsbpf and in Linux with the same
 * data_in and ctx_in; retval, data_out, ctx_out and refusals must be the same.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Vm, VmProgram } from '../src/vm/runtime.js';
import type { VmObject } from '../src/vm/load-object.js';
import { packet, ethernetFrame, macAddress } from '../src/net/packet.js';
import { SKB } from '../src/progtypes/context.js';
import { testRun } from '../src/progtypes/test-run.js';
import type { NetDevice } from '../src/progtypes/devices.js';
import { bpftoolRun, kernelCleanup, kernelUnavailable } from './support/kernel-oracle.js';
import { loadVm, pinProgtypes } from './support/progtypes-oracle.js';
import { agree, kernelOutcome, tsbpfOutcome } from './support/progtypes-compare.js';

// Compiled objects, pins and temporary files go when the file's tests are done.
after(kernelCleanup);

const why = kernelUnavailable();
if (why) console.log(`# progtypes-skb: kernel comparisons skipped: ${why}`);

type SkbField = 'mark' | 'priority' | 'ingress_ifindex' | 'ifindex' | 'wire_len' | 'gso_segs' | 'gso_size';

function skbCtx(f: Partial<Record<SkbField, number>> & { cb?: number[]; tstamp?: bigint; hwtstamp?: bigint } = {}, size: number = SKB.size): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [k, v] of Object.entries(f)) {
    if (k === 'cb') (v as number[]).forEach((x, i) => dv.setUint32(SKB.cb + i * 4, x, true));
    else if (k === 'tstamp' || k === 'hwtstamp') dv.setBigUint64(SKB[k], v as bigint, true);
    else dv.setUint32(SKB[k as SkbField], v as number, true);
  }
  return b;
}

const udp4 = packet({ src: '192.168.0.1', dst: '192.168.0.2', udp: { srcPort: 12345, dstPort: 53 }, payload: new Uint8Array(160).fill(0x5a), eth: { dst: '00:00:00:00:00:00', src: 'aa:bb:cc:dd:ee:ff' } });
const tcp4 = packet({ src: '10.0.0.1', dst: '10.0.0.2', tcp: { srcPort: 80, dstPort: 4000, flags: 'PA', seq: 7 }, payload: 'GET / HTTP/1.0\r\n\r\n' });
const udp6 = packet({ src: '2001:db8::1', dst: '2001:db8::2', udp: { srcPort: 5, dstPort: 6 }, payload: new Uint8Array(150).fill(1) });
const icmp4 = packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1, payload: new Uint8Array(20) });
const arp = ethernetFrame({ dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, new Uint8Array(28).fill(3));
const llc = ethernetFrame({ type: 0x0010 }, new Uint8Array(180).fill(0x42));
const raw8023 = ethernetFrame({ type: 0x0010 }, Uint8Array.from([0xff, 0xff, ...new Array(178).fill(9)]));

function withDst(frame: Uint8Array, dst: string): Uint8Array {
  const f = frame.slice();
  f.set(macAddress(dst), 0);
  return f;
}

describe('tc test runs agree with the kernel', { skip: why }, () => {
  let vm: Vm, obj: VmObject, dir: string;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  const pin = (n: string): string => `${dir}/${n}`;
  before(async () => {
    ({ vm, obj } = await loadVm('tc'));
    dir = pinProgtypes('tc');
  });
  after(kernelCleanup);

  test('tc_dump: every readable __sk_buff field, for several frames and destinations', () => {
    const frames: [string, Uint8Array][] = [
      ['udp4 to lo', udp4], ['udp6', withDst(udp6, '00:00:00:00:00:00')], ['broadcast', withDst(udp4, 'ff:ff:ff:ff:ff:ff')],
      ['multicast', withDst(udp4, '01:00:5e:00:00:01')], ['other host', withDst(udp4, '02:00:00:00:00:09')],
      ['802.2 LLC', llc], ['raw 802.3', raw8023],
    ];
    for (const [what, f] of frames) agree(vm, prog('tc_dump'), pin('tc_dump'), { dataIn: f }, what);
  });

  test('tc_dump: ctx_in fields reach the program, and ctx_out has what it wrote', () => {
    const ctxs: [string, Uint8Array][] = [
      ['zero context', skbCtx()],
      ['every allowed field', skbCtx({ mark: 5, priority: 6, ingress_ifindex: 7, ifindex: 1, cb: [1, 2, 3, 4, 5], tstamp: 0x1122334455n, wire_len: 300, gso_segs: 2, gso_size: 1400, hwtstamp: 0x99n })],
      ['wire_len at the limit', skbCtx({ wire_len: 65536 })],
      ['gso_segs at the limit', skbCtx({ gso_segs: 65535 })],
      ['short context', skbCtx({ mark: 9 }, 12)],
      ['long context, zero tail', skbCtx({ mark: 9 }, 200)],
    ];
    for (const [what, c] of ctxs) agree(vm, prog('tc_dump'), pin('tc_dump'), { dataIn: udp4, ctxIn: c }, what);
  });

  test('repeat: the skb and its fields carry over from run to run', () => {
    agree(vm, prog('tc_dump'), pin('tc_dump'), { dataIn: udp4, ctxIn: skbCtx({ priority: 6 }), repeat: 3 }, 'tc_dump repeat 3');
    agree(vm, prog('tc_dump'), pin('tc_dump'), { dataIn: udp4, repeat: 2 }, 'tc_dump repeat 2');
  });

  test('tc_classify: direct packet access and TC_ACT_* results', () => {
    for (const [what, f] of [['udp4', udp4], ['tcp4', tcp4], ['udp6', udp6], ['icmp4', icmp4], ['arp', arp]] as const) {
      agree(vm, prog('tc_classify'), pin('tc_classify'), { dataIn: f }, what);
    }
  });

  test('refusals: sizes, L3 headers, context fields, devices', () => {
    const p = prog('tc_classify'), k = pin('tc_classify');
    const cases: [string, Uint8Array, Uint8Array | undefined][] = [
      ['13 bytes', udp4.subarray(0, 13), undefined],
      ['IPv4 with 19 bytes of header', udp4.subarray(0, 33), undefined],
      ['IPv6 with 39 bytes of header', udp6.subarray(0, 53), undefined],
      ['longer than a test run takes', new Uint8Array(3713).fill(1), undefined],
      ['wire_len below the length', udp4, skbCtx({ wire_len: 100 })],
      ['wire_len above GSO_LEGACY_MAX_SIZE', udp4, skbCtx({ wire_len: 65537 })],
      ['gso_segs above GSO_MAX_SEGS', udp4, skbCtx({ gso_segs: 65536 })],
      ['no such device', udp4, skbCtx({ ifindex: 99 })],
      ['no device and a short frame: ENODEV first', udp4.subarray(0, 20), skbCtx({ ifindex: 99 })],
      ['non-zero tail after the context', udp4, (() => { const c = skbCtx({}, 200); c[195] = 1; return c; })()],
    ];
    for (const [off, what] of [[0, 'len'], [4, 'pkt_type'], [12, 'queue_mapping'], [16, 'protocol'], [44, 'tc_index'], [68, 'hash'], [72, 'tc_classid'], [76, 'data'], [84, 'napi_id'], [88, 'family'], [140, 'data_meta'], [144, 'flow_keys'], [168, 'sk'], [180, 'tstamp_type']] as const) {
      const c = skbCtx();
      c[off] = 1;
      cases.push([`ctx_in ${what} set`, udp4, c]);
    }
    for (const [what, data, ctx] of cases) {
      const o = agree(vm, p, k, { dataIn: data, ...(ctx ? { ctxIn: ctx } : {}) }, what);
      assert.ok(o.errno, `${what}: both should refuse`);
    }
    assert.equal(agree(vm, p, k, { dataIn: udp4, cpu: 1 }, 'cpu given', 'syscall').errno, 'EINVAL');
    assert.equal(agree(vm, p, k, { dataIn: udp4, flags: 1 }, 'flags given', 'syscall').errno, 'EINVAL');
  });

  test('sizes at the limits are accepted', () => {
    for (const [what, f] of [['IPv4, 34 bytes', udp4.subarray(0, 34)], ['IPv6, 54 bytes', udp6.subarray(0, 54)], ['non-IP, 14 bytes', arp.subarray(0, 14)], ['3712 bytes', new Uint8Array(3712).fill(7)]] as const) {
      agree(vm, prog('tc_classify'), pin('tc_classify'), { dataIn: f }, what);
    }
  });

  test('bpf_skb_change_tail and bpf_skb_change_head: the same limits and packets', () => {
    const frame = (op: number, flags: number, arg: number): Uint8Array => {
      const f = ethernetFrame({ dst: '00:00:00:00:00:00', src: 'aa:bb:cc:dd:ee:ff', type: 0x88b5 }, new Uint8Array(46).map((_, i) => (i * 7 + 1) & 0xff));
      const dv = new DataView(f.buffer);
      f[14] = op;
      f[15] = flags;
      dv.setUint32(16, arg, true);
      return f;
    };
    const cases: [number, number, number][] = [
      [1, 0, 100], [1, 0, 30], [1, 0, 14], [1, 0, 13], [1, 0, 0], [1, 1, 100], [1, 0, 16064], [1, 0, 16065], [1, 0, 65550],
      [2, 0, 10], [2, 0, 100], [2, 0, 16004], [2, 0, 16005], [2, 0, 0xffffffff], [2, 1, 4],
    ];
    for (const [op, flags, arg] of cases) {
      agree(vm, prog('tc_resize'), pin('tc_resize'), { dataIn: frame(op, flags, arg) }, `${op === 1 ? 'change_tail' : 'change_head'} ${arg} flags ${flags}`);
    }
    agree(vm, prog('tc_resize'), pin('tc_resize'), { dataIn: frame(2, 0, 8), repeat: 3 }, 'change_head repeated');
  });

  test('ctx_out without ctx_in', () => {
    agree(vm, prog('tc_dump'), pin('tc_dump'), { dataIn: udp4, ctxOut: true }, 'ctx_out only', 'syscall');
  });

  test('a device other than lo, described to tsbpf as the machine has it', (t) => {
    // The machine's next device: the program sees its ifindex, and pkt_type against its MAC.
    const sys = '/sys/class/net';
    const name = existsSync(sys) ? readdirSync(sys).find((n) => n !== 'lo' && existsSync(`${sys}/${n}/address`)) : undefined;
    if (!name) {
      t.skip('no network device besides lo');
      return;
    }
    const ifindex = Number(readFileSync(`${sys}/${name}/ifindex`, 'utf8'));
    const mac = macAddress(readFileSync(`${sys}/${name}/address`, 'utf8').trim());
    const broadcast = macAddress(readFileSync(`${sys}/${name}/broadcast`, 'utf8').trim());
    const rxQueues = readdirSync(`${sys}/${name}/queues`).filter((q) => q.startsWith('rx-')).length;
    const dev: NetDevice = { ifindex, name, mac, broadcast, rxQueues };
    const macText = [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
    for (const [what, f] of [['to its MAC', withDst(udp4, macText)], ['broadcast', withDst(udp4, 'ff:ff:ff:ff:ff:ff')], ['other host', udp4]] as const) {
      const opts = { dataIn: f, ctxIn: skbCtx({ ifindex }) };
      const k = kernelOutcome(bpftoolRun(pin('tc_dump'), opts));
      const r = tsbpfOutcome(vm, prog('tc_dump'), { ...opts, devices: [dev] });
      assert.deepEqual(r, k, `${name} (${ifindex}), ${what}`);
    }
    assert.equal(tsbpfOutcome(vm, prog('tc_dump'), { dataIn: udp4, ctxIn: skbCtx({ ifindex }) }).errno, 'ENODEV', 'a device tsbpf was not told of');
  });
});

describe('socket filter test runs agree with the kernel', { skip: why }, () => {
  let vm: Vm, obj: VmObject, dir: string;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  const pin = (n: string): string => `${dir}/${n}`;
  before(async () => {
    ({ vm, obj } = await loadVm('socket'));
    dir = pinProgtypes('socket');
  });
  after(kernelCleanup);

  test('sock_udp: LD_ABS from layer 3 and through SKF_LL_OFF; data_out has a zeroed Ethernet header', () => {
    for (const [what, f] of [['udp4', udp4], ['tcp4', tcp4], ['udp6', udp6], ['icmp4', icmp4], ['arp', arp], ['34-byte IPv4', udp4.subarray(0, 34)]] as const) {
      const k = agree(vm, prog('sock_udp'), pin('sock_udp'), { dataIn: f }, what);
      assert.equal(k.dataOut!.slice(0, 28), '0'.repeat(28), `${what}: Ethernet header zeroed`);
    }
  });

  test('sock_select: each __sk_buff field and legacy load, with and without ctx_in', () => {
    const ctx = skbCtx({ mark: 5, priority: 6, ingress_ifindex: 7, gso_segs: 3, gso_size: 100, cb: [0, 11] });
    for (const sel of [...Array(18).keys(), 20, 21, 22, 23, 24, 25, 26, 30]) {
      const f = udp4.slice();
      f[15] = sel; // the IPv4 TOS byte: L3 offset 1
      agree(vm, prog('sock_select'), pin('sock_select'), { dataIn: f, ctxIn: ctx }, `selector ${sel}`);
      agree(vm, prog('sock_select'), pin('sock_select'), { dataIn: f }, `selector ${sel} without ctx`);
    }
  });

  test('wire_len is checked against the layer-3 length', () => {
    agree(vm, prog('sock_select'), pin('sock_select'), { dataIn: udp4, ctxIn: skbCtx({ wire_len: udp4.length - 14 }) }, 'wire_len = len');
    assert.equal(agree(vm, prog('sock_select'), pin('sock_select'), { dataIn: udp4, ctxIn: skbCtx({ wire_len: udp4.length - 15 }) }, 'wire_len < len').errno, 'EINVAL');
  });

  test('refusals are the same as for tc', () => {
    for (const [what, f] of [['IPv4 too short', udp4.subarray(0, 33)], ['IPv6 too short', udp6.subarray(0, 53)], ['13 bytes', arp.subarray(0, 13)]] as const) {
      assert.equal(agree(vm, prog('sock_udp'), pin('sock_udp'), { dataIn: f }, what).errno, 'EINVAL');
    }
  });
});

describe('cgroup_skb test runs agree with the kernel', { skip: why }, () => {
  let vm: Vm, obj: VmObject, dir: string;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  const pin = (n: string): string => `${dir}/${n}`;
  before(async () => {
    ({ vm, obj } = await loadVm('cgroup'));
    dir = pinProgtypes('cgroup');
  });
  after(kernelCleanup);

  test('cg_allow: allow and drop by protocol and length', () => {
    for (const [what, f] of [['udp4 (long)', udp4], ['tcp4', tcp4], ['udp6', udp6], ['icmp4', icmp4], ['arp', arp]] as const) {
      agree(vm, prog('cg_allow'), pin('cg_allow'), { dataIn: f }, what);
    }
  });

  test('cg_fields: socket fields, packet pointers and the rest, through ctx_out', () => {
    for (const group of [0, 1, 2]) {
      for (const [what, f] of [['udp4', udp4], ['udp6', udp6], ['arp', arp]] as const) {
        const ctx = skbCtx({ mark: 11, priority: 12, ingress_ifindex: 13, cb: [group], tstamp: 0x500000007n });
        agree(vm, prog('cg_fields'), pin('cg_fields'), { dataIn: f, ctxIn: ctx }, `group ${group}, ${what}`);
      }
    }
  });
});

describe('skb test runs without the kernel', () => {
  test('verdicts name the return values', async () => {
    const { vm, obj } = await loadVm('tc');
    const r = testRun(vm, obj.programs.get('tc_classify')!, { dataIn: udp6 });
    assert.equal(r.verdict.name, 'TC_ACT_REDIRECT');
    const s = await loadVm('socket');
    const k = testRun(s.vm, s.obj.programs.get('sock_udp')!, { dataIn: tcp4 });
    assert.deepEqual([k.retval, k.verdict.name, k.verdict.description], [40, 'KEEP', 'keep at most 40 bytes']);
  });
});
