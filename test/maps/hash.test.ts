/** hash and percpu_hash: flags, capacity, iteration, views, lookup_and_delete. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, joinPerCpuValues, perCpuValues, MAP_FLAGS, UPDATE } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, toHex, u32, u64 } from './support.js';

test('hash: the kernel sequence of flags and capacity errors (checked on Linux 6.18)', () => {
  const m = createMap(spec('hash', 4, 4, 2));
  throwsCode(() => m.update(u32(1), u32(10), UPDATE.EXIST), 'ENOENT', 'BPF_EXIST');
  m.update(u32(1), u32(10), UPDATE.NOEXIST);
  throwsCode(() => m.update(u32(1), u32(11), UPDATE.NOEXIST), 'EEXIST', 'BPF_NOEXIST');
  m.update(u32(2), u32(12));
  throwsCode(() => m.update(u32(3), u32(12)), 'E2BIG', 'full', 'max_entries 2');
  throwsCode(() => m.update(u32(3), u32(12), UPDATE.NOEXIST), 'E2BIG');
  m.update(u32(2), u32(13)); // replacing works when full
  assert.equal(readU32(m.lookup(u32(2))), 13);
  throwsCode(() => m.update(u32(1), u32(13), 5), 'EINVAL', 'BPF_F_LOCK');
  throwsCode(() => m.update(u32(1), u32(13), 8), 'EINVAL', 'update flags');
  assert.equal(m.lookup(u32(5)), undefined);
  throwsCode(() => m.delete(u32(5)), 'ENOENT', 'no such key');
  m.delete(u32(1));
  m.update(u32(3), u32(14));
  assert.equal(m.size, 2);
});

test('hash: BPF_F_NO_PREALLOC behaves the same', () => {
  const m = createMap(spec('hash', 8, 8, 1, MAP_FLAGS.NO_PREALLOC));
  m.update(u64(1n), u64(2n));
  throwsCode(() => m.update(u64(2n), u64(2n)), 'E2BIG');
});

test('hash: get_next_key in insertion order; a missing key restarts; ENOENT at the end', () => {
  const m = createMap(spec('hash', 4, 4, 8));
  for (const k of [5, 3, 9]) m.update(u32(k), u32(k * 10));
  assert.equal(readU32(m.getNextKey(undefined)), 5);
  assert.equal(readU32(m.getNextKey(u32(5))), 3);
  assert.equal(readU32(m.getNextKey(u32(3))), 9);
  assert.equal(m.getNextKey(u32(9)), undefined);
  assert.equal(readU32(m.getNextKey(u32(77))), 5);
  m.delete(u32(3));
  m.update(u32(3), u32(1));
  m.update(u32(5), u32(2)); // an update keeps the place
  assert.deepEqual([...m.entries()].map(([k, v]) => [readU32(k), readU32(v)]), [[5, 2], [9, 90], [3, 1]]);
  const empty = createMap(spec('hash', 4, 4, 8));
  assert.equal(empty.getNextKey(undefined), undefined);
});

test('hash: each element owns a live view; delete and re-add gives a new one', () => {
  const m = createMap(spec('hash', 4, 8, 4));
  m.update(u32(1), u64(1n));
  const v = m.lookupView(u32(1), 0)!;
  assert.equal(m.lookupView(u32(1), 1), v);
  v[0] = 0x42;
  assert.equal(toHex(m.lookup(u32(1))), '4200000000000000');
  m.update(u32(1), u64(7n));
  assert.equal(v[0], 7, 'user updates write in place');
  m.updateFromProgram(u32(1), u64(8n), UPDATE.EXIST, 0);
  assert.equal(v[0], 8);
  m.deleteFromProgram(u32(1));
  assert.equal(m.lookupView(u32(1), 0), undefined);
  m.updateFromProgram(u32(1), u64(9n), UPDATE.NOEXIST, 0);
  assert.notEqual(m.lookupView(u32(1), 0), v);
  throwsCode(() => m.deleteFromProgram(u32(1234)), 'ENOENT');
});

test('hash: lookupAndDelete returns the value and removes it', () => {
  const m = createMap(spec('hash', 4, 4, 4));
  m.update(u32(1), u32(11));
  assert.equal(readU32(m.lookupAndDelete(u32(1))), 11);
  assert.equal(m.lookupAndDelete(u32(1)), undefined);
  assert.equal(m.size, 0);
});

test('percpu_hash: user layout, and a program insert sets its CPU and zeroes the others', () => {
  const m = createMap(spec('percpu_hash', 4, 4, 4), { nCpus: 4 });
  m.updateFromProgram(u32(1), u32(5), UPDATE.ANY, 2);
  assert.deepEqual(perCpuValues(m, m.lookup(u32(1))!).map((v) => readU32(v)), [0, 0, 5, 0]);
  m.updateFromProgram(u32(1), u32(6), UPDATE.ANY, 0);
  assert.deepEqual(perCpuValues(m, m.lookup(u32(1))!).map((v) => readU32(v)), [6, 0, 5, 0]);
  m.update(u32(2), joinPerCpuValues(m, [u32(1), u32(2), u32(3), u32(4)]));
  const view3 = m.lookupView(u32(2), 3)!;
  assert.equal(readU32(view3), 4);
  assert.equal(view3.length, 4);
  view3[0] = 40;
  assert.equal(m.lookup(u32(2))!.length, 32);
  assert.deepEqual(perCpuValues(m, m.lookup(u32(2))!).map((v) => readU32(v)), [1, 2, 3, 40]);
  throwsCode(() => m.update(u32(3), u32(1)), 'EINVAL', 'value must be 32 bytes');
});

test('hash: a deleted element\'s value bytes go to the next element inserted, as the kernel reuses preallocated elements; not with BPF_F_NO_PREALLOC', () => {
  for (const flags of [0, MAP_FLAGS.NO_PREALLOC]) {
    const m = createMap(spec('hash', 4, 8, 4, flags));
    m.update(u32(1), u64(5n));
    const old = m.lookupView(u32(1), 0)!;
    m.delete(u32(1));
    m.update(u32(2), u64(6n));
    assert.equal(old[0], flags ? 5 : 6, flags ? 'own bytes' : 'the bytes were reused');
    assert.equal(toHex(m.lookup(u32(2))), '0600000000000000');
    assert.equal(m.lookup(u32(1)), undefined);
  }
});

test('percpu_hash: reused value bytes start at zero for the CPUs a program insert does not set', () => {
  const m = createMap(spec('percpu_hash', 4, 4, 4), { nCpus: 2 });
  m.updateFromProgram(u32(1), u32(5), UPDATE.ANY, 0);
  m.updateFromProgram(u32(1), u32(7), UPDATE.ANY, 1);
  m.delete(u32(1));
  m.updateFromProgram(u32(2), u32(9), UPDATE.ANY, 1);
  assert.deepEqual(perCpuValues(m, m.lookup(u32(2))!).map((v) => readU32(v)), [0, 9]);
});
