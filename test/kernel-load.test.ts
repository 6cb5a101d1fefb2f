/**
 * Objects loaded into the kernel with loadObjectIntoKernel: a clang-compiled XDP object
 * (test/c/kernel_xdp.c) runs in Linux (BPF_PROG_TEST_RUN) and in tsbpf's VM with the same frames,
 * and the return values, output frames and map contents must agree; the kernel's tag must be
 * programTag(); the verifier's rejection of test/c/kernel_reject.c must come with its log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectSpec } from '../src/elf/object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/test-run.js';
import { Vm, programTag } from '../src/vm/runtime.js';
import { loadObjectIntoVm, type VmObject } from '../src/vm/load-object.js';
import { isKernelError } from '../src/kernel/errors.js';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import { listIds } from '../src/kernel/objects.js';
import { LOG_LEVEL, progLoad } from '../src/kernel/prog-load.js';
import { encode } from '../src/isa/insn.js';
import { possibleCpus } from '../src/kernel/cpus.js';
import { openFdCount } from '../src/kernel/syscall.js';
import type { BpfMap } from '../src/maps/types.js';
import { hex, kernelObject, noKernelObjects, u32 } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';

const why = noKernelObjects();
if (why) console.log(`# kernel-load: skipped: ${why}`);

after(removeTempDir);

/** A frame: MACs, EtherType, then `payload` (its first byte steers kernel_xdp.c). */
function frame(etherType: number, payload: number[], len = 60): Uint8Array {
  const f = new Uint8Array(Math.max(len, 14 + payload.length));
  f.set([1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, etherType >> 8, etherType & 0xff]);
  f.set(payload, 14);
  for (let i = 14 + payload.length; i < f.length; i++) f[i] = (i * 13) & 0xff;
  return f;
}

/** Every element of a map, sorted by key (hash iteration orders differ), as hex. */
function contents(m: BpfMap): string[] {
  const out: string[] = [];
  for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) out.push(`${hex(k)}=${hex(m.lookup(k))}`);
  return out.sort();
}

describe('an XDP object in the kernel and in the VM', { skip: why }, () => {
  let spec: ObjectSpec;
  let kobj: KernelObject;
  let vobj: VmObject;
  let vm: Vm;
  const fdsAtStart = why ? 0 : openFdCount();

  before(() => {
    spec = kernelObject('kernel_xdp');
    kobj = loadObjectIntoKernel(spec);
    vm = new Vm({ helpers: kernelHelpers(), nCpus: possibleCpus() });
    vobj = loadObjectIntoVm(vm, spec);
  });
  after(() => {
    kobj?.close();
    assert.equal(openFdCount(), fdsAtStart, 'close() released every fd of the object');
  });

  test('loads with BTF, func info and line info, and no warnings', () => {
    assert.deepEqual(kobj.warnings, []);
    assert.notEqual(kobj.btfFd, undefined);
    const main = kobj.programs.get('xdp_main')!.info();
    assert.equal(main.name, 'xdp_main');
    assert.equal(main.type, 6);
    assert.equal(main.funcInfoCount, 2, 'xdp_main and its subprogram swap_macs');
    assert.ok(main.lineInfoCount > 10, `line info records: ${main.lineInfoCount}`);
    assert.notEqual(main.btfId, 0);
    assert.equal(main.gplCompatible, true);
    assert.ok(main.xlatedSize > 0 && main.jitedSize > 0);
    assert.ok(main.loadTime > 0n);
    assert.deepEqual([...kobj.maps.keys()].sort(), ['by_proto', 'inner_counts', 'jump', 'kernel_x.bss', 'kernel_x.data', 'kernel_x.rodata', 'outer', 'stats']);
    // The program holds the maps it references (the inner map is reached through outer only).
    const mapIds = new Set([...kobj.maps.entries()].filter(([n, m]) => m.spec.type !== 'prog_array' && n !== 'inner_counts').map(([, m]) => m.id));
    assert.deepEqual(new Set(main.mapIds.filter((id) => mapIds.has(id))), mapIds, 'the program holds its maps');
    const stats = kobj.maps.get('stats')!.info();
    assert.ok(stats.btfId !== 0 && stats.btfValueTypeId !== 0, 'BTF-defined maps carry their BTF type ids');
  });

  test('the kernel tag of every program is programTag() of its instructions', () => {
    for (const p of spec.programs) {
      assert.equal(kobj.programs.get(p.name)!.tag, programTag(p.insns), p.name);
    }
  });

  test('.rodata is frozen with its initial value; .data holds its own', () => {
    const ro = kobj.maps.get('kernel_x.rodata')!;
    assert.equal(hex(ro.lookup(u32(0))), 'dd00000077000000');
    assert.throws(() => ro.update(u32(0), new Uint8Array(8)), { code: 'EPERM' });
    assert.equal(hex(kobj.maps.get('kernel_x.data')!.lookup(u32(0))), '5a000000');
  });

  test('retval and data_out agree frame by frame, then every map agrees', () => {
    const frames = [
      frame(0x0800, [0x00, 1, 2, 3]), // pass
      frame(0x0800, [0x77, 9, 9]), // tx: MACs swapped, payload byte xored
      frame(0x86dd, [0xdd]), // drop
      frame(0x0806, [0x01]), // tail call into xdp_tail
      frame(0x0800, [0x42]), // pass
      new Uint8Array(14).fill(3), // too short for the marker: drop
    ];
    for (const [i, f] of frames.entries()) {
      const k = kobj.programs.get('xdp_main')!.testRun({ dataIn: f });
      const v = testRun(vm, vobj.programs.get('xdp_main')!, { dataIn: f });
      assert.equal(k.retval, v.retval, `frame ${i}: retval`);
      assert.equal(k.verdict?.name, v.verdict.name, `frame ${i}: verdict`);
      assert.equal(hex(k.dataOut), hex(v.dataOut), `frame ${i}: data_out`);
    }
    for (const [name, km] of kobj.maps) {
      // Slots of fd arrays hold ids, the kernel's and the VM's own: compared by test below.
      if (km.spec.type === 'prog_array' || km.spec.type === 'array_of_maps') continue;
      assert.deepEqual(contents(km), contents(vobj.maps.get(name)!.map), `map ${name}`);
    }
    const bss = kobj.maps.get('kernel_x.bss')!.lookup(u32(0))!;
    assert.equal(new DataView(bss.buffer).getBigUint64(0, true), BigInt(frames.length), 'total_frames counted every run');
  });

  test('a change user space makes to .data is seen by the next run, in both', () => {
    const key = u32(0);
    kobj.maps.get('kernel_x.data')!.update(key, u32(0xff));
    vobj.maps.get('kernel_x.data')!.map.update(key, u32(0xff));
    const f = frame(0x0800, [0x77, 1]);
    const k = kobj.programs.get('xdp_main')!.testRun({ dataIn: f, repeat: 3 });
    const v = testRun(vm, vobj.programs.get('xdp_main')!, { dataIn: f, repeat: 3 });
    assert.equal(k.runs, 3);
    // The runs share one frame: the first sends it back with its marker xored (0x77 ^ 0xff), so
    // the next two see 0x88 and pass it.
    assert.equal(k.retval, 2);
    assert.equal(v.retval, 2);
    assert.equal(hex(k.dataOut), hex(v.dataOut));
    assert.equal(k.dataOut![14], 0x77 ^ 0xff);
    assert.deepEqual(contents(kobj.maps.get('stats')!), contents(vobj.maps.get('stats')!.map));
  });

  test('the prog array and the map of maps were filled from .values', () => {
    const jump = kobj.maps.get('jump')!;
    const id = jump.lookup(u32(1));
    assert.ok(id, 'slot 1 is set');
    assert.equal(new DataView(id.buffer).getUint32(0, true), kobj.programs.get('xdp_tail')!.id);
    assert.equal(jump.lookup(u32(0)), undefined);
    const outer = kobj.maps.get('outer')!.lookup(u32(0));
    assert.equal(new DataView(outer!.buffer).getUint32(0, true), kobj.maps.get('inner_counts')!.id, 'outer slot 0 holds inner_counts');
  });

  test('our programs and maps are in the kernel\'s id lists', () => {
    const progs = new Set(listIds('prog'));
    for (const p of kobj.programs.values()) assert.ok(progs.has(p.id), `prog ${p.name} id ${p.id}`);
    const maps = new Set(listIds('map'));
    for (const m of kobj.maps.values()) assert.ok(maps.has(m.id), `map ${m.spec.name} id ${m.id}`);
  });
});

