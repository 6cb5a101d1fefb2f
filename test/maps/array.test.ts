/** array and percpu_array: user space, program views, per-CPU layout, iteration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, perCpuValues, joinPerCpuValues, UPDATE } from '../../src/maps/index.js';
import { bytes, readU32, spec, throwsCode, toHex, u32 } from './support.js';

test('array: zeroed elements, update flags as the kernel', () => {
  const m = createMap(spec('array', 4, 4, 4));
  assert.equal(toHex(m.lookup(u32(3))), '00000000');
  m.update(u32(1), u32(0xb), UPDATE.ANY);
  assert.equal(readU32(m.lookup(u32(1))), 0xb);
  m.update(u32(1), u32(0xc), UPDATE.EXIST);
  assert.equal(readU32(m.lookup(u32(1))), 0xc);
  throwsCode(() => m.update(u32(0), u32(1), UPDATE.NOEXIST), 'EEXIST', 'BPF_NOEXIST');
  throwsCode(() => m.update(u32(4), u32(1)), 'E2BIG', 'index 4', 'max_entries 4');
  throwsCode(() => m.update(u32(0), u32(1), 3), 'EINVAL', 'update flags');
  throwsCode(() => m.update(u32(0), u32(1), UPDATE.F_LOCK), 'EINVAL', 'BPF_F_LOCK');
  throwsCode(() => m.update(u32(9), u32(1), UPDATE.F_LOCK), 'E2BIG'); // the kernel checks the index before the lock
  throwsCode(() => m.delete(u32(0)), 'EINVAL', 'cannot be deleted');
  assert.equal(m.lookup(u32(4)), undefined);
  assert.equal(m.lookup(u32(0xffffffff)), undefined);
});

test('array: wrong key or value length names expected and actual size', () => {
  const m = createMap({ ...spec('array', 4, 8, 2), name: 'counts' });
  throwsCode(() => m.lookup(bytes(1, 2)), 'EINVAL', "map 'counts'", 'key must be 4 bytes', 'got 2');
  throwsCode(() => m.update(u32(0), bytes(1, 2, 3)), 'EINVAL', 'value must be 8 bytes', 'got 3');
  throwsCode(() => m.updateFromProgram(u32(0), bytes(1), 0, 0), 'EINVAL', 'value must be 8 bytes');
});

test('array: get_next_key by index, restart on out-of-range, end after the last', () => {
  const m = createMap(spec('array', 4, 4, 4));
  assert.equal(readU32(m.getNextKey(undefined)), 0);
  assert.equal(readU32(m.getNextKey(u32(2))), 3);
  assert.equal(m.getNextKey(u32(3)), undefined);
  assert.equal(readU32(m.getNextKey(u32(9))), 0);
  assert.deepEqual([...m.entries()].map(([k]) => readU32(k)), [0, 1, 2, 3]);
});

test('array: program views are live, stable and shared with user space', () => {
  const m = createMap(spec('array', 4, 4, 2));
  const v = m.lookupView(u32(1), 0)!;
  assert.equal(m.lookupView(u32(1), 1), v, 'same object on every lookup (and any CPU)');
  v[0] = 7;
  assert.equal(toHex(m.lookup(u32(1))), '07000000');
  m.update(u32(1), u32(0x01020304));
  assert.equal(toHex(v), '04030201', 'a user update shows through the view');
  assert.equal(m.lookupView(u32(2), 0), undefined);
  assert.equal(v.length, 4, 'the view is value_size bytes, not the 8-byte slot');
  m.updateFromProgram(u32(0), u32(5), UPDATE.EXIST, 0);
  assert.equal(readU32(m.lookup(u32(0))), 5);
  throwsCode(() => m.updateFromProgram(u32(0), u32(5), UPDATE.NOEXIST, 0), 'EEXIST');
  throwsCode(() => m.deleteFromProgram(u32(0)), 'EINVAL');
  throwsCode(() => m.lookupView(u32(0), 2), 'EINVAL', 'CPU 2');
});

test('percpu_array: user values are nCpus × round_up(value_size, 8); programs see their CPU', () => {
  const m = createMap(spec('percpu_array', 4, 4, 2), { nCpus: 3 });
  assert.equal(m.userValueSize, 24);
  throwsCode(() => m.update(u32(0), u32(1)), 'EINVAL', 'value must be 24 bytes', '3 CPUs');
  m.update(u32(0), joinPerCpuValues(m, [u32(10), u32(20), u32(30)]));
  const all = m.lookup(u32(0))!;
  assert.equal(toHex(all), '0a00000000000000' + '1400000000000000' + '1e00000000000000');
  assert.deepEqual(perCpuValues(m, all).map((v) => readU32(v)), [10, 20, 30]);
  const v1 = m.lookupView(u32(0), 1)!;
  assert.equal(readU32(v1), 20);
  assert.equal(v1.length, 4);
  m.updateFromProgram(u32(0), u32(99), UPDATE.ANY, 2);
  v1[0] = 21;
  assert.deepEqual(perCpuValues(m, m.lookup(u32(0))!).map((v) => readU32(v)), [10, 21, 99]);
  assert.notEqual(m.lookupView(u32(0), 0), v1);
  assert.equal(m.lookupView(u32(0), 1), v1);
});

test('percpu_array: padding bytes given by user space come back (bpf(2) copies whole 8-byte slots)', () => {
  const m = createMap(spec('percpu_array', 4, 4, 1), { nCpus: 2 });
  const v = Uint8Array.from([1, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 2, 0, 0, 0, 0, 0, 0, 0]);
  m.update(u32(0), v);
  assert.deepEqual(m.lookup(u32(0)), v);
});
