/**
 * jhash/jhash2 equal the kernel's: with BPF_F_ZERO_SEED a kernel hash map iterates bucket by
 * bucket (bucket = hash & (n_buckets - 1)), newest first within a bucket, so its get_next_key order
 * fixes the hash values. The orders below were dumped from Linux 6.18 (64 buckets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jhash, jhash2 } from '../../src/maps/index.js';
import { fromHex, toHex } from './support.js';

function kernelOrder(keys: Uint8Array[], buckets: number): string[] {
  const h = (k: Uint8Array): number => (k.length % 4 === 0 ? jhash2(k, 0) : jhash(k, 0)) & (buckets - 1);
  return keys
    .map((k, i) => ({ k, i, b: h(k) }))
    .sort((a, b) => a.b - b.b || b.i - a.i)
    .map((e) => toHex(e.k)!);
}

test('jhash2 over 4-byte keys matches the kernel bucket order', () => {
  const keys = Array.from({ length: 20 }, (_, i) => Uint8Array.of(i, 0, 0, 0));
  assert.deepEqual(kernelOrder(keys, 64).join(' '),
    '12000000 0f000000 02000000 08000000 09000000 03000000 07000000 0d000000 01000000 10000000 11000000 0a000000 04000000 05000000 13000000 00000000 0e000000 0c000000 0b000000 06000000');
});

test('jhash over 3-byte keys matches the kernel bucket order', () => {
  const keys = Array.from({ length: 12 }, (_, i) => Uint8Array.of(i, 1, 2));
  assert.deepEqual(kernelOrder(keys, 64).join(' '), '030102 050102 0b0102 080102 070102 020102 010102 0a0102 090102 040102 000102 060102');
});

test('jhash over 13-byte keys (one full 12-byte round) matches the kernel bucket order', () => {
  const keys = Array.from({ length: 12 }, (_, i) => fromHex(i.toString(16).padStart(2, '0') + '0102030405060708090a0b0c'));
  assert.deepEqual(kernelOrder(keys, 64).map((k) => k.slice(0, 2)).join(' '), '01 02 00 03 05 07 04 08 06 0a 0b 09');
});

test('jhash of nothing is the initial value', () => {
  assert.equal(jhash(new Uint8Array(0), 0), 0xdeadbeef);
  assert.equal(jhash2(new Uint8Array(0), 1), 0xdeadbef0);
});
