/**
 * The hash maps' key table (maps/key-table.ts) against a plain model, a JavaScript Map keyed by the
 * key's hex: random adds, deletes and lookups, keys whose hashes collide in full, and whole hash
 * maps driven through growth and shrinking of the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable, keyHash, type KeyedEntry } from '../../src/maps/key-table.js';
import { createMap, UPDATE } from '../../src/maps/index.js';
import { rng } from '../support/rng.js';
import { spec, toHex } from './support.js';

interface Entry extends KeyedEntry<Entry> {
  tag: number;
}

const entry = (key: Uint8Array, tag: number): Entry => ({ key: key.slice(), tag, hash: 0, chain: undefined });

/** Two different keys of `len` bytes with the same 32-bit keyHash (birthday search, seeded). */
function collidingKeys(len: number, seed: number): [Uint8Array, Uint8Array] {
  const r = rng(seed);
  const seen = new Map<number, Uint8Array>();
  for (;;) {
    const k = r.bytes(len);
    const h = keyHash(k);
    const other = seen.get(h);
    if (other !== undefined && toHex(other) !== toHex(k)) return [other, k];
    seen.set(h, k);
  }
}

test('key table: the same answers as a Map by hex under random adds, deletes and lookups', () => {
  for (const len of [1, 3, 4, 8, 13, 64]) {
    const r = rng(1000 + len);
    const table = new KeyTable<Entry>();
    const model = new Map<string, Entry>();
    // Few distinct keys for short lengths, so the same keys come back and deletes hit.
    const space = len === 1 ? 256 : 600;
    const keys = Array.from({ length: space }, (_, i) => (len === 1 ? Uint8Array.of(i) : r.bytes(len)));
    for (let op = 0; op < 20000; op++) {
      const key = keys[r.int(keys.length)]!;
      const hex = toHex(key)!;
      const found = table.get(key);
      assert.equal(found, model.get(hex), `lookup of ${hex} at op ${op}`);
      if (found === undefined && r.int(3) !== 0) {
        const e = entry(key, op);
        table.add(e);
        model.set(hex, e);
      } else if (found !== undefined && r.int(2) === 0) {
        table.delete(found);
        model.delete(hex);
      }
      assert.equal(table.size, model.size);
    }
    for (const [hex, e] of model) assert.equal(table.get(Uint8Array.from(Buffer.from(hex, 'hex'))), e);
  }
});

test('key table: keys with the same hash are told apart by their bytes', () => {
  // (Four-byte keys never collide: for them keyHash is a bijection.)
  for (const len of [6, 8]) {
    const [a, b] = collidingKeys(len, 7 + len);
    assert.equal(keyHash(a), keyHash(b));
    const table = new KeyTable<Entry>();
    const ea = entry(a, 1);
    table.add(ea);
    assert.equal(table.get(b), undefined, 'a colliding key that is not there');
    const eb = entry(b, 2);
    table.add(eb);
    assert.equal(table.get(a), ea);
    assert.equal(table.get(b), eb);
    table.delete(ea);
    assert.equal(table.get(a), undefined);
    assert.equal(table.get(b), eb);
    assert.equal(table.size, 1);
  }
});

test('key table: deleting an element that is not in it changes nothing', () => {
  const table = new KeyTable<Entry>();
  const e = entry(Uint8Array.of(1, 2, 3, 4), 1);
  table.add(e);
  table.delete(entry(Uint8Array.of(1, 2, 3, 4), 2));
  assert.equal(table.get(Uint8Array.of(1, 2, 3, 4)), e);
  assert.equal(table.size, 1);
});

test('hash map: 5,000 keys in, most out, in again: lookups, order and size follow a model', () => {
  const m = createMap(spec('hash', 8, 4, 5000));
  const r = rng(42);
  const model = new Map<string, string>();
  const keys = Array.from({ length: 5000 }, () => r.bytes(8));
  const fill = (from: number, to: number, tag: number): void => {
    for (let i = from; i < to; i++) {
      const v = Uint8Array.of(tag, i & 0xff, i >> 8, 0);
      m.update(keys[i]!, v);
      model.set(toHex(keys[i])!, toHex(v)!);
    }
  };
  fill(0, 5000, 1);
  // The table grew to thousands of buckets; deleting most of it shrinks it again.
  for (let i = 0; i < 4900; i++) {
    m.delete(keys[i]!);
    model.delete(toHex(keys[i])!);
  }
  assert.equal(m.size, model.size);
  for (let i = 0; i < 5000; i++) assert.equal(toHex(m.lookupView(keys[i]!, 0)), model.get(toHex(keys[i])!), `key ${i}`);
  fill(0, 2000, 2);
  assert.equal(m.size, 2100);
  // A key that is there is EEXIST for BPF_NOEXIST, through the table.
  assert.throws(() => m.update(keys[4950]!, new Uint8Array(4), UPDATE.NOEXIST), /EEXIST|exists/);
  // Iteration order is insertion order.
  const dumped = [...m.entries()].map(([k, v]) => [toHex(k)!, toHex(v)!]);
  const expected = [...keys.slice(4900), ...keys.slice(0, 2000)].map((k) => [toHex(k)!, model.get(toHex(k)!)!]);
  assert.deepEqual(dumped, expected);
});
