/**
 * The resident window (src/vm/resident.ts): map values that compiled code reaches where they are.
 * Its views, the maps that use it, and what happens when it is full: maps get plain bytes again,
 * and programs on the JIT (which then copies those values) still give the interpreter's results.
 * The last test fills the window, so it stays last in this file (each test file is a process).
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import type { MapSpec } from '../src/maps/types.js';
import { testRun } from '../src/progtypes/test-run.js';
import { RESIDENT_BASE, RESIDENT_BYTES, isResident, residentBytes, residentMemory } from '../src/vm/resident.js';
import { Vm, type VmMap, type VmOptions } from '../src/vm/runtime.js';
import { IX_K1, IX_K2, IX_SLOT, IX_SLOTS, ResidentIndex } from '../src/maps/resident-index.js';
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

test('a resident key index keeps empty slots through any number of inserts and deletes (it is rebuilt), so probes end', () => {
  const live = new Map<number, number>();
  const key = (k: number): Uint8Array => Uint8Array.of(k & 255, k >> 8, 0, 0);
  const ix = ResidentIndex.create(4, 8, () => [...live].map(([k, a]): [Uint8Array, number] => [key(k), a]))!;
  const slots = new Uint32Array(residentMemory().buffer, ix.at + IX_SLOTS, 16 * (IX_SLOT / 4));
  const r = rng(9);
  for (let i = 0; i < 2000; i++) {
    if (live.size < 8 && r.int(2) === 0) {
      const k = r.int(60000);
      if (live.has(k)) continue;
      live.set(k, 0x2000000 + 8 * i);
      ix.put(key(k), live.get(k)!);
    } else if (live.size > 0) {
      const k = [...live.keys()][r.int(live.size)]!;
      live.delete(k);
      ix.remove(key(k));
    }
    const taken = Array.from({ length: 16 }, (_, s) => slots[s * 4 + 2]!).filter((a) => a !== 0).length;
    assert.ok(taken <= 12, `${taken} of 16 slots taken after operation ${i}`);
  }
  // Every live key is where a walk from its hash finds it (the compiled probe's walk, in JavaScript).
  for (const [k, a] of live) {
    let h = Math.imul(k ^ Math.imul(0, IX_K1), IX_K2) >>> 28;
    while (slots[h * 4 + 2] !== 0 && !(slots[h * 4 + 2] === a && slots[h * 4] === k)) h = (h + 1) & 15;
    assert.equal(slots[h * 4 + 2], a, `key ${k}`);
  }
});

test('compiled lookups walk a hash map\'s resident key index: keys of 1, 2, 4 and 8 bytes, through deletes, reuse and rebuilds, as the interpreter finds them', () => {
  // Each run looks up key k (from the packet) and returns its value or 999; between executions
  // user space inserts and deletes keys, so the index fills with deleted slots and is rebuilt.
  const text = (size: number): string => [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 16', 'if r4 > r3 goto out',
    `r1 = *(u${8 * size} *)(r2 + 0)`, `*(u${8 * size} *)(r10 - 8) = r1`, 'r1 = map[idx:0] ll', 'r2 = r10', 'r2 += -8', 'call 1',
    'if r0 == 0 goto miss', 'r0 = *(u32 *)(r0 + 0)', 'exit', 'miss:', 'r0 = 999', 'exit', 'out:', 'r0 = 0', 'exit',
  ].join('\n');
  for (const size of [1, 2, 4, 8]) {
    const out: string[] = [];
    for (const engine of ['interp', 'jit'] as const) {
      const vm = new Vm({ helpers: kernelHelpers(), engine } as VmOptions);
      const m = vm.createMap({ name: 'h', type: 'hash', keySize: size, valueSize: 4, maxEntries: 8, flags: 0 } as MapSpec);
      const p = vm.loadProgram({ name: 'p', type: 'xdp', insns: assemble(text(size)), license: 'GPL', maps: [m] });
      const r = rng(size);
      // Keys of many values (1-byte keys: all 256) come and go, eight at most at a time.
      const keyOf = (k: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? k : i === 1 ? k >> 8 : i === size - 1 ? k * 37 : 0) & 255);
      const live: number[] = [];
      const seq: number[] = [];
      for (let i = 0; i < 400; i++) {
        if (live.length < 8 && r.int(2) === 0) {
          const k = r.int(size === 1 ? 256 : 4000);
          if (!live.includes(k)) {
            m.map.update(keyOf(k), Uint8Array.of(i & 255, i >> 8, 0, 7), 0);
            live.push(k);
          }
        } else if (live.length > 0) {
          m.map.delete(keyOf(live.splice(r.int(live.length), 1)[0]!));
        }
        const k = live.length > 0 && r.int(3) !== 0 ? live[r.int(live.length)]! : r.int(size === 1 ? 256 : 4000);
        const f = new Uint8Array(64);
        f.set(keyOf(k));
        seq.push(testRun(vm, p, { dataIn: f, repeat: 1 + r.int(3) }).retval);
      }
      if (engine === 'jit') assert.ok((m.map as unknown as { residentIndex?: { valid: boolean } }).residentIndex?.valid, 'the map has a valid index');
      out.push(seq.join(' '));
    }
    assert.equal(out[1], out[0], `${size}-byte keys`);
    assert.ok(out[0]!.split(' ').filter((v) => v !== '999').length > 50, 'many keys found');
  }
});

test('without shared memories (a browser page that is not cross-origin isolated) the JIT uses plain ones and copies values, with the same results', () => {
  // TSBPF_NO_SHARED_MEMORY takes that way: the maps differential, a hundred programs, in a child.
  const here = dirname(fileURLToPath(import.meta.url));
  // (Not as a child of this test runner: NODE_TEST_CONTEXT would make it report to this one.)
  const env: NodeJS.ProcessEnv = { ...process.env, TSBPF_NO_SHARED_MEMORY: '1', TSBPF_JIT_MAPS_COUNT: '100', CI: 'true' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--test', join(here, 'jit-maps-differential.test.js')], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /100 programs, .* 0 differences/);
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', [
    `import { SHARED_MEMORY, residentBytes } from ${JSON.stringify(pathToFileURL(join(here, '../src/vm/resident.js')).href)};`,
    `import { assemble } from ${JSON.stringify(pathToFileURL(join(here, '../src/isa/asm.js')).href)};`,
    `import { prepare } from ${JSON.stringify(pathToFileURL(join(here, '../src/vm/interpreter.js')).href)};`,
    `import { jitOf, wasmText } from ${JSON.stringify(pathToFileURL(join(here, '../src/jit/index.js')).href)};`,
    'const p = prepare(assemble("r0 = 1\\nexit"));',
    'console.log(SHARED_MEMORY, residentBytes(8) === undefined, /\\(memory \\d+\\)\\)/.test(wasmText(jitOf(p), p.insns)));',
  ].join('\n')], { encoding: 'utf8', env });
  assert.equal(probe.stdout.trim(), 'false true true', probe.stderr);
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