describe('verifier logs and rejections', { skip: why }, () => {
  test('a program the verifier rejects is EACCES with the verifier log', () => {
    const spec = kernelObject('kernel_reject');
    const fds = openFdCount();
    assert.throws(() => loadObjectIntoKernel(spec), (e: unknown) => {
      assert.ok(isKernelError(e));
      assert.equal(e.code, 'EACCES');
      assert.equal(e.command, 'BPF_PROG_LOAD');
      assert.match(e.message, /program 'xdp_unchecked'/);
      assert.match(e.message, /invalid access to packet/);
      assert.match(e.log ?? '', /kernel_reject\.c:12/, 'the log quotes the source through line info');
      return true;
    });
    assert.equal(openFdCount(), fds, 'the maps and BTF made before the failure were closed');
  });

  test('a program the kernel refuses outright is EINVAL with the log that says why', () => {
    const noExit = encode([{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }]); // r0 = 0, and no exit
    assert.throws(() => progLoad({ type: 6, insns: noExit, license: 'GPL', name: 'tsbpf_kt_noexit' }), (e: unknown) => {
      assert.ok(isKernelError(e));
      assert.equal(e.code, 'EINVAL');
      assert.match(e.message, /^program 'tsbpf_kt_noexit': BPF_PROG_LOAD failed with EINVAL/);
      assert.match(e.log ?? '', /last insn is not an exit or jmp/);
      assert.match(e.message, /last insn is not an exit or jmp/);
      return true;
    });
  });

  test('a log level asked for is returned, growing the buffer from a tiny size', () => {
    const spec = kernelObject('kernel_xdp');
    const obj = loadObjectIntoKernel(spec, { programs: ['xdp_main', 'xdp_tail'], logLevel: LOG_LEVEL.BASIC | LOG_LEVEL.STATS, logSize: 64 });
    try {
      const log = obj.programs.get('xdp_main')!.log;
      assert.ok(log.length > 64, `the log grew past 64 bytes (${log.length})`);
      assert.match(log, /processed \d+ insns/);
    } finally {
      obj.close();
    }
    const verbose = loadObjectIntoKernel(spec, { programs: ['xdp_main'], logLevel: LOG_LEVEL.VERBOSE, logSize: 64 });
    try {
      const log = verbose.programs.get('xdp_main')!.log;
      assert.match(log, /^0: R1=ctx\(\) R10=fp0/m, 'level 2 logs the state at every instruction');
      assert.match(log, /swap_macs/, 'with the subprogram by its BTF name');
      assert.match(verbose.warnings.join('\n'), /slot 1 names program 'xdp_tail', which was not loaded/);
    } finally {
      verbose.close();
    }
  });
});
