/**
 * BTF-defined maps (`.maps`) against libbpf: a host harness (test/c/btf_map_defs_oracle.c) opens
 * the same object with libbpf and prints each definition it decoded; ours must agree field by field.
 * Malformed definitions give the errors libbpf gives.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { parseBtf } from '../src/btf/btf.js';
import { parseBtfMapDefs, type BtfMapDef } from '../src/btf/map-defs.js';
import { BtfBuilder } from './support/btf-builder.js';
import { bpfObject, compileObject, hostHarness, noClang, removeTempDir, run } from './support/tools.js';

after(removeTempDir);

function line(d: BtfMapDef): string {
  const inner = d.inner ? ` inner(${d.inner.type},${d.inner.keySize ?? 0},${d.inner.valueSize ?? 0},${d.inner.maxEntries ?? 0})` : '';
  return `${d.name} ${d.type} ${d.keySize ?? 0} ${d.valueSize ?? 0} ${d.maxEntries ?? 0} ${d.mapFlags ?? 0} ${d.numaNode ?? 0} ` +
    `${d.mapExtra ?? 0n} ${d.keyTypeId ?? 0} ${d.valueTypeId ?? 0} ${d.pinning ? 1 : 0}${inner}`;
}

describe('compiled maps', { skip: noClang }, () => {
  test('every definition in btf_maps.c', () => {
    const btf = parseBtf(bpfObject('btf_maps').section('.BTF'));
    const defs = new Map(parseBtfMapDefs(btf).map((d) => [d.name, d]));
    const hash = defs.get('pinned_hash')!;
    assert.equal(hash.type, 1);
    assert.equal(hash.keySize, 8);
    assert.equal(btf.typeById(hash.keyTypeId!).name, 'key');
    assert.equal(hash.valueSize, 8);
    assert.equal(hash.mapFlags, 1);
    assert.equal(hash.pinning, 1);
    assert.deepEqual([defs.get('sized_array')!.keySize, defs.get('sized_array')!.valueSize, defs.get('sized_array')!.numaNode], [4, 24, 0]);
    assert.equal(defs.get('bloom')!.mapExtra, 3n);
    assert.equal(defs.get('events')!.maxEntries, 4096);
    assert.equal(defs.get('outer')!.values, 'maps');
    assert.equal(defs.get('outer')!.inner!.type, 2);
    assert.equal(defs.get('jumps')!.values, 'progs');
    assert.equal(defs.get('jumps')!.valueSize, 4);
    assert.deepEqual(parseBtfMapDefs(btf, { section: '.nothing' }), []);
  });

  test('libbpf decodes the same definitions', (t) => {
    const h = hostHarness('btf_map_defs_oracle');
    if (!h.path) return t.skip(h.why!);
    for (const name of ['btf_maps', 'btf_types', 'btf_values']) {
      const btf = parseBtf(bpfObject(name).section('.BTF'));
      const ours = parseBtfMapDefs(btf).map(line).sort();
      const theirs = run(h.path, [compileObject(name).path]).trim().split('\n').sort();
      assert.deepEqual(ours, theirs, name);
    }
  });
});

describe('malformed definitions', () => {
  function defsOf(make: (b: BtfBuilder, int: number) => number[]): () => BtfMapDef[] {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const members = make(b, int);
    const vars = members.map((m, i) => b.var(`m${i}`, m));
    b.datasec('.maps', 0, vars.map((v) => [v, 0, 8]));
    const btf = parseBtf(b.build());
    return () => parseBtfMapDefs(btf);
  }
  const uint = (b: BtfBuilder, int: number, n: number): number => b.ptr(b.array(int, int, n));

  test('each rule', () => {
    const cases: [string, () => BtfMapDef[], RegExp, string?][] = [
      ['no type', defsOf((b, int) => [b.struct('', 8, [{ name: 'max_entries', type: uint(b, int, 4), bitOffset: 0 }])]), /map 'm0': map type isn't specified/],
      ['int field not a pointer', defsOf((b, int) => [b.struct('', 4, [{ name: 'type', type: int, bitOffset: 0 }])]), /attr 'type': expected PTR, got int/],
      ['int field not an array', defsOf((b, int) => [b.struct('', 8, [{ name: 'type', type: b.ptr(int), bitOffset: 0 }])]), /attr 'type': expected ARRAY, got int/],
      ['conflicting key size', defsOf((b, int) => [b.struct('', 24, [
        { name: 'type', type: uint(b, int, 1), bitOffset: 0 },
        { name: 'key_size', type: uint(b, int, 8), bitOffset: 64 },
        { name: 'key', type: b.ptr(int), bitOffset: 128 },
      ])]), /conflicting key size 8 != 4/],
      ['unknown field', defsOf((b, int) => [b.struct('', 16, [
        { name: 'type', type: uint(b, int, 1), bitOffset: 0 },
        { name: 'colour', type: uint(b, int, 1), bitOffset: 64 },
      ])]), /unknown field 'colour'/, 'EOPNOTSUPP'],
      ['values on a hash', defsOf((b, int) => [b.struct('', 16, [
        { name: 'type', type: uint(b, int, 1), bitOffset: 0 },
        { name: 'values', type: b.array(b.ptr(int), int, 0), bitOffset: 64 },
      ])]), /should be map-in-map or prog-array/, 'EOPNOTSUPP'],
      ['bad pinning', defsOf((b, int) => [b.struct('', 16, [
        { name: 'type', type: uint(b, int, 1), bitOffset: 0 },
        { name: 'pinning', type: uint(b, int, 5), bitOffset: 64 },
      ])]), /invalid pinning value 5/],
      ['not a struct', defsOf((_b, int) => [int]), /map 'm0': unexpected def kind int/],
    ];
    for (const [what, run, re, code] of cases) {
      assert.throws(run, (e: unknown) => e instanceof BpfError && e.code === (code ?? 'EINVAL') && re.test(e.message), what);
    }
  });
});
