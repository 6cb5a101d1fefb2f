/**
 * The README's Examples section, run as written: every `$ ` command of the section in order, in a
 * fresh pin store, each output checked against real counts (mixed.pcap: 12 frames, of them TCP 5
 * (3 to port 80), UDP 2, ICMP 2, one IPv6, one ARP and a 10-byte runt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import { noClang } from './support/tools.js';
import { BIN, tempStore, type Ran } from './support/cli-kit.js';

const section = (() => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Examples\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
})();
const commands = section.split('\n').filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));

type Check = (r: Ran) => void;
const json = (r: Ran): Record<string, unknown> => JSON.parse(r.stdout);
const u64 = (hex: string): number => Number(Buffer.from(hex, 'hex').readBigUInt64LE(0));
const skippedRunt = (j: Record<string, unknown>): void => {
  assert.equal(j.frames, 12);
  assert.equal(j.skipped, 1);
  assert.deepEqual(j.skipped_frames, [{ index: 11, reason: 'data_in is 10 bytes, shorter than an Ethernet header (14)' }]);
};
/** A map from --json "maps" as key (u32) → value (u64, or per-CPU u64s). */
const counts = (j: Record<string, unknown>, name: string): Record<number, number | number[]> => {
  const els = (j.maps as Record<string, { key: string; value?: string; values?: string[] }[]>)[name]!;
  return Object.fromEntries(els.map((e) => [Buffer.from(e.key, 'hex').readUInt32LE(0), e.values ? e.values.map(u64) : u64(e.value!)]));
};

const EXPECT: Record<string, Check> = {
  'node examples/build.mjs': () => {},
  'npx tsbpf prog run examples/hello.o': (r) => {
    assert.match(r.stdout, /^Return value: 0 \(FILTERED\), duration: \d+ns\n$/);
    assert.match(r.stderr, /no test run for tracepoint programs \(ENOTSUPP\); ran on a zeroed/);
  },
  'npx tsbpf prog tracelog': (r) => assert.match(r.stdout, /^ +node-\d+ +\[000\] d\.\.31 +\d+\.\d{6}: bpf_trace_printk: Hello, BPF World!\n$/),
  'npx tsbpf prog load examples/count_protocols.o /sys/fs/bpf/count': (r) => assert.equal(r.stdout + r.stderr, ''),
  'npx tsbpf prog run pinned /sys/fs/bpf/count --pcap-in examples/packets/mixed.pcap': (r) => assert.equal(r.stdout,
    '12 frames: 11 run, 1 skipped\n  XDP_PASS  11\n  skipped frame 11: data_in is 10 bytes, shorter than an Ethernet header (14)\n'),
  'npx tsbpf map dump pinned /sys/fs/bpf/count.maps/proto_counts': (r) => {
    const typed = JSON.parse(r.stdout) as { key: number; value: { packets: number; bytes: number } }[];
    assert.deepEqual(typed, [
      { key: 6, value: { packets: 5, bytes: 297 } }, { key: 17, value: { packets: 2, bytes: 144 } }, { key: 1, value: { packets: 2, bytes: 100 } },
    ]);
    assert.match(r.stdout, /^\[\{\n {8}"key": 6,\n {8}"value": \{\n {12}"packets": 5,/);
  },
  'npx tsbpf prog dump xlated pinned /sys/fs/bpf/count linum': (r) => {
    assert.match(r.stdout, /^int count_protocols\(struct xdp_md \* ctx\):\n; void \*data_end = \(void \*\)\(long\)ctx->data_end; \[file:\S*examples\/count_protocols\.c line_num:25 line_col:38\]\n {3}0: \(61\) r6 = \*\(u32 \*\)\(r1 \+4\)\n/);
    assert.match(r.stdout, /: \(18\) r1 = map\[id:1\]\n.*: \(85\) call bpf_map_lookup_elem#1\n/);
  },
  'npx tsbpf prog run examples/tail_call.o --prog dispatch --pcap-in examples/packets/mixed.pcap --json': (r) => {
    const j = json(r);
    skippedRunt(j);
    assert.deepEqual(j.verdicts, { XDP_PASS: 11 });
    assert.deepEqual(counts(j, 'handled'), { 0: 5, 1: 2, 2: 2 });
  },
  'npx tsbpf prog run examples/xdp_drop_port.o --pcap-in examples/packets/mixed.pcap --json': (r) => {
    const j = json(r);
    skippedRunt(j);
    assert.deepEqual(j.verdicts, { XDP_DROP: 3, XDP_PASS: 8 });
    assert.equal(j.written, 8);
    assert.deepEqual(counts(j, 'verdicts'), { 0: [3, 0], 1: [8, 0] });
  },
  'npx tsbpf prog run examples/tc_prio.o --data-in examples/packets/tcp_syn.bin --ctx-out /tmp/tc_ctx.bin --json': (r) => {
    const j = json(r);
    assert.equal(j.retval, '0x0');
    assert.equal(j.verdict, 'TC_ACT_OK');
    const ctx = Buffer.from(j.ctx_out as string, 'hex');
    assert.equal(ctx.readUInt32LE(8), 0x80, 'skb->mark');
    assert.equal(ctx.readUInt32LE(32), 6, 'skb->priority');
    assert.deepEqual(readFileSync('/tmp/tc_ctx.bin'), ctx);
  },
  'npx tsbpf prog run examples/sockfilter_protocols.o --pcap-in examples/packets/mixed.pcap --json': (r) => {
    const j = json(r);
    skippedRunt(j);
    assert.deepEqual(j.verdicts, { DROP: 11 });
    assert.deepEqual(counts(j, 'protocols'), { 1: 2, 6: 5, 17: 2 });
  },
  'npx tsbpf prog load examples/legacy_maps.o /sys/fs/bpf/legacy': (r) => {
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /warning: .*legacy map definitions in section 'maps'/);
    assert.match(r.stderr, /warning: .*program 'legacy_xdp' is static/);
  },
  'npx tsbpf prog run pinned /sys/fs/bpf/legacy --data-in examples/packets/tcp_syn.bin': (r) => assert.match(r.stdout, /^Return value: 2 \(XDP_PASS\), duration: \d+ns\ndata_out \(54 bytes\):\n/),
  'npx tsbpf map dump pinned /sys/fs/bpf/legacy.maps/runs': (r) => assert.equal(r.stdout, 'key: 00 00 00 00  value: 01 00 00 00 00 00 00 00\nFound 1 element\n'),
};

test('the README lists exactly the example commands this test checks', () => {
  assert.deepEqual(commands, Object.keys(EXPECT));
});

test('every README example command runs and gives the documented results', { skip: noClang }, () => {
  const env = { ...process.env, TSBPF_BPFFS: tempStore('tsbpf-examples-') };
  for (const cmd of commands) {
    const words = cmd.split(/\s+/);
    const argv = words[0] === 'npx' && words[1] === 'tsbpf' ? [BIN, ...words.slice(2)] : words.slice(1);
    assert.equal(words[0] === 'npx' || words[0] === 'node', true, cmd);
    const p = spawnSync(process.execPath, argv, { cwd: REPO_ROOT, encoding: 'utf8', env });
    const r: Ran = { status: p.status, signal: p.signal, stdout: p.stdout, stderr: p.stderr };
    assert.equal(r.status, 0, `${cmd}\n${r.stderr}`);
    EXPECT[cmd]!(r);
  }
});
