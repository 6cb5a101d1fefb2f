/** prog_array, perf_event_array, array_of_maps, hash_of_maps (user-space answers checked on Linux 6.18). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, BPF_F_CURRENT_CPU, MAP_FLAGS, UPDATE, type MapSpec } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, u32, u64 } from './support.js';

test('prog_array: store ids, BPF_ANY only, delete empties a slot', () => {
  const m = createMap(spec('prog_array', 4, 4, 4));
  assert.equal(m.lookup(u32(0)), undefined);
  assert.equal(m.lookup(u32(9)), undefined);
  throwsCode(() => m.delete(u32(0)), 'ENOENT', 'empty');
  throwsCode(() => m.delete(u32(9)), 'E2BIG');
  throwsCode(() => m.update(u32(0), u32(7), UPDATE.NOEXIST), 'EINVAL', 'BPF_ANY only');
  throwsCode(() => m.update(u32(9), u32(7)), 'E2BIG');
  m.update(u32(2), u32(7));
  assert.equal(readU32(m.lookup(u32(2))), 7);
  assert.equal(m.tailCallTarget(2), 7);
  assert.equal(m.tailCallTarget(1), undefined);
  assert.equal(readU32(m.getNextKey(undefined)), 0);
  assert.equal(m.getNextKey(u32(3)), undefined);
  m.delete(u32(2));
  assert.equal(m.tailCallTarget(2), undefined);
  throwsCode(() => m.lookupView(u32(0), 0), 'EINVAL');
});

test('perf_event_array: output to this CPU, errors of the kernel helper, drain in order', () => {
  const m = createMap(spec('perf_event_array', 4, 4, 4), { nCpus: 2 });
  throwsCode(() => m.output(0, BPF_F_CURRENT_CPU, Uint8Array.of(1)), 'ENOENT', 'no perf event');
  m.openPerCpuBuffers();
  m.output(1, BPF_F_CURRENT_CPU, Uint8Array.of(1));
  m.output(0, 0n, Uint8Array.of(2));
  m.output(1, 1, Uint8Array.of(3));
  throwsCode(() => m.output(0, 1n, Uint8Array.of(4)), 'EOPNOTSUPP', 'CPU 1');
  throwsCode(() => m.output(0, 2n, Uint8Array.of(4)), 'ENOENT', 'slot 2');
  throwsCode(() => m.output(0, 4n, Uint8Array.of(4)), 'E2BIG');
  throwsCode(() => m.output(0, 1n << 32n, Uint8Array.of(4)), 'EINVAL');
  assert.equal(m.pending(), 3);
  assert.equal(m.pending(1), 2);
  assert.deepEqual(m.drain(1).map((s) => s.data[0]), [1, 3]);
  assert.deepEqual(m.drain().map((s) => [s.cpu, s.data[0]]), [[0, 2]]);
  assert.deepEqual(m.drain(), []);
  throwsCode(() => m.lookup(u32(0)), 'ENOTSUPP');
  m.delete(u32(0));
  throwsCode(() => m.output(0, BPF_F_CURRENT_CPU, Uint8Array.of(1)), 'ENOENT');
});

const inner: MapSpec = spec('array', 4, 4, 4);

test('array_of_maps: ids of compatible maps only (when the runtime resolves ids)', () => {
  const specs = new Map<number, MapSpec>([
    [61, spec('array', 4, 4, 4)],
    [62, spec('array', 4, 4, 9)],
    [63, spec('array', 4, 8, 4)],
    [64, spec('array', 4, 4, 4, MAP_FLAGS.RDONLY)],
    [65, spec('hash', 4, 4, 4)],
  ]);
  const m = createMap(spec('array_of_maps', 4, 4, 4, 0, { inner }), { resolveMap: (id) => specs.get(id) });
  m.update(u32(0), u32(61));
  assert.equal(readU32(m.lookup(u32(0))), 61);
  assert.equal(m.innerMapId(u32(0)), 61);
  assert.equal(readU32(m.lookupView(u32(0), 0)), 61);
  assert.equal(m.lookupView(u32(1), 0), undefined);
  throwsCode(() => m.update(u32(1), u32(62)), 'EINVAL', 'max_entries 9');
  throwsCode(() => m.update(u32(1), u32(63)), 'EINVAL', 'value_size 8');
  throwsCode(() => m.update(u32(1), u32(65)), 'EINVAL', 'type hash');
  throwsCode(() => m.update(u32(1), u32(99)), 'EBADF', 'no map with id 99');
  m.update(u32(1), u32(64)); // access flags do not matter
  throwsCode(() => m.update(u32(0), u32(61), UPDATE.NOEXIST), 'EINVAL');
  throwsCode(() => m.update(u32(9), u32(61)), 'E2BIG');
  m.delete(u32(0));
  throwsCode(() => m.delete(u32(0)), 'ENOENT');
  assert.equal(m.innerMapId(u32(0)), undefined);
  throwsCode(() => m.updateFromProgram(u32(0), u32(61), 0, 0), 'EINVAL');
});

test('array_of_maps: BPF_F_INNER_MAP lets max_entries differ; without a resolver ids are stored as given', () => {
  const flexible = createMap(spec('array_of_maps', 4, 4, 2, 0, { inner: spec('array', 4, 4, 4, MAP_FLAGS.INNER_MAP) }), {
    resolveMap: () => spec('array', 4, 4, 100),
  });
  flexible.update(u32(0), u32(5));
  const unchecked = createMap(spec('array_of_maps', 4, 4, 2, 0, { inner }));
  unchecked.update(u32(1), u32(12345));
  assert.equal(unchecked.innerMapId(u32(1)), 12345);
});

test('hash_of_maps: flags as a hash; values are inner map ids', () => {
  const m = createMap(spec('hash_of_maps', 8, 4, 4, 0, { inner }), { resolveMap: (id) => (id === 61 ? inner : undefined) });
  m.update(u64(0n), u32(61), UPDATE.NOEXIST);
  throwsCode(() => m.update(u64(0n), u32(61), UPDATE.NOEXIST), 'EEXIST');
  throwsCode(() => m.update(u64(1n), u32(61), UPDATE.EXIST), 'ENOENT');
  throwsCode(() => m.update(u64(1n), u32(7)), 'EBADF');
  assert.equal(readU32(m.lookup(u64(0n))), 61);
  assert.equal(m.innerMapId(u64(0n)), 61);
  assert.equal(m.innerMapId(u64(5n)), undefined);
  throwsCode(() => m.updateFromProgram(u64(2n), u32(61), 0, 0), 'EINVAL');
});
