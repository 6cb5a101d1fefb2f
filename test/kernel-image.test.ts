/**
 * What the kernel backend prepares before any bpf(2) call, checked without a kernel: the BTF image
 * (DATASECs laid out, line-info strings present), the instructions with map fds written in, the
 * bpf_attr names, the CPU list parser. These run everywhere (clang permitting).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBtf } from '../src/btf/btf.js';
import { isBpfError } from '../src/errors.js';
import { PSEUDO } from '../src/isa/opcodes.js';
import { Attr, BPF_OBJ_NAME_LEN } from '../src/kernel/attr.js';
import { kernelBtfImage } from '../src/kernel/btf.js';
import { parseCpuList } from '../src/kernel/cpus.js';
import { withMapFds } from '../src/kernel/relocate.js';
import { kernelObject } from './support/kernel-kit.js';
import { noClang, removeTempDir } from './support/tools.js';

after(removeTempDir);

describe('the kernel image of an object', { skip: noClang }, () => {
  test('BTF: every DATASEC of a section has its size and offsets; line-info strings are in the table', () => {
    const spec = kernelObject('kernel_xdp');
    const records = spec.programs.flatMap((p) => p.lineInfoRecords);
    const strings = new Set(records.flatMap((r) => [r.fileName, r.lineText]));
    const image = kernelBtfImage(spec.btf!, strings);
    const btf = parseBtf(image.bytes);
    assert.equal(btf.typeCount, spec.btf!.typeCount, 'type ids are kept');
    for (const name of ['.rodata', '.data', '.bss', '.maps']) {
      const ds = btf.findByName(name, 'datasec');
      assert.ok(ds && ds.size! > 0, `${name} has a size`);
      const offsets = ds.vars!.map((v) => v.offset);
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `${name}: variables sorted by offset`);
      if (ds.vars!.length > 1) assert.ok(offsets[offsets.length - 1]! > 0, `${name}: offsets filled in`);
    }
    for (const r of records) {
      assert.equal(btf.stringAt(image.stringOffset(r.fileName)), r.fileName);
      assert.equal(btf.stringAt(image.stringOffset(r.lineText)), r.lineText);
    }
  });

  test('instructions: map references by index become map fds, as libbpf writes them', () => {
    const spec = kernelObject('kernel_xdp');
    const prog = spec.programs.find((p) => p.name === 'xdp_main')!;
    const fds = spec.maps.map((_, i) => 100 + i);
    const out = withMapFds(prog, fds, spec.file);
    let maps = 0, values = 0;
    prog.insns.forEach((insn, i) => {
      const o = out[i]!;
      if (insn.src === PSEUDO.MAP_IDX) {
        maps++;
        assert.deepEqual([o.src, o.imm, o.imm2], [PSEUDO.MAP_FD, 100 + insn.imm, 0]);
      } else if (insn.src === PSEUDO.MAP_IDX_VALUE && insn.code === 0x18) {
        values++;
        assert.deepEqual([o.src, o.imm, o.imm2], [PSEUDO.MAP_VALUE, 100 + insn.imm, insn.imm2]);
      } else {
        assert.deepEqual(o, insn);
      }
    });
    assert.ok(maps >= 4 && values >= 2, `map references ${maps}, global data references ${values}`);
    assert.throws(() => withMapFds(prog, [], spec.file), (e: unknown) => isBpfError(e) && e.code === 'EINVAL' && /map index/.test(e.message));
  });
});

describe('bpf_attr and sysfs helpers', () => {
  test('names are cut to 15 bytes and a NUL', () => {
    const mem = { addr: 0n, bytes: new Uint8Array(64) };
    const attr = new Attr(mem).name(8, 'a_name_longer_than_fifteen');
    assert.equal(attr.getName(8), 'a_name_longer_t');
    assert.equal(mem.bytes[8 + BPF_OBJ_NAME_LEN - 1], 0);
  });

  test('CPU lists', () => {
    assert.equal(parseCpuList('0\n'), 1);
    assert.equal(parseCpuList('0-1'), 2);
    assert.equal(parseCpuList('0-3,5,7-8'), 7);
    assert.throws(() => parseCpuList('3-1'));
  });
});
