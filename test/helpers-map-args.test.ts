/**
 * How the map helpers take their key and value arguments: small ones through reused buffers, large
 * ones as fresh copies. Both must give the maps what the program's memory held at the call, keys
 * and values of the same size must not share a buffer, and a bad pointer must fail as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { kernelHelpers } from '../src/helpers/index.js';
import type { HelperCall } from '../src/helpers/registry.js';
import { Vm, RunContext, type VmProgram } from '../src/vm/runtime.js';
import { rng } from './support/rng.js';

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

function setup(keySize: number, valueSize: number) {
  const vm = new Vm({ helpers: kernelHelpers() });
  const m = vm.createMap({ name: 'm', type: 'hash', keySize, valueSize, maxEntries: 64, flags: 0 });
  const run = new RunContext(vm, { name: 'p' } as VmProgram, 0);
  const scratch = vm.memory.add('scratch', 'stack', new Uint8Array(512));
  const call: HelperCall = { memory: vm.memory, pc: 3, services: run, exit() {}, tailCall() {}, tailCalls: 0 };
  const impl = (name: string) => vm.helpers.byNameOf(`bpf_${name}`)!.impl;
  return { vm, m, run, scratch, call, impl };
}

for (const [keySize, valueSize] of [[8, 8], [4, 4], [64, 64], [65, 100], [3, 200]] as const) {
  test(`map helpers: keys of ${keySize} and values of ${valueSize} bytes reach the map as the program had them`, () => {
    const { m, scratch, call, impl } = setup(keySize, valueSize);
    const update = impl('map_update_elem'), lookup = impl('map_lookup_elem'), del = impl('map_delete_elem');
    const r = rng(keySize * 1000 + valueSize);
    const model = new Map<string, string>();
    const keys = Array.from({ length: 12 }, () => r.bytes(keySize));
    const keyAt = 0, valueAt = 256;
    for (let step = 0; step < 400; step++) {
      const key = keys[r.int(keys.length)]!;
      scratch.bytes.set(key, keyAt);
      const op = r.int(3);
      if (op === 0) {
        const value = r.bytes(valueSize);
        scratch.bytes.set(value, valueAt);
        const flags = r.int(3);
        const exists = model.has(hex(key)!);
        const want = (flags === 1 && exists) ? -17n : (flags === 2 && !exists) ? -2n : 0n;
        assert.equal(update(call, m.handle.addr(0), scratch.addr(keyAt), scratch.addr(valueAt), BigInt(flags), 0n), BigInt.asUintN(64, want));
        if (want === 0n) model.set(hex(key)!, hex(value)!);
        // The program's memory is left as it was.
        assert.equal(hex(scratch.bytes.subarray(keyAt, keyAt + keySize)), hex(key));
      } else if (op === 1) {
        const got = lookup(call, m.handle.addr(0), scratch.addr(keyAt), 0n, 0n, 0n);
        const want = model.get(hex(key)!);
        assert.equal(got === 0n ? undefined : hex(call.memory.view(got, valueSize, false, 'v')), want);
      } else {
        const want = model.has(hex(key)!) ? 0n : BigInt.asUintN(64, -2n);
        assert.equal(del(call, m.handle.addr(0), scratch.addr(keyAt), 0n, 0n, 0n), want);
        model.delete(hex(key)!);
      }
    }
    assert.deepEqual(new Map([...m.map.entries()].map(([k, v]) => [hex(k)!, hex(v)!])), model);
  });
}

test('map helpers: a key or value that is not all in memory is EFAULT naming it and the instruction', () => {
  for (const size of [8, 100]) {
    const { m, scratch, call, impl } = setup(size, size);
    const bad = scratch.addr(512 - size + 1);
    const fails = (fn: () => unknown, what: string): void => {
      assert.throws(fn, (e: unknown) => e instanceof BpfError && e.code === 'EFAULT' && e.place.insn === 3
        && e.message.startsWith(`insn 3: ${what.split(':')[0]}: ${what.split(':')[1]} of map 'm': invalid read of ${size} bytes at `));
    };
    fails(() => impl('map_lookup_elem')(call, m.handle.addr(0), bad, 0n, 0n, 0n), 'bpf_map_lookup_elem:key');
    fails(() => impl('map_update_elem')(call, m.handle.addr(0), bad, scratch.addr(0), 0n, 0n), 'bpf_map_update_elem:key');
    fails(() => impl('map_update_elem')(call, m.handle.addr(0), scratch.addr(0), bad, 0n, 0n), 'bpf_map_update_elem:value');
    fails(() => impl('map_delete_elem')(call, m.handle.addr(0), bad, 0n, 0n, 0n), 'bpf_map_delete_elem:key');
    assert.equal([...m.map.entries()].length, 0);
  }
});
