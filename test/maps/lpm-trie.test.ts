/** lpm_trie: longest-prefix match, flags, capacity, delete and the kernel's get_next_key order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, MAP_FLAGS, UPDATE } from '../../src/maps/index.js';
import { fromHex, readU32, spec, throwsCode, toHex, u32 } from './support.js';

/** An IPv4 LPM key: u32 prefix length (little-endian) then the address in network order. */
function v4(cidr: string): Uint8Array {
  const [addr, len] = cidr.split('/');
  const key = new Uint8Array(8);
  new DataView(key.buffer).setUint32(0, Number(len ?? 32), true);
  key.set(addr!.split('.').map(Number), 4);
  return key;
}

const trie = (max = 16, keySize = 8) => createMap(spec('lpm_trie', keySize, 4, max, MAP_FLAGS.NO_PREALLOC));

function dump(m: ReturnType<typeof trie>): string[] {
  return [...m.entries()].map(([k]) => toHex(k)!);
}

test('lpm_trie: 10.0.0.0/8 vs 10.1.0.0/16', () => {
  const m = trie();
  m.update(v4('10.0.0.0/8'), u32(8));
  m.update(v4('10.1.0.0/16'), u32(16));
  assert.equal(readU32(m.lookup(v4('10.1.2.3'))), 16);
  assert.equal(readU32(m.lookup(v4('10.2.2.3'))), 8);
  assert.equal(readU32(m.lookup(v4('10.1.255.255'))), 16);
  assert.equal(m.lookup(v4('11.1.2.3')), undefined);
  // A lookup key with a shorter prefix only matches prefixes at most that long.
  assert.equal(readU32(m.lookup(v4('10.1.0.0/15'))), 8);
  assert.equal(readU32(m.lookup(v4('10.1.0.0/16'))), 16);
  assert.equal(m.lookup(v4('10.1.0.0/33')), undefined);
  m.delete(v4('10.1.0.0/16'));
  assert.equal(readU32(m.lookup(v4('10.1.2.3'))), 8);
});

test('lpm_trie: the sequence checked on Linux 6.18 (flags, ENOSPC, prefix limits)', () => {
  const m = trie(3);
  m.update(fromHex('080000000a000000'), u32(1));
  m.update(fromHex('100000000a010000'), u32(2));
  m.update(fromHex('180000000a010200'), u32(3));
  throwsCode(() => m.update(fromHex('180000000a010300'), u32(4)), 'ENOSPC', 'max_entries 3');
  m.update(fromHex('180000000a010200'), u32(5)); // replacing works when full
  throwsCode(() => m.update(fromHex('180000000a010200'), u32(5), UPDATE.NOEXIST), 'EEXIST');
  m.update(fromHex('180000000a010200'), u32(6), UPDATE.EXIST);
  throwsCode(() => m.update(fromHex('180000000a010900'), u32(6), UPDATE.EXIST), 'ENOENT');
  throwsCode(() => m.update(fromHex('200000000a010900'), u32(6)), 'ENOSPC');
  assert.equal(toHex(m.lookup(fromHex('200000000a010203'))), '06000000');
  assert.equal(toHex(m.lookup(fromHex('200000000a020203'))), '01000000');
  assert.equal(m.lookup(fromHex('200000000b020203')), undefined);
  assert.equal(toHex(m.lookup(fromHex('080000000a010203'))), '01000000');
  assert.equal(toHex(m.lookup(fromHex('0f0000000a010000'))), '01000000');
  assert.equal(m.lookup(fromHex('210000000a010000')), undefined);
  throwsCode(() => m.update(fromHex('210000000a010900'), u32(6)), 'EINVAL', 'exceeds 32 bits');
  assert.deepEqual(dump(m), ['180000000a010200', '100000000a010000', '080000000a000000']);
  assert.equal(m.getNextKey(fromHex('080000000a000000')), undefined);
  assert.equal(toHex(m.getNextKey(fromHex('0f0000000a010000'))), '180000000a010200', 'a missing key starts over');
  throwsCode(() => m.delete(fromHex('0f0000000a010000')), 'ENOENT');
  m.delete(fromHex('100000000a010000'));
  assert.deepEqual(dump(m), ['180000000a010200', '080000000a000000']);
  m.update(fromHex('200000000a010900'), u32(6));
  throwsCode(() => m.update(fromHex('200000000a010900'), u32(6), UPDATE.F_LOCK), 'EINVAL');
});

