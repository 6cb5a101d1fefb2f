/**
 * runPcap: a program over every packet of a capture, each packet set up as a test run would set
 * it up. Per packet the result must equal testRun's (and the kernel's, where it can be asked);
 * the output capture holds the packets the verdicts let through, with their timestamps.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runPcap } from '../src/net/pcap-run.js';
import { readCapture, writePcap, writePcapng, type PacketToWrite } from '../src/net/pcap.js';
import { ethernetFrame, packet } from '../src/net/packet.js';
import { testRun } from '../src/progtypes/test-run.js';
import { BpfError } from '../src/errors.js';
import { bpftoolRun, hex, kernelCleanup, kernelUnavailable } from './support/kernel-oracle.js';
import { loadVm, pinProgtypes } from './support/progtypes-oracle.js';

const frames: Uint8Array[] = [
  packet({ src: '192.168.0.1', dst: '192.168.0.2', udp: { srcPort: 1234, dstPort: 53 }, payload: new Uint8Array(160).fill(7) }),
  packet({ src: '10.0.0.1', dst: '10.0.0.2', tcp: { srcPort: 80, dstPort: 4000, flags: 'PA' }, payload: 'a'.repeat(60) }),
  packet({ src: '2001:db8::1', dst: '2001:db8::2', udp: { srcPort: 5, dstPort: 6 }, payload: 'six' }),
  ethernetFrame({ dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, new Uint8Array(28).fill(1)),
  packet({ src: '10.0.0.1', dst: '10.0.0.2', udp: { srcPort: 1, dstPort: 2 } }).subarray(0, 20), // IPv4 cut short
  new Uint8Array(10).fill(0xab), // shorter than an Ethernet header
  packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1, payload: new Uint8Array(30) }),
];
const capture: PacketToWrite[] = frames.map((data, i) => ({ timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_123n, data }));

/** What testRun says for one frame, or the errno it refuses it with. */
function single(vm: Parameters<typeof testRun>[0], prog: Parameters<typeof testRun>[1], frame: Uint8Array): { retval?: number; verdict?: string; dataOut?: Uint8Array; errno?: string } {
  try {
    const r = testRun(vm, prog, { dataIn: frame });
    return { retval: r.retval, verdict: r.verdict.name, dataOut: r.dataOut! };
  } catch (e) {
    if (e instanceof BpfError) return { errno: e.code };
    throw e;
  }
}

