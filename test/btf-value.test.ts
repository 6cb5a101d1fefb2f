/**
 * formatValue against `bpftool map dump`: a host harness (test/c/btf_map_dump_oracle.c) creates the
 * maps of btf_values.o in the kernel with libbpf, writes the same key/value bytes we format (crafted
 * ones and random ones), and prints bpftool's JSON; the "formatted" key and value must equal ours
 * exactly (numbers compared as digits). Without privileges for bpf() that comparison skips; the
 * fixed expectations below run anyway.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { parseBtf, setDatasecLayout, type Btf } from '../src/btf/btf.js';
import { formatValue, formatValueJson, type FormattedValue } from '../src/btf/value-format.js';
import { parseBtfMapDefs } from '../src/btf/map-defs.js';
import { BtfBuilder } from './support/btf-builder.js';
import { bpfObject, compileObject, hostHarness, noBpftool, noClang, removeTempDir, run, tools } from './support/tools.js';
import { parseExactJson, type ExactJson } from './support/json-exact.js';
import { rng } from './support/rng.js';

after(removeTempDir);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Our value in the exact-JSON shape: numbers as digit strings. */
function exact(v: FormattedValue): ExactJson {
  if (typeof v === 'number' || typeof v === 'bigint') return { num: v.toString() };
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(exact);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exact(x)]));
}

/** bpftool keys anonymous members ""; we merge them into the enclosing object. */
function mergeAnonymous(v: ExactJson): ExactJson {
  if (Array.isArray(v)) return v.map(mergeAnonymous);
  if (v === null || typeof v !== 'object' || 'num' in v) return v;
  const out: { [k: string]: ExactJson } = {};
  for (const [k, x] of Object.entries(v)) {
    const m = mergeAnonymous(x);
    if (k === '' && m !== null && typeof m === 'object' && !Array.isArray(m) && !('num' in m)) Object.assign(out, m);
    else out[k] = m;
  }
  return out;
}

interface Setup {
  btf: Btf;
  path: string;
  value: number;
  key: number;
  pointKey: number;
  mode: number;
}

function setup(): Setup {
  const obj = bpfObject('btf_values');
  const btf = parseBtf(obj.section('.BTF'), { name: 'btf_values.o' });
  // Global data sections get their real layout from the symbols, as the loader does.
  for (const sec of ['.data', '.bss']) {
    const s = obj.elf.sectionByName(sec)!;
    const syms = new Map(obj.elf.symbolsIn(s.index).map((x) => [x.name, x.value]));
    setDatasecLayout(btf, sec, s.size, (n) => syms.get(n));
  }
  const defs = parseBtfMapDefs(btf);
  const values = defs.find((d) => d.name === 'values')!;
  const byPoint = defs.find((d) => d.name === 'by_point')!;
  return { btf, path: obj.path, value: values.valueTypeId!, key: values.keyTypeId!, pointKey: byPoint.keyTypeId!, mode: byPoint.valueTypeId! };
}

/** A struct value with meaningful contents, written through the BTF member offsets. */
function craftedValue(btf: Btf, id: number): Uint8Array {
  const t = btf.typeById(id);
  const b = new Uint8Array(btf.sizeOf(id));
  const dv = new DataView(b.buffer);
  const at = (name: string): number => t.members!.find((m) => m.name === name)!.bitOffset / 8;
  dv.setInt8(at('s8'), -100);
  dv.setUint8(at('u8'), 200);
  dv.setInt16(at('s16'), -30000, true);
  dv.setUint16(at('u16'), 60000, true);
  dv.setInt32(at('s32'), -2000000000, true);
  dv.setUint32(at('u32'), 4000000000, true);
  dv.setBigInt64(at('s64'), -9000000000000000000n, true);
  dv.setBigUint64(at('u64'), 18000000000000000000n, true);
  b.set(new TextEncoder().encode('hello'), at('name'));
  b.set([1, 2, 3, 0x7f, 0x80, 0xff], at('raw'));
  dv.setUint8(at('on'), 1);
  dv.setInt32(at('mode'), -2, true);
  dv.setBigUint64(at('ptr'), 0xffff888012345678n, true);
  dv.setBigUint64(at('big'), 0x0123456789abcdefn, true);
  dv.setBigUint64(at('big') + 8, 0xfedcn, true);
  // bf_a: 3 bits, bf_b: 7 bits signed, bf_c: 33 bits, packed from the bitfield unit start.
  const bfStart = t.members!.find((m) => m.name === 'bf_a')!.bitOffset;
  let bits = 0n;
  bits |= 5n << BigInt(bfStart % 64);
  const unit = Math.floor(bfStart / 64) * 8;
  dv.setBigUint64(unit, dv.getBigUint64(unit, true) | bits | (0x55n << 3n) | (0x1abcdef01n << 10n), true);
  return b;
}

