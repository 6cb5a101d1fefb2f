/**
 * The BTF parser and the queries on it, against bpftool: the raw listing of every compiled test
 * object and of the running kernel's vmlinux must equal `bpftool btf dump file` byte for byte.
 * Hand-built BTF covers what clang 14 does not emit (enum64, signed enums, tag flags, split BTF), and
 * malformed input (truncation at every length, random corruption, each structural rule) must give a
 * BpfError('EINVAL') that names the place, never a crash or a hang.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { parseBtf, setDatasecLayout, type Btf } from '../src/btf/btf.js';
import { dumpRaw } from '../src/btf/raw-dump.js';
import { dumpC } from '../src/btf/c-dump.js';
import { formatValue } from '../src/btf/value-format.js';
import { BtfBuilder } from './support/btf-builder.js';
import { bpfObject, noBpftool, noClang, noVmlinux, removeTempDir, run, tempDir, tools, VMLINUX } from './support/tools.js';
import { rng } from './support/rng.js';

after(removeTempDir);

const OBJECTS = ['btf_types', 'btf_core', 'btf_core_target', 'btf_values'];

function objectBtf(name: string): Btf {
  return parseBtf(bpfObject(name).section('.BTF'), { name: `${name}.o` });
}

function expectEinval(bytes: Uint8Array, fragment: RegExp, opts: { base?: Btf } = {}): BpfError {
  try {
    parseBtf(bytes, { name: 'bad.btf', ...opts });
  } catch (e) {
    assert.ok(e instanceof BpfError, `not a BpfError: ${String(e)}`);
    assert.equal(e.code, 'EINVAL', e.message);
    assert.match(e.message, /^bad\.btf: BTF /);
    assert.match(e.message, fragment);
    return e;
  }
  assert.fail(`parsed, expected an error matching ${fragment}`);
}

describe('raw listing equals bpftool btf dump', { skip: noClang ?? noBpftool }, () => {
  for (const name of OBJECTS) {
    test(`${name}.o`, () => {
      const obj = bpfObject(name);
      const btf = parseBtf(obj.section('.BTF'), { name });
      assert.equal(dumpRaw(btf), run(tools.bpftool!, ['btf', 'dump', 'file', obj.path]));
    });
  }
  test('vmlinux', { skip: noVmlinux }, () => {
    const btf = parseBtf(readFileSync(VMLINUX), { name: 'vmlinux' });
    const theirs = run(tools.bpftool!, ['btf', 'dump', 'file', VMLINUX]);
    const ours = dumpRaw(btf);
    if (ours !== theirs) {
      const a = ours.split('\n');
      const b = theirs.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      assert.fail(`first difference at line ${i + 1}:\n ours:    ${a[i]}\n bpftool: ${b[i]}`);
    }
    assert.ok(btf.types.length > 10000);
  });
});

describe('queries', { skip: noClang }, () => {
  test('typeById, findByName, findAllByName, nameOf, stringAt', () => {
    const btf = objectBtf('btf_types');
    const ev = btf.findByName('everything', 'struct')!;
    assert.equal(ev.kind, 'struct');
    assert.equal(btf.typeById(ev.id), ev);
    assert.equal(btf.nameOf(ev.id), 'everything');
    assert.equal(btf.types[0]!.kind, 'void');
    assert.equal(btf.findByName('everything', 'union'), undefined);
    assert.equal(btf.findByName('no such type'), undefined);
    assert.deepEqual(btf.findAllByName('u32_t').map((t) => t.kind), ['typedef']);
    assert.equal(btf.stringAt(0), '');
    assert.throws(() => btf.typeById(btf.types.length), (e: unknown) => e instanceof BpfError && e.code === 'ENOENT');
    assert.throws(() => btf.stringAt(1 << 30), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL');
  });

  test('resolve skips typedefs and qualifiers; sizeOf and alignOf follow C', () => {
    const btf = objectBtf('btf_types');
    const cv = btf.findByName('cv_counter_t', 'typedef')!;
    const r = btf.resolve(cv.id);
    assert.equal(r.kind, 'int');
    assert.equal(r.name, 'unsigned int');
    const ev = btf.findByName('everything', 'struct')!;
    const member = (n: string): number => ev.members!.find((m) => m.name === n)!.type;
    assert.equal(btf.sizeOf(ev.id), 272);
    assert.equal(btf.sizeOf(member('matrix')), 48);
    assert.equal(btf.sizeOf(member('name')), 16);
    assert.equal(btf.sizeOf(member('ins')), 16);
    assert.equal(btf.sizeOf(member('str')), 8);
    assert.equal(btf.sizeOf(member('fp_arr')), 16);
    assert.equal(btf.sizeOf(member('tail')), 0);
    assert.equal(btf.sizeOf(member('cvc')), 4);
    assert.equal(btf.alignOf(ev.id), 8);
    assert.equal(btf.alignOf(btf.findByName('inner', 'struct')!.id), 4);
    // A packed struct is visible only when a member is misaligned (pkt is packed but looks natural).
    assert.equal(btf.alignOf(btf.findByName('pkt', 'struct')!.id), 4);
    assert.equal(btf.alignOf(btf.findByName('unaligned', 'struct')!.id), 1);
    assert.throws(() => btf.sizeOf(0), /void has no size/);
    const proto = btf.types.find((t) => t.kind === 'func_proto')!;
    assert.throws(() => btf.sizeOf(proto.id), /func_proto .* has no size/);
  });

  test('datasec and its layout from the ELF symbols', () => {
    const obj = bpfObject('btf_types');
    const btf = parseBtf(obj.section('.BTF'));
    const maps = btf.datasec('.maps')!;
    assert.deepEqual(maps.vars.map((v) => [v.name, v.size, btf.typeById(v.type).kind]), [['everything_map', 32, 'struct'], ['pkt_map', 32, 'struct']]);
    assert.equal(btf.datasec('.nothing'), undefined);
    // clang leaves offsets and sizes 0; the loader fills them in from the section and its symbols.
    const sec = obj.elf.sectionByName('.bss')!;
    const syms = new Map(obj.elf.symbolsIn(sec.index).map((s) => [s.name, s.value]));
    assert.ok(setDatasecLayout(btf, '.bss', sec.size, (n) => syms.get(n)));
    const bss = btf.datasec('.bss')!;
    assert.equal(bss.size, sec.size);
    assert.deepEqual(bss.vars.map((v) => [v.name, v.offset]), [...bss.vars].sort((a, b) => a.offset - b.offset).map((v) => [v.name, syms.get(v.name)]));
    assert.equal(setDatasecLayout(btf, '.nope', 1, () => 0), false);
    assert.throws(() => setDatasecLayout(btf, '.bss', 4, (n) => syms.get(n)), /outside the 4-byte section/);
  });

  test('parses the running kernel BTF quickly', { skip: noVmlinux }, () => {
    const t0 = performance.now();
    const btf = parseBtf(readFileSync(VMLINUX), { name: 'vmlinux' });
    const ms = performance.now() - t0;
    const ts = btf.findByName('task_struct', 'struct')!;
    assert.ok(ts.members!.some((m) => m.name === 'pid'));
    assert.ok(btf.types.some((t) => t.kind === 'enum64'), 'vmlinux has enum64');
    assert.ok(ms < 10000, `took ${ms} ms`);
  });
});

describe('hand-built BTF', () => {
  test('every kind, including enum64, signed enums and tag flags', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const u64 = b.int('unsigned long', 8);
    const ptr = b.ptr(int);
    const arr = b.array(int, int, 3);
    const s = b.struct('s', 16, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: u64, bitOffset: 64, bitfieldSize: 7 }]);
    const u = b.union('u', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    const e = b.enum('e', 4, [['NEG', -5], ['POS', 7]], true);
    const e64 = b.enum64('e64', 8, [['HUGE', 0xfedcba9876543210n], ['SMALL', 1n]]);
    const e64s = b.enum64('e64s', 8, [['MINUS', -2n]], true);
    const fwd = b.fwd('f', true);
    const td = b.typedef('td', s);
    const vol = b.volatile(td);
    const cst = b.const(vol);
    const rst = b.restrict(ptr);
    const proto = b.funcProto(int, [['x', int], ['', 0]]);
    const fn = b.func('fn', proto, 0);
    const v = b.var('v', arr, 1);
    const ds = b.datasec('.data', 12, [[v, 0, 12]]);
    const fl = b.float('double', 8);
    const dt = b.declTag('tag', s, 1);
    const tt = b.typeTag('user', int);
    const ttAttr = b.typeTag('address_space(1)', int, true);
    const dtAttr = b.declTag('noinline', fn, -1, true);
    const btf = parseBtf(b.build());
    assert.equal(btf.types.length, ttAttr + 2);
    assert.deepEqual(btf.typeById(e).values, [{ name: 'NEG', value: -5n }, { name: 'POS', value: 7n }]);
    assert.equal(btf.typeById(e).signed, true);
    assert.deepEqual(btf.typeById(e64).values!.map((x) => x.value), [0xfedcba9876543210n, 1n]);
    assert.deepEqual(btf.typeById(e64s).values!.map((x) => x.value), [-2n]);
    assert.equal(btf.typeById(fwd).fwdUnion, true);
    assert.deepEqual(btf.typeById(s).members![1], { name: 'b', type: u64, bitOffset: 64, bitfieldSize: 7 });
    assert.equal(btf.typeById(u).kind, 'union');
    assert.equal(btf.resolve(cst).id, s);
    assert.equal(btf.typeById(rst).kind, 'restrict');
    assert.deepEqual(btf.typeById(proto).params, [{ name: 'x', type: int }, { name: '', type: 0 }]);
    assert.equal(btf.typeById(fn).linkage, 0);
    assert.equal(btf.sizeOf(v), 12);
    assert.equal(btf.datasec('.data')!.vars[0]!.name, 'v');
    assert.equal(btf.sizeOf(ds), 12);
    assert.equal(btf.typeById(fl).size, 8);
    assert.equal(btf.typeById(dt).componentIdx, 1);
    assert.equal(btf.typeById(tt).attrTag, false);
    assert.equal(btf.typeById(ttAttr).attrTag, true);
    assert.equal(btf.typeById(dtAttr).attrTag, true);
  });

  test('hand-built BTF lists like bpftool', { skip: noBpftool }, () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    b.enum('e', 4, [['NEG', -5], ['POS', 7]], true);
    b.enum64('e64', 8, [['HUGE', 0xfedcba9876543210n], ['SMALL', 1n]]);
    b.enum64('e64s', 8, [['MINUS', -2n]], true);
    b.struct('s', 8, [{ name: 'a', type: int, bitOffset: 0, bitfieldSize: 3 }, { name: '', type: int, bitOffset: 32 }]);
    b.float('float', 4);
    b.typeTag('user', int);
    const file = join(tempDir(), 'hand.btf');
    const bytes = b.build();
    writeFileSync(file, bytes);
    assert.equal(dumpRaw(parseBtf(bytes)), run(tools.bpftool!, ['btf', 'dump', 'file', file]));
  });

  test('split BTF continues the ids and strings of its base', { skip: noBpftool }, () => {
    const base = new BtfBuilder();
    const int = base.int('int', 4, 1);
    const s = base.struct('base_s', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    const baseBytes = base.build();
    const baseBtf = parseBtf(baseBytes, { name: 'base' });
    const split = new BtfBuilder({ firstId: baseBtf.types.length, strBase: base.stringBytes });
    const p = split.ptr(s);
    const m = split.struct('mod_s', 16, [{ name: 'x', type: int, bitOffset: 0 }, { name: 'p', type: p, bitOffset: 64 }]);
    const splitBytes = split.build();
    const btf = parseBtf(splitBytes, { base: baseBtf, name: 'module' });
    assert.equal(btf.startId, 3);
    assert.equal(btf.typeById(m).name, 'mod_s');
    assert.equal(btf.typeById(int).name, 'int', 'base ids are reachable');
    assert.equal(btf.findByName('base_s')!.id, s);
    assert.equal(btf.stringAt(1), 'int', 'a base string');
    assert.equal(btf.stringAt(base.stringBytes), 'x', 'the first split string');
    assert.equal(btf.sizeOf(m), 16);
    assert.deepEqual(btf.ownTypes().map((t) => t.id), [p, m]);
    const dir = tempDir();
    writeFileSync(join(dir, 'base.btf'), baseBytes);
    writeFileSync(join(dir, 'split.btf'), splitBytes);
    assert.equal(dumpRaw(btf), run(tools.bpftool!, ['-B', join(dir, 'base.btf'), 'btf', 'dump', 'file', join(dir, 'split.btf')]));
    // Without its base, the split section's references do not resolve.
    expectEinval(splitBytes, /string section|beyond the last id/);
  });
});

describe('malformed input', () => {
  function sample(): Uint8Array {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const ch = b.int('char', 1, 1);
    const arr = b.array(ch, int, 16);
    const node = b.struct('node', 32, [{ name: 'v', type: int, bitOffset: 0 }, { name: 'name', type: arr, bitOffset: 32 }]);
    const p = b.ptr(node);
    b.struct('list', 16, [{ name: 'head', type: p, bitOffset: 0 }, { name: 'n', type: int, bitOffset: 64, bitfieldSize: 4 }]);
    b.enum('color', 4, [['RED', 0], ['BLUE', 1]]);
    const proto = b.funcProto(int, [['n', p]]);
    b.func('walk', proto);
    b.typedef('node_t', node);
    return b.build();
  }

  test('truncation at every length is an EINVAL, never a crash', () => {
    const bytes = sample();
    parseBtf(bytes);
    for (let n = 0; n < bytes.length; n++) {
      // Shrinking only the buffer leaves the header claiming more than is there...
      assert.throws(() => parseBtf(bytes.subarray(0, n)), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL', `length ${n}`);
    }
    // ...and shrinking the type section by header leaves a record cut short.
    const dv = new DataView(bytes.buffer.slice(0));
    const typeLen = dv.getUint32(12, true);
    for (let cut = 4; cut < typeLen; cut += 4) {
      const c = new Uint8Array(dv.buffer.slice(0));
      new DataView(c.buffer).setUint32(12, typeLen - cut, true);
      try {
        parseBtf(c);
      } catch (e) {
        assert.ok(e instanceof BpfError && e.code === 'EINVAL', String(e));
      }
    }
  });

  test('random corruption gives a Btf (that prints and formats) or an EINVAL, never anything else', () => {
    const good = sample();
    const r = rng(0x5eed);
    for (let i = 0; i < 3000; i++) {
      const bytes = good.slice();
      const flips = 1 + r.int(4);
      for (let k = 0; k < flips; k++) {
        const at = 24 + r.int(bytes.length - 24);
        bytes[at] = r.int(3) === 0 ? r.int(256) : bytes[at]! ^ (1 << r.int(8));
      }
      try {
        const btf = parseBtf(bytes);
        // Whatever parsed must be walkable.
        for (const t of btf.types) {
          try {
            btf.sizeOf(t.id);
            btf.alignOf(t.id);
            btf.resolve(t.id);
          } catch (e) {
            assert.ok(e instanceof BpfError, String(e));
          }
        }
        dumpRaw(btf);
        dumpC(btf);
        for (const t of btf.types) {
          try {
            const size = btf.sizeOf(t.id);
            if (size <= 4096) formatValue(btf, t.id, new Uint8Array(size));
          } catch (e) {
            assert.ok(e instanceof BpfError, String(e));
          }
        }
      } catch (e) {
        assert.ok(e instanceof BpfError && ['EINVAL', 'ELOOP', 'E2BIG'].includes(e.code), `iteration ${i}: ${String(e)}`);
      }
    }
  });

  test('header errors name the field', () => {
    const good = new BtfBuilder();
    good.int('int', 4, 1);
    expectEinval(new Uint8Array(10), /header: 10 bytes is shorter than the 24-byte header/);
    expectEinval(good.build({ magic: 0x1234 }), /header: bad magic 0x1234/);
    expectEinval(good.build({ magic: 0x9feb }), /big-endian/);
    expectEinval(good.build({ version: 2 }), /unsupported version 2/);
    expectEinval(good.build({ flags: 1 }), /unsupported flags/);
    expectEinval(good.build({ hdrLen: 8 }), /hdr_len 8 is shorter/);
    expectEinval(good.build({ hdrLen: 4096 }), /hdr_len 4096 is beyond/);
    expectEinval(good.build({ typeOff: 2 }), /type_off 2 is not 4-byte aligned/);
    expectEinval(good.build({ typeLen: 4000 }), /type section .* beyond the end/);
    expectEinval(good.build({ strLen: 4000 }), /string section .* beyond the end/);
    expectEinval(good.build({ strOff: 0 }), /overlap/);
  });

  test('string section rules', () => {
    const b = new BtfBuilder();
    b.int('int', 4, 1);
    const bytes = b.build();
    const noNul = bytes.slice();
    noNul[noNul.length - 1] = 0x41;
    expectEinval(noNul, /string section: is not NUL-terminated/);
    const noEmpty = bytes.slice();
    const dv = new DataView(noEmpty.buffer);
    noEmpty[24 + dv.getUint32(16, true)] = 0x41;
    expectEinval(noEmpty, /does not start with the empty string/);
    const badName = new BtfBuilder();
    badName.raw(9999, 1, 0, false, 4, [32]);
    expectEinval(badName.build(), /type \[1\] at offset 0x18: name offset 9999 is outside the string section/);
  });

  test('each type rule names the type id and the reason', () => {
    const cases: [string, (b: BtfBuilder) => void, RegExp][] = [
      ['unknown kind', (b) => b.raw(b.str('x'), 25, 0, false, 0), /type \[1\] at offset 0x18: unknown kind 25/],
      ['int size', (b) => b.int('int', 3), /int 'int': size 3 is not 1, 2, 4, 8 or 16/],
      ['int bits', (b) => b.int('int', 4, 0, 40), /nr_bits 40 exceeds|bits_offset 0 \+ nr_bits 40 exceeds/],
      ['int encoding', (b) => b.int('int', 4, 3), /encoding 0x3 is not one of/],
      ['int reserved bits', (b) => b.raw(b.str('int'), 1, 0, false, 4, [0x10000020]), /reserved bits/],
      ['anonymous int', (b) => b.int('', 4), /int: must have a name/],
      ['named pointer', (b) => { b.int('int', 4); b.raw(b.str('p'), 2, 0, false, 1); }, /type \[2\] .*ptr 'p': must not have a name/],
      ['pointer kind flag', (b) => { b.int('int', 4); b.raw(0, 2, 0, true, 1); }, /kind_flag is set but is not used/],
      ['pointer vlen', (b) => { b.int('int', 4); b.raw(0, 2, 3, false, 1); }, /vlen 3 must be 0/],
      ['dangling reference', (b) => b.ptr(42), /type \[1\] ptr: pointee refers to type \[42\], beyond the last id 1/],
      ['array size field', (b) => { b.int('int', 4); b.raw(0, 3, 0, false, 7, [1, 1, 2]); }, /size\/type field 7 must be 0/],
      ['array of void', (b) => { const i = b.int('int', 4); b.array(0, i, 2); }, /element type \[0\] is a void/],
      ['enum size', (b) => b.enum('e', 3, [['A', 1]]), /enum 'e': size 3 is not 1, 2, 4 or 8/],
      ['anonymous enumerator', (b) => b.enum('e', 4, [['', 1]]), /enumerator 0 has no name/],
      ['func linkage', (b) => { const p = b.funcProto(0, []); b.raw(b.str('f'), 12, 3, false, p); }, /linkage 3 is not static/],
      ['func of non-proto', (b) => { const i = b.int('int', 4); b.func('f', i); }, /type \[1\] is a int, not a func_proto/],
      ['var of void', (b) => b.var('v', 0), /variable of type \[0\] void/],
      ['var linkage', (b) => { const i = b.int('int', 4); b.raw(b.str('v'), 14, 0, false, i, [7]); }, /linkage 7 is not static/],
      ['datasec of a non-var', (b) => { const i = b.int('int', 4); b.datasec('.data', 4, [[i, 0, 4]]); }, /variable 0 refers to \[1\], a int, not a var/],
      ['void param in the middle', (b) => { const i = b.int('int', 4); b.funcProto(i, [['', 0], ['x', i]]); }, /parameter 0 is void but is not an unnamed last/],
      ['member of func_proto type', (b) => { const p = b.funcProto(0, []); b.struct('s', 4, [{ name: 'f', type: p, bitOffset: 0 }]); }, /member 0 'f' has type \[1\], a func_proto/],
      ['member outside the struct', (b) => { const i = b.int('int', 4); b.struct('s', 4, [{ name: 'x', type: i, bitOffset: 32 }]); }, /member 0 'x': bytes 4\.\.8 are outside the 4-byte struct/],
      ['unaligned member', (b) => { const i = b.int('int', 4); const a = b.array(i, i, 1); b.struct('s', 8, [{ name: 'x', type: a, bitOffset: 3 }]); }, /bit offset 3 is not byte-aligned/],
      ['bitfield outside', (b) => { const i = b.int('int', 4); b.struct('s', 4, [{ name: 'x', type: i, bitOffset: 30, bitfieldSize: 4 }]); }, /bits 30\.\.34 are outside the 4-byte struct/],
      ['bitfield too wide', (b) => { const i = b.int('char', 1); b.struct('s', 4, [{ name: 'x', type: i, bitOffset: 0, bitfieldSize: 9 }]); }, /bitfield of 9 bits is wider than its 8-bit type/],
      ['bitfield of a struct', (b) => { const i = b.int('int', 4); const s = b.struct('in', 4, [{ name: 'a', type: i, bitOffset: 0 }]); b.struct('s', 4, [{ name: 'x', type: s, bitOffset: 0, bitfieldSize: 3 }]); }, /bitfield of type \[2\] struct/],
      ['member of incomplete type', (b) => { const f = b.fwd('f'); b.struct('s', 4, [{ name: 'x', type: f, bitOffset: 0 }]); }, /incomplete type \[1\]/],
      ['decl_tag index', (b) => { const i = b.int('int', 4); const s = b.struct('s', 4, [{ name: 'a', type: i, bitOffset: 0 }]); b.declTag('t', s, 1); }, /component_idx 1 is beyond the 1 components/],
      ['decl_tag below -1', (b) => { const i = b.int('int', 4); const s = b.struct('s', 4, [{ name: 'a', type: i, bitOffset: 0 }]); b.declTag('t', s, -2); }, /component_idx -2 is below -1/],
      ['decl_tag on an int', (b) => { const i = b.int('int', 4); b.declTag('t', i); }, /tags \[1\], a int/],
      ['truncated struct members', (b) => { b.raw(b.str('s'), 4, 5, false, 4, [0, 0, 0]); }, /truncated struct with vlen 5: needs 72 bytes, 24 left/],
    ];
    for (const [what, make, msg] of cases) {
      const b = new BtfBuilder();
      make(b);
      const e = expectEinval(b.build(), msg);
      assert.ok(e.message.length < 400, what);
    }
  });

  test('reference loops are rejected, so every walk terminates', () => {
    // typedef A -> const -> typedef A: no pointer on the way.
    const a = new BtfBuilder();
    a.raw(a.str('A'), 8, 0, false, 2);
    a.raw(0, 10, 0, false, 1);
    expectEinval(a.build(), /reference loop \[1\] -> \[2\] -> \[1\] with no pointer in it/);
    // A struct containing itself by value.
    const s = new BtfBuilder();
    s.raw(s.str('s'), 4, 1, false, 8, [s.str('self'), 1, 0]);
    expectEinval(s.build(), /reference loop \[1\] -> \[1\] with no pointer/);
    // Two structs containing each other through an array.
    const t = new BtfBuilder();
    t.raw(t.str('a'), 4, 1, false, 8, [t.str('b'), 3, 0]);
    t.raw(t.str('b'), 4, 1, false, 8, [t.str('a'), 1, 0]);
    t.raw(0, 3, 0, false, 0, [2, 2, 1]);
    expectEinval(t.build(), /reference loop .* with no pointer/);
    // A pointer to itself; a function returning a pointer to its own prototype.
    const p = new BtfBuilder();
    p.ptr(1);
    expectEinval(p.build(), /reference loop \[1\] -> \[1\] that goes through no struct or union/);
    const f = new BtfBuilder();
    f.funcProto(2, []);
    f.ptr(1);
    expectEinval(f.build(), /that goes through no struct or union/);
    // The legal cycle: a struct pointing to itself.
    const ok = new BtfBuilder();
    ok.raw(ok.str('list'), 4, 1, false, 8, [ok.str('next'), 2, 0]);
    ok.ptr(1);
    assert.equal(parseBtf(ok.build()).sizeOf(1), 8);
  });

  test('long typedef chains are bounded in resolve and sizeOf', () => {
    const b = new BtfBuilder();
    let id = b.int('int', 4, 1);
    for (let i = 0; i < 40; i++) id = b.typedef(`t${i}`, id);
    const btf = parseBtf(b.build());
    assert.throws(() => btf.resolve(id), (e: unknown) => e instanceof BpfError && e.code === 'ELOOP');
    assert.throws(() => btf.sizeOf(id), (e: unknown) => e instanceof BpfError && e.code === 'ELOOP');
    assert.equal(btf.sizeOf(12), 4);
  });
});
