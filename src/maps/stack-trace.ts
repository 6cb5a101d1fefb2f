/**
 * BPF_MAP_TYPE_STACK_TRACE (kernel/bpf/stackmap.c): bpf_get_stackid stores a call chain and
 * returns its id; user space reads the chain by id. Ids are hash buckets: id = jhash2(ips) &
 * (buckets - 1), buckets = max_entries rounded up to a power of two, so two different stacks can
 * want the same id. Then the older one stays and the call fails with EEXIST, unless
 * BPF_F_REUSE_STACKID replaces it; BPF_F_FAST_STACK_CMP trusts an equal hash without comparing.
 *
 * A value is value_size / 8 u64 addresses, innermost first, padded with zeros. With
 * BPF_F_STACK_BUILD_ID a value is an array of 32-byte struct bpf_stack_build_id; tsbpf knows no
 * build ids, so each entry says BPF_STACK_BUILD_ID_IP (status 2) and carries the address, as the
 * kernel does when it cannot find a build id.
 */
import { MapBase } from './base.js';
import { jhash2 } from './jhash.js';
import { readU32, roundUpPowerOfTwo, u32Bytes } from './bytes.js';
import { MAP_FLAGS, STACKID_FLAGS, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';

/** The kernel's default sysctl kernel.perf_event_max_stack. */
export const PERF_EVENT_MAX_STACK = 127;
const BUILD_ID_ENTRY_SIZE = 32;
const BPF_STACK_BUILD_ID_IP = 2;

export function validateStackTrace(spec: MapSpec): MapProblem | undefined {
  const buildId = (spec.flags & MAP_FLAGS.STACK_BUILD_ID) !== 0;
  const entry = buildId ? BUILD_ID_ENTRY_SIZE : 8;
  return first(
    () => checkFlags(spec, MAP_FLAGS.NUMA_NODE | MAP_FLAGS.RDONLY | MAP_FLAGS.WRONLY | MAP_FLAGS.STACK_BUILD_ID),
    () => (spec.maxEntries === 0 ? problem('EINVAL', 'stack_trace maps need max_entries > 0') : undefined),
    () => (spec.keySize !== 4 ? problem('EINVAL', `stack_trace maps need key_size 4, got ${spec.keySize}`) : undefined),
    () => (spec.valueSize < 8 || spec.valueSize % 8 !== 0
      ? problem('EINVAL', `stack_trace value_size must be a non-zero multiple of 8, got ${spec.valueSize}`) : undefined),
    () => (buildId && spec.valueSize % BUILD_ID_ENTRY_SIZE !== 0
      ? problem('EINVAL', `with BPF_F_STACK_BUILD_ID value_size must be a multiple of ${BUILD_ID_ENTRY_SIZE}, got ${spec.valueSize}`) : undefined),
    () => (spec.valueSize / entry > PERF_EVENT_MAX_STACK
      ? problem('EINVAL', `value_size ${spec.valueSize} holds more than perf_event_max_stack (${PERF_EVENT_MAX_STACK}) frames`) : undefined),
    () => (spec.maxEntries > 2 ** 31 ? problem('E2BIG', `max_entries ${spec.maxEntries} is too large`) : undefined),
  );
}

interface StackBucket {
  hash: number;
  ips: bigint[];
}

export class StackTraceMap extends MapBase {
  readonly bucketCount: number;
  private readonly buckets: (StackBucket | undefined)[];
  private used = 0;
  private readonly entrySize: number;

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.bucketCount = roundUpPowerOfTwo(spec.maxEntries);
    this.buckets = new Array<StackBucket | undefined>(this.bucketCount);
    this.entrySize = spec.flags & MAP_FLAGS.STACK_BUILD_ID ? BUILD_ID_ENTRY_SIZE : 8;
  }

  /**
   * bpf_get_stackid with the call chain `ips` (innermost first). Returns the id, or throws: EINVAL
   * for unknown flags, EFAULT when the skip count (flags & 0xff) leaves no frame, EEXIST when the
   * id holds another stack and BPF_F_REUSE_STACKID is not set, ENOMEM when all max_entries stacks
   * are in use.
   */
  getStackId(ips: readonly bigint[], flags: bigint | number = 0): number {
    const f = Number(BigInt(flags) & 0xffffffffn);
    const known = STACKID_FLAGS.SKIP_FIELD_MASK | STACKID_FLAGS.USER_STACK | STACKID_FLAGS.FAST_STACK_CMP | STACKID_FLAGS.REUSE_STACKID;
    if (BigInt(flags) >> 32n !== 0n || (f & ~known) !== 0) this.fail('EINVAL', `get_stackid flags 0x${BigInt(flags).toString(16)} are not valid`);
    const skip = f & STACKID_FLAGS.SKIP_FIELD_MASK;
    if (ips.length <= skip) this.fail('EFAULT', `skipping ${skip} frames of a ${ips.length}-frame stack leaves none`);
    const maxDepth = Math.min(this.spec.valueSize / this.entrySize + skip, PERF_EVENT_MAX_STACK);
    const trace = ips.slice(skip, skip + Math.max(0, Math.min(ips.length - skip, maxDepth - skip))).map((ip) => BigInt.asUintN(64, ip));
    const hash = jhash2(this.ipBytes(trace), 0);
    const id = (hash & (this.bucketCount - 1)) >>> 0;
    const bucket = this.buckets[id];
    const hashMatches = bucket !== undefined && bucket.hash === hash;
    if (hashMatches && f & STACKID_FLAGS.FAST_STACK_CMP) return id;
    if (hashMatches && bucket.ips.length === trace.length && bucket.ips.every((ip, i) => ip === trace[i])) return id;
    if (bucket && !(f & STACKID_FLAGS.REUSE_STACKID)) {
      this.fail('EEXIST', `stack id ${id} holds a different stack (BPF_F_REUSE_STACKID would replace it)`);
    }
    // The kernel takes a free bucket before it lets go of the old one.
    if (this.used >= this.spec.maxEntries) this.fail('ENOMEM', `all ${this.spec.maxEntries} stacks are in use`);
    if (!bucket) this.used++;
    this.buckets[id] = { hash, ips: trace };
    return id;
  }

  private ipBytes(ips: readonly bigint[]): Uint8Array {
    const b = new Uint8Array(ips.length * 8);
    const dv = new DataView(b.buffer);
    ips.forEach((ip, i) => dv.setBigUint64(i * 8, ip, true));
    return b;
  }

  /** The stack stored under `id` as the bpf(2) value (padded with zeros), or undefined. */
  private stackValue(bucket: StackBucket): Uint8Array {
    const out = new Uint8Array(this.spec.valueSize);
    const dv = new DataView(out.buffer);
    bucket.ips.forEach((ip, i) => {
      if (this.entrySize === 8) {
        dv.setBigUint64(i * 8, ip, true);
      } else {
        dv.setInt32(i * BUILD_ID_ENTRY_SIZE, BPF_STACK_BUILD_ID_IP, true);
        dv.setBigUint64(i * BUILD_ID_ENTRY_SIZE + 24, ip, true);
      }
    });
    return out;
  }

  /** The addresses stored under `id`, innermost first. */
  stack(id: number): bigint[] | undefined {
    return this.buckets[id]?.ips.slice();
  }

  protected override lookupElem(key: Uint8Array): Uint8Array | undefined {
    const b = this.buckets[readU32(key)];
    return b ? this.stackValue(b) : undefined;
  }

  protected override lookupAndDeleteElem(key: Uint8Array): Uint8Array | undefined {
    const value = this.lookupElem(key);
    if (value) this.removeId(readU32(key));
    return value;
  }

  private removeId(id: number): void {
    this.buckets[id] = undefined;
    this.used--;
  }

  protected override updateElem(): void {
    this.fail('EINVAL', 'stack_trace maps are filled by bpf_get_stackid, not by updates');
  }

  protected override deleteElem(key: Uint8Array): void {
    const id = readU32(key);
    if (id >= this.bucketCount) this.fail('E2BIG', `stack id ${id} is out of range (${this.bucketCount} buckets)`);
    if (!this.buckets[id]) this.fail('ENOENT', `no stack under id ${id}`);
    this.removeId(id);
  }

  /** Ids in increasing order; a missing or empty id restarts at the first. */
  protected override nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let id = 0;
    if (key !== undefined) {
      const k = readU32(key);
      id = k < this.bucketCount && this.buckets[k] ? k + 1 : 0;
    }
    while (id < this.bucketCount && !this.buckets[id]) id++;
    return id < this.bucketCount ? u32Bytes(id) : undefined;
  }
}
