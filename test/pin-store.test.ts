/**
 * The pin store in-process: the file envelope, crash-safe writes, BTF kept with maps, every map
 * type's contents across sessions, programs with their map and tail-call references, paths and
 * collection of objects nothing keeps alive.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { parseBtf } from '../src/btf/btf.js';
import { dumpRaw } from '../src/btf/raw-dump.js';
import { loadObjectSpec } from '../src/elf/object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/index.js';
import { encodeBtf } from '../src/pin/btf-encode.js';
import { decodePinFile, encodePinFile, readPinFile } from '../src/pin/pin-file.js';
import { PinStore } from '../src/pin/store.js';
import { StoreSession } from '../src/pin/session.js';
import { defaultStoreDir } from '../src/pin/store-path.js';
import { Vm } from '../src/vm/runtime.js';
import type { MapSpec } from '../src/maps/types.js';
import { compileSource, noClang, removeTempDir } from './support/tools.js';
import { REPO_ROOT } from './support/paths.js';

after(removeTempDir);

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tsbpf-pin-'));
const session = (store: PinStore): StoreSession => new StoreSession(store, new Vm({ nCpus: store.nCpus, helpers: kernelHelpers() }));
const u32 = (v: number): Uint8Array => Uint8Array.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

function throwsCode(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BpfError && e.code === code && re.test(e.message), `expected ${code} matching ${re}`);
}

test('pin file envelope: round trip, and truncated, garbled, foreign or newer files are named errors', () => {
  const good = encodePinFile('map', { id: 7, hello: 'world' });
  assert.deepEqual(decodePinFile(good, 'p').body, { id: 7, hello: 'world' });
  assert.match(Buffer.from(good).toString(), /^tsbpf-pin 1 map \d+ sha256:[0-9a-f]{64}\n\{/);
  throwsCode(() => decodePinFile(good.subarray(0, good.length - 3), '/x/p'), 'EINVAL', /^\/x\/p: bad pin file: truncated: the header promises \d+ bytes of data, the file has \d+/);
  const garbled = good.slice();
  garbled[garbled.length - 2] ^= 0x20;
  throwsCode(() => decodePinFile(garbled, 'p'), 'EINVAL', /checksum mismatch/);
  throwsCode(() => decodePinFile(new Uint8Array(0), 'p'), 'EINVAL', /the file is empty/);
  throwsCode(() => decodePinFile(Buffer.from('{"id":1}'), 'p'), 'EINVAL', /no 'tsbpf-pin' header/);
  throwsCode(() => decodePinFile(Buffer.from('tsbpf-pin 9 map 2 sha256:' + '0'.repeat(64) + '\n{}'), 'p'), 'EINVAL', /version 9 is newer/);
  throwsCode(() => decodePinFile(good, 'p', 'prog'), 'EINVAL', /is a pinned map, not a prog/);
  throwsCode(() => decodePinFile(Buffer.concat([good, Buffer.from('xx')]), 'p'), 'EINVAL', /trailing garbage/);
  throwsCode(() => readPinFile(join(tmp(), 'missing')), 'ENOENT', /no such pinned object/);
});

test('the default store: $TSBPF_BPFFS, else $XDG_STATE_HOME/tsbpf/bpffs, else ~/.local/state/tsbpf/bpffs', () => {
  assert.equal(defaultStoreDir({ TSBPF_BPFFS: '/a/b' }), '/a/b');
  assert.equal(defaultStoreDir({ XDG_STATE_HOME: '/st' }), '/st/tsbpf/bpffs');
  assert.match(defaultStoreDir({ XDG_STATE_HOME: 'relative' }), /\/\.local\/state\/tsbpf\/bpffs$/);
  assert.match(defaultStoreDir({}), /\/\.local\/state\/tsbpf\/bpffs$/);
});

test('a writer killed mid-write never leaves a torn pin: the file is always the old or the new version', async () => {
  const dir = tmp();
  const target = join(dir, 'big');
  writeFileSync(target, encodePinFile('map', { gen: -1 }));
  // A child rewrites an 8 MB pin again and again; it is killed at varying moments.
  const script = `
    const { writePinFile } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/pin/pin-file.js'))});
    const blob = 'x'.repeat(8 << 20);
    process.stdout.write('ready\\n');
    for (let gen = 0; ; gen++) writePinFile(${JSON.stringify(target)}, 'map', { gen, blob });`;
  for (const delay of [30, 90, 170]) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const { body } = readPinFile(target, 'map');
    assert.equal(typeof (body as { gen: number }).gen, 'number');
  }
  // Only stray temp files may be left beside it, never a half-written `big`.
  for (const f of readdirSync(dir)) assert.ok(f === 'big' || f.startsWith('.tmp-'), f);
});

test('paths: relative to the store, /sys/fs/bpf means the store root, the store\'s own names are refused', () => {
  const store = PinStore.open(tmp());
  assert.equal(store.resolve('a/b').rel, 'a/b');
  assert.equal(store.resolve('/sys/fs/bpf/a/b').rel, 'a/b');
  assert.equal(store.resolve(join(store.dir, 'x')).rel, 'x');
  assert.equal(store.resolve('./a//b/').rel, 'a/b');
  throwsCode(() => store.resolve('/etc/passwd'), 'EINVAL', /outside the bpffs store/);
  throwsCode(() => store.resolve('../x'), 'EINVAL', /leaves the bpffs store|outside/);
  throwsCode(() => store.resolve('.index'), 'EINVAL', /reserved/);
  throwsCode(() => store.resolve('a/.objects/b'), 'EINVAL', /reserved/);
  throwsCode(() => store.resolve('/sys/fs/bpf'), 'EINVAL', /store root/);
});

const SPECS: MapSpec[] = [
  { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 },
  { type: 'percpu_hash', name: 'ph', keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 },
  { type: 'lru_hash', name: 'lru', keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 },
  { type: 'array', name: 'a', keySize: 4, valueSize: 3, maxEntries: 4, flags: 0 },
  { type: 'percpu_array', name: 'pa', keySize: 4, valueSize: 8, maxEntries: 2, flags: 0 },
  { type: 'lpm_trie', name: 'lpm', keySize: 8, valueSize: 4, maxEntries: 8, flags: 1 },
  { type: 'queue', name: 'q', keySize: 0, valueSize: 2, maxEntries: 4, flags: 0 },
  { type: 'stack', name: 's', keySize: 0, valueSize: 2, maxEntries: 4, flags: 0 },
  { type: 'bloom_filter', name: 'bf', keySize: 0, valueSize: 4, maxEntries: 16, flags: 0 },
  { type: 'hash', name: 'ro', keySize: 4, valueSize: 4, maxEntries: 4, flags: 1 << 3 /* BPF_F_RDONLY */ },
];

