/** bloom_filter: no false negatives, few false positives, kernel errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, UPDATE } from '../../src/maps/index.js';
import { spec, throwsCode, u32, u64 } from './support.js';

const none = new Uint8Array(0);

test('bloom_filter: pushed values are always found; most others are not', () => {
  const m = createMap(spec('bloom_filter', 0, 8, 1000));
  assert.equal(m.hashCount, 5);
  assert.equal(m.bitCount, 8192, '1000 × 5 × 7/5 = 7000 bits, rounded up to 8192');
  for (let i = 0n; i < 1000n; i++) m.update(none, u64(i * 7919n));
  for (let i = 0n; i < 1000n; i++) assert.equal(m.has(u64(i * 7919n)), true);
  let fp = 0;
  for (let i = 0n; i < 10000n; i++) if (m.peek(u64(i * 7919n + 1n))) fp++;
  assert.ok(fp > 0 && fp < 1500, `false positives: ${fp} of 10000`); // about 7% expected at this fill
});

test('bloom_filter: map_extra sets the hash count; a small filter has 64 bits', () => {
  const m = createMap(spec('bloom_filter', 0, 4, 2, 0, { mapExtra: 3n }));
  assert.equal(m.hashCount, 3);
  assert.equal(m.bitCount, 64);
  assert.equal(m.peek(u32(5)), false);
  m.push(u32(5));
  assert.equal(m.peek(u32(5)), true);
  const odd = createMap(spec('bloom_filter', 0, 3, 10));
  odd.push(Uint8Array.of(1, 2, 3)); // value sizes not a multiple of 4 use jhash, not jhash2
  assert.equal(odd.peek(Uint8Array.of(1, 2, 3)), true);
});

test('bloom_filter: the kernel errors (checked on Linux 6.18)', () => {
  const m = createMap(spec('bloom_filter', 0, 4, 100));
  throwsCode(() => m.update(none, u32(1), UPDATE.NOEXIST), 'EINVAL', 'BPF_ANY only');
  throwsCode(() => m.update(none, u32(1), UPDATE.EXIST), 'EINVAL');
  throwsCode(() => m.delete(none), 'EOPNOTSUPP');
  throwsCode(() => m.getNextKey(undefined), 'EOPNOTSUPP');
  throwsCode(() => m.lookupAndDelete(none), 'ENOTSUPP');
  throwsCode(() => m.lookup(none), 'EINVAL', 'has(value)');
  m.freeze();
  throwsCode(() => m.update(none, u32(1)), 'EPERM');
  m.updateFromProgram(none, u32(1), 0, 0);
  assert.equal(m.has(u32(1)), true);
});
