/**
 * Helpers that call back into the program (kernel/bpf/bpf_iter.c): bpf_loop and
 * bpf_for_each_map_elem. Callbacks run through RunContext.callFunction in the run's memory, each
 * with a fresh stack frame; whatever a callback adds to memory goes when it returns. A callback's
 * nonzero r0 stops the iteration (the verifier allows only 0 and 1).
 */
import type { HelperCall, HelperDef } from './registry.js';
import type { RunContext, VmMap } from '../vm/runtime.js';
import type { Region } from '../vm/memory.js';
import { MAP_FLAGS } from '../maps/index.js';
import { u32Bytes } from '../maps/bytes.js';
import { ERRNO, negErrno } from './errno.js';
import { helper, helperError, mapArg, ret, runOf, u32, withPlace } from './support.js';

/** BPF_MAX_LOOPS: the most iterations bpf_loop makes. */
export const BPF_MAX_LOOPS = 1 << 23;

/** Map types with map_for_each_callback in the kernel (of those tsbpf implements). */
export const ITERABLE: ReadonlySet<string> = new Set(['array', 'percpu_array', 'hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash']);

function callback(call: HelperCall, name: string, run: RunContext, fn: bigint, args: bigint[]): bigint {
  if (run.functionAt(fn) === undefined) {
    throw helperError(call, name, 'EINVAL', `0x${fn.toString(16)} is not the address of a BPF function (ARG_PTR_TO_FUNC)`);
  }
  return withPlace(call, name, () => run.callFunction(fn, args).r0);
}

/**
 * bpf_for_each_map_elem's walk over a map (the helper's, and the JIT's when it runs the callback
 * itself): the keys the map holds when it starts, each element still there when its turn comes
 * (an earlier callback may delete it) visited with its key and value given addresses for that
 * element only (`release` drops them: a large map must not pile up regions).
 */
export class MapWalk {
  private readonly keys: Uint8Array[];
  private at = 0;
  /** Elements visited so far: what the helper returns. */
  count = 0;
  private readonly writable: boolean;

  constructor(private readonly run: RunContext, readonly map: VmMap) {
    this.keys = keysOf(map);
    this.writable = (map.map.spec.flags & MAP_FLAGS.RDONLY_PROG) === 0;
  }

  /** The next element's key and value regions (added to memory after `mark`), or undefined at the end. */
  next(): { key: Region; value: Region; mark: number } | undefined {
    const m = this.map;
    while (this.at < this.keys.length) {
      const key = this.keys[this.at++]!;
      const value = m.map.lookupView(key, this.run.cpu);
      if (value === undefined) continue;
      this.count++;
      const mark = this.run.memory.mark();
      return {
        key: this.run.addRegion(`map '${m.name}' key`, 'map_value', key, false),
        value: this.run.addRegion(`map '${m.name}' value`, 'map_value', value, this.writable),
        mark,
      };
    }
    return undefined;
  }

  release(mark: number): void {
    this.run.memory.truncate(mark);
  }
}

/** The map bpf_for_each_map_elem walks, when the helper takes it (else the kernel's EINVAL). */
export function walkableMap(call: HelperCall, name: string, r1: bigint): VmMap {
  const m = mapArg(call, name, r1);
  if (!ITERABLE.has(m.map.spec.type)) {
    throw helperError(call, name, 'EINVAL', `map '${m.name}' is a ${m.map.spec.type} map, which cannot be iterated by this helper`);
  }
  return m;
}

/** The keys to visit: every index of an array, the elements a hash map holds now. */
function keysOf(m: VmMap): Uint8Array[] {
  const found: Uint8Array[] = [];
  if (m.map.spec.type === 'array' || m.map.spec.type === 'percpu_array') {
    for (let i = 0; i < m.map.spec.maxEntries; i++) found.push(u32Bytes(i));
  } else {
    for (let k = m.map.getNextKey(undefined); k !== undefined; k = m.map.getNextKey(k)) found.push(k);
  }
  // Views of one buffer: each key gets a region, and a small typed array of its own is moved out
  // of V8's heap the first time its buffer is asked for (a DataView, the JIT's copy).
  const size = m.map.spec.keySize;
  const all = new Uint8Array(found.length * size);
  return found.map((k, i) => {
    all.set(k, i * size);
    return all.subarray(i * size, (i + 1) * size);
  });
}

export const callbackHelpers: readonly HelperDef[] = [
  helper('loop', {
    proto: 'bpf_loop_proto',
    args: ['anything', 'ptr_to_func', 'ptr_to_stack_or_null', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3, r4) {
      const name = 'bpf_loop';
      const run = runOf(call, name);
      if (r4 !== 0n) return negErrno('EINVAL');
      const n = u32(r1);
      // With flags 0 the verifier inlines bpf_loop (inline_bpf_loop), whose -E2BIG is a 32-bit move:
      // programs see 0xfffffff9 (checked with BPF_PROG_TEST_RUN on 6.18), not a 64-bit -7.
      if (n > BPF_MAX_LOOPS) return BigInt(-ERRNO.E2BIG >>> 0);
      for (let i = 0; i < n; i++) {
        if (callback(call, name, run, r2, [BigInt(i), r3]) !== 0n) return ret(i + 1);
      }
      return ret(n);
    },
  }),
  helper('for_each_map_elem', {
    proto: 'bpf_for_each_map_elem_proto',
    args: ['const_map_ptr', 'ptr_to_func', 'ptr_to_stack_or_null', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3, r4) {
      const name = 'bpf_for_each_map_elem';
      const run = runOf(call, name);
      const m = walkableMap(call, name, r1);
      if (r4 !== 0n) return negErrno('EINVAL');
      const walk = new MapWalk(run, m);
      for (let e = walk.next(); e !== undefined; e = walk.next()) {
        let r0: bigint;
        try {
          r0 = callback(call, name, run, r2, [m.handle.addr(0), e.key.addr(0), e.value.addr(0), r3]);
        } finally {
          walk.release(e.mark);
        }
        if (r0 !== 0n) break;
      }
      return ret(walk.count);
    },
  }),
];
