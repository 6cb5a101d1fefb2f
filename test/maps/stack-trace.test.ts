/** stack_trace: ids by hash bucket, collisions, REUSE and FAST_CMP, padding, skip, deletes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, jhash2, MAP_FLAGS, STACKID_FLAGS as S } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, toHex, u32 } from './support.js';

function ipBytes(ips: bigint[]): Uint8Array {
  const b = new Uint8Array(ips.length * 8);
  ips.forEach((ip, i) => new DataView(b.buffer).setBigUint64(i * 8, ip, true));
  return b;
}

test('stack_trace: the id is jhash2(ips) & (buckets - 1); lookup pads with zeros', () => {
  const m = createMap(spec('stack_trace', 4, 32, 5)); // 8 buckets, 4 frames
  assert.equal(m.bucketCount, 8);
  const ips = [0xffffffff81000010n, 0xffffffff81000020n];
  const id = m.getStackId(ips);
  assert.equal(id, jhash2(ipBytes(ips), 0) & 7);
  assert.equal(m.getStackId(ips), id, 'the same stack gets the same id');
  assert.equal(toHex(m.lookup(u32(id))), toHex(ipBytes(ips)) + '00'.repeat(16));
  assert.deepEqual(m.stack(id), ips);
});

/** Two different stacks whose hashes land in the same bucket of an 8-bucket map. */
function collidingPair(): [bigint[], bigint[]] {
  const first = [0x1000n];
  const want = jhash2(ipBytes(first), 0) & 7;
  for (let x = 0x1001n; ; x++) if ((jhash2(ipBytes([x]), 0) & 7) === want) return [first, [x]];
}

test('stack_trace: another stack in the same bucket is EEXIST unless BPF_F_REUSE_STACKID', () => {
  const m = createMap(spec('stack_trace', 4, 8, 8));
  const [a, b] = collidingPair();
  const id = m.getStackId(a);
  throwsCode(() => m.getStackId(b), 'EEXIST', 'BPF_F_REUSE_STACKID');
  assert.equal(m.getStackId(b, S.REUSE_STACKID), id);
  assert.deepEqual(m.stack(id), b);
  // FAST_STACK_CMP trusts an equal hash; different hashes in one bucket still collide.
  assert.equal(m.getStackId(b, S.FAST_STACK_CMP), id);
  throwsCode(() => m.getStackId(a, S.FAST_STACK_CMP), 'EEXIST');
});

test('stack_trace: skip frames, truncate to value_size / 8, and the flag errors', () => {
  const m = createMap(spec('stack_trace', 4, 16, 4));
  const id = m.getStackId([1n, 2n, 3n, 4n, 5n], 1);
  assert.deepEqual(m.stack(id), [2n, 3n], 'skip 1, keep 2 frames');
  throwsCode(() => m.getStackId([1n, 2n], 2), 'EFAULT', 'leaves none');
  throwsCode(() => m.getStackId([1n], 1 << 11), 'EINVAL');
  m.getStackId([9n], S.USER_STACK);
});

test('stack_trace: user space reads, iterates and deletes by id; updates are EINVAL', () => {
  const m = createMap(spec('stack_trace', 4, 8, 4));
  assert.equal(m.getNextKey(undefined), undefined);
  assert.equal(m.lookup(u32(0)), undefined);
  throwsCode(() => m.delete(u32(0)), 'ENOENT');
  throwsCode(() => m.delete(u32(4)), 'E2BIG');
  throwsCode(() => m.update(u32(0), new Uint8Array(8)), 'EINVAL', 'bpf_get_stackid');
  const ids = [[10n], [20n], [30n]].map((s) => { try { return m.getStackId(s); } catch { return -1; } }).filter((i) => i >= 0);
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const walk: number[] = [];
  for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) walk.push(readU32(k)!);
  assert.deepEqual(walk, sorted);
  const value = m.lookupAndDelete(u32(sorted[0]!))!;
  assert.equal(value.length, 8);
  assert.equal(m.lookup(u32(sorted[0]!)), undefined);
  throwsCode(() => m.lookupView(u32(0), 0), 'EINVAL');
});

test('stack_trace: all max_entries stacks in use is ENOMEM', () => {
  const m = createMap(spec('stack_trace', 4, 8, 3)); // 4 buckets, 3 stacks
  const used = new Set<number>();
  for (let x = 1n; used.size < 3; x++) {
    const id = (jhash2(ipBytes([x]), 0) & 3);
    if (used.has(id)) continue;
    assert.equal(m.getStackId([x]), id);
    used.add(id);
  }
  for (let x = 1000n; ; x++) {
    if (used.has(jhash2(ipBytes([x]), 0) & 3)) continue;
    throwsCode(() => m.getStackId([x]), 'ENOMEM');
    break;
  }
});

test('stack_trace with BPF_F_STACK_BUILD_ID: entries say "IP only" and carry the address', () => {
  const m = createMap(spec('stack_trace', 4, 64, 4, MAP_FLAGS.STACK_BUILD_ID));
  const id = m.getStackId([0x401000n]);
  const v = m.lookup(u32(id))!;
  const dv = new DataView(v.buffer);
  assert.equal(dv.getInt32(0, true), 2);
  assert.equal(dv.getBigUint64(24, true), 0x401000n);
  assert.equal(dv.getBigUint64(56, true), 0n);
});
