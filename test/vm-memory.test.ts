/**
 * The memory's fast paths for helpers: addresses split into halves without BigInt arithmetic, and
 * regions a run's end dropped coming back for the next run (Memory.add, RunContext.addressOf).
 * Each is checked against what the plain definition gives: the address arithmetic done in
 * BigInts here, and programs whose map values must land in the map however their regions are reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { kernelHelpers } from '../src/helpers/index.js';
import type { Insn } from '../src/isa/insn.js';
import { LOW_BASE, Memory } from '../src/vm/memory.js';
import { Vm, type RunContext, type VmMap } from '../src/vm/runtime.js';
import { rng } from './support/rng.js';

const U64 = (1n << 64n) - 1n;

test('memory: view, resolve and regionAt decode addresses as the BigInt arithmetic does', () => {
  const mem = new Memory();
  const r = rng(5);
  const a = mem.add('a', 'other', r.bytes(16));
  const b = mem.add('b', 'other', r.bytes(8), false);
  const low = mem.setLow('pkt', 'packet', r.bytes(32));
  const candidates: bigint[] = [0n, U64, -1n, -(1n << 63n), 1n << 64n];
  for (const reg of [a, b, low]) {
    for (const off of [0, 1, reg.size - 1, reg.size, reg.size + 1, 0x7fffffff, -1]) candidates.push(reg.addr(0) + BigInt(off));
  }
  for (let i = 0; i < 200; i++) candidates.push(r.u64());
  for (const addr of candidates) {
    const u = addr & U64;
    const hi = Number(u >> 32n) | 0, lo = Number(u & 0xffffffffn) | 0;
    const reg = hi === 0 ? mem.low : mem.regions[(hi - (0xffff9000 | 0)) >>> 0];
    const offset = reg === undefined ? -1 : (lo - (reg.low ? LOW_BASE : 0)) >>> 0;
    const inside = reg !== undefined && offset <= reg.size;
    const at = mem.resolve(addr);
    assert.deepEqual(at && { region: at.region.name, offset: at.offset }, inside ? { region: reg.name, offset } : undefined, `resolve 0x${u.toString(16)}`);
    assert.equal(mem.regionAt(addr), inside && offset === 0 ? reg : undefined, `regionAt 0x${u.toString(16)}`);
    for (const [len, write] of [[1, false], [4, true], [0, false]] as const) {
      const ok = inside && offset + len <= reg.size && (!write || reg.writable);
      const v = mem.viewOrUndefined(addr, len, write);
      if (!write) {
        const copy = new Uint8Array(len).fill(0xee);
        assert.equal(mem.readInto(addr, copy), ok, `readInto 0x${u.toString(16)}`);
        assert.deepEqual(copy, ok ? reg.bytes.slice(offset, offset + len) : new Uint8Array(len).fill(0xee));
      }
      if (!ok) {
        assert.equal(v, undefined);
        assert.throws(() => mem.view(addr, len, write, 'arg'), (e: unknown) => e instanceof BpfError && e.code === 'EFAULT' && /^arg: invalid /.test(e.message));
        continue;
      }
      assert.ok(v !== undefined && v.buffer === reg.bytes.buffer && v.byteOffset === reg.bytes.byteOffset + offset && v.length === len, `view 0x${u.toString(16)}`);
      assert.equal(mem.view(addr, len, write, 'arg').byteOffset, v.byteOffset);
    }
  }
});

test('memory: a dropped region comes back only when add would make the same one', () => {
  const mem = new Memory();
  mem.add('base', 'other', new Uint8Array(4));
  const mark = mem.mark();
  const bytes = new Uint8Array(8);
  const first = mem.add('v', 'map_value', bytes, true);
  mem.truncate(mark);
  assert.equal(mem.add('v', 'map_value', bytes, true), first, 'the same arguments at the same index');
  assert.equal(first.addr(0), mem.regions[mark]!.addr(0));
  mem.truncate(mark);
  for (const [name, kind, b, w] of [['w', 'map_value', bytes, true], ['v', 'ctx', bytes, true], ['v', 'map_value', new Uint8Array(8), true], ['v', 'map_value', bytes, false]] as const) {
    // One argument differs from those of the region dropped at the index.
    const dropped = mem.add('v', 'map_value', bytes, true);
    mem.truncate(mark);
    const r = mem.add(name, kind, b, w);
    assert.notEqual(r, dropped);
    assert.ok(r.name === name && r.kind === kind && r.bytes === b && r.writable === w && r.index === mark);
    mem.truncate(mark);
  }
  // The last one dropped at the index is the candidate: the original is gone.
  assert.notEqual(mem.add('v', 'map_value', bytes, true), first);
  mem.truncate(mark);
  // One changed after it was made (a helper made it read-only, or gave it an owner) is not reused.
  const changed = mem.add('x', 'map_value', bytes, true);
  changed.writable = false;
  mem.truncate(mark);
  const again = mem.add('x', 'map_value', bytes, true);
  assert.notEqual(again, changed);
  assert.equal(again.writable, true);
  again.owner = {};
  mem.truncate(mark);
  assert.notEqual(mem.add('x', 'map_value', bytes, true), again);
  // At another index it is a new region (its address depends on the index).
  mem.truncate(mark);
  mem.add('pad', 'other', new Uint8Array(1));
  const moved = mem.add('x', 'map_value', bytes, true);
  assert.equal(moved.index, mark + 1);
  assert.equal(mem.regions[mark + 1], moved);
});

test('memory: readd puts a dropped region back at the next index, once, with the addresses of that index', () => {
  const mem = new Memory();
  mem.add('base', 'other', new Uint8Array(4));
  const mark = mem.mark();
  const bytes = new Uint8Array(8);
  const r = mem.add('v', 'map_value', bytes, true);
  const first = r.addr(0);
  assert.equal(mem.readd(r, 'v', 'map_value', bytes, true), false, 'in memory now: not put back');
  mem.truncate(mark);
  mem.add('pad', 'other', new Uint8Array(1));
  assert.equal(mem.readd(r, 'v', 'map_value', bytes, true), true);
  assert.equal(r.index, mark + 1);
  assert.equal(mem.regions[mark + 1], r);
  assert.equal(r.addr(0), first + (1n << 32n), 'its address follows its index');
  assert.equal(mem.resolve(r.addr(3))?.region, r);
  // Moved below where it was dropped: add at that index later makes a new region, not the moved
  // one (which would be in memory twice, at an index that is not its own).
  mem.truncate(mark);
  assert.equal(mem.readd(r, 'v', 'map_value', bytes, true), true);
  assert.equal(r.index, mark);
  const other = mem.add('v', 'map_value', bytes, true);
  assert.notEqual(other, r);
  assert.equal(other.index, mark + 1);
  assert.equal(new Set(mem.regions).size, mem.regions.length);
  mem.truncate(mark);
  // Other arguments than it was made with: not put back.
  assert.equal(mem.readd(r, 'v', 'map_value', bytes, false), false);
  assert.equal(mem.readd(r, 'w', 'map_value', bytes, true), false);
  assert.equal(mem.readd(r, 'v', 'map_value', new Uint8Array(8), true), false);
  assert.equal(mem.regions.length, mark);
});

test('memory: setLow gives back the last low region only for the same arguments', () => {
  const mem = new Memory();
  const page = new Uint8Array(64);
  const a = mem.setLow('pkt', 'packet', page, true);
  mem.low = undefined;
  assert.equal(mem.setLow('pkt', 'packet', page, true), a);
  assert.notEqual(mem.setLow('pkt', 'packet', page, false), a);
  assert.notEqual(mem.setLow('pkt', 'packet', new Uint8Array(64), true), a);
});

// ---- programs: map values through reused regions ------------------------------------------------

const ins = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/**
 * For each of the three u32 keys in its context: look it up in `map` and, when there, add 1 to the
 * u64 value in place and fold it into r7 (r7 = r7 * 31 + value). Then look up the first key again:
 * r0 is r7, or 0xdead when that second lookup gave another address than the first.
 */
