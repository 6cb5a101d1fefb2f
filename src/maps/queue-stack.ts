/**
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO) (kernel/bpf/queue_stack_maps.c): no
 * keys (key_size 0), up to max_entries values. Push with BPF_EXIST on a full map drops the oldest
 * value (for both kinds); without it a full map is E2BIG. BPF_NOEXIST is EINVAL.
 *
 * `push`/`pop`/`peek` are the program helpers (bpf_map_push_elem, _pop_elem, _peek_elem); user
 * space goes through update (push), lookup (peek) and lookupAndDelete (pop), which also check
 * freeze and access flags. pop and peek return undefined where the kernel says ENOENT (empty).
 */
import { MapBase } from './base.js';
import { ACCESS_FLAGS, MAP_FLAGS, UPDATE, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';

export function validateQueueStack(spec: MapSpec): MapProblem | undefined {
  return first(
    () => (spec.maxEntries === 0 ? problem('EINVAL', `${spec.type} maps need max_entries > 0`) : undefined),
    () => (spec.keySize !== 0 ? problem('EINVAL', `${spec.type} maps have no keys: key_size must be 0, got ${spec.keySize}`) : undefined),
    () => (spec.valueSize === 0 ? problem('EINVAL', `${spec.type} maps need value_size > 0`) : undefined),
    () => checkFlags(spec, MAP_FLAGS.NUMA_NODE | ACCESS_FLAGS),
  );
}

export class QueueStackMap extends MapBase {
  /** Oldest first. */
  private values: Uint8Array[] = [];

  get isStack(): boolean {
    return this.spec.type === 'stack';
  }

  get size(): number {
    return this.values.length;
  }

  /** bpf_map_push_elem. */
  push(value: Uint8Array, flags = 0): void {
    this.checkValue(value, this.spec.valueSize);
    if (flags & UPDATE.NOEXIST || flags > UPDATE.EXIST) {
      this.fail('EINVAL', `push flags must be BPF_ANY (0) or BPF_EXIST (2, overwrite the oldest when full), got ${flags}`);
    }
    if (this.values.length >= this.spec.maxEntries) {
      if (!(flags & UPDATE.EXIST)) this.fail('E2BIG', `the ${this.spec.type} is full (max_entries ${this.spec.maxEntries})`);
      this.values.shift();
    }
    this.values.push(value.slice());
  }

  /** bpf_map_pop_elem: the next value (queue: oldest; stack: newest), removed. */
  pop(): Uint8Array | undefined {
    return this.isStack ? this.values.pop() : this.values.shift();
  }

  /** bpf_map_peek_elem: the value pop would return, left in place. */
  peek(): Uint8Array | undefined {
    const v = this.isStack ? this.values[this.values.length - 1] : this.values[0];
    return v?.slice();
  }

  protected override updateElem(_key: Uint8Array, value: Uint8Array, flags: number): void {
    this.push(value, flags);
  }

  protected override lookupElem(_key: Uint8Array): Uint8Array | undefined {
    return this.peek();
  }

  protected override lookupAndDeleteElem(_key: Uint8Array): Uint8Array | undefined {
    return this.pop();
  }

  protected override deleteElem(_key: Uint8Array): void {
    this.fail('EINVAL', `${this.spec.type} maps have no delete: pop with lookup_and_delete`);
  }

  protected override nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return this.fail('EINVAL', `${this.spec.type} maps have no keys to iterate`);
  }

  protected override updateElemFromProgram(_key: Uint8Array, value: Uint8Array, flags: number, _cpu: number): void {
    this.push(value, flags);
  }
}
