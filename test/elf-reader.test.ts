/**
 * The ELF64 reader against llvm-readelf on clang's objects (sections, symbols, relocations), and its
 * errors: each corrupt or foreign file is a BpfError naming the file, the place and the reason.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { EM_BPF, R_BPF, R_BPF_NAMES, SHT, STB, STT, readElf64 } from '../src/elf/elf64.js';
import { compileObject, compileSource, noClang, noReadelf, removeTempDir, run, tools } from './support/tools.js';

after(removeTempDir);

const skip = noClang;
if (skip) console.log(`# elf-reader: compiled-object tests skipped: ${skip}`);

function expectError(f: () => unknown, code: string, ...parts: (string | RegExp)[]): BpfError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof BpfError, `expected a BpfError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return e;
  }
  assert.fail('expected an error');
}

const patch = (b: Uint8Array, f: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
  const c = b.slice();
  f(new DataView(c.buffer), c);
  return c;
};

test('sections, symbols and relocations agree with llvm-readelf', { skip: skip ?? noReadelf }, () => {
  for (const name of ['obj_calls', 'obj_maps', 'obj_globals']) {
    const obj = compileObject(name);
    const elf = readElf64(obj.bytes, obj.path);
    assert.equal(elf.header.machine, EM_BPF);

    // Sections: "[Nr] Name Type Address Off Size ES Flg Lk Inf Al"
    const secLines = run(tools.readelf!, ['-S', '--wide', obj.path]).split('\n').filter((l) => /^\s*\[\s*\d+\]/.test(l));
    assert.equal(secLines.length, elf.sections.length, `${name}: section count`);
    for (const line of secLines) {
      const m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S*\s*(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
      assert.ok(m, `cannot read readelf line ${line}`);
      const s = elf.sections[Number(m[1])]!;
      assert.equal(s.name, m[2] ?? '', `${name}: section ${m[1]} name`);
      if (s.type !== SHT.NULL) assert.equal(s.offset, parseInt(m[4]!, 16), `${name}: ${s.name} offset`);
      assert.equal(s.size, parseInt(m[5]!, 16), `${name}: ${s.name} size`);
      assert.equal(s.entsize, parseInt(m[6]!, 16), `${name}: ${s.name} entsize`);
      assert.equal(s.link, Number(m[7]), `${name}: ${s.name} link`);
      assert.equal(s.info, Number(m[8]), `${name}: ${s.name} info`);
      if (s.type !== SHT.NOBITS && s.type !== SHT.NULL) assert.equal(s.data.length, s.size);
    }

    // Symbols: "Num: Value Size Type Bind Vis Ndx Name"
    const types: Record<string, number> = { NOTYPE: STT.NOTYPE, OBJECT: STT.OBJECT, FUNC: STT.FUNC, SECTION: STT.SECTION, FILE: STT.FILE };
    const binds: Record<string, number> = { LOCAL: STB.LOCAL, GLOBAL: STB.GLOBAL, WEAK: STB.WEAK };
    const symLines = run(tools.readelf!, ['-s', '--wide', obj.path]).split('\n').filter((l) => /^\s*\d+:/.test(l));
    assert.equal(symLines.length, elf.symbols.length, `${name}: symbol count`);
    for (const line of symLines) {
      const f = line.trim().split(/\s+/);
      const s = elf.symbols[parseInt(f[0]!, 10)]!;
      assert.equal(s.value, parseInt(f[1]!, 16), `${name}: symbol ${f[0]} value`);
      assert.equal(s.size, parseInt(f[2]!, 10), `${name}: symbol ${f[0]} size`);
      assert.equal(s.type, types[f[3]!], `${name}: symbol ${f[0]} type`);
      assert.equal(s.bind, binds[f[4]!], `${name}: symbol ${f[0]} bind`);
      const ndx = f[6]!;
      if (ndx === 'UND') assert.equal(s.shndx, 0);
      else if (ndx === 'ABS') assert.equal(s.shndx, 0xfff1);
      else assert.equal(s.shndx, parseInt(ndx, 10));
      // Section symbols print the section's name; others their own.
      if (s.type !== STT.SECTION) assert.equal(s.name, f[7] ?? '', `${name}: symbol ${f[0]} name`);
    }

    // Relocations: per section, "Offset Info Type Value Name"
    const relText = run(tools.readelf!, ['-r', '--wide', obj.path]);
    for (const block of relText.split(/\n(?=Relocation section)/).filter((b) => b.startsWith('Relocation section'))) {
      const secName = /'([^']+)'/.exec(block)![1]!;
      const relSec = elf.sectionByName(secName)!;
      const rows = block.split('\n').filter((l) => /^[0-9a-f]{16}\s/.test(l));
      const rels = elf.relocations(relSec);
      assert.equal(rels.length, rows.length, `${name}: ${secName} count`);
      rows.forEach((row, i) => {
        const f = row.trim().split(/\s+/);
        assert.equal(rels[i]!.offset, parseInt(f[0]!, 16));
        const info = BigInt('0x' + f[1]!);
        assert.equal(rels[i]!.symbol, Number(info >> 32n));
        assert.equal(R_BPF_NAMES[rels[i]!.type], f[2]);
      });
    }
  }
});

test('relocation types of clang 14 output: R_BPF_64_64 for lddw, R_BPF_64_32 for calls, ABS/NODYLD in debug data', { skip }, () => {
  const obj = compileObject('obj_calls');
  const elf = readElf64(obj.bytes, obj.path);
  const code = elf.relocations(elf.sectionByName('.reltc')!).map((r) => r.type);
  assert.deepEqual([...new Set(code)].sort(), [R_BPF.R_64_64, R_BPF.R_64_32].sort());
  const ext = elf.relocations(elf.sectionByName('.rel.BTF.ext')!).map((r) => r.type);
  assert.ok(ext.every((t) => t === R_BPF.R_64_NODYLD32));
  const maps = compileObject('obj_maps');
  const melf = readElf64(maps.bytes, maps.path);
  assert.ok(melf.relocations(melf.sectionByName('.rel.maps')!).every((r) => r.type === R_BPF.R_64_ABS64));
});

test('files that are not little-endian ELF64 BPF objects are refused with ENOEXEC and the reason', { skip }, () => {
  const good = compileObject('obj_calls').bytes;
  expectError(() => readElf64(new TextEncoder().encode('hello world, not an object'), 'x.o'), 'ENOEXEC', 'x.o', 'not an ELF file');
  expectError(() => readElf64(new Uint8Array(0), 'empty.o'), 'ENOEXEC', 'empty.o');
  expectError(() => readElf64(good.subarray(0, 40), 'short.o'), 'ENOEXEC', 'short.o', 'truncated ELF header');
  expectError(() => readElf64(patch(good, (_, b) => { b[4] = 1; }), 'c32.o'), 'ENOEXEC', 'c32.o', 'ELFCLASS64');
  expectError(() => readElf64(patch(good, (_, b) => { b[5] = 7; }), 'd.o'), 'ENOEXEC', 'EI_DATA 7');
  expectError(() => readElf64(patch(good, (dv) => dv.setUint16(16, 2, true)), 'exec.o'), 'ENOEXEC', 'ET_REL');
  // A real big-endian BPF object (the second -target wins) and a real x86-64 object.
  const be = compileObject('obj_calls', ['-target', 'bpfeb'], 'obj_calls_be');
  expectError(() => readElf64(be.bytes, be.path), 'ENOEXEC', be.path, 'big-endian', '-target bpf');
  const x86 = compileSource('x86', 'int f(int a) { return a + 1; }\n', ['-target', 'x86_64-linux-gnu']);
  expectError(() => readElf64(x86.bytes, x86.path), 'ENOEXEC', x86.path, 'e_machine is 62', 'EM_BPF');
});

test('truncated and corrupt structures are EINVAL naming the section or symbol', { skip }, () => {
  const obj = compileObject('obj_calls');
  const good = obj.bytes;
  const elf = readElf64(good, 'ok.o');
  const shoff = elf.header.shoff;
  const shdr = (i: number) => shoff + i * 64;

  // Cut inside the section header table, and inside a section's contents.
  expectError(() => readElf64(good.subarray(0, shoff + 100), 'cut.o'), 'EINVAL', 'cut.o', 'section header table');
  const btf = elf.sectionByName('.BTF')!;
  const moved = patch(good, (dv) => dv.setBigUint64(shdr(btf.index) + 24, BigInt(good.length - 10), true));
  expectError(() => readElf64(moved, 'm.o'), 'EINVAL', `section header ${btf.index} contents`, 'outside the file');
  // A size that cannot be a size at all.
  const huge = patch(good, (dv) => dv.setBigUint64(shdr(btf.index) + 32, 0xffffffffffffff00n, true));
  expectError(() => readElf64(huge, 'h.o'), 'EINVAL', 'sh_size', 'too large');
  // Section name offset outside .strtab.
  const badName = patch(good, (dv) => dv.setUint32(shdr(2), 0xfffff, true));
  expectError(() => readElf64(badName, 'n.o'), 'EINVAL', 'section 2', 'name offset');
  // e_shstrndx pointing at a non-string table.
  const badStr = patch(good, (dv) => dv.setUint16(62, 2, true));
  expectError(() => readElf64(badStr, 's.o'), 'EINVAL', 'not SHT_STRTAB');
  expectError(() => readElf64(patch(good, (dv) => dv.setUint16(62, 999, true)), 's2.o'), 'EINVAL', 'e_shstrndx 999');
  expectError(() => readElf64(patch(good, (dv) => dv.setUint16(58, 40, true)), 'e.o'), 'EINVAL', 'e_shentsize 40');
  // A symbol whose section does not exist.
  const symtab = elf.symtab!;
  const symOff = symtab.offset + 3 * 24;
  const badSym = patch(good, (dv) => dv.setUint16(symOff + 6, 500, true));
  expectError(() => readElf64(badSym, 'y.o'), 'EINVAL', `symbol 3 '${elf.symbols[3]!.name}'`, 'section index 500');
  // Symbol table with a broken entry size.
  const badEnt = patch(good, (dv) => dv.setBigUint64(shdr(symtab.index) + 56, 16n, true));
  expectError(() => readElf64(badEnt, 'z.o'), 'EINVAL', 'entry size 16');
  // A relocation naming a symbol that does not exist.
  const rel = elf.sectionByName('.relxdp')!;
  const badRel = patch(good, (dv) => dv.setUint32(rel.offset + 12, 9999, true));
  const e2 = readElf64(badRel, 'r.o');
  expectError(() => e2.relocations(e2.sectionByName('.relxdp')!), 'EINVAL', `section '.relxdp' entry 0`, 'symbol index 9999');
});

test('an object with no section headers parses to no sections', { skip }, () => {
  const good = compileObject('obj_calls').bytes;
  const none = patch(good, (dv) => {
    dv.setBigUint64(40, 0n, true);
    dv.setUint16(60, 0, true);
    dv.setUint16(62, 0, true);
  });
  const elf = readElf64(none, 'none.o');
  assert.equal(elf.sections.length, 0);
  assert.equal(elf.symbols.length, 0);
});
