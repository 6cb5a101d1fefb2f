/**
 * Kernel maps through bpf(2): hash and array maps created, updated, looked up, iterated and
 * deleted from in the kernel, behind the same BpfMap interface as the VM's maps, and the same
 * sequence of calls given to a VM map and a kernel map must give the same results and errors.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBpfError } from '../src/errors.js';
import { createMap } from '../src/maps/index.js';
import type { BpfMap, MapSpec } from '../src/maps/types.js';
import { UPDATE } from '../src/maps/types.js';
import { kernelAvailable, openFdCount } from '../src/kernel/syscall.js';
import { possibleCpus } from '../src/kernel/cpus.js';
import { KernelMap } from '../src/kernel/kernel-map.js';
import { mapCreate, mapGetNextKey, mapLookupElem, mapUpdateElem } from '../src/kernel/map-commands.js';
import { isKernelError } from '../src/kernel/errors.js';
import { closeFd } from '../src/kernel/syscall.js';
import { hex, noKernel, u32 } from './support/kernel-kit.js';

const why = noKernel();
if (why) console.log(`# kernel-maps: skipped: ${why}`);

const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

/** Run `f` and say what came of it: the value, or the error's code. */
function outcome(f: () => unknown): string {
  try {
    const r = f();
    return r instanceof Uint8Array ? `ok ${hex(r)}` : r === undefined ? 'ok' : `ok ${JSON.stringify(r)}`;
  } catch (e) {
    if (isBpfError(e)) return e.code;
    throw e;
  }
}

describe('kernel availability', () => {
  test('kernelAvailable() answers without throwing, and says why when it is not ok', () => {
    const a = kernelAvailable();
    if (!a.ok) assert.match(a.reason, /\w/);
    else assert.deepEqual(a, { ok: true });
  });
});