function lookupProgram(map: VmMap): Insn[] {
  const p: Insn[] = [ins(0xbf, 6, 1, 0, 0), ins(0xb7, 7, 0, 0, 0), ins(0xb7, 8, 0, 0, 0)];
  const lookup = (keyOff: number): void => {
    p.push(ins(0x61, 3, 6, keyOff, 0), ins(0x63, 10, 3, -8, 0), ins(0xbf, 2, 10, 0, 0), ins(0x07, 2, 0, 0, -8));
    p.push({ code: 0x18, dst: 1, src: 1, off: 0, imm: map.id, imm2: 0 }, ins(0x85, 0, 0, 0, 1));
  };
  for (let i = 0; i < 3; i++) {
    lookup(4 * i);
    p.push(ins(0x15, 0, 0, i === 0 ? 6 : 5, 0));
    if (i === 0) p.push(ins(0xbf, 8, 0, 0, 0));
    p.push(ins(0x79, 3, 0, 0, 0), ins(0x07, 3, 0, 0, 1), ins(0x7b, 0, 3, 0, 0), ins(0x27, 7, 0, 0, 31), ins(0x0f, 7, 3, 0, 0));
  }
  lookup(0);
  p.push(ins(0x1d, 0, 8, 1, 0), ins(0xb7, 7, 0, 0, 0xdead), ins(0xbf, 0, 7, 0, 0), ins(0x95, 0, 0, 0, 0));
  return p;
}

