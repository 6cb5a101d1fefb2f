/** `tsbpf map ...` through bin/tsbpf.js: each command is its own process, so every step also crosses processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fails, inProcess, inStore, ok, okJson, tempStore } from './support/cli-kit.js';

test('hash map: create, update, lookup, dump, getnext, delete, as text and JSON, by pin, id and name', () => {
  const dir = tempStore();
  const t = inStore(dir);
  assert.deepEqual(okJson(t('map', 'create', 'm/h', 'type', 'hash', 'key', '4', 'value', '8', 'entries', '4', 'name', 'counts', '--json')), {
    id: 1, type: 'hash', name: 'counts', flags: 0, bytes_key: 4, bytes_value: 8, max_entries: 4, frozen: 0, pinned: [join(dir, 'm/h')],
  });
  ok(t('map', 'update', 'pinned', 'm/h', 'key', '1', '0', '0', '0', 'value', '0x2a', '0', '0', '0', '0', '0', '0', '0'));
  ok(t('map', 'update', 'id', '1', 'key', 'hex', '02', '00', '00', '00', 'value', 'hex', '0700000000000000', 'noexist'));
  fails(t('map', 'update', 'name', 'counts', 'key', '2', '0', '0', '0', 'value', 'hex', '0000000000000000', 'noexist'), /EEXIST/, 'noexist on a present key');
  fails(t('map', 'update', 'name', 'counts', 'key', '3', '0', '0', '0', 'value', 'hex', '0000000000000000', 'exist'), /ENOENT/, 'exist on a missing key');

  assert.equal(ok(t('map', 'lookup', 'pinned', 'm/h', 'key', '1', '0', '0', '0')).stdout, 'key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00\n');
  assert.deepEqual(okJson(t('map', 'lookup', 'id', '1', 'key', '0x02', '0', '0', '0', '-j')), {
    key: ['0x02', '0x00', '0x00', '0x00'], value: ['0x07', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'],
  });
  assert.equal(ok(t('map', 'dump', 'pinned', 'm/h')).stdout,
    'key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00\nkey: 02 00 00 00  value: 07 00 00 00 00 00 00 00\nFound 2 elements\n');
  const dump = okJson(t('map', 'dump', 'name', 'counts', '--json')) as { key: string[]; value: string[] }[];
  assert.deepEqual(dump.map((e) => e.key[0]), ['0x01', '0x02']);

  assert.deepEqual(okJson(t('map', 'getnext', 'id', '1', '--json')), { key: null, next_key: ['0x01', '0x00', '0x00', '0x00'] });
  assert.equal(ok(t('map', 'getnext', 'id', '1', 'key', '1', '0', '0', '0')).stdout, 'key:\n01 00 00 00\nnext key:\n02 00 00 00\n');
  fails(t('map', 'getnext', 'id', '1', 'key', '2', '0', '0', '0'), /last key \(ENOENT\)/, 'getnext past the end');

  ok(t('map', 'delete', 'pinned', 'm/h', 'key', '1', '0', '0', '0'));
  fails(t('map', 'lookup', 'pinned', 'm/h', 'key', '1', '0', '0', '0'), /map 'counts': no element with key 01 00 00 00 \(ENOENT\)/, 'lookup after delete');
  fails(t('map', 'delete', 'pinned', 'm/h', 'key', '1', '0', '0', '0'), /ENOENT/, 'delete twice');
  assert.equal(ok(t('map', 'dump', 'id', '1')).stdout, 'key: 02 00 00 00  value: 07 00 00 00 00 00 00 00\nFound 1 element\n');

  // Sizes are checked against the map, naming both.
  fails(t('map', 'lookup', 'id', '1', 'key', '1', '0'), /key is 2 bytes, expected 4 \(EINVAL\)/, 'short key');
  fails(t('map', 'update', 'id', '1', 'key', '1', '0', '0', '0', 'value', '1', '2', '3'), /value is 3 bytes, expected 8/, 'short value');
  fails(t('map', 'lookup', 'id', '1', 'key', '256', '0', '0', '0'), /not a number from 0 to 255/, 'byte out of range', 2);
});

test('queue and stack: push, peek, pop in their orders; full is E2BIG; empty is ENOENT; freeze makes it read-only', () => {
  const t = inStore(tempStore());
  ok(t('map', 'create', 'q', 'type', 'queue', 'key', '0', 'value', '2', 'entries', '2', 'name', 'q'));
  ok(t('map', 'create', 's', 'type', 'stack', 'key', '0', 'value', '2', 'entries', '3', 'name', 's'));
  for (const v of ['1', '2']) ok(t('map', 'push', 'pinned', 'q', 'value', v, '0'));
  fails(t('map', 'push', 'pinned', 'q', 'value', '3', '0'), /full.*\(E2BIG\)/, 'push onto a full queue');
  ok(t('map', 'push', 'pinned', 'q', 'value', '3', '0', 'exist')); // drops the oldest (1)
  assert.equal(ok(t('map', 'peek', 'pinned', 'q')).stdout, 'value: 02 00\n');
  assert.deepEqual(okJson(t('map', 'pop', 'pinned', 'q', '--json')), { value: ['0x02', '0x00'] });
  assert.deepEqual(okJson(t('map', 'dump', 'pinned', 'q', '--json')), [{ value: ['0x03', '0x00'] }]);
  ok(t('map', 'pop', 'pinned', 'q'));
  fails(t('map', 'pop', 'pinned', 'q'), /the queue is empty \(ENOENT\)/, 'pop from an empty queue');

  for (const v of ['1', '2', '3']) ok(t('map', 'enqueue', 'pinned', 's', 'value', v, '0'));
  assert.equal(ok(t('map', 'dump', 'pinned', 's')).stdout, 'value: 03 00\nvalue: 02 00\nvalue: 01 00\nFound 3 elements\n');
  assert.equal(ok(t('map', 'dequeue', 'pinned', 's')).stdout, 'value: 03 00\n');
  ok(t('map', 'freeze', 'pinned', 's'));
  fails(t('map', 'push', 'pinned', 's', 'value', '9', '0'), /frozen.*\(EPERM\)/, 'push after freeze');
  fails(t('map', 'freeze', 'pinned', 's'), /EPERM/, 'freeze twice');
  assert.equal((okJson(t('map', 'show', 'pinned', 's', '--json')) as { frozen: number }).frozen, 1);
  assert.match(ok(t('map', 'show', 'pinned', 's')).stdout, /^\d+: stack  name s  flags 0x0\n\tkey 0B  value 2B  max_entries 3\n\tfrozen\n\tpinned .*\/s\n$/);
  fails(t('map', 'pop', 'pinned', 's'), /EPERM/, 'pop from a frozen stack');
});

test('per-CPU maps: one value is written to every CPU; dumps list each CPU', () => {
  const t = inStore(tempStore());
  ok(t('map', 'create', 'pc', 'type', 'percpu_array', 'key', '4', 'value', '4', 'entries', '2', 'name', 'pc'));
  ok(t('map', 'update', 'pinned', 'pc', 'key', '1', '0', '0', '0', 'value', '5', '0', '0', '0'));
  const d = okJson(t('map', 'dump', 'pinned', 'pc', '--json')) as { key: string[]; values: { cpu: number; value: string[] }[] }[];
  assert.equal(d.length, 2);
  assert.deepEqual(d[1]!.values, [{ cpu: 0, value: ['0x05', '0x00', '0x00', '0x00'] }, { cpu: 1, value: ['0x05', '0x00', '0x00', '0x00'] }]);
  assert.equal(ok(t('map', 'lookup', 'pinned', 'pc', 'key', '1', '0', '0', '0')).stdout,
    'key:\n01 00 00 00\nvalue (CPU 00): 05 00 00 00\nvalue (CPU 01): 05 00 00 00\n');
  // All CPUs' values at once: nCpus × round_up(value_size, 8) bytes.
  ok(t('map', 'update', 'pinned', 'pc', 'key', '0', '0', '0', '0', 'value', 'hex', '0100000000000000', '0200000000000000'));
  assert.match(ok(t('map', 'lookup', 'pinned', 'pc', 'key', '0', '0', '0', '0')).stdout, /CPU 00\): 01 00 00 00\nvalue \(CPU 01\): 02 00 00 00/);
  fails(t('map', 'update', 'pinned', 'pc', 'key', '0', '0', '0', '0', 'value', '1', '2'), /value is 2 bytes, expected 4 \(or 16 for all CPUs\)/, 'per-CPU size');
});

test('a second pin names the same map; maps of maps and prog arrays store ids', () => {
  const dir = tempStore();
  const t = inStore(dir);
  ok(t('map', 'create', '/sys/fs/bpf/inner', 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'inner'));
  ok(t('map', 'create', 'outer', 'type', 'array_of_maps', 'key', '4', 'value', '4', 'entries', '2', 'name', 'outer', 'inner_map', 'pinned', 'inner'));
  ok(t('map', 'pin', 'name', 'inner', 'also/inner'));
  ok(t('map', 'update', 'pinned', 'also/inner', 'key', '0', '0', '0', '0', 'value', '9', '0', '0', '0'));
  assert.match(ok(t('map', 'lookup', 'pinned', '/sys/fs/bpf/inner', 'key', '0', '0', '0', '0')).stdout, /value: 09 00 00 00/);
  ok(t('map', 'update', 'pinned', 'outer', 'key', '1', '0', '0', '0', 'value', 'pinned', 'inner'));
  assert.equal(ok(t('map', 'dump', 'pinned', 'outer')).stdout, 'key: 01 00 00 00  value: 01 00 00 00\nFound 1 element\n');
  ok(t('map', 'create', 'small', 'type', 'array', 'key', '4', 'value', '8', 'entries', '1', 'name', 'small'));
  fails(t('map', 'update', 'pinned', 'outer', 'key', '0', '0', '0', '0', 'value', 'id', '3'), /does not match the inner map spec.*value_size 8/, 'incompatible inner map');
  const shown = okJson(t('map', 'show', '--json')) as { name: string; pinned: string[] }[];
  assert.deepEqual(shown.map((m) => m.name), ['inner', 'outer', 'small']);
  assert.deepEqual(shown[0]!.pinned, [join(dir, 'inner'), join(dir, 'also/inner')]);
});

test('every map error exits non-zero with a message and no stack trace; --json errors are one JSON document', async () => {
  const dir = tempStore();
  const t = inStore(dir);
  ok(t('map', 'create', 'h', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '2', 'name', 'h'));
  const cases: [string[], RegExp, number?][] = [
    [['map', 'create', 'x', 'type', 'nosuch', 'key', '4', 'value', '4', 'entries', '1', 'name', 'x'], /type 'nosuch' is not a map type/, 2],
    [['map', 'create', 'x', 'type', 'hash', 'key', '4', 'value', '4', 'name', 'x'], /missing 'entries'/, 2],
    [['map', 'create', 'x', 'type', 'hash', 'key', '0', 'value', '4', 'entries', '1', 'name', 'x'], /EINVAL/, 1],
    [['map', 'create', 'x', 'type', 'ringbuf', 'key', '0', 'value', '0', 'entries', '1000', 'name', 'x'], /power of 2.*EINVAL/, 1],
    [['map', 'create', 'h', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '1', 'name', 'h'], /already exists.*EEXIST/, 1],
    [['map', 'create', '/etc/x', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '1', 'name', 'x'], /outside the bpffs store/, 1],
    [['map', 'create', 'x', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '1', 'name', 'a-very-long-map-name'], /longer than 15/, 1],
    [['map', 'show', 'pinned', 'nope'], /nope: no such pinned object \(ENOENT\)/, 1],
    [['map', 'show', 'id', '42'], /no map with id 42/, 1],
    [['map', 'show', 'name', 'zz'], /no map named 'zz'/, 1],
    [['map', 'show', 'bogus', 'x'], /expected MAP as pinned PATH, id N or name NAME, got 'bogus'/, 2],
    [['map', 'dump'], /missing MAP/, 2],
    [['map', 'lookup', 'pinned', 'h'], /missing key DATA/, 2],
    [['map', 'lookup', 'pinned', 'h', 'key', 'zz'], /'zz' is not a byte/, 2],
    [['map', 'lookup', 'pinned', 'h', 'key', 'hex'], /'hex' must be followed by hex bytes/, 2],
    [['map', 'update', 'pinned', 'h', 'key', '1', '0', '0', '0'], /expected 'value'/, 2],
    [['map', 'pop', 'pinned', 'h'], /pop is for queue and stack maps/, 2],
    [['map', 'frobnicate'], /unknown command 'frobnicate'/, 2],
    [['map', 'dump', 'pinned', 'h', '--bogus'], /Unknown option '--bogus'/, 2],
  ];
  // In this process: main() is what bin/tsbpf.js runs, its return value the exit status.
  for (const [args, re, status] of cases) fails(await inProcess([...args, '--bpffs', dir]), re, args.join(' '), status);
  const r = t('map', 'show', 'id', '42', '--json');
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), { error: `no map with id 42 in the bpffs store ${dir} (ENOENT)` });
});

test('a garbled or truncated pin is a clear error naming the file, and a failed update leaves the pin as it was', () => {
  const dir = tempStore();
  const t = inStore(dir);
  ok(t('map', 'create', 'h', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '1', 'name', 'h'));
  ok(t('map', 'update', 'pinned', 'h', 'key', '1', '0', '0', '0', 'value', '1', '0', '0', '0'));
  const obj = join(dir, '.objects', 'map-1');
  const good = readFileSync(obj);
  fails(t('map', 'update', 'pinned', 'h', 'key', '2', '0', '0', '0', 'value', '2', '0', '0', '0'), /E2BIG/, 'update of a full map');
  assert.deepEqual(readFileSync(obj), good, 'a refused update does not touch the pin');
  writeFileSync(obj, good.subarray(0, good.length - 10));
  fails(t('map', 'dump', 'pinned', 'h'), new RegExp(`${obj.replace(/[/.]/g, '\\$&')}: bad pin file: truncated`), 'truncated object');
  const garbled = Buffer.from(good);
  garbled[garbled.length - 5] ^= 1;
  writeFileSync(obj, garbled);
  fails(t('map', 'dump', 'pinned', 'h'), /map-1: bad pin file: checksum mismatch/, 'garbled object');
  writeFileSync(join(dir, 'h'), 'not a pin');
  fails(t('map', 'dump', 'pinned', 'h'), /\/h: bad pin file: no 'tsbpf-pin' header/, 'garbled pin');
  writeFileSync(obj, good);
  writeFileSync(join(dir, '.index'), 'tsbpf-pin 1 index 2 sha256:' + '0'.repeat(64) + '\n{}');
  fails(t('map', 'show'), /\.index: bad pin file: checksum mismatch/, 'garbled index');
});
