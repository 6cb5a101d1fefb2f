/**
 * BTF -> C against bpftool and the compiler:
 *  - the text equals `bpftool btf dump file X format c` (for the test objects and all of vmlinux),
 *    except for the enum mode attributes newer libbpf adds and bpftool 7.1 does not;
 *  - it compiles (clang -fsyntax-only);
 *  - it round-trips: compiling the header with a variable of every struct, union and enum gives BTF
 *    whose types have the same sizes, member names, bit offsets, bitfield widths and member type
 *    spellings as the original (the layout is reproduced, not just accepted).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBtf, type Btf } from '../src/btf/btf.js';
import { dumpC, typeToC } from '../src/btf/c-dump.js';
import { BtfBuilder } from './support/btf-builder.js';
import {
  bpfObject, compileC, noBpftool, noClang, noVmlinux, readObject, removeTempDir, run, syntaxErrors, tempDir, tools, VMLINUX,
} from './support/tools.js';

after(removeTempDir);

const OBJECTS = ['btf_types', 'btf_core', 'btf_core_target', 'btf_values'];

/** Our text, minus what bpftool 7.1 does not print, minus preprocessor lines. */
function comparable(text: string, stripModes: boolean): string[] {
  const t = stripModes ? text.replace(/ __attribute__\(\(mode\((byte|word)\)\)\)/g, '') : text;
  return t.split('\n').filter((l) => !l.startsWith('#'));
}

function assertSameText(ours: string, theirs: string): void {
  const a = comparable(ours, true);
  const b = comparable(theirs, false);
  const i = a.findIndex((l, k) => l !== b[k]);
  if (i >= 0 || a.length !== b.length) {
    const at = i >= 0 ? i : Math.min(a.length, b.length);
    assert.fail(`first difference at line ${at + 1}:\n ours:    ${a[at]}\n bpftool: ${b[at]}`);
  }
}

/** Structural signature of every named struct/union/enum, keyed by name without dedup suffixes. */
/** GCC (pahole) spells base types differently from clang: compare the clang spelling. */
const GCC_INT_NAMES: [RegExp, string][] = [
  [/\blong long unsigned int\b/g, 'unsigned long long'], [/\blong unsigned int\b/g, 'unsigned long'],
  [/\bshort unsigned int\b/g, 'unsigned short'], [/\blong long int\b/g, 'long long'], [/\blong int\b/g, 'long'],
  [/\bshort int\b/g, 'short'],
];

function signatures(btf: Btf): Map<string, string[]> {
  const strip = (s: string): string => GCC_INT_NAMES.reduce((acc, [re, to]) => acc.replace(re, to), s.replace(/___\d+\b/g, ''));
  const out = new Map<string, string[]>();
  for (const t of btf.types) {
    if (!t.name || !['struct', 'union', 'enum', 'enum64'].includes(t.kind)) continue;
    let sig: string;
    if (t.kind === 'enum' || t.kind === 'enum64') {
      sig = `${t.size} ${t.values!.map((v) => `${strip(v.name)}=${BigInt.asIntN(32, v.value)}`).join(',')}`;
    } else {
      // (__pad_N arrays are our stand-in for huge gaps; they are padding, not members.)
      sig = `${t.kind} ${t.size} ` + t.members!.filter((m) => !/^__pad_\d+$/.test(m.name)).map((m) => `${m.name}@${m.bitOffset}:${m.bitfieldSize}:${strip(typeToC(btf, m.type))}`).join(';');
    }
    const key = `${t.kind === 'enum64' ? 'enum' : t.kind} ${strip(t.name)}`;
    out.set(key, [...(out.get(key) ?? []), sig].sort());
  }
  return out;
}