test('lpm_trie: get_next_key is the kernel post-order (the lpm_trie.c example)', () => {
  const m = trie();
  m.update(v4('192.168.0.0/16'), u32(1));
  m.update(v4('192.168.0.0/24'), u32(2));
  m.update(v4('192.168.128.0/24'), u32(3));
  m.update(v4('192.168.1.0/24'), u32(5)); // adds an intermediate 192.168.0.0/23
  assert.deepEqual(dump(m), [toHex(v4('192.168.0.0/24')), toHex(v4('192.168.1.0/24')), toHex(v4('192.168.128.0/24')), toHex(v4('192.168.0.0/16'))]);
  assert.equal(m.size, 4);
  assert.equal(readU32(m.lookup(v4('192.168.1.77'))), 5);
  assert.equal(readU32(m.lookup(v4('192.168.2.77'))), 1, 'the intermediate node is never a match');
});

test('lpm_trie: stored data bytes are the latest update, bits past the prefix included (as the kernel)', () => {
  const m = trie(3);
  m.update(fromHex('080000000a010203'), u32(1));
  assert.deepEqual(dump(m), ['080000000a010203']);
  m.update(fromHex('080000000a090909'), u32(2));
  assert.deepEqual(dump(m), ['080000000a090909']);
});

test('lpm_trie: an intermediate node becomes real, and deletes collapse the trie (checked on Linux 6.18)', () => {
  const m = trie(4);
  m.update(fromHex('100000000a010000'), u32(2));
  m.update(fromHex('100000000a000000'), u32(2));
  m.update(fromHex('0f0000000a01ffff'), u32(3));
  assert.deepEqual(dump(m), ['100000000a000000', '100000000a010000', '0f0000000a01ffff']);
  assert.equal(toHex(m.lookup(fromHex('200000000a000001'))), '02000000');
  assert.equal(m.lookup(fromHex('200000000a020001')), undefined);
  m.delete(fromHex('0f0000000a000000'));
  assert.deepEqual(dump(m), ['100000000a000000', '100000000a010000']);
  m.delete(fromHex('100000000a000000'));
  assert.deepEqual(dump(m), ['100000000a010000']);
  m.delete(fromHex('100000000a010000'));
  assert.deepEqual(dump(m), []);
  assert.equal(m.getNextKey(undefined), undefined);
});

test('lpm_trie: live views, and IPv6-sized keys', () => {
  const m = trie(8, 20);
  const k = new Uint8Array(20);
  k[0] = 32;
  k.set([0x20, 0x01, 0x0d, 0xb8], 4);
  m.update(k, u32(1));
  const addr = new Uint8Array(20);
  addr[0] = 128;
  addr.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 4);
  const v = m.lookupView(addr, 0)!;
  assert.equal(readU32(v), 1);
  v[0] = 9;
  assert.equal(readU32(m.lookup(addr)), 9);
  m.update(k, u32(10));
  assert.equal(readU32(v), 10, 'replacing a prefix keeps its view');
  addr[4] = 0x30;
  assert.equal(m.lookup(addr), undefined);
});

test('lpm_trie: many random prefixes agree with a brute-force longest match', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const m = trie(200);
  const stored = new Map<string, number>();
  for (let i = 0; i < 150; i++) {
    const len = rnd(25);
    const key = new Uint8Array(8);
    new DataView(key.buffer).setUint32(0, len, true);
    key.set([10, rnd(4), rnd(256), rnd(256)], 4);
    m.update(key, u32(i));
    // Bits past the prefix do not matter: the same prefix again replaces the value.
    const masked = key.subarray(4).map((b, j) => (j * 8 >= len ? 0 : j * 8 + 8 <= len ? b : b & (0xff << (8 - (len - j * 8)))));
    stored.set(`${len}/${[...masked].join('.')}`, i);
  }
  const bit = (b: Uint8Array, i: number): number => (b[i >> 3]! >> (7 - (i & 7))) & 1;
  for (let t = 0; t < 300; t++) {
    const addr = Uint8Array.from([10, rnd(4), rnd(256), rnd(256)]);
    let best: [number, number] | undefined;
    for (const [s, v] of stored) {
      const [len, a] = s.split('/');
      const pa = Uint8Array.from(a!.split('.').map(Number));
      let ok = true;
      for (let i = 0; i < Number(len); i++) if (bit(pa, i) !== bit(addr, i)) ok = false;
      if (ok && (!best || Number(len) > best[0])) best = [Number(len), v];
    }
    const key = new Uint8Array(8);
    key[0] = 32;
    key.set(addr, 4);
    assert.equal(readU32(m.lookup(key)), best?.[1], `lookup ${addr.join('.')}`);
  }
  // Every stored prefix appears exactly once in the iteration.
  assert.equal(dump(m).length, m.size);
  assert.equal(new Set(dump(m)).size, m.size);
});
