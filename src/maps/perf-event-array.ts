/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots of perf events that bpf_perf_event_output writes samples to.
 * In the kernel each slot holds a perf event opened on one CPU; libbpf's perf buffer puts CPU i's
 * event in slot i. tsbpf models exactly that: a slot's value is an opaque event id, the event in
 * slot i belongs to CPU i, and its samples queue up until user space drains them.
 * `openPerCpuBuffers()` fills slots 0..min(nCpus, max_entries)-1 the way perf_buffer__new does.
 * The queues have no size limit (the kernel's perf ring would drop samples and count them lost).
 */
import { FdArrayMap, validateFdArray } from './fd-array.js';
import { u32Bytes } from './bytes.js';
import { BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK } from './types.js';

export const validatePerfEventArray = validateFdArray;

export interface PerfSample {
  cpu: number;
  data: Uint8Array;
}

export class PerfEventArrayMap extends FdArrayMap {
  private samples: PerfSample[] = [];

  protected override checkId(_id: number): void {}

  /** User space cannot read perf event slots (ENOTSUPP in the kernel). */
  protected override lookupElem(_key: Uint8Array): Uint8Array | undefined {
    return this.fail('ENOTSUPP', 'perf_event_array slots cannot be read from user space');
  }

  /** Fill a slot per CPU (event id = CPU number), as libbpf's perf buffer does. */
  openPerCpuBuffers(): void {
    const n = Math.min(this.nCpus, this.spec.maxEntries);
    for (let cpu = 0; cpu < n; cpu++) this.update(u32Bytes(cpu), u32Bytes(cpu));
  }

  /**
   * bpf_perf_event_output from a program running on `cpu`. The index is the low 32 bits of
   * `flags` (BPF_F_CURRENT_CPU: this CPU); other bits are EINVAL (helpers that add context bytes
   * strip BPF_F_CTXLEN_MASK first). Errors as the kernel: E2BIG past max_entries, ENOENT for an
   * empty slot, EOPNOTSUPP for a slot whose event is on another CPU.
   */
  output(cpu: number, flags: bigint | number, data: Uint8Array): void {
    this.checkCpu(cpu);
    const f = BigInt(flags);
    if ((f & ~BPF_F_INDEX_MASK) !== 0n) this.fail('EINVAL', `perf_event_output flags 0x${f.toString(16)} have bits outside the index`);
    const index = f === BPF_F_CURRENT_CPU ? cpu : Number(f);
    if (index >= this.spec.maxEntries) this.fail('E2BIG', `index ${index} is out of range (max_entries ${this.spec.maxEntries})`);
    if (this.getId(index) === undefined) this.fail('ENOENT', `slot ${index} has no perf event`);
    if (index !== cpu) this.fail('EOPNOTSUPP', `slot ${index}'s event is on CPU ${index}, the program runs on CPU ${cpu}`);
    this.samples.push({ cpu, data: data.slice() });
  }

  /** Samples not yet drained, per CPU. */
  pending(cpu?: number): number {
    return cpu === undefined ? this.samples.length : this.samples.filter((s) => s.cpu === cpu).length;
  }

  /** All samples in the order they were written (each tagged with its CPU), and forget them. */
  drain(cpu?: number): PerfSample[] {
    if (cpu === undefined) {
      const out = this.samples;
      this.samples = [];
      return out;
    }
    const out = this.samples.filter((s) => s.cpu === cpu);
    this.samples = this.samples.filter((s) => s.cpu !== cpu);
    return out;
  }
}