describe('fixed expectations', { skip: noClang }, () => {
  test('a crafted value', () => {
    const s = setup();
    const v = formatValue(s.btf, s.value, craftedValue(s.btf, s.value)) as Record<string, FormattedValue>;
    assert.equal(v.s8, -100);
    assert.equal(v.u8, 200);
    assert.equal(v.s16, -30000);
    assert.equal(v.u16, 60000);
    assert.equal(v.s32, -2000000000);
    assert.equal(v.u32, 4000000000);
    assert.equal(v.s64, -9000000000000000000n);
    assert.equal(v.u64, 18000000000000000000n);
    assert.equal(v.name, 'hello');
    assert.deepEqual(v.raw, [1, 2, 3, 127, 128, 255]);
    assert.equal(v.on, true);
    assert.equal(v.mode, 'MODE_NEG');
    assert.equal(v.ptr, 0xffff888012345678n);
    assert.equal(v.big, '0xfedc0123456789abcdef');
    assert.equal(v.bf_a, '0x5');
    assert.deepEqual(v.pts, [{ x: 0, y: 0 }, { x: 0, y: 0 }]);
    assert.equal(v.as_int, 0, 'anonymous union members are merged into the struct');
    assert.deepEqual(v.named_inner, { inner_a: 0, inner_tag: '' });
    assert.deepEqual(v.grid, [[0, 0, 0], [0, 0, 0]]);
    assert.match(formatValueJson(v), /"u64":18000000000000000000,/);
  });

  test('global data sections, after their layout is set', () => {
    const s = setup();
    const data = s.btf.datasec('.data')!;
    const bytes = new Uint8Array(data.size);
    new DataView(bytes.buffer).setInt32(data.vars.find((x) => x.name === 'counter')!.offset, 3, true);
    bytes.set(new TextEncoder().encode('hi'), data.vars.find((x) => x.name === 'greeting')!.offset);
    assert.deepEqual(formatValue(s.btf, data.id, bytes), { '.data': [{ counter: 3 }, { greeting: 'hi' }] });
  });

  test('errors and edge cases', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, 1);
    const f = b.fwd('opaque');
    const e = b.enum('e', 1, [['A', 1]]);
    const ch = b.int('char', 1, 2);
    const odd = b.int('u3', 1, 0, 3, 2);
    const fl = b.float('double', 8);
    const btf = parseBtf(b.build());
    assert.throws(() => formatValue(btf, int, new Uint8Array(2)), (x: unknown) => x instanceof BpfError && /value has 2 bytes, the type needs 4/.test(x.message));
    assert.throws(() => formatValue(btf, f, new Uint8Array(8)), BpfError);
    assert.equal(formatValue(btf, e, Uint8Array.of(1)), 'A');
    assert.equal(formatValue(btf, e, Uint8Array.of(0xff)), -1, 'unknown enum value: the number');
    assert.equal(formatValue(btf, ch, Uint8Array.of(0x41)), 'A');
    assert.equal(formatValue(btf, odd, Uint8Array.of(0b10100)), '0x5', 'int with a bit offset');
    assert.equal(formatValue(btf, fl, new Uint8Array(new Float64Array([1.5]).buffer)), 1.5);
    assert.equal(formatValueJson({ a: 1n << 70n, b: [-(1n << 63n)] }), '{"a":1180591620717411303424,"b":[-9223372036854775808]}');
  });
});

describe('bpftool map dump of the same bytes', { skip: noClang ?? noBpftool }, () => {
  test('crafted and random values, keys, enums and global data', (t) => {
    const h = hostHarness('btf_map_dump_oracle');
    if (!h.path) return t.skip(h.why!);
    const s = setup();
    const r = rng(0xb7f);
    const valueSize = s.btf.sizeOf(s.value);
    const entries: [string, Uint8Array, Uint8Array][] = [];
    const key = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
    entries.push(['values', key(1), craftedValue(s.btf, s.value)]);
    for (let i = 2; i < 10; i++) entries.push(['values', key(i), r.bytes(valueSize)]);
    const modes = [0, 1, -2, 77];
    modes.forEach((m, i) => entries.push(['by_point', Uint8Array.of(i, 0, 0x80 + i, 0xff), new Uint8Array(new Int32Array([m]).buffer)]));
    const data = s.btf.datasec('.data')!;
    entries.push(['.data', key(0), r.bytes(data.size)]);
    let out: string;
    try {
      out = run(h.path, [tools.bpftool!, compileObject('btf_values').path, ...entries.flatMap(([m, k, v]) => [m, hex(k), hex(v)])]);
    } catch (e) {
      return t.skip(`the oracle could not create maps: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n')[0]}`);
    }
    const dumps = new Map<string, ExactJson[]>();
    for (const block of out.split(/^MAP /m).slice(1)) {
      const nl = block.indexOf('\n');
      dumps.set(block.slice(0, nl), parseExactJson(block.slice(nl + 1).trim()) as ExactJson[]);
    }
    const find = (suffix: string): ExactJson[] => [...dumps].find(([n]) => n === suffix || n.endsWith(suffix))![1];
    let compared = 0;
    for (const [map, k, v] of entries) {
      const dump = find(map);
      const keyHex = Array.from(k, (x) => `0x${x.toString(16).padStart(2, '0')}`);
      const entry = dump.find((e) => JSON.stringify((e as Record<string, ExactJson>).key) === JSON.stringify(keyHex)) as Record<string, ExactJson>;
      assert.ok(entry, `${map}: key ${hex(k)} not dumped`);
      const formatted = entry.formatted as Record<string, ExactJson>;
      if (map === '.data') {
        assert.deepEqual(exact(formatValue(s.btf, data.id, v)), mergeAnonymous(formatted.value!), '.data');
      } else {
        const [kt, vt] = map === 'values' ? [s.key, s.value] : [s.pointKey, s.mode];
        assert.deepEqual(exact(formatValue(s.btf, kt, k)), mergeAnonymous(formatted.key!), `${map} key ${hex(k)}`);
        assert.deepEqual(exact(formatValue(s.btf, vt, v)), mergeAnonymous(formatted.value!), `${map} value for key ${hex(k)}`);
      }
      compared++;
    }
    assert.equal(compared, entries.length);
  });
});
