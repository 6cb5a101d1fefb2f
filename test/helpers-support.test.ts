/** Argument and result conversions of the helpers (helpers/support.ts, errno.ts) against BigInt arithmetic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s32, u32 } from '../src/helpers/support.js';
import { ERRNO, errnoName, negErrno, type ErrnoName } from '../src/helpers/errno.js';
import { rng } from './support/rng.js';

test('u32 and s32 take the low half of a register as the kernel\'s u32 and int parameters do', () => {
  const r = rng(77);
  const values = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n, 0xffff900000000010n, -1n, -(1n << 63n)];
  for (let i = 0; i < 500; i++) values.push(r.u64());
  for (const v of values) {
    assert.equal(u32(v), Number(v & 0xffffffffn), `u32(${v})`);
    assert.equal(s32(v), Number(BigInt.asIntN(32, v)), `s32(${v})`);
  }
});

test('negErrno is -errno as an unsigned 64-bit r0, and errnoName reads it back', () => {
  for (const name of Object.keys(ERRNO) as ErrnoName[]) {
    assert.equal(negErrno(name), (1n << 64n) - BigInt(ERRNO[name]));
    assert.equal(errnoName(negErrno(name)), name);
  }
});
