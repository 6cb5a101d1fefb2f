/**
 * Elements by the bytes of their key, for the hash map types: a chained hash table over a 32-bit
 * hash of the key. A JavaScript Map would need a string (or number) per key, and making a string
 * of the key's bytes cost more than everything else a program's map lookup does; here a lookup
 * allocates nothing. The table only finds elements: iteration order is the caller's business.
 */

/** What the table needs of an element; `hash` and `chain` are the table's own. */
export interface KeyedEntry<T> {
  readonly key: Uint8Array;
  hash: number;
  chain: T | undefined;
}

const MIN_BUCKETS = 16;

/** A 32-bit hash of a key's bytes (little-endian words, then a final mix so every bit counts in the low ones). */
export function keyHash(key: Uint8Array): number {
  const n = key.length;
  let h = n | 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = Math.imul(h ^ (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)), 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  for (; i < n; i++) {
    h = Math.imul(h ^ key[i]!, 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  // murmur3's fmix32: bucket indices take the low bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class KeyTable<T extends KeyedEntry<T>> {
  private buckets: (T | undefined)[] = new Array<T | undefined>(MIN_BUCKETS).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The element whose key has these bytes, or undefined. */
  get(key: Uint8Array): T | undefined {
    const h = keyHash(key);
    const b = this.buckets;
    let e = b[h & (b.length - 1)];
    while (e !== undefined) {
      if (e.hash === h && sameBytes(e.key, key)) return e;
      e = e.chain;
    }
    return undefined;
  }

  /** Add an element whose key is not in the table (the caller looked first). */
  add(e: T): void {
    e.hash = keyHash(e.key);
    if (this.count >= this.buckets.length) this.resize(this.buckets.length * 2);
    const b = this.buckets;
    const i = e.hash & (b.length - 1);
    e.chain = b[i];
    b[i] = e;
    this.count++;
  }

  /** Remove an element of the table (no-op for one that is not in it). */
  delete(e: T): void {
    const b = this.buckets;
    const i = e.hash & (b.length - 1);
    let cur = b[i];
    let prev: T | undefined;
    while (cur !== undefined && cur !== e) {
      prev = cur;
      cur = cur.chain;
    }
    if (cur === undefined) return;
    if (prev === undefined) b[i] = e.chain;
    else prev.chain = e.chain;
    e.chain = undefined;
    this.count--;
    // Shrink after mass deletes, so an emptied big map does not keep its big bucket array.
    if (b.length > MIN_BUCKETS && this.count * 8 < b.length) this.resize(b.length / 2);
  }

  private resize(n: number): void {
    const old = this.buckets;
    const b = new Array<T | undefined>(n).fill(undefined);
    for (let head of old) {
      while (head !== undefined) {
        const next = head.chain;
        const i = head.hash & (n - 1);
        head.chain = b[i];
        b[i] = head;
        head = next;
      }
    }
    this.buckets = b;
  }
}
