/**
 * Ring buffer helpers (kernel/bpf/ringbuf.c). A reserved record gets an address of its own (a
 * 'ringbuf' region over the record's bytes in the ring), and the run keeps a table from that
 * region back to the record, so submit and discard, which take the address, find the record.
 * After submit or discard the region turns read-only: the verifier forbids using a released
 * pointer, and a store through it would change a record the consumer may be reading.
 *
 * The record must be submitted or discarded in the run that reserved it (the verifier's reference
 * tracking); one left reserved stays BUSY and holds up the consumer, as it would in the kernel.
 */
import { RingbufMap } from '../maps/index.js';
import type { Region } from '../vm/memory.js';
import type { HelperCall, HelperDef } from './registry.js';
import { errnoResult, negErrno } from './errno.js';
import { helper, helperError, mapArg, mapOfClass, mem, ret, runOf, runState } from './support.js';

interface Reserved {
  map: RingbufMap;
  view: Uint8Array;
}

const RECORDS = 'helpers.ringbufRecords';

function ringbufArg(call: HelperCall, name: string, addr: bigint): RingbufMap {
  return mapOfClass(call, name, mapArg(call, name, addr), RingbufMap, 'a ringbuf map');
}

function release(call: HelperCall, name: string, addr: bigint, discard: boolean): bigint {
  const records = runState(runOf(call, name), RECORDS, () => new Map<Region, Reserved>());
  const at = call.memory.resolve(addr);
  const rec = at !== undefined && at.offset === 0 ? records.get(at.region) : undefined;
  if (rec === undefined || at === undefined) {
    throw helperError(call, name, 'EINVAL', `0x${addr.toString(16)} is not the start of a record reserved by bpf_ringbuf_reserve in this run (ARG_PTR_TO_RINGBUF_MEM)`);
  }
  records.delete(at.region);
  if (discard) rec.map.discard(rec.view);
  else rec.map.submit(rec.view);
  at.region.writable = false;
  return 0n;
}

export const ringbufHelpers: readonly HelperDef[] = [
  helper('ringbuf_output', {
    proto: 'bpf_ringbuf_output_proto',
    args: ['const_map_ptr', 'ptr_to_mem', 'const_size_or_zero', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3, r4) {
      const name = 'bpf_ringbuf_output';
      const rb = ringbufArg(call, name, r1);
      const data = mem(call, name, r2, Number(r3), false, 'data').slice();
      let room = true;
      const r = errnoResult(() => { room = rb.output(data, r4); });
      return r !== 0n ? r : room ? 0n : negErrno('EAGAIN');
    },
  }),
  helper('ringbuf_reserve', {
    proto: 'bpf_ringbuf_reserve_proto',
    args: ['const_map_ptr', 'const_alloc_size_or_zero', 'anything'],
    ret: 'ptr_to_ringbuf_mem_or_null',
    impl(call, r1, r2, r3) {
      const name = 'bpf_ringbuf_reserve';
      const run = runOf(call, name);
      const m = mapArg(call, name, r1);
      const rb = mapOfClass(call, name, m, RingbufMap, 'a ringbuf map');
      if (r2 > 0xffffffffn) return 0n;
      const view = rb.reserve(Number(r2), r3);
      if (view === undefined) return 0n;
      const region = run.addRegion(`ringbuf '${m.name}' record`, 'ringbuf', view, true);
      runState(run, RECORDS, () => new Map<Region, Reserved>()).set(region, { map: rb, view });
      return region.addr(0);
    },
  }),
  helper('ringbuf_submit', {
    proto: 'bpf_ringbuf_submit_proto',
    args: ['ptr_to_ringbuf_mem_release', 'anything'],
    ret: 'void',
    impl: (call, r1) => release(call, 'bpf_ringbuf_submit', r1, false),
  }),
  helper('ringbuf_discard', {
    proto: 'bpf_ringbuf_discard_proto',
    args: ['ptr_to_ringbuf_mem_release', 'anything'],
    ret: 'void',
    impl: (call, r1) => release(call, 'bpf_ringbuf_discard', r1, true),
  }),
  helper('ringbuf_query', {
    proto: 'bpf_ringbuf_query_proto',
    args: ['const_map_ptr', 'anything'],
    ret: 'integer',
    impl: (call, r1, r2) => ret(ringbufArg(call, 'bpf_ringbuf_query', r1).query(r2)),
  }),
];