/** Compile `header` with a variable of every struct/union/enum it defines; the resulting BTF. */
function roundTrip(header: string, name: string): Btf {
  const dir = tempDir();
  const h = join(dir, `${name}.h`);
  writeFileSync(h, header);
  const uses = [...header.matchAll(/^(struct|union|enum) (\w+) \{/gm)].map((m, i) => `${m[1]} ${m[2]} __rt_${i};`);
  const c = join(dir, `${name}-rt.c`);
  writeFileSync(c, `#include "${h}"\n${uses.join('\n')}\n`);
  const o = readObject(compileC(c, join(dir, `${name}-rt.o`)));
  return parseBtf(o.section('.BTF'), { name: `${name}-rt.o` });
}

function assertSameLayouts(original: Btf, back: Btf, only?: Set<string>): void {
  const a = signatures(original);
  const b = signatures(back);
  let compared = 0;
  for (const [key, sigs] of a) {
    if (only && !only.has(key)) continue;
    assert.deepEqual(b.get(key), sigs, key);
    compared++;
  }
  assert.ok(compared > 0);
}

describe('test objects', { skip: noClang }, () => {
  for (const name of OBJECTS) {
    test(`${name}: compiles, round-trips, and matches bpftool`, () => {
      const obj = bpfObject(name);
      const btf = parseBtf(obj.section('.BTF'), { name });
      const text = dumpC(btf);
      const file = join(tempDir(), `${name}.h`);
      writeFileSync(file, text);
      assert.equal(syntaxErrors(file), undefined);
      assertSameLayouts(btf, roundTrip(text, name));
      if (!noBpftool) assertSameText(text, run(tools.bpftool!, ['btf', 'dump', 'file', obj.path, 'format', 'c']));
    });
  }

  test('the shapes of btf_types.c print as C would declare them', () => {
    const btf = parseBtf(bpfObject('btf_types').section('.BTF'));
    const text = dumpC(btf, { header: false });
    for (const line of [
      'typedef int (*handler_t)(void *, struct list *, const char *);',
      '\tint (**fp_arr[2])(long);',
      '\tvoid (*cb)(int, ...);',
      '\tint matrix[3][4];',
      '\tunsigned long long d: 40;',
      '\tint __attribute__((btf_type_tag("user")) *tagged;'.replace('"user"))', '"user")))'),
      'typedef volatile const counter_t cv_counter_t;',
      'struct opaque;',
      'union opaque_u;',
      '\tchar tail[0];',
      '} __attribute__((packed));',
      '} __attribute__((mode(byte)));',
    ]) {
      assert.ok(text.includes(line), `missing: ${line}`);
    }
    // Dependencies first: struct inner is defined before struct everything embeds it.
    assert.ok(text.indexOf('struct inner {') < text.indexOf('struct everything {'));
    assert.ok(!text.startsWith('#ifndef'));
  });
});

describe('hand-built BTF', () => {
  test('forward declarations for pointer cycles, dedup names, enum64, attributes, padding', (t) => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const char = b.int('char', 1, 1);
    const long = b.int('long', 8, 1);
    // struct a { struct b *pb; }; struct b { struct a x; }: b must come after a, a needs b forward-declared.
    const pbFwdLater = b.ptr(6); // struct b, defined below
    const a = b.struct('a', 8, [{ name: 'pb', type: pbFwdLater, bitOffset: 0 }]);
    b.struct('b', 8, [{ name: 'x', type: a, bitOffset: 0 }]);
    // Two different structs named dup (as deduplicated kernel BTF can have).
    b.struct('dup', 4, [{ name: 'i', type: int, bitOffset: 0 }]);
    b.struct('dup', 8, [{ name: 'l', type: long, bitOffset: 0 }]);
    // Gaps that need explicit padding, a packed layout, an enum64 that needs no mode attribute.
    b.struct('gappy', 32, [{ name: 'c', type: char, bitOffset: 0 }, { name: 'l', type: long, bitOffset: 128 }]);
    b.struct('packed', 5, [{ name: 'c', type: char, bitOffset: 0 }, { name: 'i', type: int, bitOffset: 8 }]);
    b.enum64('wide', 8, [['W_BIG', 1n << 40n], ['W_NEG', -1n]]);
    // A gap too large for bitfield padding lines becomes one char array.
    b.struct('huge', 1 << 20, [{ name: 'c', type: char, bitOffset: 3, bitfieldSize: 2 }, { name: 'l', type: long, bitOffset: 8 * ((1 << 20) - 8) }]);
    b.enum('signed_e', 4, [['S_NEG', -7]], true);
    const tt = b.typeTag('percpu', int);
    b.struct('tags', 8, [{ name: 'p', type: b.ptr(tt), bitOffset: 0 }]);
    const btf = parseBtf(b.build());
    const text = dumpC(btf);
    assert.match(text, /struct b;\n\nstruct a \{\n\tstruct b \*pb;\n\};\n\nstruct b \{\n\tstruct a x;\n\};/);
    assert.match(text, /struct dup \{\n\tint i;\n\};\n\nstruct dup___2 \{\n\tlong l;\n\};/);
    assert.match(text, /struct gappy \{\n\tchar c;\n\tlong: 64;\n\tlong l;\n\tlong: 64;\n\};/);
    assert.match(text, /struct packed \{\n\tchar c;\n\tint i;\n\} __attribute__\(\(packed\)\);/);
    assert.match(text, /W_BIG = 1099511627776ULL,\n\tW_NEG = 18446744073709551615ULL,\n\};/);
    assert.match(text, /S_NEG = -7,/);
    assert.match(text, /struct huge \{\n\tchar: 3;\n\tchar c: 2;\n\tchar: 3;\n\tchar __pad_1\[1048567\];\n\tlong l;\n\};/);
    if (noClang) return t.skip(noClang);
    const file = join(tempDir(), 'hand.h');
    writeFileSync(file, text);
    assert.equal(syntaxErrors(file), undefined);
    assertSameLayouts(btf, roundTrip(text, 'hand'));
  });

  test('rootIds dumps a type and what it needs, nothing else', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const inner = b.struct('inner', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    const outer = b.struct('outer', 4, [{ name: 'in', type: inner, bitOffset: 0 }]);
    b.struct('unrelated', 4, [{ name: 'y', type: int, bitOffset: 0 }]);
    const text = dumpC(parseBtf(b.build()), { rootIds: [outer], header: false });
    assert.equal(text, 'struct inner {\n\tint x;\n};\n\nstruct outer {\n\tstruct inner in;\n};\n\n');
  });

  test('typeToC spells types for messages', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const s = b.struct('s', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    const p = b.ptr(s);
    const cp = b.const(p);
    const fp = b.ptr(b.funcProto(int, [['a', p]]));
    const arr = b.array(p, int, 3);
    const anon = b.struct('', 4, [{ name: 'y', type: int, bitOffset: 0 }]);
    const btf = parseBtf(b.build());
    assert.equal(typeToC(btf, p), 'struct s *');
    assert.equal(typeToC(btf, cp, 'q'), 'struct s * const q');
    assert.equal(typeToC(btf, fp, 'f'), 'int (*f)(struct s *a)');
    assert.equal(typeToC(btf, arr, 'v'), 'struct s *v[3]');
    assert.equal(typeToC(btf, anon), 'struct {...}');
    assert.equal(typeToC(btf, anon, '', { inlineAnon: true }), 'struct {\n\tint y;\n}');
    assert.equal(typeToC(btf, 0), 'void');
  });
});

