/** Tail calls, bpf_loop, for_each_map_elem and spin locks from compiled C. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { UPDATE } from '../src/maps/index.js';
import { clangMissing, ctxWords, loadHelpersObject, runCtx, u32Key, u64Bytes } from './support/helpers-kit.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
if (skip) console.log(`# skipping helpers-control tests: ${skip}`);
after(() => removeElfTempDir());

const OBJ = 'helpers_control';

test('tail_call jumps through a prog_array; an empty or out-of-range slot falls through', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const first = t.prog('first');
  assert.equal(runCtx(t.vm, first, ctxWords(1)).ret, 200, 'slot 1 holds "second"');
  assert.deepEqual([t.value('out', 0), t.value('out', 1)], [1n, 1n]);
  assert.equal(runCtx(t.vm, first, ctxWords(0)).ret, 100, 'empty slot');
  assert.equal(runCtx(t.vm, first, ctxWords(9)).ret, 100, 'index past max_entries');
  assert.equal(runCtx(t.vm, first, ctxWords(1n << 32n | 1n)).ret, 200, 'the index is a u32');
});

test('tail calls stop at 33 per run, and the program goes on after the failed call', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  assert.equal(runCtx(t.vm, t.prog('self'), ctxWords()).ret, 33);
  assert.equal(t.value('out', 2), 34n, 'the entry run and 33 tail calls');
  assert.equal(runCtx(t.vm, t.prog('first'), ctxWords(2)).ret, 33);
  assert.equal(t.value('out', 2), 34n + 33n, 'first, then 33 runs of self');
});

test('a tail call to a program of another type fails the run', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  // The instructions as they ran (map addresses in place): nothing a verifier could check, on purpose.
  const other = t.vm.loadProgram({ name: 'xdp_prog', type: 'xdp', insns: t.prog('second').xlated, verify: false });
  t.obj.maps.get('jump')!.map.update(u32Key(3), u32Key(other.id), UPDATE.ANY);
  assert.throws(() => runCtx(t.vm, t.prog('first'), ctxWords(3)), (e: unknown) => e instanceof BpfError && /bpf_tail_call: slot 3 of map 'jump' holds program 'xdp_prog' of type xdp/.test(e.message));
});

test('bpf_loop calls back until told to stop, with the kernel\'s limits', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const p = t.prog('loop_sum');
  const loop = (n: bigint | number, stop = 0, flags = 0): [bigint | undefined, bigint | undefined] => {
    runCtx(t.vm, p, ctxWords(n, stop, flags));
    return [t.value('out', 0), t.value('out', 1)];
  };
  assert.deepEqual(loop(10), [10n, 45n]);
  assert.deepEqual(loop(1000), [1000n, 499500n]);
  assert.deepEqual(loop(10, 3), [4n, 6n], 'stops after the callback returns 1, counting that call');
  assert.deepEqual(loop(0), [0n, 0n]);
  assert.deepEqual(loop(10, 0, 1), [-22n, 0n], 'flags must be 0');
  assert.deepEqual(loop((1 << 23) + 1), [0xfffffff9n, 0n], 'more than BPF_MAX_LOOPS: E2BIG as a 32-bit -7, as the inlined loop leaves it');
  assert.deepEqual(loop((1n << 32n) + 5n), [5n, 10n], 'nr_loops is a u32');
});

test('for_each_map_elem visits every element, may write values, and stops on 1', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const table = t.obj.maps.get('table')!.map;
  for (const k of [1, 2, 3]) table.update(u32Key(k), u64Bytes(BigInt(k * 10)));
  runCtx(t.vm, t.prog('each'), ctxWords(0));
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => t.value('out', i)), [3n, 6n, 60n, 8n, 8n, -22n]);
  assert.deepEqual([1, 2, 3].map((k) => t.value('table', k)), [20n, 40n, 60n], 'the callback doubled each value in place');
  runCtx(t.vm, t.prog('each'), ctxWords(2));
  assert.deepEqual([t.value('out', 0), t.value('out', 1)], [2n, 3n], 'stopped after two elements');
});

test('spin_lock and spin_unlock pair up; locking twice fails the run', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  assert.equal(runCtx(t.vm, t.prog('locked_add'), ctxWords(5)).ret, 0);
  assert.equal(runCtx(t.vm, t.prog('locked_add'), ctxWords(7)).ret, 0);
  const v = t.bytes('guarded', 0)!;
  assert.equal(new DataView(v.buffer, v.byteOffset).getBigUint64(8, true), 12n);
  assert.throws(() => runCtx(t.vm, t.prog('lock_twice'), ctxWords()), (e: unknown) => e instanceof BpfError && e.code === 'EBUSY' && /bpf_spin_lock: this lock is already held/.test(e.message));
  assert.equal(runCtx(t.vm, t.prog('locked_add'), ctxWords(1)).ret, 0, 'a lock is per run: the failed run left nothing held');
});
