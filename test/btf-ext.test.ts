/**
 * .BTF.ext: function info against the ELF symbol table, line info against the C source it came from
 * (each record's text must be the line it names), CO-RE records against their section, malformed
 * input, and the line lookup used for error messages and listings.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BpfError } from '../src/errors.js';
import { parseBtf, type Btf } from '../src/btf/btf.js';
import { CORE_RELO_KIND, parseBtfExt, type BtfLineInfo } from '../src/btf/btf-ext.js';
import { formatSourceLine, sourceLineOf } from '../src/btf/line-info.js';
import { STT } from '../src/elf/elf64.js';
import { decode, slotOffsets } from '../src/isa/insn.js';
import { BtfBuilder, buildBtfExt } from './support/btf-builder.js';
import { bpfObject, noClang, removeTempDir } from './support/tools.js';
import { rng } from './support/rng.js';

after(removeTempDir);

function load(name: string): { btf: Btf; ext: ReturnType<typeof parseBtfExt>; obj: ReturnType<typeof bpfObject> } {
  const obj = bpfObject(name);
  const btf = parseBtf(obj.section('.BTF'), { name });
  return { btf, ext: parseBtfExt(obj.section('.BTF.ext'), btf, { name }), obj };
}

describe('compiled objects', { skip: noClang }, () => {
  for (const name of ['btf_types', 'btf_core', 'btf_values']) {
    test(`${name}: func_info names the function symbols`, () => {
      const { btf, ext, obj } = load(name);
      assert.ok(ext.funcInfo.size > 0);
      assert.equal(ext.recordSizes.funcInfo, 8);
      for (const [sec, infos] of ext.funcInfo) {
        const funcs = obj.elf.symbolsIn(obj.elf.sectionByName(sec)!.index).filter((s) => s.type === STT.FUNC);
        assert.deepEqual(
          infos.map((f) => [f.insnOff, btf.typeById(f.typeId).name]),
          funcs.map((s) => [s.value / 8, s.name]).sort((a, b) => (a[0] as number) - (b[0] as number)),
          sec,
        );
      }
    });

    test(`${name}: line_info text is the source line it names`, () => {
      const { ext } = load(name);
      assert.equal(ext.recordSizes.lineInfo, 16);
      let checked = 0;
      for (const [sec, lines] of ext.lineInfo) {
        const slots = decode(bpfObject(name).section(sec)).length;
        for (const li of lines) {
          if (li.line === 0) continue; // compiler-generated code has no line
          const src = readFileSync(li.fileName, 'utf8').split('\n')[li.line - 1];
          assert.equal(li.lineText, src, `${sec} insn ${li.insnOff}`);
          assert.ok(li.col <= src!.length + 1);
          assert.ok(li.insnOff <= slots * 2);
          checked++;
        }
      }
      assert.ok(checked > 5);
    });
  }

  test('CO-RE records point at instructions of their section', () => {
    const { btf, ext, obj } = load('btf_core');
    assert.equal(ext.recordSizes.coreRelo, 16);
    const relos = ext.coreRelos.get('tp_btf/x')!;
    assert.equal(relos.length, 41);
    for (const [sec, list] of ext.coreRelos) {
      const starts = new Set(slotOffsets(decode(obj.section(sec))));
      for (const r of list) {
        assert.ok(starts.has(r.insnOff), `${sec}: insn ${r.insnOff}`);
        assert.match(r.accessStr, /^\d+(:\d+)*$/);
        assert.ok(btf.hasType(r.typeId));
      }
    }
    const first = relos[0]!;
    assert.equal(btf.typeById(first.typeId).name, 'core_obj');
    assert.equal(first.accessStr, '0:0');
    assert.equal(first.kind, CORE_RELO_KIND.FIELD_BYTE_OFFSET);
    assert.ok(relos.some((r) => r.kind === CORE_RELO_KIND.ENUMVAL_VALUE));
    assert.ok(relos.some((r) => r.kind === CORE_RELO_KIND.TYPE_ID_LOCAL));
  });

  test('sourceLineOf finds the statement of every instruction', () => {
    const { ext, obj } = load('btf_types');
    const lines = ext.lineInfo.get('xdp')!;
    const n = decode(obj.section('xdp')).reduce((s, i) => s + (i.imm2 === undefined ? 1 : 2), 0);
    for (let slot = 0; slot < n; slot++) {
      const li = sourceLineOf(lines, slot)!;
      const expected = [...lines].reverse().find((l) => l.insnOff <= slot);
      assert.equal(li, expected);
    }
    assert.match(formatSourceLine(lines[1]!), /btf_types\.c:\d+:\d+$/);
  });
});

describe('sourceLineOf', () => {
  const rec = (insnOff: number, line: number): BtfLineInfo => ({ insnOff, fileName: 'f.c', line, col: 0, lineText: `line ${line}`, fileNameOff: 0, lineOff: 0 });
  test('the closest record at or before, sorted or not', () => {
    const sorted = [rec(2, 10), rec(5, 11), rec(5, 12), rec(9, 13)];
    assert.equal(sourceLineOf(sorted, 0), undefined);
    assert.equal(sourceLineOf(sorted, 2)!.line, 10);
    assert.equal(sourceLineOf(sorted, 4)!.line, 10);
    assert.equal(sourceLineOf(sorted, 5)!.line, 12);
    assert.equal(sourceLineOf(sorted, 100)!.line, 13);
    const shuffled = [rec(9, 13), rec(2, 10), rec(5, 11)];
    assert.equal(sourceLineOf(shuffled, 6)!.line, 11);
    assert.equal(sourceLineOf(shuffled, 1), undefined);
    assert.equal(sourceLineOf([], 3), undefined);
    assert.equal(formatSourceLine(rec(0, 7)), 'f.c:7');
  });
});

describe('malformed .BTF.ext', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, 1);
  const proto = b.funcProto(int, []);
  const fn = b.func('main', proto);
  const sec = b.str('xdp');
  const file = b.str('a.c');
  const text = b.str('return 0;');
  const acc = b.str('0');
  const btf = parseBtf(b.build());

  const bad = (bytes: Uint8Array, msg: RegExp): void => {
    assert.throws(() => parseBtfExt(bytes, btf, { name: 'x.o' }), (e: unknown) => {
      assert.ok(e instanceof BpfError, String(e));
      assert.equal(e.code, 'EINVAL');
      assert.match(e.message, /^x\.o: BTF\.ext /);
      assert.match(e.message, msg);
      return true;
    });
  };

  test('a well-formed section, record sizes larger than known', () => {
    const ext = parseBtfExt(buildBtfExt({
      func: [12, [[sec, [[16, fn, 0xdead]]]]],
      line: [16, [[sec, [[0, file, text, (3 << 10) | 5], [8, file, text, 4 << 10]]]]],
      core: [16, [[sec, [[24, int, acc, CORE_RELO_KIND.TYPE_EXISTS]]]]],
    }), btf);
    assert.deepEqual(ext.funcInfo.get('xdp'), [{ insnOff: 2, typeId: fn }]);
    assert.deepEqual(ext.lineInfo.get('xdp')!.map((l) => [l.insnOff, l.fileName, l.line, l.col, l.lineText]), [[0, 'a.c', 3, 5, 'return 0;'], [1, 'a.c', 4, 0, 'return 0;']]);
    assert.deepEqual(ext.coreRelos.get('xdp'), [{ insnOff: 3, typeId: int, accessStr: '0', accessStrOff: acc, kind: CORE_RELO_KIND.TYPE_EXISTS }]);
    assert.equal(ext.recordSizes.funcInfo, 12);
    // A 24-byte header has no CO-RE part.
    const old = parseBtfExt(buildBtfExt({ func: [8, [[sec, [[0, fn]]]]] }, 24), btf);
    assert.equal(old.coreRelos.size, 0);
  });

  test('random corruption gives a result or an EINVAL, never anything else', () => {
    const good = buildBtfExt({
      func: [8, [[sec, [[0, fn], [16, fn]]]]],
      line: [16, [[sec, [[0, file, text, (3 << 10) | 5], [8, file, text, 4 << 10]]]]],
      core: [16, [[sec, [[24, int, acc, CORE_RELO_KIND.TYPE_EXISTS]]]]],
    });
    const r = rng(0xe47);
    for (let i = 0; i < 3000; i++) {
      const bytes = good.slice();
      for (let k = 1 + r.int(3); k > 0; k--) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
      try {
        parseBtfExt(bytes, btf);
      } catch (e) {
        assert.ok(e instanceof BpfError && e.code === 'EINVAL', `iteration ${i}: ${String(e)}`);
      }
    }
  });

  test('every structural error names the part and reason', () => {
    bad(new Uint8Array(8), /header: 8 bytes is shorter/);
    const good = buildBtfExt({ func: [8, [[sec, [[0, fn]]]]] });
    const withMagic = good.slice();
    withMagic[0] = 0;
    bad(withMagic, /bad magic/);
    const hdr = good.slice();
    new DataView(hdr.buffer).setUint32(4, 1000, true);
    bad(hdr, /hdr_len 1000 is beyond/);
    bad(buildBtfExt({ func: [4, [[sec, [[0]]]]] }), /func_info: record size 4 is invalid/);
    bad(buildBtfExt({ func: [10, [[sec, [[0, fn, 0]]]]] }), /record size 10 is invalid/);
    bad(buildBtfExt({ func: [8, [[sec, []]]] }), /section 'xdp' has zero records/);
    bad(buildBtfExt({ func: [8, [[9999, [[0, fn]]]]] }), /section name string offset 9999/);
    bad(buildBtfExt({ func: [8, [[sec, [[3, fn]]]]] }), /instruction offset 3 is not a multiple of 8/);
    bad(buildBtfExt({ func: [8, [[sec, [[0, int]]]]] }), /type \[1\] is a int, not a func/);
    bad(buildBtfExt({ line: [16, [[sec, [[0, 7777, text, 0]]]]] }), /file name string offset 7777/);
    bad(buildBtfExt({ core: [16, [[sec, [[0, 99, acc, 0]]]]] }), /type \[99\] is not in the BTF/);
    bad(buildBtfExt({ core: [16, [[sec, [[0, int, acc, 13]]]]] }), /unknown relocation kind 13/);
    const truncated = buildBtfExt({ func: [8, [[sec, [[0, fn], [8, fn]]]]] });
    const dv = new DataView(truncated.buffer);
    dv.setUint32(12, dv.getUint32(12, true) - 8, true); // func_info_len one record short
    dv.setUint32(16, dv.getUint32(16, true) - 8, true);
    bad(truncated, /claims 2 records of 8 bytes but only 8 bytes are left/);
    const beyond = good.slice();
    new DataView(beyond.buffer).setUint32(12, 4096, true);
    bad(beyond, /beyond the end of the data/);
  });
});