describe('vmlinux', { skip: noClang ?? noVmlinux }, () => {
  let btf: Btf;
  let text: string;
  const load = (): void => {
    btf ??= parseBtf(readFileSync(VMLINUX), { name: 'vmlinux' });
    text ??= dumpC(btf);
  };

  test('the whole kernel compiles', () => {
    load();
    const file = join(tempDir(), 'vmlinux.h');
    writeFileSync(file, text);
    assert.equal(syntaxErrors(file), undefined);
  });

  test('the whole kernel prints as bpftool prints it', { skip: noBpftool }, () => {
    load();
    assertSameText(text, run(tools.bpftool!, ['btf', 'dump', 'file', VMLINUX, 'format', 'c']));
  });

  test('task_struct and sk_buff with everything they need round-trip', () => {
    load();
    const roots = ['task_struct', 'sk_buff', 'bpf_prog', 'xdp_md'].map((n) => btf.findByName(n, 'struct')!.id);
    const part = dumpC(btf, { rootIds: roots });
    const back = roundTrip(part, 'vmlinux-part');
    const defined = new Set([...part.matchAll(/^(struct|union|enum) (\w+) \{/gm)].map((m) => `${m[1]} ${m[2]!.replace(/___\d+$/, '')}`));
    assert.ok(defined.size > 50, `${defined.size} types`);
    // Names defined twice in vmlinux cannot be told apart by name; compare the unique ones.
    const unique = new Set([...defined].filter((k) => btf.findAllByName(k.split(' ')[1]!).filter((t) => t.kind !== 'fwd' && t.kind !== 'typedef').length === 1));
    assertSameLayouts(btf, back, unique);
  });
});
