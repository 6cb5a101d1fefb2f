/**
 * The VM runtime on real clang objects: global data through direct value access, read-only
 * .rodata, map handles, tail calls through the interpreter, and the program tag compared with the
 * one the real kernel computes for the same object.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { loadObjectSpec } from '../src/elf/object.js';
import { Vm, programTag, type VmProgram } from '../src/vm/runtime.js';
import { loadObjectIntoVm } from '../src/vm/load-object.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { BpfError } from '../src/errors.js';
import { clangMissing, compileSource, elfTools, removeElfTempDir, runStatus } from './support/elf-tools.js';

const skip = clangMissing();
after(() => removeElfTempDir());

const GLOBALS = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
const volatile int limit = 7;
int counter = 5;
int zeroed;
SEC("xdp") int count(struct xdp_md *ctx) {
  counter += limit;
  zeroed++;
  return counter;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** GLOBALS and a program that writes .rodata. */
const POKE = `${GLOBALS}
SEC("xdp") int poke_rodata(struct xdp_md *ctx) {
  *(volatile int *)&limit = 1;
  return 0;
}
`;

/** Programs the kernel's verifier accepts, using maps, global data and a subprogram. */
const TAGGED = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
const volatile int limit = 7;
int counter = 5;
static __attribute__((noinline)) int twice(int x) { return x * 2; }
SEC("xdp") int count(struct xdp_md *ctx) {
  counter += limit;
  __u32 k = 1;
  __u64 *v = bpf_map_lookup_elem(&seen, &k);
  if (v) *v += 1;
  return twice(counter) & 3;
}
SEC("socket") int other(struct __sk_buff *skb) { return skb->len > limit; }
char LICENSE[] SEC("license") = "GPL";
`;

function load(src: string, name: string, verify = true): { vm: Vm; programs: Map<string, VmProgram>; obj: ReturnType<typeof loadObjectIntoVm> } {
  const o = compileSource(name, src);
  const vm = new Vm({ verify });
  const obj = loadObjectIntoVm(vm, loadObjectSpec(o.bytes, { file: o.path }));
  return { vm, programs: obj.programs, obj };
}

const noCtx = () => ({ r1: 0n });

test('global data: .data keeps its value across runs, .bss starts at zero, .rodata is read', { skip }, () => {
  const { vm, programs, obj } = load(GLOBALS, 'rt_globals');
  const p = programs.get('count')!;
  assert.equal(vm.run(p, noCtx).result.r0, 12n);
  assert.equal(vm.run(p, noCtx).result.r0, 19n);
  const bss = [...obj.maps.values()].find((m) => m.name.endsWith('.bss'))!;
  assert.deepEqual([...bss.map.lookup(new Uint8Array(4))!], [2, 0, 0, 0]);
  const data = [...obj.maps.values()].find((m) => m.name.endsWith('.data'))!;
  assert.equal(new DataView(data.map.lookup(new Uint8Array(4))!.buffer).getInt32(0, true), 19);
});

test('a store into .rodata: the verifier refuses it, and unverified it faults (the value is read-only to programs)', { skip }, () => {
  assert.throws(() => load(POKE, 'rt_globals2'), (e: unknown) => e instanceof BpfError
    && /program 'poke_rodata': .*write into map forbidden, value_size=4 off=0 size=4/.test(e.message));
  const { vm, programs } = load(POKE, 'rt_globals2', false);
  assert.throws(() => vm.run(programs.get('poke_rodata')!, noCtx), (e: unknown) => e instanceof BpfError && e.code === 'EFAULT'
    && /^program 'poke_rodata': insn \d+: invalid write of 4 bytes .*rodata.*read-only \(at rt_globals2\.c:\d+: \*\(volatile int \*\)&limit = 1;\)$/.test(e.message));
});

test('user space sees the frozen .rodata and cannot change it', { skip }, () => {
  const { obj } = load(GLOBALS, 'rt_globals3');
  const ro = [...obj.maps.values()].find((m) => m.name.endsWith('.rodata'))!;
  assert.equal(ro.map.frozen, true);
  assert.throws(() => ro.map.update(new Uint8Array(4), new Uint8Array(ro.map.spec.valueSize)), (e: unknown) => e instanceof BpfError && e.code === 'EPERM');
});

test('the program tag equals the kernel\'s for the same object', { skip: skip ?? (elfTools.bpftool && process.getuid?.() === 0 && existsSync('/sys/fs/bpf') ? undefined : 'needs bpftool, root and bpffs') }, () => {
  const o = compileSource('rt_tag', TAGGED);
  const spec = loadObjectSpec(o.bytes, { file: o.path });
  const pin = `/sys/fs/bpf/tsbpf-rt-tag-${process.pid}`;
  try {
    const r = runStatus(elfTools.bpftool!, ['prog', 'loadall', o.path, pin]);
    assert.ok(r.ok, r.out);
    for (const name of ['count', 'other']) {
      const show = runStatus(elfTools.bpftool!, ['-j', 'prog', 'show', 'pinned', `${pin}/${name}`]);
      assert.ok(show.ok, show.out);
      assert.equal(programTag(spec.programs.find((p) => p.name === name)!.insns), JSON.parse(show.out).tag, name);
    }
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
});

test('map handles are not memory; tail calls switch programs inside a run', () => {
  const vm = new Vm({
    helpers: new HelperRegistry([{
      id: 12, name: 'tail_call', args: ['ptr_to_ctx', 'const_map_ptr', 'anything'], ret: 'integer',
      impl: (call, _ctx, mapAddr, index) => {
        const run = call.services as unknown as import('../src/vm/runtime.js').RunContext;
        const m = run.mapAt(mapAddr);
        if (!m) return BigInt.asUintN(64, -22n);
        const id = m.map.lookup(new Uint8Array(new Uint32Array([Number(index)]).buffer));
        if (!id || call.tailCalls >= 33) return BigInt.asUintN(64, -2n);
        call.tailCalls++;
        call.tailCall(vm.programs.get(new DataView(id.buffer).getUint32(0, true))!.prepared);
        return 0n;
      },
    }]),
  });
  const progs = vm.createMap({ type: 'prog_array', name: 'progs', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 });
  // target: r0 = 42; exit. caller: r2 = map; r3 = 0; call tail_call; r0 = 1; exit
  const target = vm.loadProgram({ name: 'target', insns: [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 42 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] });
  const caller = vm.loadProgram({
    name: 'caller',
    insns: [
      { code: 0x18, dst: 2, src: 1, off: 0, imm: progs.id, imm2: 0 },
      { code: 0xb7, dst: 3, src: 0, off: 0, imm: 0 },
      { code: 0x85, dst: 0, src: 0, off: 0, imm: 12 },
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ],
  });
  assert.equal(vm.run(caller, () => ({ r1: 0n })).result.r0, 1n, 'empty slot: the call falls through');
  progs.map.update(new Uint8Array(4), new Uint8Array(new Uint32Array([target.id]).buffer));
  const r = vm.run(caller, () => ({ r1: 0n })).result;
  assert.equal(r.r0, 42n);
  assert.equal(r.insns, 3 + 2);
  // Dereferencing the map handle faults, naming the map.
  const deref = vm.loadProgram({
    name: 'deref',
    insns: [{ code: 0x18, dst: 1, src: 1, off: 0, imm: progs.id, imm2: 0 }, { code: 0x61, dst: 0, src: 1, off: 0, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }],
  });
  assert.throws(() => vm.run(deref, () => ({ r1: 0n })), (e: unknown) => e instanceof BpfError && /map 'progs'/.test(e.message));
  // Regions made for a run are gone after it.
  const before = vm.memory.regions.length;
  vm.run(caller, () => ({ r1: 0n }));
  assert.equal(vm.memory.regions.length, before);
});

test('a reference to a map that does not exist is refused at load, naming the instruction', () => {
  const vm = new Vm();
  assert.throws(
    () => vm.loadProgram({ name: 'bad', insns: [{ code: 0x18, dst: 1, src: 1, off: 0, imm: 99, imm2: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] }),
    (e: unknown) => e instanceof BpfError && /program 'bad': insn 0: lddw refers to map id 99/.test(e.message),
  );
});

test('bpf_get_attach_cookie returns the cookie the run was given, 0 without one', async () => {
  const { kernelHelpers } = await import('../src/helpers/index.js');
  const { ATTACH_COOKIE } = await import('../src/helpers/trace.js');
  const vm = new Vm({ helpers: kernelHelpers() });
  const p = vm.loadProgram({ name: 'cookie', type: 'kprobe', insns: [{ code: 0x85, dst: 0, src: 0, off: 0, imm: 174 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] });
  assert.equal(vm.run(p, (run) => { run.state[ATTACH_COOKIE] = 0xfeedn; return { r1: 0n }; }).result.r0, 0xfeedn);
  assert.equal(vm.run(p, () => ({ r1: 0n })).result.r0, 0n);
});
