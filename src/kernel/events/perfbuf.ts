/**
 * Reading a BPF_MAP_TYPE_PERF_EVENT_ARRAY: one PERF_COUNT_SW_BPF_OUTPUT perf event per online CPU,
 * each with a ring of 2^n data pages after the perf_event_mmap_page header, and its fd stored in
 * the map at the CPU's index (where bpf_perf_event_output(..., BPF_F_CURRENT_CPU, ...) looks).
 * The header's data_head (at byte 1024) is where the kernel has written up to; data_tail (1032) is
 * ours to advance. Records are perf_event_header {u32 type; u16 misc; u16 size} and may wrap at
 * the end of the ring. PERF_RECORD_SAMPLE carries {u32 size; raw bytes} (the kernel pads the raw
 * bytes so the sample is 8-aligned: a sample can be a few bytes longer than what was output);
 * PERF_RECORD_LOST says how many samples did not fit.
 */
import { BpfError } from '../../errors.js';
import { UPDATE } from '../../maps/types.js';
import type { KernelMap } from '../kernel-map.js';
import { closeFd, host } from '../syscall.js';
import { PERF_COUNT_SW, PERF_SAMPLE_RAW, PERF_TYPE, perfEventOpen } from '../attach/perf-event.js';
import { MappedRegion, PROT } from './mmap-region.js';
import { onlineCpus } from './online-cpus.js';
import { pollRecords, type PollOptions } from './poll.js';

const DATA_HEAD = 1024;
const DATA_TAIL = 1032;
const RECORD = { LOST: 2, SAMPLE: 9 } as const;

export type PerfRecord =
  | { kind: 'sample'; cpu: number; data: Uint8Array }
  | { kind: 'lost'; cpu: number; lost: bigint };

export interface PerfBufferOptions {
  /** Data pages per CPU, a power of two (default 8). */
  pageCount?: number;
}

interface CpuRing {
  cpu: number;
  fd: number;
  region: MappedRegion;
}

export class PerfBufferReader {
  private rings: CpuRing[] = [];
  private readonly dataSize: number;
  private readonly page: number;
  /** Samples the kernel dropped because a ring was full (sum of PERF_RECORD_LOST). */
  lost = 0n;

  constructor(readonly map: KernelMap, opts: PerfBufferOptions = {}) {
    if (map.spec.type !== 'perf_event_array') throw new BpfError('EINVAL', `map '${map.spec.name}' is a ${map.spec.type}, not a perf_event_array`);
    const pages = opts.pageCount ?? 8;
    if (pages < 1 || (pages & (pages - 1)) !== 0) throw new BpfError('EINVAL', `perf buffer: pageCount ${pages} is not a power of two`);
    this.page = host().pageSize;
    this.dataSize = pages * this.page;
    try {
      for (const cpu of onlineCpus()) {
        if (cpu >= map.spec.maxEntries) continue; // the map has no slot for it
        const what = `perf buffer '${map.spec.name}' on CPU ${cpu}`;
        const fd = perfEventOpen({ type: PERF_TYPE.SOFTWARE, config: BigInt(PERF_COUNT_SW.BPF_OUTPUT), samplePeriod: 1n, sampleType: PERF_SAMPLE_RAW, wakeupEvents: 1 }, -1, cpu, what);
        let region: MappedRegion;
        try {
          region = MappedRegion.map(fd, this.page + this.dataSize, PROT.READ | PROT.WRITE, 0, what);
        } catch (e) {
          closeFd(fd);
          throw e;
        }
        this.rings.push({ cpu, fd, region });
        const key = new Uint8Array(4);
        const val = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, cpu, true);
        new DataView(val.buffer).setUint32(0, fd, true);
        map.update(key, val, UPDATE.ANY);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.rings.length === 0;
  }

  /** The CPUs with a ring. */
  get cpus(): number[] {
    return this.rings.map((r) => r.cpu);
  }

  /** Everything written so far on every CPU (copies), consuming it. */
  drain(): PerfRecord[] {
    const out: PerfRecord[] = [];
    for (const r of this.rings) this.drainRing(r, out);
    return out;
  }

  private drainRing(r: CpuRing, out: PerfRecord[]): void {
    const head = r.region.load64(DATA_HEAD);
    let tail = r.region.load64(DATA_TAIL);
    const data = r.region.bytes.subarray(this.page, this.page + this.dataSize);
    while (tail < head) {
      const hdr = this.copy(data, tail, 8);
      const dv = new DataView(hdr.buffer);
      const type = dv.getUint32(0, true);
      const size = dv.getUint16(6, true);
      if (size < 8) break; // cannot happen with a sane kernel; do not loop forever
      const rec = this.copy(data, tail, size);
      const rv = new DataView(rec.buffer);
      if (type === RECORD.SAMPLE) {
        const n = rv.getUint32(8, true);
        out.push({ kind: 'sample', cpu: r.cpu, data: rec.subarray(12, 12 + n) });
      } else if (type === RECORD.LOST) {
        const lost = rv.getBigUint64(16, true);
        this.lost += lost;
        out.push({ kind: 'lost', cpu: r.cpu, lost });
      }
      tail += BigInt(size);
    }
    r.region.store64(DATA_TAIL, tail);
  }

  /** `len` bytes at ring position `pos`, copied out, joining the two pieces of a wrapped record. */
  private copy(data: Uint8Array, pos: bigint, len: number): Uint8Array {
    const off = Number(pos % BigInt(this.dataSize));
    const out = new Uint8Array(len);
    const first = Math.min(len, this.dataSize - off);
    out.set(data.subarray(off, off + first));
    if (first < len) out.set(data.subarray(0, len - first), first);
    return out;
  }

  /** Records as they come: `for await (const rec of pb.records())`, until close() or the signal. */
  records(opts: PollOptions = {}): AsyncGenerator<PerfRecord> {
    return pollRecords(() => this.drain(), () => this.closed, opts);
  }

  [Symbol.asyncIterator](): AsyncGenerator<PerfRecord> {
    return this.records();
  }

  /** Remove our fds from the map (when it is still open), unmap and close the events. */
  close(): void {
    for (const r of this.rings) {
      if (!this.map.closed) {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, r.cpu, true);
        try {
          this.map.delete(key);
        } catch {
          // already empty
        }
      }
      r.region.unmap();
      closeFd(r.fd);
    }
    this.rings = [];
  }
}
