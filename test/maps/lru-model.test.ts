/**
 * lru_hash against a model of tsbpf's exact LRU (maps/lru.ts): one recency list per map, or per
 * CPU with BPF_F_NO_COMMON_LRU; inserts evict the oldest of their list when it is full, updates
 * and program lookups make an element the newest, user-space lookups do not. Random operations;
 * the map's keys and which ones were evicted must follow the model throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMap, MAP_FLAGS, UPDATE } from '../../src/maps/index.js';
import { rng } from '../support/rng.js';
import { readU32, spec, u32 } from './support.js';

for (const common of [true, false]) {
  test(`lru_hash${common ? '' : ' with BPF_F_NO_COMMON_LRU'}: evictions follow an exact-LRU model`, () => {
    const nCpus = 2, max = 6;
    const m = createMap(spec('lru_hash', 4, 4, max, common ? 0 : MAP_FLAGS.NO_COMMON_LRU), { nCpus });
    const capacity = common ? max : Math.ceil(max / nCpus);
    // Each list: keys, oldest first.
    const lists: number[][] = common ? [[]] : Array.from({ length: nCpus }, () => []);
    const listOf = (k: number): number[] | undefined => lists.find((l) => l.includes(k));
    const touch = (k: number): void => {
      const l = listOf(k)!;
      l.splice(l.indexOf(k), 1);
      l.push(k);
    };
    const r = rng(common ? 3 : 4);
    for (let step = 0; step < 3000; step++) {
      const k = r.int(12);
      const cpu = r.int(nCpus);
      const op = r.int(5);
      if (op <= 1) {
        // op 0: from user space (CPU 0's list for a new element); op 1: from a program on `cpu`.
        if (op === 0) m.update(u32(k), u32(step));
        else m.updateFromProgram(u32(k), u32(step), UPDATE.ANY, cpu);
        if (listOf(k)) touch(k);
        else {
          const l = lists[common ? 0 : op === 0 ? 0 : cpu]!;
          if (l.length >= capacity) l.shift();
          l.push(k);
        }
      } else if (op === 2) {
        const v = m.lookupView(u32(k), cpu);
        assert.equal(v !== undefined, listOf(k) !== undefined, `step ${step}: program lookup of ${k}`);
        if (v) touch(k);
      } else if (op === 3) {
        assert.equal(m.lookup(u32(k)) !== undefined, listOf(k) !== undefined, `step ${step}: user lookup of ${k}`);
      } else if (listOf(k)) {
        m.delete(u32(k));
        const l = listOf(k)!;
        l.splice(l.indexOf(k), 1);
      }
      const inMap = [...m.entries()].map(([key]) => readU32(key)!).sort((a, b) => a - b);
      assert.deepEqual(inMap, lists.flat().sort((a, b) => a - b), `step ${step}`);
    }
  });
}
