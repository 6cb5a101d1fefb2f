/** queue and stack: push/pop/peek, overwrite with BPF_EXIST, user-space paths (checked on Linux 6.18). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, UPDATE } from '../../src/maps/index.js';
import { readU32, spec, throwsCode, u32 } from './support.js';

const none = new Uint8Array(0);

test('queue: FIFO; full is E2BIG; BPF_EXIST drops the oldest', () => {
  const q = createMap(spec('queue', 0, 4, 2));
  q.update(none, u32(1));
  q.update(none, u32(2));
  throwsCode(() => q.update(none, u32(3)), 'E2BIG', 'full');
  q.update(none, u32(3), UPDATE.EXIST);
  throwsCode(() => q.update(none, u32(3), UPDATE.NOEXIST), 'EINVAL', 'push flags');
  throwsCode(() => q.update(none, u32(3), UPDATE.F_LOCK), 'EINVAL');
  assert.equal(readU32(q.lookup(none)), 2, 'lookup from user space peeks');
  assert.equal(readU32(q.lookupAndDelete(none)), 2);
  assert.equal(readU32(q.lookupAndDelete(none)), 3);
  assert.equal(q.lookupAndDelete(none), undefined);
  assert.equal(q.lookup(none), undefined);
  throwsCode(() => q.delete(none), 'EINVAL');
  throwsCode(() => q.getNextKey(undefined), 'EINVAL');
});

test('stack: LIFO; BPF_EXIST on a full stack also drops the oldest', () => {
  const s = createMap(spec('stack', 0, 4, 2));
  s.update(none, u32(1));
  s.update(none, u32(2));
  s.update(none, u32(3), UPDATE.EXIST);
  assert.equal(readU32(s.lookupAndDelete(none)), 3);
  assert.equal(readU32(s.lookupAndDelete(none)), 2);
  assert.equal(s.lookupAndDelete(none), undefined);
});

test('queue and stack: program helpers push/pop/peek, and user keys must be empty', () => {
  const q = createMap(spec('queue', 0, 8, 4));
  const s = createMap(spec('stack', 0, 8, 4));
  for (const m of [q, s]) {
    for (let i = 1; i <= 3; i++) m.push(Uint8Array.of(i, 0, 0, 0, 0, 0, 0, 0));
    m.updateFromProgram(none, Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0), 0, 1);
  }
  assert.equal(q.peek()![0], 1);
  assert.equal(s.peek()![0], 4);
  assert.deepEqual([q.pop()![0], q.pop()![0], q.pop()![0], q.pop()![0], q.pop()], [1, 2, 3, 4, undefined]);
  assert.deepEqual([s.pop()![0], s.pop()![0], s.pop()![0], s.pop()![0], s.pop()], [4, 3, 2, 1, undefined]);
  throwsCode(() => q.push(u32(1)), 'EINVAL', 'value must be 8 bytes');
  throwsCode(() => q.lookup(u32(0)), 'EINVAL', 'key must be 0 bytes');
  throwsCode(() => q.lookupView(none, 0), 'EINVAL');
});

test('queue: frozen refuses pop from user space (EPERM), programs still push', () => {
  const q = createMap(spec('queue', 0, 4, 4));
  q.update(none, u32(1));
  q.freeze();
  throwsCode(() => q.lookupAndDelete(none), 'EPERM', 'frozen');
  throwsCode(() => q.update(none, u32(1)), 'EPERM');
  assert.equal(readU32(q.lookup(none)), 1);
  q.push(u32(2));
  assert.equal(q.size, 2);
});
