/** ringbuf: reserve/submit/discard/output, positions, wraparound, the consumer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, RINGBUF_QUERY as Q, RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT } from '../../src/maps/index.js';
import { readU32, spec, throwsCode } from './support.js';

const ring = (size = 4096) => createMap(spec('ringbuf', 0, 0, size));

test('ringbuf: records have an 8-byte header and 8-byte alignment; query reports positions', () => {
  const rb = ring();
  assert.equal(rb.query(Q.RING_SIZE), 4096);
  assert.equal(rb.query(Q.AVAIL_DATA), 0);
  const r = rb.reserve(5)!;
  assert.equal(r.length, 5);
  assert.equal(rb.query(Q.PROD_POS), 16, 'round_up(5 + 8, 8)');
  assert.equal(readU32(rb.data, 0), (5 | RINGBUF_BUSY_BIT) >>> 0, 'busy while reserved');
  r.set([1, 2, 3, 4, 5]);
  rb.submit(r);
  assert.equal(readU32(rb.data, 0), 5);
  assert.deepEqual([...rb.data.subarray(8, 13)], [1, 2, 3, 4, 5]);
  assert.equal(rb.output(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)), true);
  assert.equal(rb.query(Q.PROD_POS), 32);
  assert.equal(rb.query(Q.AVAIL_DATA), 32);
  assert.equal(rb.query(Q.CONS_POS), 0);
  assert.equal(rb.query(7), 0, 'unknown query flags give 0');
  assert.deepEqual(rb.drain().map((d) => [...d]), [[1, 2, 3, 4, 5], [9, 9, 9, 9, 9, 9, 9, 9]]);
  assert.equal(rb.query(Q.CONS_POS), 32);
  assert.equal(rb.query(Q.AVAIL_DATA), 0);
  assert.deepEqual(rb.drain(), []);
});

test('ringbuf: discarded records are skipped; the consumer stops at a record still reserved', () => {
  const rb = ring();
  const a = rb.reserve(4)!;
  const b = rb.reserve(4)!;
  const c = rb.reserve(4)!;
  a.set([1, 1, 1, 1]);
  b.set([2, 2, 2, 2]);
  c.set([3, 3, 3, 3]);
  rb.discard(a);
  assert.equal(readU32(rb.data, 0), (4 | RINGBUF_DISCARD_BIT) >>> 0);
  rb.submit(c);
  assert.deepEqual(rb.drain(), [], 'b is still reserved, so nothing after it is visible');
  assert.equal(rb.query(Q.CONS_POS), 16, 'the discarded record was passed');
  rb.submit(b);
  assert.deepEqual(rb.drain().map((d) => d[0]), [2, 3]);
  throwsCode(() => rb.submit(b), 'EINVAL', 'not reserved');
  throwsCode(() => rb.submit(new Uint8Array(4)), 'EINVAL');
});

test('ringbuf: space runs out at size - 1 bytes ahead of the consumer', () => {
  const rb = ring();
  assert.equal(rb.reserve(4096 - 8), undefined, 'a record of the whole ring never fits');
  assert.equal(rb.reserve(5000), undefined);
  const big = rb.reserve(4096 - 16)!; // 4088 bytes with its header
  assert.equal(big.length, 4080);
  assert.equal(rb.reserve(0), undefined, 'even an empty record needs 8 more bytes');
  assert.equal(rb.output(Uint8Array.of(1)), false, 'output says no room (the helper returns -EAGAIN)');
  rb.submit(big);
  assert.equal(rb.drain().length, 1);
  assert.ok(rb.reserve(0), 'room again after the consumer moved on');
  assert.equal(rb.reserve(4, 1), undefined, 'reserve flags must be 0');
  throwsCode(() => rb.output(Uint8Array.of(1), 4), 'EINVAL', 'BPF_RB_NO_WAKEUP');
  assert.equal(rb.output(Uint8Array.of(1), 1 | 2), true);
});

test('ringbuf: a record that wraps is contiguous to the program and laid out as the kernel after submit', () => {
  const rb = ring();
  rb.submit(rb.reserve(4000)!); // 4008 bytes
  rb.drain();
  const r = rb.reserve(100)!; // header at 4008, data 4016..4116 wraps past 4096
  for (let i = 0; i < 100; i++) r[i] = i;
  rb.submit(r);
  assert.equal(rb.query(Q.PROD_POS), 4008 + 112);
  assert.equal(readU32(rb.data, 4008), 100);
  // The ring (as mmap'd): bytes 0..79 of the record sit at 4016..4095, the rest at 0..19.
  assert.deepEqual([...rb.data.subarray(4016, 4020)], [0, 1, 2, 3]);
  assert.deepEqual([...rb.data.subarray(0, 4)], [80, 81, 82, 83]);
  const out = rb.drain();
  assert.equal(out.length, 1);
  assert.deepEqual([...out[0]!], Array.from({ length: 100 }, (_, i) => i));
  // Keep going around several times; every record comes back intact.
  const seen: number[] = [];
  for (let round = 0; round < 200; round++) {
    const rec = rb.reserve(1 + (round % 50))!;
    rec.fill(round & 0xff);
    rb.submit(rec);
    for (const d of rb.drain()) {
      assert.ok(d.every((x) => x === d[0]));
      seen.push(d.length);
    }
  }
  assert.equal(seen.length, 200);
  assert.equal(seen[49], 50);
  let expected = 4008 + 112;
  for (let round = 0; round < 200; round++) expected += (1 + (round % 50) + 8 + 7) & ~7;
  assert.equal(rb.query(Q.PROD_POS), expected);
  assert.ok(expected > 2 * 4096, 'the ring wrapped more than twice');
  assert.equal(rb.query(Q.PROD_POS), rb.query(Q.CONS_POS));
});

test('ringbuf: no element operations from user space (ENOTSUPP) or programs', () => {
  const rb = ring();
  const none = new Uint8Array(0);
  throwsCode(() => rb.lookup(none), 'ENOTSUPP');
  throwsCode(() => rb.update(none, none), 'ENOTSUPP');
  throwsCode(() => rb.delete(none), 'ENOTSUPP');
  throwsCode(() => rb.getNextKey(undefined), 'ENOTSUPP');
  throwsCode(() => rb.lookupView(none, 0), 'EINVAL');
});
