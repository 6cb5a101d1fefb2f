/**
 * Map helpers (kernel/bpf/helpers.c): lookup, update, delete, push/pop/peek and the per-CPU lookup.
 * Keys and values are read with the map's key_size/value_size, as the verifier guarantees. A
 * lookup gives the program the live value (this run's CPU for per-CPU maps) at an address of its
 * own, read-only for BPF_F_RDONLY_PROG maps; maps of maps give the inner map's handle. Updates and
 * deletes return 0 or the kernel's -errno.
 */
import { ArrayOfMapsMap, BloomFilterMap, HashOfMapsMap, MAP_FLAGS, QueueStackMap } from '../maps/index.js';
import type { HelperCall, HelperDef } from './registry.js';
import type { RunContext, VmMap } from '../vm/runtime.js';
import type { Region } from '../vm/memory.js';
import type { BpfError } from '../errors.js';
import { errnoOf, errnoResult, negErrno } from './errno.js';
import { copyOut, helper, helperError, mapArg, mem, placed, runOf, u32, withPlace } from './support.js';

const PERCPU_TYPES = new Set(['percpu_array', 'percpu_hash', 'lru_percpu_hash']);

/** Keys and values of up to this many bytes are copied into a reused buffer (mapBytes). */
const SCRATCH_MAX = 64;
/** The buffers, by size; keys and values apart, as an update takes one of each. */
const keyScratch: (Uint8Array | undefined)[] = [];
const valueScratch: (Uint8Array | undefined)[] = [];

/**
 * A copy of the program's key or value at `addr` (key_size or value_size bytes), taken before the
 * map sees it, as map operations expect; a clean EFAULT naming it when it is not all in memory.
 * A small one goes to a buffer the next call reuses: every map copies what it keeps, and no map
 * operation calls out, so the buffer is free again when the helper returns. (A fresh copy, or a
 * view, is an allocation, which costs more than a lookup.)
 */
function mapBytes(call: HelperCall, name: string, m: VmMap, addr: bigint, kind: 'key' | 'value'): Uint8Array {
  const size = kind === 'key' ? m.map.spec.keySize : m.map.spec.valueSize;
  if (size <= SCRATCH_MAX) {
    const scratch = kind === 'key' ? keyScratch : valueScratch;
    const b = (scratch[size] ??= new Uint8Array(size));
    if (call.memory.readInto(addr, b)) return b;
  }
  // The description is made only when there is a fault to describe.
  return mem(call, name, addr, size, false, `${kind} of map '${m.name}'`).slice();
}

/** The name of the region a map's looked-up values get, made once per map. */
const valueNames = new WeakMap<VmMap, string>();
function valueRegionName(m: VmMap): string {
  let n = valueNames.get(m);
  if (n === undefined) {
    n = `map '${m.name}' value`;
    valueNames.set(m, n);
  }
  return n;
}

/** The map argument of a helper that changes it: programs cannot write to BPF_F_RDONLY_PROG maps (.rodata), the verifier refuses such a call. */
function writableMapArg(call: HelperCall, name: string, addr: bigint): VmMap {
  const m = mapArg(call, name, addr);
  if (m.map.spec.flags & MAP_FLAGS.RDONLY_PROG) {
    throw helperError(call, name, 'EPERM', `map '${m.name}' is read-only for programs (BPF_F_RDONLY_PROG)`);
  }
  return m;
}

/** The address a program gets for the element `key` on `cpu`, or 0. */
function lookupAddress(call: HelperCall, name: string, m: VmMap, key: Uint8Array, cpu: number): bigint {
  const run = runOf(call, name);
  // By type (createMap makes these two classes for these two types): instanceof costs more.
  const type = m.map.spec.type;
  if (type === 'array_of_maps' || type === 'hash_of_maps') {
    const id = withPlace(call, name, () => (m.map as ArrayOfMapsMap | HashOfMapsMap).innerMapId(key));
    const inner = id === undefined ? undefined : run.vm.maps.get(id);
    return inner ? inner.handle.addr(0) : 0n;
  }
  let r: Region | undefined;
  try {
    r = lookupValueRegion(run, m, key, cpu);
  } catch (e) {
    throw placed(call, name, e);
  }
  return r === undefined ? 0n : r.addr(0);
}

/**
 * What bpf_map_lookup_elem gives a program for `key` on `cpu` of a map that holds values (not
 * maps): the region of the element's value in this run, or undefined.
 */
function lookupValueRegion(run: RunContext, m: VmMap, key: Uint8Array, cpu: number): Region | undefined {
  const view = m.map.lookupView(key, cpu);
  return view === undefined ? undefined : valueRegionOf(run, m, view);
}

/**
 * The region a program's pointer to `view`, a value of `m`, is in (programs may write it unless the
 * map is BPF_F_RDONLY_PROG). Shared with the JIT's compiled lookups (jit/context.ts).
 */
export function valueRegionOf(run: RunContext, m: VmMap, view: Uint8Array): Region {
  return run.valueRegion(view, (m.map.spec.flags & MAP_FLAGS.RDONLY_PROG) === 0, valueRegionName(m));
}

/** Update flags are a u64; anything above BPF_EXIST | BPF_F_LOCK is EINVAL before the map sees it. */
function withUpdateFlags(flags: bigint, op: (flags: number) => void): bigint {
  return flags > 0xffffffffn ? negErrno('EINVAL') : errnoResult(() => op(Number(flags)));
}

