/**
 * The object loader on clang's output: programs in many sections, BTF-defined and legacy maps,
 * global data, bpf-to-bpf calls and callbacks, line and function info, and the loader's errors.
 * libbpf (through `bpftool gen skeleton`, which only opens the object) and, where bpf(2) works, the
 * kernel (through `bpftool prog loadall`) are the oracles.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { loadObjectSpec, type ObjectSpec, type ProgramSpec } from '../src/elf/object.js';
import { readElf64 } from '../src/elf/elf64.js';
import { slotOffsets, validateProgram, type Insn } from '../src/isa/insn.js';
import { CALL_CODE, LDDW_CODE, PSEUDO } from '../src/isa/opcodes.js';
import { MAP_FLAGS } from '../src/maps/types.js';
import {
  assembleWithLlvm, compileObject, compileSource, noBpftool, noClang, noKernelLoad, removeTempDir, runStatus, tempDir, tools,
  withLoadedObject,
} from './support/tools.js';

after(removeTempDir);

const skip = noClang;
if (skip) console.log(`# elf-object: compiled-object tests skipped: ${skip}`);
const noLibbpf = skip ?? noBpftool;
if (!skip && noLibbpf) console.log(`# elf-object: libbpf comparisons skipped: ${noLibbpf}`);

function load(name: string, extra: string[] = []): ObjectSpec {
  const obj = compileObject(name, extra);
  return loadObjectSpec(obj.bytes, { file: obj.path });
}

function prog(spec: ObjectSpec, name: string): ProgramSpec {
  const p = spec.programs.find((x) => x.name === name);
  assert.ok(p, `no program ${name} in ${spec.programs.map((x) => x.name).join(', ')}`);
  return p;
}

function expectError(f: () => unknown, code: string, ...parts: string[]): BpfError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof BpfError, `expected a BpfError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return e;
  }
  assert.fail('expected an error');
}

/** What libbpf sees when it opens the object: `bpftool gen skeleton` lists programs and maps. */
function libbpfView(path: string, objName: string): { ok: boolean; progs: string[]; maps: string[]; out: string } {
  const r = runStatus(tools.bpftool!, ['gen', 'skeleton', path, 'name', objName]);
  const names = (what: string) => [...r.out.matchAll(new RegExp(`s->${what}\\[\\d+\\]\\.name = "([^"]+)"`, 'g'))].map((m) => m[1]!);
  return { ok: r.ok, progs: names('progs'), maps: names('maps'), out: r.out };
}

