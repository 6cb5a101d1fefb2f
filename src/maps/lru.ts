/**
 * Least-recently-used order for lru_hash and lru_percpu_hash. One list for the whole map, or one
 * per CPU with BPF_F_NO_COMMON_LRU (an element then lives on the list of the CPU that inserted it,
 * and an insert on a CPU whose list is full evicts from that list only).
 *
 * This is exact LRU. The kernel approximates it (a reference bit set by program lookups, a rotating
 * active/inactive list, per-CPU free lists that may make it evict a little before the map is full,
 * and an update of an existing key that takes a fresh node); tsbpf evicts only when an insert finds
 * the map (or the CPU's list) full, and always the least recently used element.
 */

interface LruNode {
  lruList: number;
}

export class LruOrder<T extends LruNode> {
  /** Insertion order of a JavaScript Map is the recency order: oldest first. */
  private readonly lists: Map<T, true>[];
  readonly capacityPerList: number;

  constructor(lists: number, capacityPerList: number) {
    this.lists = Array.from({ length: lists }, () => new Map<T, true>());
    this.capacityPerList = capacityPerList;
  }

  /** Which list an insert from `cpu` uses. */
  listFor(cpu: number): number {
    return this.lists.length === 1 ? 0 : cpu;
  }

  isFull(list: number): boolean {
    return this.lists[list]!.size >= this.capacityPerList;
  }

  add(node: T, list: number): void {
    node.lruList = list;
    this.lists[list]!.set(node, true);
  }

  /** Mark as most recently used. */
  touch(node: T): void {
    const l = this.lists[node.lruList]!;
    l.delete(node);
    l.set(node, true);
  }

  remove(node: T): void {
    this.lists[node.lruList]!.delete(node);
  }

  /** The least recently used node of a list. */
  oldest(list: number): T | undefined {
    const it = this.lists[list]!.keys().next();
    return it.done ? undefined : it.value;
  }
}
