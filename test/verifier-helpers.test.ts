/**
 * The helper-call side of the verifier without a kernel: the map/helper compatibility table against
 * facts of the kernel's check_map_func_compatibility, helper names as func_id_name prints them, the
 * GPL rule, and a few whole programs whose verdicts follow from the kernel's rules (the corpus,
 * test/verifier-corpus/, checks the same areas against the running kernel).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAP_TYPE, type MapTypeName } from '../src/maps/types.js';
import { helperId } from '../src/isa/helper-names.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { asmObjectSpec } from '../src/object/asm-spec.js';
import { verifyProgram, isVerifierError } from '../src/verifier/index.js';
import { HELPER_MAP_TYPES, MAP_TYPE_HELPERS, mapHelperCompatible } from '../src/verifier/map-compat.js';
import { funcIdName } from '../src/verifier/helpers-check.js';
import { gplCompatible } from '../src/verifier/helper-protos.js';

const helpers = kernelHelpers();
const LATE = ['cgrp_storage_get', 'cgrp_storage_delete'];

function verdict(src: string): { ok: true } | { ok: false; reason: string; errno: string } {
  const spec = asmObjectSpec(src, { file: 'test.s', name: 'prog' });
  const p = spec.programs[0]!;
  try {
    verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
    return { ok: true };
  } catch (e) {
    if (!isVerifierError(e)) throw e;
    return { ok: false, reason: e.reason, errno: e.code };
  }
}

test('the compatibility tables name real helpers and map types', () => {
  for (const [type, names] of Object.entries(MAP_TYPE_HELPERS)) {
    assert.ok(type in MAP_TYPE, type);
    for (const n of names!) assert.ok(helperId(n) !== undefined || LATE.includes(n), `${type}: ${n}`);
  }
  for (const [n, types] of Object.entries(HELPER_MAP_TYPES)) {
    assert.ok(helperId(n) !== undefined || LATE.includes(n), n);
    for (const t of types) assert.ok(t in MAP_TYPE, `${n}: ${t}`);
  }
});

test('map/helper pairs as check_map_func_compatibility decides them', () => {
  const cases: [MapTypeName, string, boolean][] = [
    ['array', 'tail_call', false], ['prog_array', 'tail_call', true], ['prog_array', 'map_lookup_elem', false],
    ['devmap', 'redirect_map', true], ['hash', 'redirect_map', false], ['cpumap', 'map_lookup_elem', false],
    ['bloom_filter', 'map_push_elem', true], ['bloom_filter', 'map_pop_elem', false], ['queue', 'map_pop_elem', true],
    ['ringbuf', 'map_lookup_elem', false], ['hash', 'map_lookup_elem', true], ['percpu_hash', 'map_lookup_percpu_elem', true],
    ['hash', 'map_lookup_percpu_elem', false], ['array_of_maps', 'map_update_elem', false], ['stack_trace', 'get_stackid', true],
  ];
  for (const [t, h, ok] of cases) assert.equal(mapHelperCompatible(t, h), ok, `${h} with ${t}`);
});

test('helper names as the kernel prints them', () => {
  assert.equal(funcIdName(0), 'bpf_unspec');
  assert.equal(funcIdName(1), 'bpf_map_lookup_elem');
  assert.equal(funcIdName(211), 'bpf_cgrp_storage_delete');
  assert.equal(funcIdName(212), 'unknown');
  assert.equal(funcIdName(-1), 'unknown');
});

test('GPL-compatible licenses are the kernel list, exactly', () => {
  for (const l of ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']) assert.ok(gplCompatible(l), l);
  for (const l of ['MIT', 'BSD', 'GPL v3', 'gpl', 'Proprietary', '']) assert.ok(!gplCompatible(l), l);
});

test('a GPL-only helper from a non-GPL program is refused with EINVAL', () => {
  const v = verdict('; section: kprobe/do_nanosleep\n; license: MIT\n*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk#6\nr0 = 0\nexit');
  assert.deepEqual(v, { ok: false, reason: 'cannot call GPL-restricted function from non-GPL compatible program', errno: 'EINVAL' });
});

test('ringbuf records: leak at exit, release twice', () => {
  const reserve = '; map rb ringbuf entries=4096\nr1 = map[idx:0] ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve#131\n';
  assert.deepEqual(verdict(`${reserve}if r0 == 0 goto +1\n*(u64 *)(r0 + 0) = 1\nr0 = 0\nexit`),
    { ok: false, reason: 'BPF_EXIT instruction in main prog would lead to reference leak', errno: 'EINVAL' });
  const twice = `${reserve}if r0 == 0 goto +7\nr6 = r0\nr1 = r6\nr2 = 0\ncall bpf_ringbuf_submit#132\nr1 = r6\nr2 = 0\ncall bpf_ringbuf_submit#132\nr0 = 0\nexit`;
  assert.deepEqual(verdict(twice), { ok: false, reason: 'R1 type=scalar expected=ringbuf_mem', errno: 'EACCES' });
  assert.deepEqual(verdict(`${reserve}if r0 == 0 goto +3\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit#132\nr0 = 0\nexit`), { ok: true });
});

test('combined stack of bpf-to-bpf calls: each frame rounded to 16 bytes, 512 in all', () => {
  const prog = (a: number, b: number): string => `*(u64 *)(r10 - ${a}) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - ${b}) = 0\nr0 = 0\nexit`;
  assert.deepEqual(verdict(prog(256, 256)), { ok: true });
  assert.deepEqual(verdict(prog(256, 264)), { ok: false, reason: 'combined stack size of 2 calls is 528. Too large', errno: 'EACCES' });
});

test('the ninth frame is refused with E2BIG', () => {
  const chain = ['call pc+2', 'r0 = 0', 'exit', ...Array.from({ length: 7 }, () => ['call pc+1', 'exit']).flat(), 'call pc+1', 'exit', 'r0 = 0', 'exit'];
  assert.deepEqual(verdict(chain.join('\n')), { ok: false, reason: 'the call stack of 9 frames is too deep', errno: 'E2BIG' });
});