describe('kernel maps through bpf(2)', { skip: why }, () => {
  const fdsAtStart = why ? 0 : openFdCount();
  after(() => assert.equal(openFdCount(), fdsAtStart, 'every fd the tests opened is closed'));

  test('raw commands: create, update, lookup, get_next_key on a hash map', () => {
    const fd = mapCreate({ type: 1, keySize: 4, valueSize: 8, maxEntries: 8, name: 'tsbpf_kt_raw' });
    try {
      mapUpdateElem(fd, u32(7), u64(0x1122334455667788n));
      assert.equal(hex(mapLookupElem(fd, u32(7), 8)), '8877665544332211');
      assert.equal(mapLookupElem(fd, u32(8), 8), undefined, 'ENOENT is undefined');
      assert.equal(hex(mapGetNextKey(fd, undefined, 4)), '07000000');
      assert.equal(mapGetNextKey(fd, u32(7), 4), undefined, 'the end is undefined');
    } finally {
      closeFd(fd);
    }
  });

  test('hash map: update, lookup, iterate, delete, with the kernel errnos', () => {
    const m = KernelMap.create({ type: 'hash', name: 'tsbpf_kt_hash', keySize: 4, valueSize: 8, maxEntries: 3, flags: 0 });
    try {
      for (const k of [1, 2, 3]) m.update(u32(k), u64(BigInt(k * 100)));
      assert.equal(hex(m.lookup(u32(2))), hex(u64(200n)));
      assert.equal(m.lookup(u32(9)), undefined);
      const keys: string[] = [];
      for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) keys.push(hex(k)!);
      assert.deepEqual(keys.sort(), ['01000000', '02000000', '03000000']);
      assert.equal([...m.entries()].length, 3);

      assert.throws(() => m.update(u32(1), u64(0n), UPDATE.NOEXIST), (e: unknown) => isKernelError(e) && e.code === 'EEXIST' && /^map 'tsbpf_kt_hash': .*BPF_NOEXIST/.test(e.message));
      assert.throws(() => m.update(u32(9), u64(0n), UPDATE.EXIST), { code: 'ENOENT' });
      assert.throws(() => m.update(u32(4), u64(0n)), (e: unknown) => isBpfError(e) && e.code === 'E2BIG' && /full \(max_entries 3\)/.test(e.message));
      assert.throws(() => m.update(u32(1), new Uint8Array(4)), { code: 'EINVAL', message: /value must be 8 bytes/ });
      assert.throws(() => m.lookup(new Uint8Array(2)), { code: 'EINVAL', message: /key must be 4 bytes/ });

      m.delete(u32(2));
      assert.throws(() => m.delete(u32(2)), { code: 'ENOENT', message: /no such key/ });
      assert.equal(hex(m.lookupAndDelete(u32(3))), hex(u64(300n)));
      assert.equal(m.lookup(u32(3)), undefined);

      const info = m.info();
      assert.deepEqual([info.type, info.keySize, info.valueSize, info.maxEntries, info.name], [1, 4, 8, 3, 'tsbpf_kt_hash']);
      assert.equal(m.id, info.id);
    } finally {
      m.close();
    }
  });

  test('hash map batches: update, lookup to the end, delete', () => {
    const m = KernelMap.create({ type: 'hash', name: 'tsbpf_kt_batch', keySize: 4, valueSize: 4, maxEntries: 16, flags: 0 });
    try {
      const keys = [10, 11, 12, 13, 14].map(u32);
      m.updateBatch(keys, [20, 21, 22, 23, 24].map(u32));
      const seen = new Map<string, string>();
      let cursor: Uint8Array | undefined;
      let count = 2;
      for (let i = 0; i < 10; i++) {
        let r;
        try {
          r = m.lookupBatch(cursor, count);
        } catch (e) {
          // The kernel hands out whole buckets: one with more keys than `count` (keys hash with a
          // seed of each map's) is ENOSPC, and the caller asks again for more.
          if (!(isBpfError(e) && e.code === 'ENOSPC')) throw e;
          count *= 2;
          continue;
        }
        r.keys.forEach((k, j) => seen.set(hex(k)!, hex(r.values[j])!));
        if (r.done) break;
        cursor = r.outBatch;
      }
      assert.equal(seen.size, 5);
      assert.equal(seen.get('0c000000'), '16000000');
      m.deleteBatch(keys.slice(0, 3));
      assert.equal([...m.entries()].length, 2);
      assert.throws(() => m.deleteBatch([u32(10)]), (e: unknown) => isBpfError(e) && e.code === 'ENOENT' && (e as { completed?: number }).completed === 0);
    } finally {
      m.close();
    }
  });

  test('array map: elements always exist, indices bound, freeze stops user space', () => {
    const m = KernelMap.create({ type: 'array', name: 'tsbpf_kt_array', keySize: 4, valueSize: 12, maxEntries: 4, flags: 0 });
    try {
      assert.equal(hex(m.lookup(u32(3))), '00'.repeat(12));
      assert.equal(m.lookup(u32(4)), undefined, 'beyond max_entries is ENOENT');
      m.update(u32(1), new Uint8Array(12).fill(0xab));
      assert.equal(hex(m.lookup(u32(1))), 'ab'.repeat(12));
      const keys: string[] = [];
      for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) keys.push(hex(k)!);
      assert.deepEqual(keys, ['00000000', '01000000', '02000000', '03000000']);
      assert.throws(() => m.update(u32(4), new Uint8Array(12)), { code: 'E2BIG' });
      assert.throws(() => m.update(u32(0), new Uint8Array(12), UPDATE.NOEXIST), { code: 'EEXIST' });
      assert.throws(() => m.delete(u32(0)), { code: 'EINVAL', message: /cannot be deleted/ });
      const batch = m.lookupBatch(undefined, 10);
      assert.equal(batch.keys.length, 4);
      assert.equal(batch.done, true);

      m.freeze();
      assert.equal(m.frozen, true);
      assert.throws(() => m.update(u32(0), new Uint8Array(12)), { code: 'EPERM', message: /frozen/ });
      assert.equal(hex(m.lookup(u32(1))), 'ab'.repeat(12), 'reads still work');
    } finally {
      m.close();
    }
  });

  test('a frozen map refuses writes in the kernel too (the local check bypassed)', () => {
    const m = KernelMap.create({ type: 'array', name: 'tsbpf_kt_frz', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    try {
      m.freeze();
      // Straight to bpf(2), past KernelMap's own check: the kernel answers EPERM itself.
      assert.throws(() => mapUpdateElem(m.fd, u32(0), u32(1)), (e: unknown) => isKernelError(e) && e.errnoName === 'EPERM' && e.command === 'BPF_MAP_UPDATE_ELEM');
    } finally {
      m.close();
    }
  });

  test('per-CPU array: values for every possible CPU, 8-byte aligned', () => {
    const m = KernelMap.create({ type: 'percpu_array', name: 'tsbpf_kt_pcpu', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 });
    try {
      const n = possibleCpus();
      assert.equal(m.userValueSize, n * 8);
      const v = new Uint8Array(n * 8);
      for (let c = 0; c < n; c++) v[c * 8] = c + 1;
      m.update(u32(1), v);
      assert.equal(hex(m.lookup(u32(1))), hex(v));
    } finally {
      m.close();
    }
  });

  /** One script of calls, given to a map of each kind; the outcomes must be the same. */
  function script(m: BpfMap, hashLike: boolean): string[] {
    const out: string[] = [];
    const vs = m.userValueSize;
    const val = (b: number): Uint8Array => new Uint8Array(vs).fill(b);
    out.push(outcome(() => m.lookup(u32(0))));
    out.push(outcome(() => m.update(u32(0), val(1), UPDATE.EXIST)));
    out.push(outcome(() => m.update(u32(0), val(2), UPDATE.NOEXIST)));
    out.push(outcome(() => m.update(u32(1), val(3))));
    out.push(outcome(() => m.update(u32(2), val(4))));
    out.push(outcome(() => m.update(u32(3), val(5))));
    out.push(outcome(() => m.update(u32(0), val(6), UPDATE.NOEXIST)));
    out.push(outcome(() => m.lookup(u32(1))));
    out.push(outcome(() => m.delete(u32(1))));
    out.push(outcome(() => m.delete(u32(1))));
    out.push(outcome(() => m.update(u32(7), val(7), 8)));
    out.push(outcome(() => m.update(new Uint8Array(3), val(1))));
    out.push(outcome(() => m.update(u32(0), new Uint8Array(vs + 1))));
    const keys: string[] = [];
    for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) keys.push(hex(k)!);
    out.push(`keys ${(hashLike ? keys.sort() : keys).join(',')}`);
    out.push(outcome(() => m.freeze()));
    out.push(outcome(() => m.update(u32(0), val(9))));
    out.push(outcome(() => m.freeze()));
    out.push(outcome(() => m.lookup(u32(0))));
    return out;
  }

  for (const type of ['hash', 'array', 'percpu_hash', 'lru_hash'] as const) {
    test(`${type}: the same calls give the same results and errors as the VM's map`, () => {
      const spec: MapSpec = { type, name: `tsbpf_kt_${type}`.slice(0, 15), keySize: 4, valueSize: 8, maxEntries: 3, flags: 0 };
      const vm = createMap(spec, { nCpus: possibleCpus() });
      const k = KernelMap.create(spec);
      try {
        const hashLike = type !== 'array';
        assert.deepEqual(script(k, hashLike), script(vm, hashLike));
      } finally {
        k.close();
      }
    });
  }
});
