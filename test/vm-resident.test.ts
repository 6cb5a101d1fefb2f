/**
 * The resident window (src/vm/resident.ts): map values that compiled code reaches where they are.
 * Its views, the maps that use it, and what happens when it is full: maps get plain bytes again,
 * and programs on the JIT (which then copies those values) still give the interpreter's results.
 * The last test fills the window, so it stays last in this file (each test file is a process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import type { MapSpec } from '../src/maps/types.js';
import { testRun } from '../src/progtypes/test-run.js';
import { RESIDENT_BASE, RESIDENT_BYTES, isResident, residentBytes, residentMemory } from '../src/vm/resident.js';
import { Vm, type VmMap, type VmOptions } from '../src/vm/runtime.js';
import { rng } from './support/rng.js';

test('resident bytes: zeroed, apart, 8-byte aligned views of the resident memory that outlive its growth', () => {
  const a = residentBytes(13)!, b = residentBytes(8)!;
  assert.ok(isResident(a) && isResident(b));
  assert.ok(!isResident(new Uint8Array(8)));
  assert.equal(a.byteOffset % 8, 0);
  assert.equal(b.byteOffset % 8, 0);
  assert.ok(a.byteOffset >= RESIDENT_BASE && b.byteOffset >= a.byteOffset + 13 && b.byteOffset + 8 <= RESIDENT_BASE + RESIDENT_BYTES);
  assert.deepEqual([...a, ...b], new Array(21).fill(0));
  b.set([1, 2, 3, 4, 5, 6, 7, 8]);
  const memory = residentMemory();
  memory.grow(1);
  // The bytes are the memory's own, before and after it grew.
  assert.deepEqual([...new Uint8Array(memory.buffer, b.byteOffset, 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...b], [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('hash map values and small arrays are resident; a large array is not', () => {
  const vm = new Vm({ helpers: kernelHelpers() } as VmOptions);
  const make = (type: string, maxEntries: number, valueSize = 8): VmMap => vm.createMap({ name: type, type, keySize: 4, valueSize, maxEntries, flags: 0 } as MapSpec);
  const key = Uint8Array.of(1, 0, 0, 0);
  for (const m of [make('hash', 8), make('percpu_hash', 8), make('array', 8), make('lru_hash', 8)]) {
    m.map.update(key, new Uint8Array(m.map.userValueSize).fill(7), 0);
    assert.ok(isResident(m.map.lookupView(key, 0)!), m.name);
  }
  assert.ok(!isResident(make('array', 4, 1 << 19).map.lookupView(key, 0)!), 'a 2 MiB array');
});

/** Counts packet bytes in a hash map (an update for a new key, an increment through the value otherwise), folded into an array. */
function counter(map: number, byte: number, n: number): string[] {
  return [
    `r1 = *(u8 *)(r9 + ${byte})`, 'r1 &= 15', '*(u32 *)(r10 - 4) = r1', `r1 = map[idx:${map}] ll`, 'r2 = r10', 'r2 += -4', 'call 1',
    `if r0 == 0 goto new${n}`, 'r1 = *(u64 *)(r0 + 0)', 'r1 += 1', '*(u64 *)(r0 + 0) = r1', 'r7 += r1', `goto next${n}`,
    `new${n}:`, '*(u64 *)(r10 - 16) = 1', `r1 = map[idx:${map}] ll`, 'r2 = r10', 'r2 += -4', 'r3 = r10', 'r3 += -16', 'r4 = 0', 'call 2',
    `next${n}:`,
    `r1 = *(u8 *)(r9 + ${byte + 4})`, 'r1 &= 3', '*(u32 *)(r10 - 4) = r1', `r1 = map[idx:${map + 1}] ll`, 'r2 = r10', 'r2 += -4', 'call 1',
    `if r0 == 0 goto done${n}`, 'r1 = *(u64 *)(r0 + 0)', 'r1 += r7', '*(u64 *)(r0 + 0) = r1', `done${n}:`,
  ];
}

test('with the window full, maps get plain bytes, and the JIT gives the interpreter\'s runs over resident and plain maps at once', () => {
  const text = [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 8', 'if r4 > r3 goto out', 'r9 = r2', 'r7 = 0',
    ...counter(0, 0, 0), ...counter(2, 1, 1), ...counter(0, 2, 2), ...counter(2, 3, 3),
    'r0 = r7', 'exit', 'out:', 'r0 = 0', 'exit',
  ].join('\n');
  const specs = (tag: string): MapSpec[] => [
    { name: `h${tag}`, type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, flags: 0 },
    { name: `a${tag}`, type: 'array', keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 },
  ];
  const vms = (['interp', 'jit'] as const).map((engine) => ({ engine, vm: new Vm({ helpers: kernelHelpers(), engine, nCpus: 2 } as VmOptions) }));
  const before = vms.map(({ vm }) => specs('r').map((s) => vm.createMap(s)));
  // (A hash map takes its value bytes at its first element: one now, for the rest to follow.)
  for (const [h] of before) h!.map.update(Uint8Array.of(15, 0, 0, 0), new Uint8Array(8), 0);
  // Fill the window: whatever is made from now on has bytes of its own.
  while (residentBytes(1 << 20) !== undefined);
  while (residentBytes(8) !== undefined);
  const after = vms.map(({ vm }) => specs('p').map((s) => vm.createMap(s)));
  const out = vms.map(({ vm }, k) => {
    const maps = [...before[k]!, ...after[k]!];
    const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text), license: 'GPL', maps });
    const r = rng(11);
    const seq: string[] = [];
    for (let i = 0; i < 40; i++) {
      const o = testRun(vm, p, { dataIn: r.bytes(64), repeat: 1 + r.int(4) });
      const dump = maps.map((m) => [...m.map.entries()].map(([key, v]) => `${Buffer.from(key).toString('hex')}=${Buffer.from(v).toString('hex')}`).sort().join(','));
      seq.push(`${o.retval} ${dump.join(' ')}`);
    }
    const any = (m: VmMap): Uint8Array => m.map.lookupView(m.map.spec.type === 'array' ? new Uint8Array(4) : [...m.map.entries()][0]![0], 0)!;
    return { seq, resident: maps.map((m) => isResident(any(m))) };
  });
  assert.deepEqual(out[1]!.seq, out[0]!.seq);
  // The maps made before the window filled are resident, those after are not.
  assert.deepEqual(out[1]!.resident, [true, true, false, false]);
});