/** The clean failure for a map of a type the helper does not take (check_map_func_compatibility). */
function wrongMapType(call: HelperCall, name: string, m: VmMap, needs: string): BpfError {
  return helperError(call, name, 'EINVAL', `map '${m.name}' is a ${m.map.spec.type} map: ${needs}`);
}

/**
 * Pop or peek a queue or stack (`needs` says so when `m` is another map) into the program's buffer
 * at `addr`; an empty one zeroes the buffer and says ENOENT (queue_stack_map_get_elem).
 */
function takeInto(call: HelperCall, name: string, m: VmMap, addr: bigint, needs: string, take: (q: QueueStackMap) => Uint8Array | undefined): bigint {
  const map = m.map;
  if (!(map instanceof QueueStackMap)) throw wrongMapType(call, name, m, needs);
  const dst = mem(call, name, addr, map.spec.valueSize, true, `value of map '${m.name}'`);
  return copyOut(dst, take(map), negErrno('ENOENT'));
}

export const mapHelpers: readonly HelperDef[] = [
  helper('map_lookup_elem', {
    proto: 'bpf_map_lookup_elem_proto',
    args: ['const_map_ptr', 'ptr_to_map_key'],
    ret: 'ptr_to_map_value_or_null',
    impl(call, r1, r2) {
      const name = 'bpf_map_lookup_elem';
      const m = mapArg(call, name, r1);
      return lookupAddress(call, name, m, mapBytes(call, name, m, r2, 'key'), runOf(call, name).cpu);
    },
  }),
  helper('map_update_elem', {
    proto: 'bpf_map_update_elem_proto',
    args: ['const_map_ptr', 'ptr_to_map_key', 'ptr_to_map_value', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3, r4) {
      const name = 'bpf_map_update_elem';
      const m = writableMapArg(call, name, r1);
      const key = mapBytes(call, name, m, r2, 'key');
      const value = mapBytes(call, name, m, r3, 'value');
      // withUpdateFlags, without its closures (an update is as hot as a lookup).
      if (r4 > 0xffffffffn) return negErrno('EINVAL');
      try {
        m.map.updateFromProgram(key, value, Number(r4), runOf(call, name).cpu);
        return 0n;
      } catch (e) {
        return errnoOf(e);
      }
    },
  }),
  helper('map_delete_elem', {
    proto: 'bpf_map_delete_elem_proto',
    args: ['const_map_ptr', 'ptr_to_map_key'],
    ret: 'integer',
    impl(call, r1, r2) {
      const name = 'bpf_map_delete_elem';
      const m = writableMapArg(call, name, r1);
      const key = mapBytes(call, name, m, r2, 'key');
      try {
        m.map.deleteFromProgram(key);
        return 0n;
      } catch (e) {
        return errnoOf(e);
      }
    },
  }),
  helper('map_push_elem', {
    proto: 'bpf_map_push_elem_proto',
    args: ['const_map_ptr', 'ptr_to_map_value', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3) {
      const name = 'bpf_map_push_elem';
      const m = writableMapArg(call, name, r1);
      const map = m.map;
      if (!(map instanceof QueueStackMap) && !(map instanceof BloomFilterMap)) {
        throw wrongMapType(call, name, m, 'push needs a queue, stack or bloom_filter map');
      }
      const value = mapBytes(call, name, m, r2, 'value');
      return withUpdateFlags(r3, (flags) => map.push(value, flags));
    },
  }),
  helper('map_pop_elem', {
    proto: 'bpf_map_pop_elem_proto',
    args: ['const_map_ptr', 'ptr_to_uninit_map_value'],
    ret: 'integer',
    impl(call, r1, r2) {
      const name = 'bpf_map_pop_elem';
      const m = writableMapArg(call, name, r1);
      // A bloom filter has map_pop_elem returning -EOPNOTSUPP; other types have no pop at all.
      if (m.map instanceof BloomFilterMap) return negErrno('EOPNOTSUPP');
      return takeInto(call, name, m, r2, 'pop needs a queue or stack map', (q) => q.pop());
    },
  }),
  helper('map_peek_elem', {
    proto: 'bpf_map_peek_elem_proto',
    args: ['const_map_ptr', 'ptr_to_uninit_map_value'],
    ret: 'integer',
    impl(call, r1, r2) {
      const name = 'bpf_map_peek_elem';
      const m = mapArg(call, name, r1);
      const map = m.map;
      if (map instanceof BloomFilterMap) {
        // For a bloom filter the value is the one to test: 0 if it may be present, -ENOENT if not.
        const value = mapBytes(call, name, m, r2, 'value');
        return withPlace(call, name, () => map.peek(value)) ? 0n : negErrno('ENOENT');
      }
      return takeInto(call, name, m, r2, 'peek needs a queue, stack or bloom_filter map', (q) => q.peek());
    },
  }),
  helper('map_lookup_percpu_elem', {
    proto: 'bpf_map_lookup_percpu_elem_proto',
    args: ['const_map_ptr', 'ptr_to_map_key', 'anything'],
    ret: 'ptr_to_map_value_or_null',
    impl(call, r1, r2, r3) {
      const name = 'bpf_map_lookup_percpu_elem';
      const m = mapArg(call, name, r1);
      if (!PERCPU_TYPES.has(m.map.spec.type)) {
        throw wrongMapType(call, name, m, 'this helper needs a per-CPU array or hash');
      }
      const key = mapBytes(call, name, m, r2, 'key');
      const cpu = u32(r3);
      // cpu >= nr_cpu_ids gives NULL, as in the kernel.
      if (cpu >= m.map.nCpus) return 0n;
      return lookupAddress(call, name, m, key, cpu);
    },
  }),
];
