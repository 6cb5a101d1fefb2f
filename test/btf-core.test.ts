/**
 * CO-RE relocation against libbpf itself: a small host program (test/c/btf_core_libbpf_oracle.c)
 * loads the same object with libbpf, relocating against the same target BTF, and prints libbpf's
 * debug log; every patch we make (immediate, offset, access size, 64-bit immediate, poisoning) and
 * every spec we describe must be what libbpf logs. Targets: a hand-made "kernel" compiled from
 * btf_core_target.c (fields moved, renamed, resized, bitfields shifted) and the running vmlinux.
 * Without libbpf or bpf() privileges those comparisons skip, and fixed expectations (the vmlinux
 * task_struct->pid offset as bpftool lists it, the target's layout) still run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { parseBtf, type Btf } from '../src/btf/btf.js';
import { CORE_RELO_KIND as K, parseBtfExt, type BtfCoreRelo } from '../src/btf/btf-ext.js';
import {
  applyCoreRelo, findCoreCandidates, loadTargetBtf, POISON_HELPER_ID, resolveCoreRelo, type CoreReloResult,
} from '../src/btf/core.js';
import { typesMatch } from '../src/btf/core-compat.js';
import { STT } from '../src/elf/elf64.js';
import { classify, decode, encode, slotOffsets, type Insn } from '../src/isa/insn.js';
import { BtfBuilder } from './support/btf-builder.js';
import {
  bpfObject, compileObject, hostHarness, noBpftool, noClang, noVmlinux, removeTempDir, run, tempDir, tools, VMLINUX,
} from './support/tools.js';

after(removeTempDir);

interface Local {
  btf: Btf;
  relos: Map<string, BtfCoreRelo[]>;
  sections: Map<string, Insn[]>;
  /** Program (function symbol at offset 0) -> section. */
  progSection: Map<string, string>;
}

function local(): Local {
  const obj = bpfObject('btf_core');
  const btf = parseBtf(obj.section('.BTF'), { name: 'btf_core.o' });
  const ext = parseBtfExt(obj.section('.BTF.ext'), btf);
  const sections = new Map<string, Insn[]>();
  const progSection = new Map<string, string>();
  for (const sec of ext.coreRelos.keys()) {
    sections.set(sec, decode(obj.section(sec)));
    for (const s of obj.elf.symbolsIn(obj.elf.sectionByName(sec)!.index)) if (s.type === STT.FUNC && s.value === 0) progSection.set(s.name, sec);
  }
  return { btf, relos: ext.coreRelos, sections, progSection };
}

/** What happened to an instruction, in libbpf's words: "patched ALU 0 -> 54", "poisoned", ... */
type Event = string;

/** Relocate one section the way a loader would, recording events like libbpf's log. */
function relocate(l: Local, sec: string, target: Btf): { events: Event[]; results: CoreReloResult[]; insns: Insn[] } {
  const insns = [...l.sections.get(sec)!];
  const events: Event[] = [];
  const results: CoreReloResult[] = [];
  l.relos.get(sec)!.forEach((r, i) => {
    const res = resolveCoreRelo(l.btf, r, target, { progName: sec });
    results.push(res);
    // A poisoned lddw becomes two instructions (same slots), so map slots to indexes afresh.
    const idx = slotOffsets(insns).indexOf(r.insnOff);
    const before = insns[idx]!;
    const after = applyCoreRelo(before, res);
    if (res.poison || after[0]!.imm === POISON_HELPER_ID && after[0]!.code === 0x85) {
      events.push(`#${i} poison insn ${r.insnOff}`);
    } else if (before.code === 0x18) {
      events.push(`#${i} LDIMM64 insn ${r.insnOff} ${res.localValue} -> ${res.targetValue}`);
    } else if ((before.code & 7) === 4 || (before.code & 7) === 7) {
      events.push(`#${i} ALU insn ${r.insnOff} ${before.imm} -> ${after[0]!.imm}`);
    } else {
      events.push(`#${i} MEM insn ${r.insnOff} ${before.off} -> ${after[0]!.off}`);
      if (res.localSize !== res.targetSize) events.push(`#${i} MEMSZ insn ${r.insnOff} ${res.localSize} -> ${res.targetSize}`);
    }
    insns[idx] = after[0]!;
    if (after.length === 2) insns.splice(idx + 1, 0, after[1]!);
  });
  return { events, results, insns };
}

