/** Map helpers run from compiled C programs in the VM: lookups, updates, errno results, queues, per-CPU and inner maps. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { Vm } from '../src/vm/runtime.js';
import { fixedEnv } from '../src/vm/env.js';
import { clangMissing, ctxWords, loadHelpersObject, runCtx, u32Key } from './support/helpers-kit.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
if (skip) console.log(`# skipping helpers-maps tests: ${skip}`);
after(() => removeElfTempDir());

const OBJ = 'helpers_maps';

test('map_lookup_elem and map_update_elem count events in a hash map', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const count = t.prog('count');
  const rets = [1, 1, 2, 1, 3].map((k) => runCtx(t.vm, count, ctxWords(k)).ret);
  // First sight of a key: update with BPF_NOEXIST returns 0; later: the program increments in place.
  assert.deepEqual(rets, [0, 1, 0, 1, 0]);
  assert.equal(t.value('counts', 1), 3n);
  assert.equal(t.value('counts', 2), 1n);
  assert.equal(t.value('counts', 3), 1n);
  assert.equal(runCtx(t.vm, count, ctxWords(4)).ret, 0);
  // A fifth key does not fit in max_entries 4: the kernel's -E2BIG.
  assert.equal(runCtx(t.vm, count, ctxWords(5)).ret, -7);
  assert.equal(t.value('counts', 5), undefined);
});

test('update and delete return the kernel\'s -errno', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('errors'));
  const got = Array.from({ length: 8 }, (_, i) => t.value('out', i));
  assert.deepEqual(got, [
    0n, // insert key 100
    -17n, // BPF_NOEXIST on an existing key: EEXIST
    -2n, // BPF_EXIST on a missing key: ENOENT
    -2n, // delete of a missing key: ENOENT
    -7n, // array index 8 of 8: E2BIG
    -22n, // flags 7: EINVAL
    -22n, // array elements cannot be deleted: EINVAL
    0n, // delete key 100
  ]);
});

test('map_push_elem, map_pop_elem and map_peek_elem on a queue and a stack', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const push = (v: number, flags = 0): [bigint | undefined, bigint | undefined] => {
    runCtx(t.vm, t.prog('push'), ctxWords(v, flags));
    return [t.value('out', 0), t.value('out', 1)];
  };
  assert.deepEqual(push(1), [0n, 0n]);
  assert.deepEqual(push(2), [0n, 0n]);
  assert.deepEqual(push(3), [0n, 0n]);
  assert.deepEqual(push(4), [-7n, -7n]); // full: E2BIG
  assert.deepEqual(push(4, 2), [0n, 0n]); // BPF_EXIST drops the oldest
  assert.deepEqual(push(5, 1), [-22n, -22n]); // BPF_NOEXIST: EINVAL
  runCtx(t.vm, t.prog('pop'));
  const out = () => Array.from({ length: 8 }, (_, i) => t.value('out', i));
  // queue [2,3,4]: peek 2, pop 2; stack [2,3,4]: peek 4, pop 4; all results 0
  assert.deepEqual(out(), [2n, 2n, 4n, 4n, 0n, 0n, 0n, 0n]);
  runCtx(t.vm, t.prog('pop'));
  assert.deepEqual(out(), [3n, 3n, 3n, 3n, 0n, 0n, 0n, 0n]);
  runCtx(t.vm, t.prog('pop'));
  assert.deepEqual(out(), [4n, 4n, 2n, 2n, 0n, 0n, 0n, 0n]);
  // Empty: -ENOENT and the destination zeroed (the program had put 0xdead there).
  runCtx(t.vm, t.prog('pop'));
  assert.deepEqual(out(), [0n, 0n, 0n, 0n, -2n, -2n, -2n, -2n]);
});

test('a bloom filter: push, peek says maybe/no, pop is EOPNOTSUPP', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('bloom_op'), ctxWords(42, 1));
  assert.deepEqual([t.value('out', 0), t.value('out', 1), t.value('out', 2)], [0n, 0n, -95n]);
  runCtx(t.vm, t.prog('bloom_op'), ctxWords(43, 0));
  assert.equal(t.value('out', 1), -2n);
});

test('per-CPU values follow the run\'s CPU; map_lookup_percpu_elem reads another CPU\'s', { skip }, () => {
  const t = loadHelpersObject(OBJ, { nCpus: 2 });
  const p = t.prog('percpu_add');
  assert.equal(runCtx(t.vm, p, ctxWords(5, 1), undefined, 0).ret, 0);
  assert.equal(t.value('out', 0), 0n);
  assert.equal(runCtx(t.vm, p, ctxWords(7, 0), undefined, 1).ret, 1);
  assert.equal(t.value('out', 0), 5n);
  runCtx(t.vm, p, ctxWords(1, 9), undefined, 1);
  assert.equal(t.value('out', 0), -1n, 'a CPU past nr_cpus gives NULL');
  const all = t.obj.maps.get('percpu')!.map.lookup(u32Key(0))!;
  const dv = new DataView(all.buffer, all.byteOffset);
  assert.deepEqual([dv.getBigUint64(0, true), dv.getBigUint64(8, true)], [5n, 8n]);
});

test('a lookup in an array_of_maps gives the inner map, usable as a map', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const p = t.prog('of_maps');
  assert.equal(runCtx(t.vm, p, ctxWords(0, 1)).ret, 10);
  assert.equal(runCtx(t.vm, p, ctxWords(0, 1)).ret, 20);
  assert.equal(t.value('inner_a', 1), 20n);
  assert.equal(runCtx(t.vm, p, ctxWords(1, 1)).ret, -1, 'empty outer slot');
  assert.equal(runCtx(t.vm, p, ctxWords(0, 5)).ret, -2, 'inner index out of range');
});

test('a bad key pointer fails the run with EFAULT naming the helper and instruction', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  assert.throws(() => runCtx(t.vm, t.prog('bad_key'), ctxWords(0xdead0000n)), (e: unknown) => {
    assert.ok(e instanceof BpfError);
    assert.equal(e.code, 'EFAULT');
    assert.match(e.message, /insn \d+: bpf_map_lookup_elem: key of map 'counts': invalid read of 4 bytes at 0x00000000dead0000: not inside any memory region/);
    return true;
  });
});

test('a map helper given something that is not a map fails naming the helper', () => {
  const vm = new Vm({ helpers: kernelHelpers(), env: fixedEnv() });
  const prog = vm.loadProgram({ name: 'notmap', insns: assemble('r1 = r10\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nexit', 'notmap.s') });
  assert.throws(() => vm.run(prog, () => ({ r1: 0n })), (e: unknown) => {
    assert.ok(e instanceof BpfError);
    assert.equal(e.code, 'EINVAL');
    assert.match(e.message, /insn 3: bpf_map_lookup_elem: 0x[0-9a-f]+ is not a map/);
    return true;
  });
});

test('helpers that need the VM runtime say so in a bare interpreter run', async () => {
  const { run } = await import('../src/vm/interpreter.js');
  assert.throws(() => run(assemble('call bpf_ktime_get_ns\nexit', 't.s'), { helpers: kernelHelpers() }), /bpf_ktime_get_ns: needs the VM runtime/);
});
