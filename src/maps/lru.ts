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

/** What an element carries for its list: the list's own fields (an element is on one list at most). */
export interface LruNode<T> {
  lruList: number;
  lruPrev: T | undefined;
  lruNext: T | undefined;
}

/** One recency list, oldest first, linked through its elements (a touch then allocates nothing). */
interface List<T> {
  oldest: T | undefined;
  newest: T | undefined;
  size: number;
}

export class LruOrder<T extends LruNode<T>> {
  private readonly lists: List<T>[];
  readonly capacityPerList: number;

  constructor(lists: number, capacityPerList: number) {
    this.lists = Array.from({ length: lists }, () => ({ oldest: undefined, newest: undefined, size: 0 }));
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
    this.append(this.lists[list]!, node);
  }

  /** Mark as most recently used. */
  touch(node: T): void {
    const l = this.lists[node.lruList]!;
    if (l.newest === node) return;
    this.unlink(l, node);
    this.append(l, node);
  }

  remove(node: T): void {
    this.unlink(this.lists[node.lruList]!, node);
  }

  /** The least recently used node of a list. */
  oldest(list: number): T | undefined {
    return this.lists[list]!.oldest;
  }

  private append(l: List<T>, node: T): void {
    node.lruPrev = l.newest;
    node.lruNext = undefined;
    if (l.newest !== undefined) l.newest.lruNext = node;
    else l.oldest = node;
    l.newest = node;
    l.size++;
  }

  private unlink(l: List<T>, node: T): void {
    if (node.lruPrev !== undefined) node.lruPrev.lruNext = node.lruNext;
    else if (l.oldest === node) l.oldest = node.lruNext;
    else return; // not on this list
    if (node.lruNext !== undefined) node.lruNext.lruPrev = node.lruPrev;
    else l.newest = node.lruPrev;
    node.lruPrev = undefined;
    node.lruNext = undefined;
    l.size--;
  }
}