/** A sparse list (libbpf logs nothing for unmatched relocations) with its holes as undefined. */
const dense = <T>(list: readonly T[], n: number): (T | undefined)[] => Array.from({ length: n }, (_, i) => list[i]);

interface OracleLog {
  events: Map<string, Event[]>;
  localSpecs: Map<string, string[]>;
  targetSpecs: Map<string, (string | undefined)[]>;
}

/** Run libbpf on the object and collect, per program, what its log says each relocation did. */
function libbpfOracle(obj: string, target?: string): OracleLog | string {
  const h = hostHarness('btf_core_libbpf_oracle');
  if (!h.path) return h.why!;
  const text = run(h.path, target ? [obj, target] : [obj]);
  const out: OracleLog = { events: new Map(), localSpecs: new Map(), targetSpecs: new Map() };
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    m.set(k, [...(m.get(k) ?? []), v]);
  };
  let any = false;
  for (const line of text.split('\n')) {
    const m = /^libbpf: prog '([^']+)': relo #(\d+): (.*)$/.exec(line);
    if (!m) continue;
    any = true;
    const [, prog, n, what] = m as unknown as [string, string, string, string];
    let p: RegExpExecArray | null;
    if ((p = /^patched insn #(\d+) \(ALU\/ALU64\) imm (\d+) -> (\d+)$/.exec(what))) {
      push(out.events, prog, `#${n} ALU insn ${p[1]} ${p[2]} -> ${BigInt.asIntN(32, BigInt(p[3]!))}`);
    } else if ((p = /^patched insn #(\d+) \(LDX\/ST\/STX\) off (\d+) -> (\d+)$/.exec(what))) {
      push(out.events, prog, `#${n} MEM insn ${p[1]} ${p[2]} -> ${p[3]}`);
    } else if ((p = /^patched insn #(\d+) \(LDX\/ST\/STX\) mem_sz (\d+) -> (\d+)$/.exec(what))) {
      push(out.events, prog, `#${n} MEMSZ insn ${p[1]} ${p[2]} -> ${p[3]}`);
    } else if ((p = /^patched insn #(\d+) \(LDIMM64\) imm64 (\d+) -> (\d+)$/.exec(what))) {
      push(out.events, prog, `#${n} LDIMM64 insn ${p[1]} ${p[2]} -> ${p[3]}`);
    } else if ((p = /^substituting insn #(\d+) w\/ invalid insn$/.exec(what))) {
      const ev = `#${n} poison insn ${p[1]}`;
      // An lddw is poisoned in both slots; libbpf logs the second slot first.
      const list = out.events.get(prog) ?? [];
      const prev = list[list.length - 1];
      if (prev?.startsWith(`#${n} poison insn `)) list[list.length - 1] = ev;
      else push(out.events, prog, ev);
    } else if ((p = /^matching candidate #\d+ (.*)$/.exec(what))) {
      const list = out.targetSpecs.get(prog) ?? [];
      list[Number(n)] = p[1];
      out.targetSpecs.set(prog, list);
    } else if (/^</.test(what)) {
      const list = out.localSpecs.get(prog) ?? [];
      list[Number(n)] = what;
      out.localSpecs.set(prog, list);
    }
  }
  return any ? out : 'libbpf logged no relocation (no bpf() privileges to create the maps?)';
}

describe('against a hand-made target BTF', { skip: noClang }, () => {
  let l: Local;
  let target: Btf;
  let targetPath: string;
  before(() => {
    l = local();
    targetPath = compileObject('btf_core_target').path;
    target = loadTargetBtf(targetPath);
  });

  test('agrees with libbpf on every relocation', (t) => {
    const oracle = libbpfOracle(compileObject('btf_core').path, targetPath);
    if (typeof oracle === 'string') return t.skip(oracle);
    for (const [prog, sec] of l.progSection) {
      const ours = relocate(l, sec, target);
      assert.deepEqual(ours.events, oracle.events.get(prog), prog);
      assert.deepEqual(ours.results.map((r) => r.localSpec), oracle.localSpecs.get(prog), `${prog} local specs`);
      const theirs = oracle.targetSpecs.get(prog) ?? [];
      ours.results.forEach((r, i) => assert.equal(r.targetSpec, theirs[i], `${prog} relo #${i} target spec`));
    }
  });

  test('the values, independently of libbpf', () => {
    const { results, insns } = relocate(l, 'tp_btf/x', target);
    const by = (i: number): [bigint, bigint, boolean] => [results[i]!.localValue, results[i]!.targetValue, !!results[i]!.poison];
    assert.deepEqual(by(0), [0n, 54n, false], 'a: short after header[3], in, new_name, b');
    assert.deepEqual(by(1), [16n, 32n, false], 'in.y');
    assert.deepEqual(by(5), [24n, 72n, false], 'u_int, found inside an anonymous struct and union');
    assert.deepEqual(by(6), [1n, 0n, false], 'only_local does not exist');
    assert.deepEqual(by(8), [4n, 1n, false], 'small_len shrank to a byte');
    assert.deepEqual(by(29), [1n, 0n, false], 'core_missing does not exist');
    assert.deepEqual(by(30), [80n, 128n, false], 'sizeof(struct core_obj)');
    assert.deepEqual(by(33), [1n, 10n, false], 'ST_RUN');
    assert.deepEqual(by(39), [0n, 48n, false], 'core_obj___renamed.new_name via the flavor');
    assert.equal(results[40]!.poison, true, 'reading core_missing.z is poisoned');
    // The direct load o->small_len became a one-byte load at the new offset.
    const ldx = insns[slotOffsets(insns).indexOf(159)]!;
    assert.equal(ldx.off, 119);
    assert.equal(ldx.code, 0x71, 'ldxb');
    // The poisoned instruction is a call to the unknown helper 0xbad2310: valid, fails if run.
    const poison = insns[slotOffsets(insns).indexOf(176)]!;
    assert.deepEqual(classify(poison), { kind: 'call', callKind: 'helper' });
    assert.equal(poison.imm, 0xbad2310);
    // The relocated program still decodes to the same number of slots.
    assert.equal(encode(insns).length, encode(l.sections.get('tp_btf/x')!).length);
  });
});

describe('against the running kernel', { skip: noClang ?? noVmlinux }, () => {
  test('task_struct->pid is where bpftool lists it', { skip: noBpftool }, () => {
    const l = local();
    const vmlinux = loadTargetBtf();
    const { results } = relocate(l, 'tp_btf/y', vmlinux);
    const listing = run(tools.bpftool!, ['btf', 'dump', 'file', VMLINUX]);
    const block = /^\[\d+\] STRUCT 'task_struct' size=\d+ vlen=\d+\n((?:\t.*\n)+)/m.exec(listing)![1]!;
    const bits = (field: string): number => Number(new RegExp(`^\\t'${field}' type_id=\\d+ bits_offset=(\\d+)`, 'm').exec(block)![1]);
    assert.equal(results[0]!.targetValue, BigInt(bits('pid') / 8));
    assert.equal(results[1]!.targetValue, BigInt(bits('tgid') / 8));
    assert.equal(results[2]!.targetValue, 0n, 'no_such_field_here');
    assert.equal(results[3]!.targetValue, 8n, 'sizeof(task_struct.stack)');
    assert.equal(results[4]!.targetValue, 1n, 'BPF_MAP_TYPE_HASH through the ___local flavor');
    assert.equal(results[5]!.targetValue, 1n, 'task_struct exists');
  });

  test('agrees with libbpf relocating against vmlinux', (t) => {
    const oracle = libbpfOracle(compileObject('btf_core').path);
    if (typeof oracle === 'string') return t.skip(oracle);
    const l = local();
    const ours = relocate(l, 'tp_btf/y', loadTargetBtf());
    assert.deepEqual(ours.events, oracle.events.get('vmlinux_prog'));
    assert.deepEqual(ours.results.map((r) => r.targetSpec), dense(oracle.targetSpecs.get('vmlinux_prog')!, ours.results.length));
  });
});

describe('resolveCoreRelo rules', () => {
  /** Local and target BTF built by hand for one rule at a time. */
  function pair(make: (b: BtfBuilder, side: 'local' | 'target') => void): [Btf, Btf] {
    const l = new BtfBuilder();
    make(l, 'local');
    const t = new BtfBuilder();
    make(t, 'target');
    return [parseBtf(l.build(), { name: 'local' }), parseBtf(t.build(), { name: 'target' })];
  }

  test('flavors are candidates; agreeing candidates are fine, disagreeing ones are ambiguous', () => {
    const [lb, tb] = pair((b, side) => {
      const int = b.int('int', 4, 1);
      if (side === 'local') b.struct('s___mine', 8, [{ name: 'x', type: int, bitOffset: 32 }]);
      else {
        b.struct('s', 8, [{ name: 'x', type: int, bitOffset: 0 }]);
        b.struct('s___v2', 8, [{ name: 'x', type: int, bitOffset: 0 }]);
        b.struct('s___v3', 8, [{ name: 'y', type: int, bitOffset: 32 }]);
      }
    });
    assert.deepEqual(findCoreCandidates(lb, 2, [tb]).map((c) => tb.typeById(c.id).name), ['s', 's___v2', 's___v3']);
    const r = resolveCoreRelo(lb, { typeId: 2, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }, tb);
    assert.equal(r.targetValue, 0n);
    const [lb2, tb2] = pair((b, side) => {
      const int = b.int('int', 4, 1);
      if (side === 'local') b.struct('s', 8, [{ name: 'x', type: int, bitOffset: 0 }]);
      else {
        b.struct('s', 8, [{ name: 'x', type: int, bitOffset: 0 }]);
        b.struct('s___2', 8, [{ name: 'x', type: int, bitOffset: 32 }]);
      }
    });
    assert.throws(() => resolveCoreRelo(lb2, { typeId: 2, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET, insnOff: 7 }, tb2, { progName: 'p' }),
      (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /^p: CO-RE relo <byte_off> at insn 7 .*field offset ambiguity/.test(e.message));
  });

  test('incompatible field types do not match; ints of any size do', () => {
    const [lb, tb] = pair((b, side) => {
      const int = b.int('int', 4, 1);
      const long = b.int('long', 8, 1);
      const p = b.ptr(int);
      if (side === 'local') b.struct('s', 16, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: int, bitOffset: 32 }]);
      else b.struct('s', 16, [{ name: 'a', type: long, bitOffset: 64 }, { name: 'b', type: p, bitOffset: 0 }]);
    });
    const a = resolveCoreRelo(lb, { typeId: 4, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }, tb);
    assert.deepEqual([a.targetValue, a.targetSize, a.failMemSizeAdjust], [8n, 8, true], 'signed int widened: loads would be wrong');
    const b = resolveCoreRelo(lb, { typeId: 4, accessStr: '0:1', kind: K.FIELD_EXISTS }, tb);
    assert.equal(b.targetValue, 0n, 'int vs pointer');
  });

  test('enum values by essential name, signed 32-bit values sign-extend', () => {
    const [lb, tb] = pair((b, side) => {
      if (side === 'local') b.enum('e', 4, [['A', 1], ['B___x', 2]]);
      else b.enum64('e', 8, [['B', 0x100000000n], ['A', -1n]], true);
    });
    assert.equal(resolveCoreRelo(lb, { typeId: 1, accessStr: '1', kind: K.ENUMVAL_VALUE }, tb).targetValue, 0x100000000n);
    assert.equal(resolveCoreRelo(lb, { typeId: 1, accessStr: '0', kind: K.ENUMVAL_VALUE }, tb).targetValue, 0xffffffffffffffffn);
    const [lb2, tb2] = pair((b) => b.enum('e', 4, [['NEG', -3]], false));
    assert.equal(resolveCoreRelo(lb2, { typeId: 1, accessStr: '0', kind: K.ENUMVAL_VALUE }, tb2).targetValue, 0xfffffffffffffffdn);
    assert.throws(() => resolveCoreRelo(lb2, { typeId: 1, accessStr: '4', kind: K.ENUMVAL_VALUE }, tb2), /enumerator index '4' is out of range/);
  });

  test('TYPE_MATCHES: names, kinds, sizes and signedness all the way down', () => {
    const cases: [string, (b: BtfBuilder, side: 'local' | 'target') => void, boolean][] = [
      ['members in another order, extra target members', (b, side) => {
        const int = b.int('int', 4, 1);
        const long = b.int('long', 8, 1);
        if (side === 'local') b.struct('s', 16, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: long, bitOffset: 64 }]);
        else b.struct('s', 24, [{ name: 'b', type: long, bitOffset: 0 }, { name: 'c', type: int, bitOffset: 64 }, { name: 'a', type: int, bitOffset: 96 }]);
      }, true],
      ['signedness differs', (b, side) => {
        const int = side === 'local' ? b.int('int', 4, 1) : b.int('int', 4, 0);
        b.struct('s', 4, [{ name: 'a', type: int, bitOffset: 0 }]);
      }, false],
      ['missing member', (b, side) => {
        const int = b.int('int', 4, 1);
        b.struct('s', 4, [{ name: side === 'local' ? 'a' : 'z', type: int, bitOffset: 0 }]);
      }, false],
      ['struct behind a pointer matches a forward declaration', (b, side) => {
        const inner = side === 'local' ? b.struct('in', 0, []) : b.fwd('in');
        const p = b.ptr(inner);
        b.struct('s', 8, [{ name: 'p', type: p, bitOffset: 0 }]);
      }, true],
      ['union behind a pointer does not match a struct forward', (b, side) => {
        const inner = side === 'local' ? b.union('in', 0, []) : b.fwd('in');
        const p = b.ptr(inner);
        b.struct('s', 8, [{ name: 'p', type: p, bitOffset: 0 }]);
      }, false],
      ['arrays need the same length', (b, side) => {
        const int = b.int('int', 4, 1);
        const a = b.array(int, int, side === 'local' ? 2 : 3);
        b.struct('s', 12, [{ name: 'a', type: a, bitOffset: 0 }]);
      }, false],
      ['enums: local names in target, same size', (b, side) => {
        const e = side === 'local' ? b.enum('e', 4, [['X', 1]]) : b.enum('e', 4, [['Y', 0], ['X', 5]]);
        b.struct('s', 4, [{ name: 'e', type: e, bitOffset: 0 }]);
      }, true],
      ['function pointers compare arity', (b, side) => {
        const int = b.int('int', 4, 1);
        const fp = b.funcProto(int, side === 'local' ? [['a', int]] : [['a', int], ['b', int]]);
        const p = b.ptr(fp);
        b.struct('s', 8, [{ name: 'f', type: p, bitOffset: 0 }]);
      }, false],
    ];
    for (const [what, make, expect] of cases) {
      const [lb, tb] = pair(make);
      const root = lb.findByName('s')!.id;
      assert.equal(typesMatch(lb, root, tb, tb.findByName('s')!.id), expect, what);
      const r = resolveCoreRelo(lb, { typeId: root, accessStr: '0', kind: K.TYPE_MATCHES }, tb);
      assert.equal(r.targetValue, expect ? 1n : 0n, what);
      assert.equal(r.localValue, 1n);
    }
  });

  test('errors: bad access strings, anonymous roots, unknown kinds', () => {
    const [lb, tb] = pair((b) => {
      const int = b.int('int', 4, 1);
      b.struct('s', 4, [{ name: 'a', type: int, bitOffset: 0 }]);
      b.struct('', 4, [{ name: 'a', type: int, bitOffset: 0 }]);
    });
    const bad = (relo: { typeId: number; accessStr: string; kind: number }, re: RegExp, code = 'EINVAL'): void => {
      assert.throws(() => resolveCoreRelo(lb, relo, tb), (e: unknown) => e instanceof BpfError && e.code === code && re.test(e.message), String(re));
    };
    bad({ typeId: 2, accessStr: '0:5', kind: K.FIELD_BYTE_OFFSET }, /member index 5 \(step 1\) is beyond the 1 members/);
    bad({ typeId: 2, accessStr: '0:x', kind: K.FIELD_BYTE_OFFSET }, /malformed access string '0:x'/);
    bad({ typeId: 2, accessStr: ':0', kind: K.FIELD_BYTE_OFFSET }, /malformed access string/);
    bad({ typeId: 2, accessStr: '0:0:0', kind: K.FIELD_BYTE_OFFSET }, /indexes into \[1\], a int/);
    bad({ typeId: 2, accessStr: '1', kind: K.TYPE_SIZE }, /expected '0'/);
    bad({ typeId: 2, accessStr: '0', kind: 42 }, /unknown relocation kind 42/);
    bad({ typeId: 3, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }, /anonymous types are not supported/, 'EOPNOTSUPP');
    bad({ typeId: 2, accessStr: '0', kind: K.ENUMVAL_EXISTS }, /enum value relocation on \[2\], a struct/);
    // TYPE_ID_LOCAL needs no target and works on anonymous types.
    assert.equal(resolveCoreRelo(lb, { typeId: 3, accessStr: '0', kind: K.TYPE_ID_LOCAL }, tb).targetValue, 3n);
  });

  test('several target BTFs: candidates come from the first that has any', () => {
    const [lb, vm] = pair((b) => {
      const int = b.int('int', 4, 1);
      b.struct('s', 8, [{ name: 'x', type: int, bitOffset: 32 }]);
    });
    const mod = new BtfBuilder();
    const int = mod.int('int', 4, 1);
    mod.struct('s', 8, [{ name: 'x', type: int, bitOffset: 0 }]);
    mod.struct('only_in_module', 4, [{ name: 'y', type: int, bitOffset: 0 }]);
    const mb = parseBtf(mod.build());
    assert.equal(resolveCoreRelo(lb, { typeId: 2, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }, [vm, mb]).targetValue, 4n);
    assert.equal(resolveCoreRelo(lb, { typeId: 2, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }, [mb, vm]).targetValue, 0n);
  });
});

describe('applyCoreRelo', () => {
  const base: CoreReloResult = { kind: K.FIELD_BYTE_OFFSET, localValue: 8n, targetValue: 16n, validate: true, localSize: 4, targetSize: 4, failMemSizeAdjust: false, localSpec: '' };
  const movImm: Insn = { code: 0xb7, dst: 1, src: 0, off: 0, imm: 8 };
  const ldxw: Insn = { code: 0x61, dst: 1, src: 2, off: 8, imm: 0 };
  const lddw: Insn = { code: 0x18, dst: 1, src: 0, off: 0, imm: 8, imm2: 0 };

  test('patches immediates, offsets and 64-bit immediates', () => {
    assert.deepEqual(applyCoreRelo(movImm, base), [{ ...movImm, imm: 16 }]);
    assert.deepEqual(applyCoreRelo(ldxw, base), [{ ...ldxw, off: 16 }]);
    assert.deepEqual(applyCoreRelo({ code: 0x62, dst: 1, src: 0, off: 8, imm: 7 }, base), [{ code: 0x62, dst: 1, src: 0, off: 16, imm: 7 }], 'st');
    assert.deepEqual(applyCoreRelo(lddw, { ...base, targetValue: 0x123456789n }), [{ ...lddw, imm: 0x23456789, imm2: 1 }]);
    // Access size follows the field: 4 -> 1 byte (ldxw -> ldxb), for unsigned ints and pointers.
    assert.deepEqual(applyCoreRelo(ldxw, { ...base, targetSize: 1 }), [{ ...ldxw, off: 16, code: 0x71 }]);
  });

  test('refuses what libbpf refuses', () => {
    const fails = (insn: Insn, res: CoreReloResult, re: RegExp, code = 'EINVAL'): void => {
      assert.throws(() => applyCoreRelo(insn, res, { where: 'prog insn 3' }), (e: unknown) => e instanceof BpfError && e.code === code && /^prog insn 3: /.test(e.message) && re.test(e.message), String(re));
    };
    fails({ ...movImm, imm: 9 }, base, /unexpected ALU immediate 9, expected 8/);
    fails({ ...ldxw, off: 4 }, base, /unexpected memory offset 4, expected 8/);
    fails({ ...lddw, imm: 1 }, base, /unexpected lddw immediate 1, expected 8/);
    fails({ code: 0xbf, dst: 1, src: 2, off: 0, imm: 0 }, base, /register source/);
    fails({ code: 0x05, dst: 0, src: 0, off: 8, imm: 0 }, base, /cannot relocate instruction code 0x5/);
    fails(ldxw, { ...base, targetValue: 40000n }, /offset 40000 does not fit/);
    fails({ ...ldxw, code: 0x79 }, { ...base, targetSize: 2 }, /memory access of 8 bytes, expected 4/);
    fails(ldxw, { ...base, targetSize: 3 }, /target field size 3/);
    fails({ ...lddw, src: 1 }, base, /lddw has an unexpected form/);
    // Without validation (bitfields, type ids) the old value is not checked.
    assert.deepEqual(applyCoreRelo({ ...movImm, imm: 99 }, { ...base, validate: false }), [{ ...movImm, imm: 16 }]);
  });

  test('poisoning keeps the slot count and fails only if executed', () => {
    const poisoned = { ...base, poison: true };
    const one = applyCoreRelo(ldxw, poisoned);
    assert.deepEqual(one, [{ code: 0x85, dst: 0, src: 0, off: 0, imm: POISON_HELPER_ID }]);
    const two = applyCoreRelo(lddw, poisoned);
    assert.equal(two.length, 2);
    assert.equal(encode(two).length, encode([lddw]).length);
    for (const i of two) assert.deepEqual(classify(i), { kind: 'call', callKind: 'helper' });
    // A load whose size cannot be adjusted safely is poisoned rather than rejected.
    assert.deepEqual(applyCoreRelo(ldxw, { ...base, targetSize: 8, failMemSizeAdjust: true }), one);
  });
});

describe('loadTargetBtf', { skip: noClang }, () => {
  test('an ELF object with .BTF, a raw BTF file, the default vmlinux', () => {
    const obj = compileObject('btf_core_target').path;
    const fromElf = loadTargetBtf(obj);
    assert.ok(fromElf.findByName('core_obj', 'struct'));
    const raw = join(tempDir(), 'target.btf');
    writeFileSync(raw, bpfObject('btf_core_target').section('.BTF'));
    assert.equal(loadTargetBtf(raw).types.length, fromElf.types.length);
    if (!noVmlinux) {
      const v = loadTargetBtf();
      assert.equal(loadTargetBtf(), v, 'parsed once');
      assert.ok(v.findByName('task_struct', 'struct'));
      assert.equal(loadTargetBtf(VMLINUX).types.length, v.types.length);
    }
  });

  test('errors', () => {
    assert.throws(() => loadTargetBtf('/nonexistent/btf'), (e: unknown) => e instanceof BpfError && e.code === 'ENOENT');
    const noBtf = join(tempDir(), 'nobtf.o');
    const elf = compileObject('btf_core_target').bytes;
    // Rename the .BTF section so the file has none.
    const renamed = Buffer.from(elf);
    const at = renamed.indexOf('.BTF\0');
    renamed.write('.XTF', at);
    writeFileSync(noBtf, renamed);
    assert.throws(() => loadTargetBtf(noBtf), (e: unknown) => e instanceof BpfError && e.code === 'ENOENT' && /no \.BTF section/.test(e.message));
    const junk = join(tempDir(), 'junk');
    writeFileSync(junk, 'not btf at all, just text');
    assert.throws(() => loadTargetBtf(junk), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /bad magic/.test(e.message));
  });
});