test('every map type\'s contents, flags and frozen state survive a round trip through the store', () => {
  const store = PinStore.open(tmp());
  const ids = store.write(() => {
    const s = session(store);
    const ms = SPECS.map((spec) => s.vm.createMap(spec));
    const [h, ph, lru, a, pa, lpm, q, st, bf, ro] = ms.map((m) => m.map);
    h!.update(u32(1), bytes(1, 2, 3, 4, 5, 6, 7, 8));
    h!.update(u32(2), bytes(9, 0, 0, 0, 0, 0, 0, 0));
    ph!.update(u32(5), bytes(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0));
    lru!.update(u32(3), u32(33));
    a!.update(u32(2), bytes(7, 7, 7));
    pa!.update(u32(1), bytes(1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2));
    lpm!.update(bytes(24, 0, 0, 0, 10, 1, 2, 0), u32(99));
    for (const v of [1, 2, 3]) q!.update(new Uint8Array(0), bytes(v, 0));
    for (const v of [4, 5, 6]) st!.update(new Uint8Array(0), bytes(v, 0));
    bf!.update(new Uint8Array(0), u32(0xabcd));
    ro!.updateFromProgram(u32(1), u32(11), 0, 0);
    h!.freeze();
    const ids = ms.map((m) => s.persistMap(m));
    ids.forEach((id, i) => store.addPin(`m/${SPECS[i]!.name}`, 'map', id));
    return ids;
  });
  const s2 = session(store);
  const [h, ph, lru, a, pa, lpm, q, st, bf, ro] = ids.map((id) => s2.openMap(id).map);
  assert.deepEqual([...h!.entries()].map(([k, v]) => [[...k], [...v]]), [[[1, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7, 8]], [[2, 0, 0, 0], [9, 0, 0, 0, 0, 0, 0, 0]]]);
  assert.equal(h!.frozen, true);
  assert.throws(() => h!.update(u32(3), new Uint8Array(8)), /frozen/);
  assert.deepEqual([...ph!.lookup(u32(5))!], [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...lru!.lookup(u32(3))!], [33, 0, 0, 0]);
  assert.deepEqual([...a!.lookup(u32(2))!], [7, 7, 7]);
  assert.deepEqual([...a!.lookup(u32(1))!], [0, 0, 0]);
  assert.deepEqual([...pa!.lookup(u32(1))!], [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual([...lpm!.lookup(bytes(32, 0, 0, 0, 10, 1, 2, 3))!], [99, 0, 0, 0]);
  assert.deepEqual([0, 1, 2].map(() => q!.lookupAndDelete(new Uint8Array(0))![0]), [1, 2, 3]);
  assert.deepEqual([0, 1, 2].map(() => st!.lookupAndDelete(new Uint8Array(0))![0]), [6, 5, 4]);
  assert.equal((bf as unknown as { has(v: Uint8Array): boolean }).has(u32(0xabcd)), true);
  assert.deepEqual([...ro!.lookup(u32(1))!], [11, 0, 0, 0]);
  assert.equal(ro!.spec.flags, 1 << 3);
});

test('a changed map is written back; an unchanged one is not rewritten', () => {
  const store = PinStore.open(tmp());
  const id = store.write(() => {
    const s = session(store);
    const m = s.vm.createMap(SPECS[0]!);
    const id = s.persistMap(m);
    store.addPin('h', 'map', id);
    return id;
  });
  const path = store.objectPath('map', id);
  const before = readFileSync(path);
  assert.deepEqual(store.write(() => session(store).writeBack()), []);
  const changed = store.write(() => {
    const s = session(store);
    s.openMap(id).map.update(u32(4), new Uint8Array(8));
    return s.writeBack();
  });
  assert.deepEqual(changed, [id]);
  assert.notDeepEqual(readFileSync(path), before);
  assert.equal([...session(store).openMap(id).map.entries()].length, 1);
});

test('removing a pin unpins: objects nothing keeps alive are collected, referenced ones stay', () => {
  const store = PinStore.open(tmp());
  store.write(() => {
    const s = session(store);
    const inner = s.vm.createMap({ type: 'array', name: 'inner', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    const outer = s.vm.createMap({
      type: 'array_of_maps', name: 'outer', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0,
      inner: { type: 'array', name: 'inner', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 },
    });
    outer.map.update(u32(1), u32(inner.id));
    store.addPin('outer', 'map', s.persistMap(outer));
    store.addPin('lonely', 'map', s.persistMap(s.vm.createMap(SPECS[0]!)));
  });
  assert.deepEqual(store.ids('map'), [1, 2, 3]);
  unlinkSync(join(store.dir, 'lonely'));
  store.write(() => store.collect());
  const kept = store.ids('map').map((id) => store.entry('map', id).name).sort();
  assert.deepEqual(kept, ['inner', 'outer']);
  // The map of maps gives back its inner map, by the new VM's id.
  const s = session(store);
  const outer = s.openMap(store.findByName('map', 'outer')[0]!);
  const innerVmId = new DataView(outer.map.lookup(u32(1))!.buffer).getUint32(0, true);
  assert.equal(s.vm.maps.get(innerVmId)?.name, 'inner');
  unlinkSync(join(store.dir, 'outer'));
  store.write(() => store.collect());
  assert.deepEqual(store.ids('map'), []);
  assert.equal(existsSync(store.objectPath('map', 1)), false);
});

test('pinning over an existing pin is EEXIST; a pin of the wrong kind is named', () => {
  const store = PinStore.open(tmp());
  store.write(() => {
    const s = session(store);
    const id = s.persistMap(s.vm.createMap(SPECS[0]!));
    store.addPin('x', 'map', id);
    throwsCode(() => store.addPin('x', 'map', id), 'EEXIST', /already exists/);
  });
  assert.equal(store.readPin('x').object, 'map');
  throwsCode(() => store.readPin('nope'), 'ENOENT', /no such pinned object/);
});

const TAIL = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } hits SEC(".maps");
struct val { __u32 a; char tag[4]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } typed SEC(".maps");
static __always_inline void bump(__u32 k) { __u64 *n = bpf_map_lookup_elem(&hits, &k); if (n) *n += 1; }
SEC("xdp") int target(struct xdp_md *ctx) { bump(1); return XDP_DROP; }
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 1); __uint(key_size, 4); __array(values, int (void *)); }
  jmp SEC(".maps") = { .values = { [0] = (void *)&target } };
int counter = 5;
SEC("xdp") int entry(struct xdp_md *ctx) { bump(0); counter++; bpf_tail_call(ctx, &jmp, 0); return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`;

test('a pinned program keeps its maps, its global data and its tail calls; runs change the pinned maps', { skip: noClang }, () => {
  const obj = compileSource('pin_tail', TAIL);
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  const store = PinStore.open(tmp());
  const entryId = store.write(() => {
    const s = session(store);
    const o = s.loadObject(spec);
    const id = s.persistProg(o.programs.get('entry')!);
    store.addPin('entry', 'prog', id);
    return id;
  });
  // Only `entry` is pinned; `target` is in the store because the prog_array holds it.
  assert.deepEqual(store.ids('prog').map((id) => store.entry('prog', id).name).sort(), ['entry', 'target']);
  const rec = store.readProg(entryId);
  assert.ok(rec.lineInfo.some((l) => /bump\(0\)/.test(l.lineText)), 'line info is kept');
  assert.match(rec.funcProtos[0]!.proto, /^int entry\(struct xdp_md \* ctx\)$/);
  for (let run = 1; run <= 2; run++) {
    store.write(() => {
      const s = session(store);
      const r = testRun(s.vm, s.openProg(entryId), { dataIn: new Uint8Array(64) });
      assert.equal(r.retval, 1, 'the tail call reached target (XDP_DROP)');
      s.writeBack();
    });
  }
  const s = session(store);
  s.openProg(entryId);
  const byName = (n: string) => [...s.vm.maps.values()].find((m) => m.name === n)!;
  const hits = byName('hits').map;
  assert.deepEqual([0, 1].map((k) => new DataView(hits.lookup(u32(k))!.buffer).getUint32(0, true)), [2, 2]);
  const data = byName('pin_tail.data').map;
  assert.equal(new DataView(data.lookup(u32(0))!.buffer).getUint32(0, true), 7, 'global data: counter went 5 → 7');
  // BTF for typed dumps comes back too; a map no program uses was not stored.
  assert.ok(byName('hits').btf && byName('hits').btfValueTypeId);
  assert.equal(byName('typed'), undefined);
});

test('BTF encoded back to bytes parses to the same types, DATASEC fix-ups included', { skip: noClang }, () => {
  const obj = compileSource('pin_btf', `
    #include <linux/bpf.h>
    #include <bpf/bpf_helpers.h>
    struct s { int a:3; unsigned b:5; char c[3]; union { long l; void *p; }; enum e { X = -1, Y = 2 } e; };
    struct s g_s; long g_init = 3; const volatile int ro = 4;
    SEC("xdp") int f(struct xdp_md *c) { return g_s.a + g_init + ro; }
    char LICENSE[] SEC("license") = "GPL";`);
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  const again = parseBtf(encodeBtf(spec.btf!), { name: 'again' });
  assert.equal(dumpRaw(again), dumpRaw(spec.btf!));
});
