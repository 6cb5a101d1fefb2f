/** lru_hash and lru_percpu_hash: eviction of the least recently used element. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, perCpuValues, MAP_FLAGS, UPDATE } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, u32 } from './support.js';

const keys = (m: { entries(): Iterable<[Uint8Array, Uint8Array]> }): number[] => [...m.entries()].map(([k]) => readU32(k)!).sort((a, b) => a - b);

test('lru_hash: a full map evicts the least recently inserted when nothing was used', () => {
  const m = createMap(spec('lru_hash', 4, 4, 3));
  for (const k of [1, 2, 3]) m.update(u32(k), u32(k));
  m.update(u32(4), u32(4));
  assert.deepEqual(keys(m), [2, 3, 4]);
  m.update(u32(5), u32(5));
  assert.deepEqual(keys(m), [3, 4, 5]);
});

test('lru_hash: a program lookup or any update marks an element used', () => {
  const m = createMap(spec('lru_hash', 4, 4, 3));
  for (const k of [1, 2, 3]) m.update(u32(k), u32(k));
  m.lookupView(u32(1), 0); // 1 is now the most recent: order 2, 3, 1
  m.update(u32(4), u32(4)); // evicts 2
  assert.deepEqual(keys(m), [1, 3, 4]);
  m.update(u32(3), u32(30)); // order 1, 4, 3
  m.update(u32(5), u32(5)); // evicts 1
  assert.deepEqual(keys(m), [3, 4, 5]);
  m.updateFromProgram(u32(4), u32(40), UPDATE.EXIST, 0); // order 3, 5, 4
  m.update(u32(6), u32(6)); // evicts 3
  assert.deepEqual(keys(m), [4, 5, 6]);
});

test('lru_hash: user-space lookups do not count as use (as the kernel)', () => {
  const m = createMap(spec('lru_hash', 4, 4, 2));
  m.update(u32(1), u32(1));
  m.update(u32(2), u32(2));
  assert.equal(readU32(m.lookup(u32(1))), 1);
  m.update(u32(3), u32(3));
  assert.deepEqual(keys(m), [2, 3]);
});

test('lru_hash: flags still apply; a full map never says E2BIG', () => {
  const m = createMap(spec('lru_hash', 4, 4, 1));
  m.update(u32(1), u32(1));
  throwsCode(() => m.update(u32(1), u32(1), UPDATE.NOEXIST), 'EEXIST');
  throwsCode(() => m.update(u32(2), u32(1), UPDATE.EXIST), 'ENOENT');
  m.update(u32(2), u32(2), UPDATE.NOEXIST);
  assert.deepEqual(keys(m), [2]);
});

test('lru_percpu_hash: evicts and keeps per-CPU values', () => {
  const m = createMap(spec('lru_percpu_hash', 4, 4, 2), { nCpus: 2 });
  m.updateFromProgram(u32(1), u32(11), UPDATE.ANY, 1);
  m.updateFromProgram(u32(2), u32(22), UPDATE.ANY, 0);
  m.lookupView(u32(1), 0);
  m.updateFromProgram(u32(3), u32(33), UPDATE.ANY, 0);
  assert.deepEqual(keys(m), [1, 3]);
  assert.deepEqual(perCpuValues(m, m.lookup(u32(1))!).map((v) => readU32(v)), [0, 11]);
});

test('lru_hash with BPF_F_NO_COMMON_LRU: max_entries rounds up per CPU; a CPU evicts only its own', () => {
  const m = createMap(spec('lru_hash', 4, 4, 3, MAP_FLAGS.NO_COMMON_LRU), { nCpus: 2 });
  assert.equal(m.spec.maxEntries, 4, 'rounded up to a multiple of the CPU count, 2 per CPU');
  m.updateFromProgram(u32(1), u32(1), UPDATE.ANY, 0);
  m.updateFromProgram(u32(2), u32(2), UPDATE.ANY, 0);
  m.updateFromProgram(u32(3), u32(3), UPDATE.ANY, 1);
  m.updateFromProgram(u32(4), u32(4), UPDATE.ANY, 0); // CPU 0's list is full: evicts 1, not 3
  assert.deepEqual(keys(m), [2, 3, 4]);
  m.updateFromProgram(u32(5), u32(5), UPDATE.ANY, 1); // CPU 1 has room
  assert.deepEqual(keys(m), [2, 3, 4, 5]);
  m.updateFromProgram(u32(6), u32(6), UPDATE.ANY, 1); // evicts 3
  assert.deepEqual(keys(m), [2, 4, 5, 6]);
});