const key = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
const u64 = (v: bigint): Uint8Array => new Uint8Array(new BigUint64Array([v]).buffer);

for (const engine of ['interp', 'jit'] as const) {
  test(`memory: map values stay right through reused regions, runs and repeats (${engine})`, () => {
    const vm = new Vm({ helpers: kernelHelpers(), engine });
    const m = vm.createMap({ name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, flags: 0 });
    const prog = vm.loadProgram({ name: 'lookups', insns: lookupProgram(m) });
    const model = new Map<number, bigint>();
    const r = rng(engine === 'jit' ? 11 : 12);
    const put = (k: number, v: bigint): void => {
      m.map.update(key(k), u64(v));
      model.set(k, v);
    };
    for (let k = 0; k < 4; k++) put(k, BigInt(k * 100));
    for (let step = 0; step < 300; step++) {
      // Between runs user space deletes, re-adds (a new value buffer) and updates elements.
      const k = r.int(6);
      const what = r.int(4);
      if (what === 0 && model.has(k)) {
        m.map.delete(key(k));
        model.delete(k);
      } else if (what === 1) {
        put(k, BigInt(r.int(1000)));
      }
      const keys = [r.int(6), r.int(6), r.int(6)];
      const ctx = new Uint8Array(new Uint32Array(keys).buffer);
      const repeat = 1 + r.int(3);
      let expected = 0n;
      for (let n = 0; n < repeat; n++) {
        expected = 0n;
        for (const kk of keys) {
          const v = model.get(kk);
          if (v === undefined) continue;
          model.set(kk, (v + 1n) & U64);
          expected = (expected * 31n + v + 1n) & U64;
        }
      }
      const setup = (run: RunContext) => ({ r1: run.addRegion('ctx', 'ctx', ctx, false).addr(0) });
      const got = repeat === 1 ? vm.run(prog, setup).result.r0 : vm.runRepeat(prog, setup, repeat).result.r0;
      assert.equal(got, expected, `step ${step}: keys ${keys}, repeat ${repeat}`);
      for (let kk = 0; kk < 6; kk++) {
        const v = m.map.lookup(key(kk));
        assert.equal(v && new DataView(v.buffer).getBigUint64(0, true), model.get(kk), `step ${step}: key ${kk}`);
      }
    }
  });
}
