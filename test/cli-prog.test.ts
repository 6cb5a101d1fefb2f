/** `tsbpf prog ...`, `btf dump` and `disasm` on clang-compiled objects, through bin/tsbpf.js. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileObject, compileSource, noClang, removeTempDir, tempDir } from './support/tools.js';
import { fails, inProcess, inStore, ok, okJson, tempStore, tsbpf } from './support/cli-kit.js';

after(removeTempDir);

const SOURCE = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct stat { __u32 packets; char tag[4]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, struct stat); } stats SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } runs SEC(".maps");
SEC("xdp")
int count_len(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct stat *s = bpf_map_lookup_elem(&stats, &len);
	if (s)
		s->packets++;
	else {
		struct stat n = { 1, "new" };
		bpf_map_update_elem(&stats, &len, &n, BPF_ANY);
	}
	__u32 zero = 0;
	__u64 *r = bpf_map_lookup_elem(&runs, &zero);
	if (r)
		*r += 1;
	bpf_printk("len %u", len);
	return XDP_PASS;
}
SEC("tc")
int minus17(struct __sk_buff *skb) { return -17; }
char LICENSE[] SEC("license") = "GPL";
`;

let obj = '';
let frame60 = '';
before(() => {
  if (noClang) return;
  obj = compileSource('cli_prog', SOURCE).path;
  frame60 = join(tempDir(), 'frame60.bin');
  const f = new Uint8Array(60);
  f[12] = 0x08; // an IPv4 ethertype, the rest zero
  writeFileSync(frame60, f);
});

test('prog load pins a program and its maps; prog show and dump xlated --linum read them back in another process', { skip: noClang }, () => {
  const dir = tempStore();
  const t = inStore(dir);
  const load = ok(t('prog', 'load', obj, 'xdp/count'));
  assert.equal(load.stdout, '');
  const show = okJson(t('prog', 'show', 'pinned', 'xdp/count', '--json')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(show), ['id', 'type', 'name', 'tag', 'gpl_compatible', 'loaded_at', 'uid', 'bytes_xlated', 'jited', 'map_ids', 'pinned']);
  assert.equal(show.type, 'xdp');
  assert.equal(show.name, 'count_len');
  assert.match(show.tag as string, /^[0-9a-f]{16}$/);
  assert.equal(show.gpl_compatible, true);
  assert.ok(Math.abs((show.loaded_at as number) - Date.now() / 1000) < 60);
  assert.deepEqual(show.map_ids, [1, 2, 3], 'stats, runs and the .rodata of the bpf_printk format');
  assert.deepEqual(show.pinned, [join(dir, 'xdp/count')]);
  assert.match(ok(t('prog', 'show', 'name', 'count_len')).stdout,
    /^1: xdp  name count_len  tag [0-9a-f]{16}  gpl\n\tloaded_at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}  uid \d+\n\txlated \d+B  not jited  map_ids 1,2,3\n\tpinned .*xdp\/count\n$/);
  assert.deepEqual(okJson(t('prog', 'show', 'tag', show.tag as string, '-j')), show);
  assert.deepEqual((okJson(t('map', 'show', '--json')) as { name: string; pinned: string[] }[]).map((m) => [m.name, m.pinned]),
    [['stats', [join(dir, 'xdp/count.maps/stats')]], ['runs', [join(dir, 'xdp/count.maps/runs')]], ['cli_prog.rodata', [join(dir, 'xdp/count.maps/cli_prog.rodata')]]]);

  const x = ok(t('prog', 'dump', 'xlated', 'pinned', 'xdp/count', 'linum')).stdout;
  const lines = x.split('\n');
  assert.equal(lines[0], 'int count_len(struct xdp_md * ctx):');
  assert.match(x, new RegExp(`^; struct stat \\*s = bpf_map_lookup_elem\\(&stats, &len\\); \\[file:${obj.replace(/\.o$/, '.c').replace(/[/.]/g, '\\$&')} line_num:10 line_col:\\d+\\]$`, 'm'));
  assert.match(x, /^ {3}\d: \(18\) r1 = map\[id:1\]$|^ {2}\d\d: \(18\) r1 = map\[id:1\]$/m);
  assert.match(x, /: \(85\) call bpf_map_lookup_elem#1$/m);
  assert.match(x, /: \(85\) call bpf_trace_printk#6$/m);
  assert.match(x, /^ {3}0: \(61\) r\d = \*\(u32 \*\)\(r1 \+\d+\)$/m);
  assert.match(x, /: \(95\) exit\n$/);
  const plain = ok(t('prog', 'dump', 'xlated', 'id', '1')).stdout;
  assert.doesNotMatch(plain, /\[file:/);
  assert.match(plain, /^; struct stat \*s = bpf_map_lookup_elem\(&stats, &len\);$/m);
  const xj = okJson(t('prog', 'dump', 'xlated', 'pinned', 'xdp/count', '--linum', '--json')) as Record<string, unknown>[];
  assert.equal(xj[0]!.proto, 'int count_len(struct xdp_md * ctx)');
  assert.ok(xj.some((i) => i.src === 'struct stat *s = bpf_map_lookup_elem(&stats, &len);' && i.line_num === 10 && typeof i.file === 'string'));
  assert.ok(xj.every((i) => typeof i.disasm === 'string' && /^\([0-9a-f]{2}\) /.test(i.disasm as string)));
  // From the object file, without the store: the same listing.
  assert.equal(ok(tsbpf(['prog', 'dump', 'xlated', obj, '--prog', 'count_len', 'linum'])).stdout, x);
});

test('prog run on a pinned program changes its pinned maps; typed dumps; tracelog consumes trace_pipe lines', { skip: noClang }, () => {
  const t = inStore(tempStore());
  ok(t('prog', 'load', obj, 'count', '--prog', 'count_len'));
  const r1 = okJson(t('prog', 'run', 'pinned', 'count', '--data-in', frame60, '--json')) as Record<string, unknown>;
  assert.equal(r1.retval, '0x2');
  assert.equal(r1.verdict, 'XDP_PASS');
  assert.equal(r1.data_out, readFileSync(frame60).toString('hex'));
  assert.ok(Number.isInteger(r1.duration_ns));
  assert.match(ok(t('prog', 'run', 'pinned', 'count', 'data_in', frame60, 'repeat', '3')).stdout, /^Return value: 2 \(XDP_PASS\), duration \(average\): \d+ns\n/);
  // Typed through BTF: bpftool's text layout, and "formatted" in JSON.
  assert.equal(ok(t('map', 'dump', 'pinned', 'count.maps/stats')).stdout,
    '[{\n        "key": 60,\n        "value": {\n            "packets": 4,\n            "tag": "new"\n        }\n    }\n]\n');
  const dj = okJson(t('map', 'dump', 'name', 'stats', '--json')) as Record<string, unknown>[];
  assert.deepEqual(dj[0]!.formatted, { key: 60, value: { packets: 4, tag: 'new' } });
  assert.deepEqual(dj[0]!.key, ['0x3c', '0x00', '0x00', '0x00']);
  assert.deepEqual((okJson(t('map', 'lookup', 'name', 'runs', 'key', '0', '0', '0', '0', '-j')) as Record<string, unknown>).formatted,
    { key: 0, values: [{ cpu: 0, value: 4 }, { cpu: 1, value: 0 }] });
  // Values the user writes are seen by the program.
  ok(t('map', 'update', 'name', 'stats', 'key', '60', '0', '0', '0', 'value', '100', '0', '0', '0', '0x6f', '0x6c', '0x64', '0'));
  const r2 = okJson(t('prog', 'run', 'name', 'count_len', '--data-in', frame60, '-j')) as { maps: Record<string, unknown> };
  assert.deepEqual(r2.maps.stats, [{ key: '3c000000', value: '650000006f6c6400' }]);
  assert.deepEqual(r2.maps.runs, [{ key: '00000000', values: ['0500000000000000', '0000000000000000'] }]);
  const log = ok(t('prog', 'tracelog')).stdout.split('\n').filter((l) => l);
  assert.equal(log.length, 5);
  for (const l of log) assert.match(l, /^ +\S+-\d+ +\[000\] d\.\.31 +\d+\.\d{6}: bpf_trace_printk: len 60$/);
  assert.deepEqual(okJson(t('prog', 'tracelog', '--json')), { lines: [] });
});

test('prog run from an object: the 32-bit retval as the kernel reports it, data_out, ctx_out, refusals by errno', { skip: noClang }, () => {
  const t = inStore(tempStore());
  const r = okJson(t('prog', 'run', obj, '--section', 'tc', '--data-in', frame60, '--repeat', '2', '--json')) as Record<string, unknown>;
  assert.equal(r.retval, '0xffffffef');
  assert.equal(r.verdict, 'TC_ACT_UNKNOWN');
  assert.equal(r.data_out, readFileSync(frame60).toString('hex'));
  assert.equal(r.repeat, 2);
  const out = join(tempDir(), 'out.bin');
  const ctxOut = join(tempDir(), 'ctx.bin');
  ok(t('prog', 'run', obj, '--prog', 'minus17', '--data-in', frame60, '--data-out', out, '--ctx-out', ctxOut));
  assert.deepEqual(readFileSync(out), readFileSync(frame60));
  assert.equal(readFileSync(ctxOut).length, 192, 'ctx_out is a struct __sk_buff');
  const short = join(tempDir(), 'short.bin');
  writeFileSync(short, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  fails(t('prog', 'run', obj, '--prog', 'count_len', '--data-in', short), /BPF_PROG_TEST_RUN: .*\(EINVAL\)/, 'a frame shorter than an Ethernet header');
  fails(t('prog', 'run', obj, '--prog', 'minus17', '--data-in', frame60, '--ctx-in', short), /\(EINVAL\)/, 'an __sk_buff whose len is set');
  fails(t('prog', 'run', obj, '--data-in', frame60), /has 2 programs \(count_len, minus17\): choose one/, 'which program?', 2);
  fails(t('prog', 'run', obj, '--prog', 'nope'), /no program named 'nope'/, 'unknown program');
  fails(t('prog', 'run', obj, '--prog', 'count_len', '--pcap-out', out), /--pcap-out needs --pcap-in/, 'pcap-out alone', 2);
});

const TAIL = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int leaf(struct xdp_md *ctx) { return XDP_DROP; }
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __uint(key_size, 4); __array(values, int (void *)); }
  jt SEC(".maps") = { .values = { [1] = (void *)&leaf } };
SEC("xdp") int root(struct xdp_md *ctx) { bpf_tail_call(ctx, &jt, 1); return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`;

test('prog loadall pins every program; prog_array slots are program ids; prog pin adds pins; unpinned slots change the run', { skip: noClang }, () => {
  const dir = tempStore();
  const t = inStore(dir);
  const tail = compileSource('cli_tail', TAIL).path;
  ok(t('prog', 'loadall', tail, '/sys/fs/bpf/tail', 'pinmaps', 'tailmaps'));
  const progs = okJson(t('prog', 'show', '--json')) as { id: number; name: string; pinned: string[] }[];
  assert.deepEqual(progs.map((p) => [p.id, p.name, p.pinned]), [[1, 'leaf', [join(dir, 'tail/leaf')]], [2, 'root', [join(dir, 'tail/root')]]]);
  assert.equal(ok(t('map', 'dump', 'pinned', 'tailmaps/jt')).stdout, 'key: 01 00 00 00  id: 1 \nFound 1 element\n');
  assert.equal((okJson(t('prog', 'run', 'pinned', 'tail/root', '--data-in', frame60, '-j')) as { retval: string }).retval, '0x1');
  ok(t('map', 'delete', 'pinned', 'tailmaps/jt', 'key', '1', '0', '0', '0'));
  assert.equal((okJson(t('prog', 'run', 'pinned', 'tail/root', '--data-in', frame60, '-j')) as { retval: string }).retval, '0x2');
  ok(t('map', 'update', 'pinned', 'tailmaps/jt', 'key', '0', '0', '0', '0', 'value', 'pinned', 'tail/leaf'));
  assert.deepEqual(okJson(t('map', 'lookup', 'pinned', 'tailmaps/jt', 'key', '0', '0', '0', '0', '-j')), {
    key: ['0x00', '0x00', '0x00', '0x00'], value: ['0x01', '0x00', '0x00', '0x00'],
  });
  ok(t('prog', 'pin', 'id', '2', 'again/root'));
  ok(t('prog', 'pin', tail, '--prog', 'leaf', 'fresh-leaf'));
  const after = okJson(t('prog', 'show', '--json')) as { id: number; name: string; pinned: string[] }[];
  assert.deepEqual(after.map((p) => [p.id, p.name, p.pinned.length]), [[1, 'leaf', 1], [2, 'root', 2], [3, 'leaf', 1]]);
  fails(t('prog', 'show', 'name', 'leaf'), /2 programs are named 'leaf' \(ids 1, 3\)/, 'ambiguous name');
  fails(t('prog', 'loadall', tail, 'tail'), /already exists.*EEXIST/, 'loading over existing pins');
  fails(t('prog', 'show', 'pinned', 'tailmaps/jt'), /is a pinned map, not a program/, 'a map pin given as PROG');
  fails(t('map', 'dump', 'pinned', 'tail/root'), /is a pinned program, not a map/, 'a program pin given as MAP');
});

test('objects with legacy maps or static programs load with warnings on stderr', { skip: noClang }, () => {
  const t = inStore(tempStore());
  const legacy = compileObject('obj_legacy_maps').path;
  const r = ok(t('prog', 'load', legacy, 'legacy'));
  assert.match(r.stderr, /^tsbpf prog load: warning: .*legacy map definitions in section 'maps'/m);
  assert.equal(r.stdout, '');
  assert.equal((okJson(t('map', 'show', 'pinned', 'legacy.maps/legacy_hash', '-j')) as { max_entries: number }).max_entries, 64);
  const stat = compileObject('obj_static_prog').path;
  assert.match(ok(t('prog', 'loadall', stat, 'st')).stderr, /warning: .*program 'static_xdp' is static/);
});

test('btf dump (raw, c, JSON, a pinned map\'s BTF) and disasm of an ELF object', { skip: noClang }, () => {
  const t = inStore(tempStore());
  const raw = ok(t('btf', 'dump', 'file', obj)).stdout;
  assert.match(raw, /^\[\d+\] STRUCT 'stat' size=8 vlen=2\n\t'packets' type_id=\d+ bits_offset=0\n\t'tag' type_id=\d+ bits_offset=32$/m);
  const c = ok(t('btf', 'dump', obj, 'format', 'c')).stdout;
  assert.match(c, /^struct stat \{\n\t__u32 packets;\n\tchar tag\[4\];\n\};$/m);
  const j = okJson(t('btf', 'dump', obj, '--json')) as { types: { kind: string; name: string }[] };
  assert.ok(j.types.some((x) => x.kind === 'STRUCT' && x.name === 'stat'));
  ok(t('prog', 'load', obj, 'p', '--prog', 'count_len'));
  assert.match(ok(t('btf', 'dump', 'map', 'pinned', 'p.maps/stats')).stdout, /STRUCT 'stat'/);
  const d = ok(tsbpf(['disasm', obj])).stdout;
  assert.match(d, /file format elf64-bpf\n\nDisassembly of section xdp:\n\n0000000000000000 <count_len>:\n {7}0:\t/);
  // As llvm-objdump -d prints it (clang loads the int -17 as a 64-bit constant).
  assert.match(d, /Disassembly of section tc:\n\n0000000000000000 <minus17>:\n {7}0:\t18 00 00 00 ef ff ff ff 00 00 00 00 00 00 00 00\tr0 = 4294967279 ll\n {7}2:\t95 00 00 00 00 00 00 00\texit\n$/);
  const dj = okJson(tsbpf(['disasm', obj, '--section', 'tc', '--json'])) as { programs: { name: string; insns: string[] }[] };
  assert.deepEqual(dj.programs, [{ name: 'minus17', section: 'tc', insns: ['r0 = 4294967279 ll', 'exit'] }]);
  fails(t('btf', 'dump', 'file', join(tempDir(), 'missing.o')), /no such file/, 'missing BTF file');
  fails(t('btf', 'dump', obj, 'format', 'yaml'), /format must be c or raw/, 'bad format', 2);
});

test('prog errors exit non-zero with a message and no stack trace', { skip: noClang }, async () => {
  const dir = tempStore();
  const text = join(tempDir(), 'not-elf.o');
  writeFileSync(text, 'hello');
  const cases: [string[], RegExp, number?][] = [
    [['prog', 'load', join(tempDir(), 'missing.o'), 'x'], /missing\.o: cannot read: no such file/, 1],
    [['prog', 'load', text, 'x'], /not-elf\.o: .*ELF/, 1],
    [['prog', 'load', obj], /missing PATH/, 2],
    [['prog', 'load', obj, 'x', '--prog', 'nope'], /no program named 'nope'/, 1],
    [['prog', 'load', obj, '.hidden'], /reserved/, 1],
    [['prog', 'show', 'id', '9'], /no program with id 9/, 1],
    [['prog', 'show', 'tag', 'xyz'], /not 16 hex digits/, 2],
    [['prog', 'dump', 'jited', 'id', '1'], /no program with id 1/, 1],
    [['prog', 'dump', 'xlated', 'id', '1', 'visual'], /'visual' is not supported/, 2],
    [['prog', 'run', 'pinned', 'nothing'], /no such pinned object/, 1],
    [['prog', 'tracelog', 'extra'], /unexpected 'extra'/, 2],
    [['prog'], /which command/, 2],
  ];
  // In this process: main() is what bin/tsbpf.js runs, its return value the exit status.
  for (const [args, re, status] of cases) fails(await inProcess([...args, '--bpffs', dir]), re, args.join(' '), status);
});
