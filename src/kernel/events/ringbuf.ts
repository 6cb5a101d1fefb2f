/**
 * Reading a BPF_MAP_TYPE_RINGBUF from user space, as the kernel lays it out (kernel/bpf/ringbuf.c):
 * page 0 is the consumer page (consumer_pos, ours to write, mapped read-write); page 1 is the
 * producer page (producer_pos, read-only) and the data pages follow, mapped twice in a row so a
 * record that wraps is still contiguous. Each record has an 8-byte header: a u32 length whose top
 * bits are BUSY (still being written: stop there) and DISCARD (skip it), and a page offset; records
 * are 8-byte aligned. Consuming is storing the new consumer_pos (the kernel frees space up to it).
 */
import { BpfError } from '../../errors.js';
import type { KernelMap } from '../kernel-map.js';
import { host } from '../syscall.js';
import { MappedRegion, PROT } from './mmap-region.js';
import { pollRecords, type PollOptions } from './poll.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;

export class RingBufferReader {
  private readonly consumer: MappedRegion;
  private readonly producer: MappedRegion;
  private readonly data: Uint8Array;
  private readonly lens: Uint32Array;
  private readonly mask: bigint;
  private readonly page: number;
  private isClosed = false;
  /** Records the program discarded (bpf_ringbuf_discard), skipped by the reader. */
  discarded = 0;

  /** Map `map` (a ringbuf map; it must stay open while the reader is used). */
  constructor(readonly map: KernelMap) {
    if (map.spec.type !== 'ringbuf') throw new BpfError('EINVAL', `map '${map.spec.name}' is a ${map.spec.type}, not a ringbuf`);
    const size = map.spec.maxEntries;
    this.page = host().pageSize;
    const what = `ring buffer '${map.spec.name}'`;
    this.consumer = MappedRegion.map(map.fd, this.page, PROT.READ | PROT.WRITE, 0, `${what}: consumer page`);
    try {
      this.producer = MappedRegion.map(map.fd, this.page + 2 * size, PROT.READ, this.page, `${what}: producer and data pages`);
    } catch (e) {
      this.consumer.unmap();
      throw e;
    }
    this.data = this.producer.bytes.subarray(this.page);
    this.lens = new Uint32Array(this.producer.bytes.buffer, this.page, (2 * size) / 4);
    this.mask = BigInt(size - 1);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Every record committed so far, in order (copies), consuming them. */
  drain(max = Infinity): Uint8Array[] {
    if (this.isClosed) return [];
    const out: Uint8Array[] = [];
    let cons = this.consumer.load64(0);
    for (;;) {
      const prod = this.producer.load64(0);
      if (cons >= prod || out.length >= max) break;
      const off = Number(cons & this.mask);
      const len = Atomics.load(this.lens, off / 4);
      if (len & BUSY) break; // reserved but not yet submitted: later records wait for it
      const size = len & ~(BUSY | DISCARD);
      cons += BigInt((size + HDR + 7) & ~7);
      if (len & DISCARD) this.discarded++;
      else out.push(this.data.slice(off + HDR, off + HDR + size));
      // Release each record at once, as libbpf does, so a producer waiting for space can go on.
      this.consumer.store64(0, cons);
    }
    return out;
  }

  /** The records as they come: `for await (const rec of rb.records())`, until close() or the signal. */
  records(opts: PollOptions = {}): AsyncGenerator<Uint8Array> {
    return pollRecords(() => this.drain(), () => this.isClosed, opts);
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    return this.records();
  }

  /** Unmap (the map itself stays open; its owner closes it). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.consumer.unmap();
    this.producer.unmap();
  }
}
