/**
 * The one object model: the same user code — run a program over frames, read and change its maps
 * through the BpfMap API — against load(file, { target: 'vm' }) and load(file, { target: 'kernel' })
 * on the clang-compiled test/c/kernel_xdp.c must give the same results; close() releases every fd.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { load, type BpfObject } from '../src/object/index.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { listIds } from '../src/kernel/objects.js';
import { programTag } from '../src/vm/runtime.js';
import { compileObject, noClang, removeTempDir } from './support/tools.js';
import { hex, noKernelObjects, u32 } from './support/kernel-kit.js';

after(removeTempDir);

function frame(etherType: number, payload: number[], len = 60): Uint8Array {
  const f = new Uint8Array(Math.max(len, 14 + payload.length));
  f.set([1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, etherType >> 8, etherType & 0xff]);
  f.set(payload, 14);
  return f;
}

/** User code that does not know the target: runs frames, pokes .data, reads every map. */
function exercise(obj: BpfObject): { runs: string[]; maps: Record<string, string[]> } {
  const prog = obj.programs.get('xdp_main')!;
  const runs: string[] = [];
  for (const f of [frame(0x0800, [0]), frame(0x0800, [0x77, 9]), frame(0x86dd, [0xdd]), frame(0x0806, [0x01]), new Uint8Array(14)]) {
    const r = prog.testRun({ dataIn: f });
    runs.push(`${r.retval} ${r.verdict?.name} ${hex(r.dataOut)} runs=${r.runs}`);
  }
  obj.maps.get('kernel_x.data')!.update(u32(0), u32(0xff));
  const r = prog.testRun({ dataIn: frame(0x0800, [0x77, 1]), repeat: 3 });
  runs.push(`${r.retval} ${hex(r.dataOut)} runs=${r.runs}`);
  const maps: Record<string, string[]> = {};
  for (const [name, m] of obj.maps) {
    // fd arrays hold ids, which differ between targets by design.
    if (m.spec.type === 'prog_array' || m.spec.type === 'array_of_maps') continue;
    maps[name] = [...m.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`).sort();
  }
  return { runs, maps };
}

describe('load(): one object model, two targets', () => {
  test('the VM target', { skip: noClang }, () => {
    const obj = load(compileObject('kernel_xdp').path, { target: 'vm' });
    assert.equal(obj.target, 'vm');
    const p = obj.programs.get('xdp_main')!;
    assert.equal(p.type, 'xdp');
    assert.equal(p.section, 'xdp');
    assert.equal(p.tag, programTag(obj.spec.programs.find((x) => x.name === 'xdp_main')!.insns));
    assert.ok(p.id > 0);
    assert.equal(obj.maps.get('stats')!.name, 'stats');
    obj.close();
  });

  const why = noKernelObjects();
  test('the same user code gives the same results in the VM and in the kernel; close() releases every fd', { skip: why }, () => {
    const path = compileObject('kernel_xdp').path;
    const fds = openFdCount();
    const progIds = new Set(listIds('prog'));
    const vm = load(path, { target: 'vm' });
    const k = load(path, { target: 'kernel' });
    try {
      assert.equal(k.target, 'kernel');
      assert.deepEqual([...k.programs.keys()].sort(), [...vm.programs.keys()].sort());
      assert.deepEqual([...k.maps.keys()].sort(), [...vm.maps.keys()].sort());
      for (const [name, p] of k.programs) {
        const v = vm.programs.get(name)!;
        assert.equal(p.tag, v.tag, `${name}: the kernel's tag is the VM's`);
        assert.equal(p.type, v.type);
        assert.equal(p.section, v.section);
        assert.ok(!progIds.has(p.id), `${name}: a new kernel id`);
      }
      const a = exercise(vm);
      const b = exercise(k);
      assert.deepEqual(b.runs, a.runs);
      assert.deepEqual(b.maps, a.maps);
      // The BpfMap API's errors are the same: .rodata is frozen in both.
      for (const o of [vm, k]) assert.throws(() => o.maps.get('kernel_x.rodata')!.update(u32(0), new Uint8Array(8)), { code: 'EPERM' });
    } finally {
      k.close();
      vm.close();
    }
    assert.equal(openFdCount(), fds, 'close() released every fd');
  });

  test('target kernel on a missing file and a bad target say what happened', () => {
    assert.throws(() => load('/nonexistent/x.o', { target: 'kernel' }), { code: 'ENOENT', message: /cannot read the object file/ });
    assert.throws(() => load(new Uint8Array(8), { target: 'bogus' as 'vm' }), (e: Error) => e instanceof Error);
  });
});
