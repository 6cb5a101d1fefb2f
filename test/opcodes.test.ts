import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, classifyOrReason, lddwFromValue, lddwValue } from '../src/isa/insn.js';

test('lddw round-trips its 64-bit constant through encode/decode', () => {
  const insn = lddwFromValue(3, 0x1122334455667788n);
  const back = decode(encode([insn]));
  assert.equal(back.length, 1);
  assert.equal(lddwValue(back[0]!), 0x1122334455667788n);
  assert.equal(back[0]!.dst, 3);
});

test('callx is rejected with a reason naming it', () => {
  const r = classifyOrReason({ code: 0x8d, dst: 2, src: 0, off: 0, imm: 0 });
  assert.equal(typeof r, 'string');
  assert.match(r as string, /callx/);
});