describe('runPcap', () => {
  test('XDP: per-packet results as testRun gives them; PASS and TX frames written as modified', async () => {
    const { vm, obj } = await loadVm('xdp');
    const prog = obj.programs.get('xdp_swap')!;
    const r = runPcap(vm, prog, writePcap(capture, { nanosecond: true }));
    assert.equal(r.skipped, 1);
    assert.equal(r.skippedPackets[0]!.index, 5);
    assert.match(r.skippedPackets[0]!.reason, /shorter than an Ethernet header/);
    assert.deepEqual(r.verdicts, { XDP_TX: 3, XDP_PASS: 3 });
    let written = 0;
    r.results.forEach((res) => {
      const t = single(vm, prog, frames[res.index]!);
      assert.equal(res.retval, t.retval, `packet ${res.index}`);
      if (res.written) {
        assert.deepEqual(r.packets[written]!.data, t.dataOut, `packet ${res.index} as written`);
        assert.equal(r.packets[written]!.timestampNs, capture[res.index]!.timestampNs);
        written++;
      }
    });
    assert.equal(written, r.packets.length);
    assert.ok(r.insns > 0 && r.durationNs > 0);
  });

  test('tc: SHOT and the other consuming actions are not written', async () => {
    const { vm, obj } = await loadVm('tc');
    const r = runPcap(vm, obj.programs.get('tc_classify')!, writePcapng(capture));
    // 20-byte IPv4 (too short for its header) and 10-byte frames are refused by the test run.
    assert.equal(r.skipped, 2);
    assert.deepEqual(r.verdicts, { TC_ACT_PIPE: 2, TC_ACT_REDIRECT: 1, TC_ACT_OK: 2 });
    assert.equal(r.packets.length, 5);
    const dump = runPcap(vm, obj.programs.get('tc_dump')!, writePcap(capture));
    assert.deepEqual(dump.verdicts, { TC_ACT_SHOT: 1, TC_ACT_UNSPEC: 4 });
    assert.equal(dump.packets.length, 4);
  });

  test('socket filter: dropped packets are left out, kept ones cut to the bytes kept after their Ethernet header', async () => {
    const { vm, obj } = await loadVm('socket');
    const r = runPcap(vm, obj.programs.get('sock_udp')!, writePcap(capture));
    assert.deepEqual(r.verdicts, { KEEP: 2, DROP: 3 });
    assert.deepEqual(r.results.filter((x) => x.written).map((x) => x.index), [0, 1]);
    assert.deepEqual(r.packets[0]!.data, frames[0]);
    assert.deepEqual(r.packets[1]!.data, frames[1]!.subarray(0, 14 + 40));
    assert.equal(r.packets[1]!.originalLength, frames[1]!.length);
    // The output is a capture again.
    const back = readCapture(writePcap(r.packets));
    assert.deepEqual(back.packets.map((p) => p.data.length), [frames[0]!.length, 54]);
  });

  test('cgroup_skb: allowed packets unchanged, dropped ones left out', async () => {
    const { vm, obj } = await loadVm('cgroup');
    const r = runPcap(vm, obj.programs.get('cg_allow')!, writePcap(capture));
    // IPv4 up to 100 bytes (the TCP and ICMP frames) and all IPv6 pass; the long UDP and ARP do not.
    assert.deepEqual(r.verdicts, { DROP: 2, ALLOW: 3 });
    assert.deepEqual(r.packets.map((p) => p.data), [frames[1], frames[2], frames[6]]);
  });

  test('refusals: non-packet types, non-Ethernet captures, malformed captures', async () => {
    const { vm, obj } = await loadVm('trace');
    assert.throws(() => runPcap(vm, obj.programs.get('raw_args')!, writePcap(capture)), /do not run on packets/);
    const x = await loadVm('xdp');
    assert.throws(() => runPcap(x.vm, x.obj.programs.get('xdp_swap')!, writePcap(capture, { linkType: 101 })), /link type 101/);
    assert.throws(() => runPcap(x.vm, x.obj.programs.get('xdp_swap')!, new Uint8Array(3)), { code: 'EINVAL' });
  });
});

// Compiled objects, pins and temporary files go when the file's tests are done.
after(kernelCleanup);

const why = kernelUnavailable();

describe('runPcap agrees with the kernel packet by packet', { skip: why }, () => {
  after(kernelCleanup);

  test('xdp_swap and sock_udp over the capture', async () => {
    for (const [name, fn] of [['xdp', 'xdp_swap'], ['socket', 'sock_udp']] as const) {
      const { vm, obj } = await loadVm(name);
      const dir = pinProgtypes(name);
      const r = runPcap(vm, obj.programs.get(fn)!, writePcap(capture));
      const ran = new Map(r.results.map((x) => [x.index, x]));
      frames.forEach((f, i) => {
        const k = bpftoolRun(`${dir}/${fn}`, { dataIn: f });
        const mine = ran.get(i);
        if (k.errno) assert.ok(r.skippedPackets.some((s) => s.index === i), `${fn} packet ${i}: the kernel refuses it (${k.errno}), runPcap skips it`);
        else assert.equal(mine?.retval, k.retval, `${fn} packet ${i}: retval`);
      });
      if (name === 'xdp') {
        const written = r.results.filter((x) => x.written).map((x) => x.index);
        written.forEach((i, n) => assert.equal(hex(r.packets[n]!.data), hex(bpftoolRun(`${dir}/${fn}`, { dataIn: frames[i]! }).dataOut), `xdp packet ${i} as written`));
      }
    }
  });
});
