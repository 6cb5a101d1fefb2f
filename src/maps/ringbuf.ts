/**
 * BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): one ring of max_entries bytes (a power of two and a
 * multiple of 4096) shared by all CPUs. Programs reserve a record, fill it and submit or discard
 * it; user space consumes records in order. Positions only grow; a position's offset in the ring
 * is pos & (size - 1).
 *
 * Each record is an 8-byte header (u32 length with BUSY bit 31 while reserved and DISCARD bit 30,
 * then a u32 page offset) and the data, the whole rounded up to 8 bytes. The producer may not get
 * more than size - 1 bytes ahead of the consumer, so a 4096-byte ring holds at most 4088 bytes of
 * records.
 *
 * The kernel maps the data pages twice in a row so a record that wraps is contiguous. Here the
 * buffer is 2 × size: a record that wraps is written past the end, and its bytes beyond the end are
 * copied to the start when it is submitted or discarded, so `data` (the first size bytes) always has
 * the kernel's layout and a record's view is one contiguous Uint8Array.
 */
import { MapBase } from './base.js';
import { isPowerOfTwo, readU32, roundUp8, writeU32 } from './bytes.js';
import { MAP_FLAGS, RINGBUF_FLAGS, RINGBUF_QUERY, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';

const PAGE_SIZE = 4096;
export const RINGBUF_HDR_SZ = 8;
export const RINGBUF_BUSY_BIT = 0x80000000;
export const RINGBUF_DISCARD_BIT = 0x40000000;
/** RINGBUF_MAX_RECORD_SZ: UINT_MAX / 4. */
const MAX_RECORD_SZ = 0x3fffffff;

export function validateRingbuf(spec: MapSpec): MapProblem | undefined {
  return first(
    () => checkFlags(spec, MAP_FLAGS.NUMA_NODE),
    () => (spec.keySize !== 0 || spec.valueSize !== 0
      ? problem('EINVAL', `ringbuf maps need key_size and value_size 0, got ${spec.keySize} and ${spec.valueSize}`) : undefined),
    () => (!isPowerOfTwo(spec.maxEntries) || spec.maxEntries % PAGE_SIZE !== 0
      ? problem('EINVAL', `ringbuf max_entries must be a power of 2 and a multiple of ${PAGE_SIZE}, got ${spec.maxEntries}`) : undefined),
  );
}

interface Reservation {
  pos: number;
  size: number;
}

export class RingbufMap extends MapBase {
  private readonly buf: Uint8Array;
  private readonly mask: number;
  private consumerPos = 0;
  private producerPos = 0;
  /** Records reserved and not yet submitted or discarded, by the view handed out. */
  private readonly reserved = new Map<Uint8Array, Reservation>();

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.buf = new Uint8Array(2 * spec.maxEntries);
    this.mask = spec.maxEntries - 1;
  }

  /** The ring's data pages as the kernel lays them out (what user space would mmap). */
  get data(): Uint8Array {
    return this.buf.subarray(0, this.spec.maxEntries);
  }

  /**
   * bpf_ringbuf_reserve: a view of `size` writable bytes, or undefined when flags are not 0, the
   * record could never fit, or there is no room until the consumer catches up.
   */
  reserve(size: number, flags: bigint | number = 0): Uint8Array | undefined {
    if (BigInt(flags) !== 0n || size < 0 || size > MAX_RECORD_SZ) return undefined;
    const len = roundUp8(size + RINGBUF_HDR_SZ);
    if (len > this.spec.maxEntries) return undefined;
    if (this.producerPos + len - this.consumerPos > this.mask) return undefined;
    const pos = this.producerPos;
    const off = pos & this.mask;
    writeU32(this.buf, off, (size | RINGBUF_BUSY_BIT) >>> 0);
    writeU32(this.buf, off + 4, off >>> 12); // the record's page in the ring (the kernel counts from its ring header)
    this.producerPos = pos + len;
    const view = this.buf.subarray(off + RINGBUF_HDR_SZ, off + RINGBUF_HDR_SZ + size);
    view.fill(0); // the kernel does not clear it; tsbpf keeps old records from showing through
    this.reserved.set(view, { pos, size });
    return view;
  }

  /** bpf_ringbuf_submit: the record becomes visible to the consumer. */
  submit(record: Uint8Array, _flags: bigint | number = 0): void {
    this.commit(record, false);
  }

  /** bpf_ringbuf_discard: the consumer skips the record. */
  discard(record: Uint8Array, _flags: bigint | number = 0): void {
    this.commit(record, true);
  }

  private commit(record: Uint8Array, discard: boolean): void {
    const r = this.reserved.get(record);
    if (!r) this.fail('EINVAL', 'submit/discard of a record that is not reserved from this ring buffer');
    this.reserved.delete(record);
    const off = r.pos & this.mask;
    const end = off + roundUp8(r.size + RINGBUF_HDR_SZ);
    if (end > this.spec.maxEntries) this.buf.copyWithin(0, this.spec.maxEntries, end);
    writeU32(this.buf, off, (r.size | (discard ? RINGBUF_DISCARD_BIT : 0)) >>> 0);
  }

  /**
   * bpf_ringbuf_output: copy `data` into a new record and submit it. False when there is no room
   * (the helper's -EAGAIN); flags other than NO_WAKEUP/FORCE_WAKEUP are EINVAL.
   */
  output(data: Uint8Array, flags: bigint | number = 0): boolean {
    const f = BigInt(flags);
    if ((f & ~BigInt(RINGBUF_FLAGS.NO_WAKEUP | RINGBUF_FLAGS.FORCE_WAKEUP)) !== 0n) {
      this.fail('EINVAL', `ringbuf_output flags must be BPF_RB_NO_WAKEUP or BPF_RB_FORCE_WAKEUP, got 0x${f.toString(16)}`);
    }
    const rec = this.reserve(data.length);
    if (!rec) return false;
    rec.set(data);
    this.submit(rec);
    return true;
  }

  /** bpf_ringbuf_query: available bytes, ring size, consumer or producer position; 0 otherwise. */
  query(flags: bigint | number): number {
    switch (BigInt(flags)) {
      case BigInt(RINGBUF_QUERY.AVAIL_DATA): return this.producerPos - this.consumerPos;
      case BigInt(RINGBUF_QUERY.RING_SIZE): return this.spec.maxEntries;
      case BigInt(RINGBUF_QUERY.CONS_POS): return this.consumerPos;
      case BigInt(RINGBUF_QUERY.PROD_POS): return this.producerPos;
      default: return 0;
    }
  }

  get consumerPosition(): number {
    return this.consumerPos;
  }

  get producerPosition(): number {
    return this.producerPos;
  }

  /**
   * The user-space consumer: every submitted record from the consumer position on, in order, as
   * copies; discarded records are skipped. Stops at a record still reserved (as libbpf does), and
   * frees the space of everything it passed.
   */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.consumerPos < this.producerPos) {
      const off = this.consumerPos & this.mask;
      const hdr = readU32(this.buf, off);
      if (hdr & RINGBUF_BUSY_BIT) break;
      const len = hdr & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT);
      if (!(hdr & RINGBUF_DISCARD_BIT)) out.push(this.buf.slice(off + RINGBUF_HDR_SZ, off + RINGBUF_HDR_SZ + len));
      this.consumerPos += roundUp8(len + RINGBUF_HDR_SZ);
    }
    return out;
  }
}
