/** createMap refuses what the kernel's map_alloc_check refuses (each case checked on Linux 6.18). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, mapSpecProblem, MAP_FLAGS, MAP_TYPES, type MapSpec } from '../../src/maps/index.js';
import { spec, throwsCode } from './support.js';

const F = MAP_FLAGS;

test('every supported type has a row, and a good spec of each is created', () => {
  const good: MapSpec[] = [
    spec('array', 4, 8, 4), spec('percpu_array', 4, 8, 4), spec('hash', 8, 8, 4), spec('percpu_hash', 8, 8, 4),
    spec('lru_hash', 8, 8, 4), spec('lru_percpu_hash', 8, 8, 4), spec('lpm_trie', 8, 4, 4, F.NO_PREALLOC),
    spec('prog_array', 4, 4, 4), spec('perf_event_array', 4, 4, 4), spec('ringbuf', 0, 0, 4096), spec('queue', 0, 4, 4),
    spec('stack', 0, 4, 4), spec('bloom_filter', 0, 4, 4), spec('array_of_maps', 4, 4, 4, 0, { inner: spec('array', 4, 4, 4) }),
    spec('hash_of_maps', 8, 4, 4, 0, { inner: spec('hash', 4, 4, 4) }), spec('stack_trace', 4, 8, 4),
  ];
  assert.deepEqual(good.map((s) => s.type).sort(), Object.keys(MAP_TYPES).sort());
  for (const s of good) assert.equal(createMap(s).spec.type, s.type);
});

const refused: [string, MapSpec, string, string][] = [
  ['array key_size 8', { ...spec('array', 8, 4, 4), name: 'counts' }, 'EINVAL', "map 'counts': array maps need key_size 4, got 8"],
  ['array value_size 0', spec('array', 4, 0, 4), 'EINVAL', 'value_size > 0'],
  ['array max_entries 0', spec('array', 4, 4, 0), 'EINVAL', 'max_entries > 0'],
  ['array NO_PREALLOC', spec('array', 4, 4, 2, F.NO_PREALLOC), 'EINVAL', 'map_flags 0x1'],
  ['array RDONLY|WRONLY', spec('array', 4, 4, 2, F.RDONLY | F.WRONLY), 'EINVAL', 'read-only and write-only'],
  ['array ZERO_SEED', spec('array', 4, 4, 2, F.ZERO_SEED), 'EINVAL', '0x40'],
  ['array PRESERVE_ELEMS', spec('array', 4, 4, 2, F.PRESERVE_ELEMS), 'EINVAL', 'perf_event_array'],
  ['array value_size 2^31', spec('array', 4, 2 ** 31, 1), 'E2BIG', 'too large'],
  ['array map_extra', spec('array', 4, 4, 4, 0, { mapExtra: 1n }), 'EINVAL', 'map_extra'],
  ['percpu_array MMAPABLE', spec('percpu_array', 4, 4, 4, F.MMAPABLE), 'EINVAL', 'MMAPABLE'],
  ['percpu_array value 40000', spec('percpu_array', 4, 40000, 2), 'E2BIG', '32768'],
  ['hash key_size 0', spec('hash', 0, 4, 2), 'EINVAL', 'key_size'],
  ['hash value_size 0', spec('hash', 4, 0, 2), 'EINVAL', 'value_size'],
  ['hash max_entries 0', spec('hash', 4, 4, 0), 'EINVAL', 'max_entries'],
  ['hash NO_COMMON_LRU', spec('hash', 4, 4, 2, F.NO_COMMON_LRU), 'EINVAL', 'only for LRU'],
  ['hash huge element', spec('hash', 4, 4194304, 1), 'E2BIG', 'too large'],
  ['hash 2^27+1 entries', spec('hash', 4, 4, 2 ** 27 + 1), 'E2BIG', 'buckets'],
  ['percpu_hash value 32769', spec('percpu_hash', 4, 32769, 2), 'E2BIG', '32768'],
  ['lru_hash NO_PREALLOC', spec('lru_hash', 4, 4, 2, F.NO_PREALLOC), 'ENOTSUPP', 'preallocated'],
  ['lpm_trie without NO_PREALLOC', spec('lpm_trie', 8, 4, 3), 'EINVAL', 'BPF_F_NO_PREALLOC'],
  ['lpm_trie key_size 4', spec('lpm_trie', 4, 4, 3, F.NO_PREALLOC), 'EINVAL', '5..260'],
  ['lpm_trie key_size 261', spec('lpm_trie', 261, 4, 3, F.NO_PREALLOC), 'EINVAL', 'got 261'],
  ['lpm_trie value_size 0', spec('lpm_trie', 8, 0, 3, F.NO_PREALLOC), 'EINVAL', 'value_size'],
  ['lpm_trie max_entries 0', spec('lpm_trie', 8, 4, 0, F.NO_PREALLOC), 'EINVAL', 'max_entries'],
  ['prog_array value_size 8', spec('prog_array', 4, 8, 4), 'EINVAL', 'value_size 4, got 8'],
  ['prog_array key_size 8', spec('prog_array', 8, 4, 4), 'EINVAL', 'key_size 4'],
  ['prog_array NO_PREALLOC', spec('prog_array', 4, 4, 4, F.NO_PREALLOC), 'EINVAL', '0x1'],
  ['perf_event_array value_size 8', spec('perf_event_array', 4, 8, 4), 'EINVAL', 'value_size 4'],
  ['queue key_size 4', spec('queue', 4, 4, 2), 'EINVAL', 'key_size must be 0'],
  ['queue value_size 0', spec('queue', 0, 0, 2), 'EINVAL', 'value_size'],
  ['stack max_entries 0', spec('stack', 0, 4, 0), 'EINVAL', 'max_entries'],
  ['queue NO_PREALLOC', spec('queue', 0, 4, 2, F.NO_PREALLOC), 'EINVAL', '0x1'],
  ['bloom key_size 4', spec('bloom_filter', 4, 4, 100), 'EINVAL', 'key_size must be 0'],
  ['bloom 16 hashes', spec('bloom_filter', 0, 4, 100, 0, { mapExtra: 16n }), 'EINVAL', 'at most 15'],
  ['bloom NO_PREALLOC', spec('bloom_filter', 0, 4, 100, F.NO_PREALLOC), 'EINVAL', '0x1'],
  ['bloom value_size 0', spec('bloom_filter', 0, 0, 100), 'EINVAL', 'value_size'],
  ['ringbuf 12288', spec('ringbuf', 0, 0, 12288), 'EINVAL', 'power of 2'],
  ['ringbuf 2048', spec('ringbuf', 0, 0, 2048), 'EINVAL', 'multiple of 4096'],
  ['ringbuf value_size 4', spec('ringbuf', 0, 4, 4096), 'EINVAL', 'value_size 0'],
  ['ringbuf NO_PREALLOC', spec('ringbuf', 0, 0, 4096, F.NO_PREALLOC), 'EINVAL', '0x1'],
  ['ringbuf RDONLY', spec('ringbuf', 0, 0, 4096, F.RDONLY), 'EINVAL', '0x8'],
  ['array_of_maps without inner', spec('array_of_maps', 4, 4, 4), 'EINVAL', 'inner map spec'],
  ['array_of_maps value_size 8', spec('array_of_maps', 4, 8, 4, 0, { inner: spec('array', 4, 4, 4) }), 'EINVAL', 'value_size 4'],
  ['array_of_maps of maps', spec('array_of_maps', 4, 4, 4, 0, { inner: spec('array_of_maps', 4, 4, 4, 0, { inner: spec('array', 4, 4, 4) }) }), 'EINVAL', 'cannot nest'],
  ['array_of_maps of prog_array', spec('array_of_maps', 4, 4, 4, 0, { inner: spec('prog_array', 4, 4, 4) }), 'ENOTSUPP', 'prog_array'],
  ['hash_of_maps value_size 8', spec('hash_of_maps', 8, 8, 4, 0, { inner: spec('array', 4, 4, 4) }), 'EINVAL', 'value_size 4'],
  ['stack_trace value_size 12', spec('stack_trace', 4, 12, 3), 'EINVAL', 'multiple of 8'],
  ['stack_trace key_size 8', spec('stack_trace', 8, 8, 3), 'EINVAL', 'key_size 4'],
  ['stack_trace 128 frames', spec('stack_trace', 4, 1024, 3), 'EINVAL', 'perf_event_max_stack'],
  ['stack_trace build id 24', spec('stack_trace', 4, 24, 3, F.STACK_BUILD_ID), 'EINVAL', 'multiple of 32'],
  ['stack_trace NO_PREALLOC', spec('stack_trace', 4, 8, 3, F.NO_PREALLOC), 'EINVAL', '0x1'],
  ['devmap', spec('devmap', 4, 4, 4), 'EOPNOTSUPP', 'not implemented'],
  ['negative key_size', spec('hash', -1, 4, 4), 'EINVAL', 'u32'],
];

for (const [what, s, code, message] of refused) {
  test(`createMap refuses ${what} with ${code}`, () => {
    throwsCode(() => createMap(s), code as never, message);
    assert.equal(mapSpecProblem(s)?.code, code);
  });
}

test('limits the kernel accepts are accepted', () => {
  const ok: MapSpec[] = [
    spec('hash', 513, 4, 2), // no MAX_BPF_STACK limit on hash keys in 6.18
    spec('hash', 4, 4, 2 ** 27),
    spec('lpm_trie', 5, 4, 3, F.NO_PREALLOC), spec('lpm_trie', 260, 4, 3, F.NO_PREALLOC),
    spec('percpu_array', 4, 32768, 2), spec('array', 4, 4, 2, F.RDONLY), spec('array', 4, 4, 2, F.MMAPABLE),
    spec('array', 4, 4, 2, F.INNER_MAP), spec('hash', 4, 4, 2, F.ZERO_SEED | F.NO_PREALLOC),
    spec('lru_hash', 4, 4, 3, F.NO_COMMON_LRU), spec('perf_event_array', 4, 4, 4, F.PRESERVE_ELEMS),
    spec('bloom_filter', 0, 4, 100, F.ZERO_SEED, { mapExtra: 15n }), spec('ringbuf', 0, 0, 8192),
    spec('stack_trace', 4, 1016, 3), spec('stack_trace', 4, 32, 3, F.STACK_BUILD_ID),
  ];
  for (const s of ok) assert.equal(mapSpecProblem(s), undefined, `${s.type} ${JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
});

test('nCpus must be a positive integer; storage beyond the heap is ENOMEM', () => {
  throwsCode(() => createMap(spec('array', 4, 4, 1), { nCpus: 0 }), 'EINVAL', 'nCpus');
  throwsCode(() => createMap(spec('array', 4, 2 ** 31 - 1, 4)), 'ENOMEM', 'allocate');
});
