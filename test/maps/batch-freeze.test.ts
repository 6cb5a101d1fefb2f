/** Batch operations and freeze, with the kernel's partial-completion answers (checked on Linux 6.18). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, MapBatchError, MAP_FLAGS, UPDATE } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, u32 } from './support.js';

const nums = (bs: Uint8Array[]): number[] => bs.map((b) => readU32(b)!);

test('array lookup batch: the cursor is the last key; ENOENT (done) at the end', () => {
  const m = createMap(spec('array', 4, 4, 4));
  m.update(u32(1), u32(11));
  let r = m.lookupBatch(undefined, 2);
  assert.deepEqual([nums(r.keys), nums(r.values), readU32(r.outBatch), r.done], [[0, 1], [0, 11], 1, false]);
  r = m.lookupBatch(r.outBatch, 2);
  assert.deepEqual([nums(r.keys), readU32(r.outBatch), r.done], [[2, 3], 3, false]);
  r = m.lookupBatch(r.outBatch, 2);
  assert.deepEqual([r.keys.length, r.outBatch, r.done], [0, undefined, true]);
  r = m.lookupBatch(undefined, 10);
  assert.deepEqual([nums(r.keys), readU32(r.outBatch), r.done], [[0, 1, 2, 3], 3, true]);
  r = m.lookupBatch(undefined, 0);
  assert.deepEqual([r.keys.length, r.done], [0, false]);
  throwsCode(() => m.lookupAndDeleteBatch(undefined, 2), 'ENOTSUPP');
  throwsCode(() => m.deleteBatch([u32(0)]), 'ENOTSUPP');
  throwsCode(() => m.lookupBatch(undefined, 2, UPDATE.F_LOCK), 'EINVAL', 'bpf_spin_lock');
});

test('array update batch stops at the first failure and reports how many were done', () => {
  const m = createMap(spec('array', 4, 4, 4));
  m.updateBatch([u32(0), u32(1)], [u32(0xaa), u32(0xbb)]);
  assert.deepEqual(nums([m.lookup(u32(1))!]), [0xbb]);
  try {
    m.updateBatch([u32(2), u32(9), u32(3)], [u32(1), u32(2), u32(3)]);
    assert.fail('expected E2BIG');
  } catch (e) {
    assert.ok(e instanceof MapBatchError);
    assert.equal(e.code, 'E2BIG');
    assert.equal(e.completed, 1);
  }
  assert.equal(readU32(m.lookup(u32(2))), 1);
  assert.equal(readU32(m.lookup(u32(3))), 0);
  throwsCode(() => m.updateBatch([u32(0)], [u32(1)], UPDATE.NOEXIST), 'EINVAL', 'elem_flags');
  throwsCode(() => m.updateBatch([u32(0)], []), 'EINVAL', 'as many values as keys');
});

test('hash batches: cursor resumes across calls, delete variants, partial delete', () => {
  const m = createMap(spec('hash', 4, 4, 8));
  m.updateBatch([u32(1), u32(2), u32(3)], [u32(10), u32(11), u32(12)]);
  let r = m.lookupBatch(undefined, 2);
  assert.deepEqual([nums(r.keys), nums(r.values), r.done], [[1, 2], [10, 11], false]);
  m.delete(u32(2)); // deleting behind the cursor does not disturb it
  r = m.lookupBatch(r.outBatch, 2);
  assert.deepEqual([nums(r.keys), r.done], [[3], true]);
  r = m.lookupBatch(r.outBatch, 2);
  assert.deepEqual([r.keys.length, r.done], [0, true]);
  r = m.lookupBatch(undefined, 2);
  assert.deepEqual([nums(r.keys), r.done], [[1, 3], true], 'exactly the rest: done, as the kernel');

  r = m.lookupAndDeleteBatch(undefined, 1);
  assert.deepEqual([nums(r.keys), r.done, m.size], [[1], false, 1]);
  try {
    m.deleteBatch([u32(3), u32(9)]);
    assert.fail('expected ENOENT');
  } catch (e) {
    assert.ok(e instanceof MapBatchError);
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.completed, 1);
  }
  assert.equal(m.size, 0);
  throwsCode(() => m.lookupBatch(new Uint8Array(8), 1), 'EINVAL', 'cursor is 4 bytes');
});

test('percpu_hash batches carry the per-CPU layout', () => {
  const m = createMap(spec('percpu_hash', 4, 4, 4), { nCpus: 2 });
  m.updateBatch([u32(1)], [Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0)]);
  const r = m.lookupBatch(undefined, 4);
  assert.equal(r.values[0]!.length, 16);
  assert.equal(r.values[0]![8], 2);
});

test('lpm_trie batches use the generic cursor (a key)', () => {
  const m = createMap(spec('lpm_trie', 8, 4, 4, MAP_FLAGS.NO_PREALLOC));
  const k = (len: number, a: number): Uint8Array => Uint8Array.of(len, 0, 0, 0, 10, a, 0, 0);
  m.updateBatch([k(8, 0), k(16, 1)], [u32(1), u32(2)]);
  const r = m.lookupBatch(undefined, 1);
  assert.deepEqual([r.keys[0]![0], r.done], [16, false]);
  const r2 = m.lookupBatch(r.outBatch, 5);
  assert.deepEqual([r2.keys[0]![0], r2.keys.length, r2.done], [8, 1, true]);
  m.deleteBatch([k(16, 1)]);
  assert.equal(m.size, 1);
});

test('freeze: user-space writes are EPERM, reads and program writes still work, freezing twice is EPERM', () => {
  const m = createMap(spec('hash', 4, 4, 4));
  m.update(u32(1), u32(1));
  m.freeze();
  assert.equal(m.frozen, true);
  throwsCode(() => m.update(u32(1), u32(2)), 'EPERM', 'frozen');
  throwsCode(() => m.delete(u32(1)), 'EPERM');
  throwsCode(() => m.lookupAndDelete(u32(1)), 'EPERM');
  throwsCode(() => m.updateBatch([u32(2)], [u32(2)]), 'EPERM');
  throwsCode(() => m.deleteBatch([u32(1)]), 'EPERM');
  throwsCode(() => m.lookupAndDeleteBatch(undefined, 1), 'EPERM');
  throwsCode(() => m.freeze(), 'EPERM');
  assert.equal(readU32(m.lookup(u32(1))), 1);
  assert.equal(m.lookupBatch(undefined, 4).keys.length, 1);
  m.updateFromProgram(u32(1), u32(5), UPDATE.ANY, 0);
  m.updateFromProgram(u32(2), u32(6), UPDATE.ANY, 0);
  m.deleteFromProgram(u32(2));
  assert.equal(readU32(m.lookup(u32(1))), 5);

  const rodata = createMap(spec('array', 4, 4, 1, MAP_FLAGS.MMAPABLE));
  rodata.update(u32(0), u32(42));
  rodata.freeze();
  throwsCode(() => rodata.update(u32(0), u32(1)), 'EPERM');
  rodata.lookupView(u32(0), 0)![0] = 43; // programs can still store (the verifier stops that for .rodata)
  assert.equal(readU32(rodata.lookup(u32(0))), 43);
});

test('BPF_F_RDONLY and BPF_F_WRONLY limit user space only', () => {
  const ro = createMap(spec('array', 4, 4, 2, MAP_FLAGS.RDONLY));
  throwsCode(() => ro.update(u32(0), u32(1)), 'EPERM', 'BPF_F_RDONLY');
  throwsCode(() => ro.freeze(), 'EPERM');
  ro.updateFromProgram(u32(0), u32(1), 0, 0);
  assert.equal(readU32(ro.lookup(u32(0))), 1);
  const wo = createMap(spec('hash', 4, 4, 2, MAP_FLAGS.WRONLY));
  wo.update(u32(0), u32(1));
  throwsCode(() => wo.lookup(u32(0)), 'EPERM', 'BPF_F_WRONLY');
  throwsCode(() => wo.getNextKey(undefined), 'EPERM');
  assert.equal(readU32(wo.lookupView(u32(0), 0)), 1);
});