const EXPECTED_PROGS: [name: string, section: string, type: string, attach?: string, target?: object][] = [
  ['xdp_pass', 'xdp', 'xdp', 'xdp'],
  ['xdp_drop', 'xdp', 'xdp', 'xdp'],
  ['xdp_frags', 'xdp.frags', 'xdp', 'xdp'],
  ['tc_ok', 'tc', 'sched_cls'],
  ['cls_ok', 'classifier', 'sched_cls'],
  ['sock_filter', 'socket', 'socket_filter'],
  ['tp_execve', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint', undefined, { kind: 'tracepoint', category: 'syscalls', name: 'sys_enter_execve' }],
  ['tp_switch', 'tp/sched/sched_switch', 'tracepoint', undefined, { kind: 'tracepoint', category: 'sched', name: 'sched_switch' }],
  ['kp_open', 'kprobe/do_sys_open', 'kprobe', undefined, { kind: 'kprobe', func: 'do_sys_open', offset: 0 }],
  ['krp_open', 'kretprobe/do_sys_open', 'kprobe', undefined, { kind: 'kprobe', func: 'do_sys_open', offset: 0 }],
  ['kp_offset', 'kprobe/tcp_v4_connect+0x10', 'kprobe', undefined, { kind: 'kprobe', func: 'tcp_v4_connect', offset: 16 }],
  ['up_malloc', 'uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc', 'kprobe', undefined, { kind: 'uprobe', path: '/usr/lib/x86_64-linux-gnu/libc.so.6', func: 'malloc', offset: 0 }],
  ['urp_readline', 'uretprobe//bin/bash:readline+16', 'kprobe', undefined, { kind: 'uprobe', path: '/bin/bash', func: 'readline', offset: 16 }],
  ['up_manual', 'uprobe', 'kprobe'],
  ['usdt_mark', 'usdt/./app:myprov:mark', 'kprobe', undefined, { kind: 'usdt', path: './app', provider: 'myprov', name: 'mark' }],
  ['rawtp_switch', 'raw_tp/sched_switch', 'raw_tracepoint', undefined, { kind: 'raw_tracepoint', name: 'sched_switch' }],
  ['rawtp_enter', 'raw_tracepoint/sys_enter', 'raw_tracepoint', undefined, { kind: 'raw_tracepoint', name: 'sys_enter' }],
  ['fentry_unlink', 'fentry/do_unlinkat', 'tracing', 'trace_fentry', { kind: 'btf', name: 'do_unlinkat' }],
  ['fexit_unlink', 'fexit/do_unlinkat', 'tracing', 'trace_fexit', { kind: 'btf', name: 'do_unlinkat' }],
  ['lsm_open', 'lsm/file_open', 'lsm', 'lsm_mac', { kind: 'btf', name: 'file_open' }],
  ['iter_task', 'iter/task', 'tracing', 'trace_iter', { kind: 'btf', name: 'task' }],
  ['cg_ingress', 'cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress'],
  ['cg_egress', 'cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress'],
  ['cg_connect4', 'cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect'],
  ['on_perf', 'perf_event', 'perf_event'],
  ['skb_verdict', 'sk_skb/stream_verdict', 'sk_skb', 'sk_skb_stream_verdict'],
  ['sockops_prog', 'sockops', 'sock_ops', 'cgroup_sock_ops'],
  ['seccomp_filter', 'seccomp', 'seccomp'],
  ['tc_optional', '?tc', 'sched_cls'],
];

test('programs in many sections: one per function symbol, typed by the section name', { skip }, () => {
  const spec = load('obj_progs');
  assert.deepEqual(spec.programs.map((p) => p.name), EXPECTED_PROGS.map((e) => e[0]));
  for (const [name, section, type, attach, target] of EXPECTED_PROGS) {
    const p = prog(spec, name);
    assert.equal(p.section, section, name);
    assert.equal(p.type, type, name);
    assert.equal(p.attachType, attach, name);
    assert.deepEqual(p.attachTarget, target, name);
    assert.equal(p.license, 'GPL');
    assert.equal(p.kernelVersion, 0x050a00);
    assert.ok(p.global);
    validateProgram(p.insns, p.name);
  }
  assert.equal(prog(spec, 'krp_open').sectionInfo.isReturn, true);
  assert.equal(prog(spec, 'urp_readline').sectionInfo.isReturn, true);
  assert.equal(prog(spec, 'xdp_frags').sectionInfo.xdpFrags, true);
  assert.equal(prog(spec, 'tc_optional').sectionInfo.autoload, false);
  // Two programs from one section, each with its own instructions.
  assert.deepEqual(prog(spec, 'xdp_pass').insns[0], { code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 });
  assert.deepEqual(prog(spec, 'xdp_drop').insns[0], { code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 });
  assert.equal(spec.license, 'GPL');
  assert.equal(spec.kernelVersion, 0x050a00);
  assert.deepEqual(spec.warnings, []);
});

test('libbpf opens obj_progs with the same programs in the same order', { skip: noLibbpf }, () => {
  const obj = compileObject('obj_progs');
  const view = libbpfView(obj.path, 'obj_progs');
  assert.ok(view.ok, view.out);
  assert.deepEqual(view.progs, loadObjectSpec(obj.bytes, { file: obj.path }).programs.map((p) => p.name));
});

test('BTF-defined maps: types, sizes from __type and __uint, flags, extra, numa, pinning', { skip }, () => {
  const spec = load('obj_maps');
  const byName = new Map(spec.maps.map((m) => [m.name, m]));
  // libbpf orders .maps variables by offset.
  assert.deepEqual(spec.maps.map((m) => m.name), ['inner_a', 'inner_b', 'outer', 'jumps', 'flows', 'counters', 'seen', 'events', 'scratch', 'outer_hash']);
  const flows = byName.get('flows')!;
  assert.deepEqual(
    { type: flows.spec.type, key: flows.spec.keySize, value: flows.spec.valueSize, max: flows.spec.maxEntries, flags: flows.spec.flags },
    { type: 'hash', key: 4, value: 32, max: 1024, flags: MAP_FLAGS.NO_PREALLOC },
  );
  assert.equal(flows.origin, 'btf');
  const btf = spec.btf!;
  assert.equal(btf.typeById(flows.btfKeyTypeId!).name, '__u32');
  assert.equal(btf.typeById(flows.btfValueTypeId!).name, 'value_t');
  const counters = byName.get('counters')!;
  assert.deepEqual([counters.spec.type, counters.spec.keySize, counters.spec.valueSize, counters.spec.maxEntries], ['array', 4, 8, 4]);
  assert.equal(counters.pinning, 'by_name');
  assert.equal(counters.btfKeyTypeId, undefined, 'key_size gives no BTF type');
  const scratch = byName.get('scratch')!;
  assert.equal(scratch.spec.type, 'percpu_array');
  assert.equal(scratch.numaNode, 0);
  const seen = byName.get('seen')!;
  assert.deepEqual([seen.spec.type, seen.spec.keySize, seen.spec.valueSize, seen.spec.mapExtra], ['bloom_filter', 0, 4, 3n]);
  const events = byName.get('events')!;
  assert.equal(events.spec.type, 'ringbuf');
  assert.equal(events.spec.maxEntries, 8192, 'rounded up to a power-of-2 number of pages, as libbpf does');
  assert.ok(spec.warnings.some((w) => w.includes(`map 'events'`) && w.includes('8192')));
});

test('map-in-map and prog-array: inner definitions and `values` initialisers', { skip }, () => {
  const spec = load('obj_maps');
  const idx = (n: string) => spec.maps.findIndex((m) => m.name === n);
  const outer = spec.maps[idx('outer')]!;
  assert.equal(outer.spec.type, 'array_of_maps');
  assert.equal(outer.spec.valueSize, 4);
  assert.deepEqual(outer.inner, { type: 'array', name: 'outer.inner', keySize: 4, valueSize: 8, maxEntries: 2, flags: 0, btfKeyTypeId: outer.inner!.btfKeyTypeId, btfValueTypeId: outer.inner!.btfValueTypeId });
  assert.equal(outer.spec.inner, outer.inner);
  assert.deepEqual(outer.initSlots, [
    { slot: 0, kind: 'map', name: 'inner_a', mapIndex: idx('inner_a') },
    { slot: 2, kind: 'map', name: 'inner_b', mapIndex: idx('inner_b') },
  ]);
  const hom = spec.maps[idx('outer_hash')]!;
  assert.equal(hom.spec.type, 'hash_of_maps');
  assert.equal(hom.inner!.name, 'outer_hash.inner');
  assert.equal(hom.initSlots, undefined);
  const jumps = spec.maps[idx('jumps')]!;
  assert.equal(jumps.spec.type, 'prog_array');
  assert.deepEqual([jumps.spec.keySize, jumps.spec.valueSize, jumps.spec.maxEntries], [4, 4, 3]);
  assert.deepEqual(jumps.initSlots, [{ slot: 1, kind: 'program', name: 'tail_a' }]);
});

test('map references become lddw map_idx (src 5) with the map index', { skip }, () => {
  const spec = load('obj_maps');
  const p = prog(spec, 'maps_user');
  const refs = p.insns.filter((i) => i.code === LDDW_CODE).map((i) => [i.src, spec.maps[i.imm]!.name, i.imm2]);
  assert.deepEqual(refs, [
    [PSEUDO.MAP_IDX, 'flows', 0], [PSEUDO.MAP_IDX, 'counters', 0], [PSEUDO.MAP_IDX, 'outer', 0], [PSEUDO.MAP_IDX, 'seen', 0],
    [PSEUDO.MAP_IDX, 'events', 0], [PSEUDO.MAP_IDX, 'scratch', 0], [PSEUDO.MAP_IDX, 'outer_hash', 0], [PSEUDO.MAP_IDX, 'jumps', 0],
  ]);
  assert.deepEqual(p.mapsUsed.map((i) => spec.maps[i]!.name), ['flows', 'counters', 'outer', 'seen', 'events', 'scratch', 'outer_hash', 'jumps']);
});

test('libbpf sees the same BTF maps', { skip: noLibbpf }, () => {
  const obj = compileObject('obj_maps');
  const view = libbpfView(obj.path, 'obj_maps');
  assert.ok(view.ok, view.out);
  assert.deepEqual(view.maps, loadObjectSpec(obj.bytes, { file: obj.path }).maps.map((m) => m.name));
});

test('legacy maps section: struct bpf_map_def per symbol, with a warning; libbpf 1.x refuses it', { skip }, () => {
  const obj = compileObject('obj_legacy_maps');
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  assert.deepEqual(spec.maps.map((m) => [m.name, m.origin, m.spec.type, m.spec.keySize, m.spec.valueSize, m.spec.maxEntries, m.spec.flags]), [
    ['legacy_hash', 'legacy', 'hash', 4, 8, 64, 0],
    ['legacy_array', 'legacy', 'array', 4, 16, 8, 0],
  ]);
  assert.ok(spec.warnings.some((w) => w.includes('legacy map definitions') && w.includes('libbpf 1.x refuses')));
  const p = prog(spec, 'legacy_user');
  assert.deepEqual(p.insns.filter((i) => i.code === LDDW_CODE).map((i) => [i.src, i.imm]), [[PSEUDO.MAP_IDX, 0], [PSEUDO.MAP_IDX, 1]]);
  if (!noLibbpf) {
    const view = libbpfView(obj.path, 'legacy');
    assert.equal(view.ok, false);
    assert.match(view.out, /legacy map definitions/);
  }
});

test('global data: .data, .rodata, .bss, .rodata.str1.1 and .data.counters as array maps', { skip }, () => {
  const obj = compileObject('obj_globals');
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  assert.equal(spec.name, 'obj_globals');
  assert.deepEqual(spec.maps.map((m) => [m.name, m.origin, m.section]), [
    ['obj_glob.data', 'data', '.data'],
    ['obj_glob.rodata', 'rodata', '.rodata'],
    ['.data.counters', 'data', '.data.counters'],
    ['.rodata.str1.1', 'rodata', '.rodata.str1.1'],
    ['obj_glob.bss', 'bss', '.bss'],
  ]);
  const elf = readElf64(obj.bytes, obj.path);
  for (const m of spec.maps) {
    const sec = elf.sectionByName(m.section)!;
    assert.deepEqual([m.spec.type, m.spec.keySize, m.spec.valueSize, m.spec.maxEntries], ['array', 4, sec.size, 1], m.name);
    assert.equal(m.initialValue!.length, sec.size);
    const ro = m.origin === 'rodata';
    assert.equal((m.spec.flags & MAP_FLAGS.RDONLY_PROG) !== 0, ro, `${m.name} read-only to programs`);
    assert.equal(m.frozen === true, ro, `${m.name} frozen`);
  }
  const map = (n: string) => spec.maps.find((m) => m.section === n)!;
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(dv(map('.data').initialValue!).getInt32(0, true), 7); // data_var
  assert.equal(dv(map('.data').initialValue!).getBigInt64(8, true), -1n); // data_var2
  assert.equal(dv(map('.rodata').initialValue!).getInt32(0, true), 42); // ro_config
  assert.equal(dv(map('.data.counters').initialValue!).getInt32(0, true), 3);
  assert.ok(map('.bss').initialValue!.every((b) => b === 0));
  assert.equal(new TextDecoder().decode(map('.rodata.str1.1').initialValue!), 'str1 %d\n\0');
  // Global variables seen by user space make the map mmap-able; .rodata.str1.1 has none (libbpf >= 1.3).
  assert.ok(map('.data').spec.flags & MAP_FLAGS.MMAPABLE);
  assert.equal(map('.rodata.str1.1').spec.flags & MAP_FLAGS.MMAPABLE, 0);
  assert.equal(spec.btf!.typeById(map('.bss').btfValueTypeId!).name, '.bss');

  // Each lddw of a variable: map_idx_value (src 6), imm = map index, imm2 = symbol value + addend.
  const p = prog(spec, 'globals_tp');
  const refs = p.insns.filter((i) => i.code === LDDW_CODE).map((i) => {
    assert.equal(i.src, PSEUDO.MAP_IDX_VALUE);
    return `${spec.maps[i.imm]!.section}+${i.imm2}`;
  });
  const sym = (n: string) => elf.symbols.find((s) => s.name === n)!.value;
  for (const expect of [
    `.rodata+${sym('ro_config')}`, `.rodata+${sym('globals_tp.fmt')}`, `.data+${sym('data_var')}`,
    `.rodata+${sym('globals_tp.____fmt')}`, `.bss+${sym('bss_counter')}`, '.rodata.str1.1+0', `.rodata+${sym('ro_limit')}`,
    `.bss+${sym('bss_array')}`, `.data+${sym('static_data')}`, `.data.counters+0`, `.data+${sym('data_var2')}`,
  ]) {
    assert.ok(refs.includes(expect), `missing ${expect} in ${refs.join(' ')}`);
  }
  // The format string the program passes is where the relocation says.
  const fmtRef = p.insns.find((i) => i.code === LDDW_CODE && spec.maps[i.imm]!.section === '.rodata' && i.imm2 === sym('globals_tp.fmt'))!;
  const ro = map('.rodata').initialValue!;
  assert.equal(new TextDecoder().decode(ro.subarray(fmtRef.imm2!, fmtRef.imm2! + 10)), 'execve %d\n');
});

test('libbpf names global-data maps the same way', { skip: noLibbpf }, () => {
  const obj = compileObject('obj_globals');
  for (const name of ['g', 'obj_globals', 'a_rather_long_name']) {
    const view = libbpfView(obj.path, name);
    assert.ok(view.ok, view.out);
    const ours = loadObjectSpec(obj.bytes, { file: obj.path, name }).maps.map((m) => m.name);
    assert.deepEqual(ours, view.maps, name);
  }
});

/** Where each function of a linked program starts, and where a call or lddw-func lands. */
function landing(p: ProgramSpec, insnIndex: number): string {
  const slots = slotOffsets(p.insns);
  const target = slots[insnIndex]! + p.insns[insnIndex]!.imm + 1;
  const fn = p.functions.find((f) => f.slot === target);
  assert.ok(fn, `${p.name}: insn ${insnIndex} lands on slot ${target}, not a function start`);
  return fn.name;
}

test('bpf-to-bpf calls: .text subprograms appended depth first, call immediates relinked', { skip }, () => {
  const spec = load('obj_calls');
  assert.deepEqual(spec.programs.map((p) => p.name), ['calls_xdp', 'calls_tc']);
  const xdp = prog(spec, 'calls_xdp');
  // calls_xdp calls twice (static, relocation against .text + imm) which calls add_static (no
  // relocation inside .text), then mul_global (global, relocation against its symbol, imm -1).
  assert.deepEqual(xdp.functions.map((f) => [f.name, f.section]), [
    ['calls_xdp', 'xdp'], ['twice', '.text'], ['add_static', '.text'], ['mul_global', '.text'],
  ]);
  const calls = xdp.insns.map((i, k) => (i.code === CALL_CODE && i.src === 1 ? k : -1)).filter((k) => k >= 0);
  assert.deepEqual(calls.map((k) => landing(xdp, k)), ['twice', 'mul_global', 'add_static', 'add_static']);
  validateProgram(xdp.insns);
  // The subprogram's code is unchanged apart from call immediates.
  const elf = readElf64(compileObject('obj_calls').bytes);
  const text = elf.sectionByName('.text')!.data;
  const mul = elf.symbols.find((s) => s.name === 'mul_global')!;
  const at = xdp.functions.find((f) => f.name === 'mul_global')!.slot;
  const mine = xdp.insns.slice(at, at + mul.size / 8); // no lddw in these functions: slots = insns
  mine.forEach((i, k) => {
    if (i.code === CALL_CODE) return;
    assert.equal(i.imm, new DataView(text.buffer, text.byteOffset).getInt32(mul.value + k * 8 + 4, true));
  });
});

test('callbacks: an lddw of a static function becomes src=PSEUDO_FUNC relative to the appended callee', { skip }, () => {
  const spec = load('obj_calls');
  const tc = prog(spec, 'calls_tc');
  assert.deepEqual(tc.functions.map((f) => f.name), ['calls_tc', 'loop_body', 'add_static']);
  const k = tc.insns.findIndex((i) => i.code === LDDW_CODE);
  assert.equal(tc.insns[k]!.src, PSEUDO.FUNC);
  assert.equal(tc.insns[k]!.imm2, 0);
  assert.equal(landing(tc, k), 'loop_body');
  // bpf_loop itself stays a helper call (id 181).
  assert.ok(tc.insns.some((i) => i.code === CALL_CODE && i.src === 0 && i.imm === 181));
  validateProgram(tc.insns);
});

test('the kernel links the subprograms in the same order (bpftool prog loadall)', { skip: noLibbpf ?? noKernelLoad }, (t) => {
  const obj = compileObject('obj_calls');
  withLoadedObject(t, obj.path, 'tsbpf_elf_test', (pin) => {
    const spec = loadObjectSpec(obj.bytes, { file: obj.path });
    for (const p of spec.programs) {
      const dump = runStatus(tools.bpftool!, ['prog', 'dump', 'xlated', 'pinned', join(pin, p.name)]);
      assert.ok(dump.ok, dump.out);
      const kernelOrder = [...dump.out.matchAll(/^\S.* \**(\w+)\(.*\):$/gm)].map((m) => m[1]!);
      assert.deepEqual(kernelOrder, p.functions.map((f) => f.name), p.name);
    }
  });
});

test('line info per slot and func info per function, relocated into the linked program', { skip }, () => {
  const spec = load('obj_calls');
  const xdp = prog(spec, 'calls_xdp');
  assert.equal(xdp.lineInfo.length, slotOffsets(xdp.insns).length); // no lddw here: slots = insns
  assert.ok(xdp.lineInfo.every((l) => l !== undefined), 'every slot has a line');
  assert.ok(xdp.lineInfo.every((l) => l!.fileName.endsWith('obj_calls.c')));
  const mul = xdp.functions.find((f) => f.name === 'mul_global')!;
  assert.match(xdp.lineInfo[mul.slot + 1]!.lineText, /a \* b/);
  const add = xdp.functions.find((f) => f.name === 'add_static')!;
  assert.match(xdp.lineInfo[add.slot + 1]!.lineText, /return a \+ b/);
  // Records are kernel-ready: sorted, each at a slot of the linked program.
  const offs = xdp.lineInfoRecords.map((r) => r.insnOff);
  assert.deepEqual(offs, [...offs].sort((a, b) => a - b));
  assert.ok(offs.includes(mul.slot) && offs.includes(add.slot));
  // One func info record per function, naming the function's BTF FUNC.
  assert.deepEqual(xdp.funcInfo.map((f) => f.insnOff), xdp.functions.map((f) => f.slot));
  assert.deepEqual(xdp.funcInfo.map((f) => spec.btf!.typeById(f.typeId).name), xdp.functions.map((f) => f.name));
  // The tc program has an lddw: its second slot shares the first slot's line.
  const tc = prog(spec, 'calls_tc');
  const k = slotOffsets(tc.insns)[tc.insns.findIndex((i) => i.code === LDDW_CODE)]!;
  assert.deepEqual(tc.lineInfo[k + 1], tc.lineInfo[k]);
  assert.match(tc.lineInfo[k]!.lineText, /bpf_loop/);
});

test('a static program loads with a warning; libbpf 1.x refuses it', { skip }, () => {
  const obj = compileObject('obj_static_prog');
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  assert.deepEqual(spec.programs.map((p) => [p.name, p.global]), [['static_xdp', false], ['global_xdp', true]]);
  assert.ok(spec.warnings.some((w) => w.includes(`program 'static_xdp' is static`)));
  if (!noLibbpf) {
    const view = libbpfView(obj.path, 'st');
    assert.equal(view.ok, false);
    assert.match(view.out, /is static and not supported/);
  }
});

test('code in a section with an unknown name is an error naming the section', { skip }, () => {
  const obj = compileObject('obj_unknown_sec');
  expectError(() => loadObjectSpec(obj.bytes, { file: obj.path }), 'EINVAL', obj.path, `sec 'mystery/thing'`, 'failed to guess program type');
});

test('externs (kfuncs, __ksym, __kconfig) are refused naming the symbol', { skip }, () => {
  const kconfig = compileSource('ext_kconfig', `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
SEC("xdp") int uses_kconfig(struct xdp_md *ctx) { return LINUX_KERNEL_VERSION > 5 ? XDP_PASS : XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
`);
  expectError(() => loadObjectSpec(kconfig.bytes, { file: kconfig.path }), 'EOPNOTSUPP', kconfig.path, `'LINUX_KERNEL_VERSION'`, 'extern', `'uses_kconfig'`);
  const kfunc = compileSource('ext_kfunc', `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern void bpf_rcu_read_lock(void) __ksym;
SEC("tc") int uses_kfunc(struct __sk_buff *skb) { bpf_rcu_read_lock(); return 0; }
char LICENSE[] SEC("license") = "GPL";
`);
  expectError(() => loadObjectSpec(kfunc.bytes, { file: kfunc.path }), 'EOPNOTSUPP', `'bpf_rcu_read_lock'`, 'kfunc');
});

test('relocation errors: not on an lddw or call, into a section that is no map or data', { skip }, () => {
  const obj = compileObject('obj_maps');
  const elf = readElf64(obj.bytes, obj.path);
  const rel = elf.sectionByName('.reltc')!;
  const tc = elf.sectionByName('tc')!;
  // Point the first relocation at instruction 0 of maps_user ("r6 = r1").
  const mapsUser = elf.symbols.find((s) => s.name === 'maps_user')!;
  const moved = obj.bytes.slice();
  new DataView(moved.buffer).setBigUint64(rel.offset, BigInt(mapsUser.value), true);
  expectError(() => loadObjectSpec(moved, { file: 'moved.o' }), 'EINVAL', 'moved.o', `sec '.reltc': relocation #0 against 'flows'`, 'insn 0', 'not an lddw or a call');
  // Past the end of the section.
  const past = obj.bytes.slice();
  new DataView(past.buffer).setBigUint64(rel.offset, BigInt(tc.size + 8), true);
  expectError(() => loadObjectSpec(past, { file: 'past.o' }), 'EINVAL', `relocation #0 against 'flows'`, `is not an instruction of section 'tc'`);
  // Retarget a map relocation to the LICENSE symbol: the license section is neither maps nor data.
  const lic = elf.symbols.find((s) => s.name === 'LICENSE')!;
  const toLicense = obj.bytes.slice();
  new DataView(toLicense.buffer).setUint32(rel.offset + 12, lic.index, true);
  expectError(() => loadObjectSpec(toLicense, { file: 'lic.o' }), 'EINVAL', `against 'LICENSE'`, `section 'license'`, 'neither code, maps nor global data');
  // Retarget it to the null symbol (undefined): an extern.
  const toNull = obj.bytes.slice();
  new DataView(toNull.buffer).setUint32(rel.offset + 12, 0, true);
  expectError(() => loadObjectSpec(toNull, { file: 'null.o' }), 'EOPNOTSUPP', 'undefined (extern) symbol');
});

test('malformed BTF map definitions are errors naming the map', { skip }, () => {
  const src = (body: string) => `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
${body}
SEC("xdp") int p(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`;
  const notype = compileSource('bad_notype', src(`struct { __uint(max_entries, 4); __type(key, int); __type(value, int); } no_type SEC(".maps");`));
  expectError(() => loadObjectSpec(notype.bytes, { file: notype.path }), 'EINVAL', notype.path, `map 'no_type'`, "map type isn't specified");
  const unknown = compileSource('bad_unknown', src(`struct { __uint(type, 200); __uint(max_entries, 4); } weird SEC(".maps");`));
  expectError(() => loadObjectSpec(unknown.bytes, { file: unknown.path }), 'EINVAL', `map 'weird'`, 'unknown map type 200');
  const values = compileSource('bad_values', src(`struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, int); __array(values, struct inner); } h SEC(".maps");`));
  expectError(() => loadObjectSpec(values.bytes, { file: values.path }), 'EOPNOTSUPP', `map 'h'`, 'should be map-in-map or prog-array');
  const conflict = compileSource('bad_conflict', src(`struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __uint(key_size, 8); __type(key, int); __type(value, int); } c SEC(".maps");`));
  expectError(() => loadObjectSpec(conflict.bytes, { file: conflict.path }), 'EINVAL', `map 'c'`, 'conflicting key size 8 != 4');
  const notptr = compileSource('bad_notptr', src(`struct { int type; __uint(max_entries, 4); } np SEC(".maps");`));
  expectError(() => loadObjectSpec(notptr.bytes, { file: notptr.path }), 'EINVAL', `map 'np'`, `attr 'type'`, 'expected PTR');
  const stat = compileSource('bad_static', src(`static struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } sm SEC(".maps");
SEC("tc") int q(struct __sk_buff *s) { int k = 0; return bpf_map_lookup_elem(&sm, &k) != 0; }`));
  expectError(() => loadObjectSpec(stat.bytes, { file: stat.path }), 'EOPNOTSUPP', `map 'sm'`, 'linkage static');
  // Without -g there is no BTF to describe the maps.
  const nobtf = compileSource('bad_nobtf', src(`struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } m SEC(".maps");`), ['-target', 'bpf', '-g0']);
  expectError(() => loadObjectSpec(nobtf.bytes, { file: nobtf.path }), 'EINVAL', `sec '.maps'`, 'need the object\'s BTF', 'compile with -g');
});

test('hand-written assembly: labels without sizes or types still split into programs, with warnings', { skip: skip ?? (!tools.mc && 'llvm-mc missing') }, () => {
  const s = join(tempDir(), 'asm_progs.s');
  writeFileSync(s, `	.section	xdp,"ax",@progbits
	.globl	first
first:
	r0 = 2
	exit
	.globl	second
second:
	r1 = 0 ll
	r0 = 1
	exit
	.section	license,"aw",@progbits
	.asciz	"GPL"
`);
  const o = assembleWithLlvm(s);
  const spec = loadObjectSpec(new Uint8Array(readFileSync(o)), { file: o });
  assert.deepEqual(spec.programs.map((p) => [p.name, p.insns.length]), [['first', 2], ['second', 3]]);
  assert.equal(spec.warnings.filter((w) => w.includes('symbol has no size')).length, 2);
  assert.equal(spec.programs[1]!.insns[0]!.code, LDDW_CODE);
});

test('programs are independent copies: relinking one does not disturb another', { skip }, () => {
  const spec = load('obj_calls');
  const [a, b] = spec.programs as [ProgramSpec, ProgramSpec];
  const addA = a.functions.find((f) => f.name === 'add_static')!;
  const addB = b.functions.find((f) => f.name === 'add_static')!;
  assert.notEqual(addA.slot, addB.slot);
  const snapshot = (p: ProgramSpec): Insn[] => p.insns.map((i) => ({ ...i }));
  const before = snapshot(b);
  a.insns[0]!.imm = 12345;
  assert.deepEqual(snapshot(b), before);
});

test('callbacks to global functions: relocation against the function symbol with imm 0', { skip }, () => {
  const obj = compileSource('global_cb', `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__attribute__((noinline)) long global_cb(__u32 i, void *d) { return 0; }
static long static_cb(__u32 i, void *d) { return 1; }
SEC("tc") int loops(struct __sk_buff *s) { bpf_loop(4, global_cb, 0, 0); bpf_loop(4, static_cb, 0, 0); return 0; }
char LICENSE[] SEC("license") = "GPL";
`);
  const p = loadObjectSpec(obj.bytes, { file: obj.path }).programs[0]!;
  const lddws = p.insns.map((i, k) => (i.code === LDDW_CODE ? k : -1)).filter((k) => k >= 0);
  assert.deepEqual(lddws.map((k) => [p.insns[k]!.src, landing(p, k)]), [[PSEUDO.FUNC, 'global_cb'], [PSEUDO.FUNC, 'static_cb']]);
  validateProgram(p.insns);
});

test('a call into another program section links it as a subprogram, with a warning (libbpf refuses)', { skip }, () => {
  const obj = compileSource('cross_call', `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__attribute__((noinline)) int helper_prog(struct __sk_buff *s) { return s->len; }
SEC("tc") __attribute__((noinline)) int callee_prog(struct __sk_buff *s) { return s->mark; }
SEC("socket") int caller_prog(struct __sk_buff *s) { return callee_prog(s) + helper_prog(s); }
char LICENSE[] SEC("license") = "GPL";
`);
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  const caller = prog(spec, 'caller_prog');
  assert.deepEqual(caller.functions.map((f) => f.name), ['caller_prog', 'callee_prog', 'helper_prog']);
  assert.ok(spec.warnings.some((w) => w.includes(`calls 'callee_prog' in program section 'tc'`)));
  validateProgram(caller.insns);
});
