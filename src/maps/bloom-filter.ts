/**
 * BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): a set that answers "maybe present" or
 * "certainly absent". Values are pushed (no keys); `peek(value)` is true for every pushed value
 * and, rarely, for others. map_extra's low 4 bits give the number of hash functions (0 means 5).
 *
 * The bit array is sized as the kernel sizes it (max_entries × hashes × 7/5 bits, rounded up to a
 * power of two, at least 64) and bit i of value v is jhash(v, seed + i) & (bits - 1), with seed 0:
 * the kernel's bits exactly when it runs with BPF_F_ZERO_SEED.
 */
import { MapBase } from './base.js';
import { mapHash } from './jhash.js';
import { roundUpPowerOfTwo } from './bytes.js';
import { ACCESS_FLAGS, MAP_FLAGS, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';

const DEFAULT_HASHES = 5;

export function validateBloomFilter(spec: MapSpec): MapProblem | undefined {
  const extra = spec.mapExtra ?? 0n;
  return first(
    () => (spec.keySize !== 0 ? problem('EINVAL', `bloom_filter maps have no keys: key_size must be 0, got ${spec.keySize}`) : undefined),
    () => (spec.valueSize === 0 ? problem('EINVAL', 'bloom_filter maps need value_size > 0') : undefined),
    () => (spec.maxEntries === 0 ? problem('EINVAL', 'bloom_filter maps need max_entries > 0') : undefined),
    () => checkFlags(spec, MAP_FLAGS.NUMA_NODE | MAP_FLAGS.ZERO_SEED | ACCESS_FLAGS),
    () => ((extra & ~0xfn) !== 0n
      ? problem('EINVAL', `bloom_filter map_extra holds the number of hash functions (at most 15), got ${extra}`) : undefined),
  );
}

export class BloomFilterMap extends MapBase {
  readonly hashCount: number;
  /** Number of bits in the filter (a power of two). */
  readonly bitCount: number;
  private readonly bits: Uint8Array;

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.hashCount = Number((spec.mapExtra ?? 0n) & 0xfn) || DEFAULT_HASHES;
    let n = Math.floor((spec.maxEntries * this.hashCount) / 5) * 7;
    if (n > 2 ** 31) n = 2 ** 32; // the kernel's cap: a 4 Gbit array
    this.bitCount = n <= 64 ? 64 : roundUpPowerOfTwo(n);
    this.bits = new Uint8Array(this.bitCount / 8);
  }

  private bitIndex(value: Uint8Array, i: number): number {
    return (mapHash(value, i) & (this.bitCount - 1)) >>> 0;
  }

  /** bpf_map_push_elem: add a value (flags must be BPF_ANY). */
  push(value: Uint8Array, flags = 0): void {
    this.checkValue(value, this.spec.valueSize);
    if (flags !== 0) this.fail('EINVAL', `bloom_filter pushes take BPF_ANY only, got flags ${flags}`);
    for (let i = 0; i < this.hashCount; i++) {
      const b = this.bitIndex(value, i);
      this.bits[b >>> 3]! |= 1 << (b & 7);
    }
  }

  /** bpf_map_peek_elem: true if the value may have been pushed (false: it certainly was not). */
  peek(value: Uint8Array): boolean {
    this.checkValue(value, this.spec.valueSize);
    for (let i = 0; i < this.hashCount; i++) {
      const b = this.bitIndex(value, i);
      if (!(this.bits[b >>> 3]! & (1 << (b & 7)))) return false;
    }
    return true;
  }

  /** The user-space BPF_MAP_LOOKUP_ELEM: the value to test goes where bpf(2) puts it. */
  has(value: Uint8Array): boolean {
    this.checkReadable();
    return this.peek(value);
  }

  protected override updateElem(_key: Uint8Array, value: Uint8Array, flags: number): void {
    this.push(value, flags);
  }

  protected override lookupElem(_key: Uint8Array): Uint8Array | undefined {
    return this.fail('EINVAL', 'a bloom filter lookup needs the value to test: use has(value)');
  }

  protected override deleteElem(_key: Uint8Array): void {
    this.fail('EOPNOTSUPP', 'bloom filters cannot delete values');
  }

  protected override nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return this.fail('EOPNOTSUPP', 'bloom filters have no keys to iterate');
  }

  protected override updateElemFromProgram(_key: Uint8Array, value: Uint8Array, flags: number, _cpu: number): void {
    this.push(value, flags);
  }
}
