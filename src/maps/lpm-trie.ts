/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match. A key is a u32 prefix
 * length (host byte order, little-endian here) followed by data_size bytes compared most
 * significant bit first (network order), so key_size = 4 + data_size with data_size 1..256.
 *
 * The trie has the kernel's shape: a binary trie whose nodes each hold a prefix; a node added only
 * to split two others is "intermediate" (no value, never returned). That shape fixes the order of
 * get_next_key, which is the kernel's post-order: more specific prefixes before the prefixes that
 * contain them, and the 0-bit side before the 1-bit side. E.g. for 192.168.0.0/16, 192.168.0.0/24,
 * 192.168.1.0/24, 192.168.128.0/24 the order is /24 .0, /24 .1, /24 .128, then /16.
 *
 * Update flags follow Linux ≥ 6.13: BPF_NOEXIST on a present prefix is EEXIST, BPF_EXIST on a
 * missing one ENOENT, and ENOSPC comes only when a new prefix would exceed max_entries.
 */
import { MapBase } from './base.js';
import { genericDeleteBatch, genericLookupBatch, genericUpdateBatch } from './batch.js';
import { readU32, writeU32 } from './bytes.js';
import { ACCESS_FLAGS, MAP_FLAGS, UPDATE, type BatchResult, type MapSpec } from './types.js';
import { checkFlags, first, problem, type MapProblem } from './validate.js';

const LPM_DATA_SIZE_MIN = 1;
const LPM_DATA_SIZE_MAX = 256;
const LPM_FLAGS = MAP_FLAGS.NO_PREALLOC | MAP_FLAGS.NUMA_NODE | ACCESS_FLAGS;

export function validateLpmTrie(spec: MapSpec): MapProblem | undefined {
  return first(
    () => (spec.maxEntries === 0 ? problem('EINVAL', 'lpm_trie maps need max_entries > 0') : undefined),
    () => (!(spec.flags & MAP_FLAGS.NO_PREALLOC) ? problem('EINVAL', 'lpm_trie maps must be created with BPF_F_NO_PREALLOC') : undefined),
    () => checkFlags(spec, LPM_FLAGS),
    () => (spec.keySize < 4 + LPM_DATA_SIZE_MIN || spec.keySize > 4 + LPM_DATA_SIZE_MAX
      ? problem('EINVAL', `lpm_trie maps need key_size 4 + data size (${4 + LPM_DATA_SIZE_MIN}..${4 + LPM_DATA_SIZE_MAX}), got ${spec.keySize}`)
      : undefined),
    () => (spec.valueSize === 0 ? problem('EINVAL', 'lpm_trie maps need value_size > 0') : undefined),
  );
}

interface LpmNode {
  prefixlen: number;
  data: Uint8Array;
  /** undefined: an intermediate node. */
  value: Uint8Array | undefined;
  child: [LpmNode | undefined, LpmNode | undefined];
}

/** Bit `index` of `data`, counting from the most significant bit of byte 0. */
function bitAt(data: Uint8Array, index: number): 0 | 1 {
  return ((data[index >> 3]! >> (7 - (index & 7))) & 1) as 0 | 1;
}

/** How many leading bits of a and b agree, up to `limit`. */
function commonPrefix(a: Uint8Array, b: Uint8Array, limit: number): number {
  let n = 0;
  for (let i = 0; n < limit; i++) {
    const diff = a[i]! ^ b[i]!;
    if (diff === 0) {
      n += 8;
      continue;
    }
    n += Math.clz32(diff) - 24;
    break;
  }
  return Math.min(n, limit);
}

export class LpmTrieMap extends MapBase {
  private root: LpmNode | undefined;
  private count = 0;
  private readonly dataSize: number;
  private readonly maxPrefixlen: number;

  constructor(spec: MapSpec, nCpus: number) {
    super(spec, nCpus);
    this.dataSize = spec.keySize - 4;
    this.maxPrefixlen = this.dataSize * 8;
  }

  /** Number of prefixes stored (intermediate nodes not counted). */
  get size(): number {
    return this.count;
  }

  private parse(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    return { prefixlen: readU32(key), data: key.subarray(4) };
  }

  private matchLen(node: LpmNode, k: { prefixlen: number; data: Uint8Array }): number {
    return commonPrefix(node.data, k.data, Math.min(node.prefixlen, k.prefixlen));
  }

  /** The node with exactly this prefix (intermediate or not), and the path of nodes above it. */
  private findExact(k: { prefixlen: number; data: Uint8Array }): { node: LpmNode | undefined; path: LpmNode[] } {
    const path: LpmNode[] = [];
    let node = this.root;
    while (node) {
      const m = this.matchLen(node, k);
      if (node.prefixlen !== m || node.prefixlen === k.prefixlen) break;
      path.push(node);
      node = node.child[bitAt(k.data, node.prefixlen)];
    }
    if (node && node.prefixlen === k.prefixlen && this.matchLen(node, k) === k.prefixlen) return { node, path };
    return { node: undefined, path };
  }

  /** The longest stored prefix that contains the key's first prefixlen bits. */
  private longestMatch(key: Uint8Array): LpmNode | undefined {
    const k = this.parse(key);
    if (k.prefixlen > this.maxPrefixlen) return undefined;
    let found: LpmNode | undefined;
    let node = this.root;
    while (node) {
      const m = this.matchLen(node, k);
      if (m === this.maxPrefixlen) return node.value ? node : found;
      if (m < node.prefixlen) break;
      if (node.value) found = node;
      node = node.child[bitAt(k.data, node.prefixlen)];
    }
    return found;
  }

  protected override lookupElem(key: Uint8Array): Uint8Array | undefined {
    return this.longestMatch(key)?.value?.slice();
  }

  protected override lookupViewElem(key: Uint8Array, _cpu: number): Uint8Array | undefined {
    return this.longestMatch(key)?.value;
  }

  protected override updateElem(key: Uint8Array, value: Uint8Array, flags: number): void {
    this.put(key, value, flags);
  }

  protected override updateElemFromProgram(key: Uint8Array, value: Uint8Array, flags: number, _cpu: number): void {
    this.put(key, value, flags);
  }

  private checkAdd(flags: number, k: { prefixlen: number }): void {
    if (flags === UPDATE.EXIST) this.fail('ENOENT', `no prefix of length ${k.prefixlen} matches and BPF_EXIST was given`);
    if (this.count >= this.spec.maxEntries) this.fail('ENOSPC', `the trie is full (max_entries ${this.spec.maxEntries})`);
  }

  private put(key: Uint8Array, value: Uint8Array, flags: number): void {
    if (flags > UPDATE.EXIST) this.checkUpdateFlags(flags);
    const k = this.parse(key);
    if (k.prefixlen > this.maxPrefixlen) this.fail('EINVAL', `prefix length ${k.prefixlen} exceeds ${this.maxPrefixlen} bits`);

    // Walk down as far as the nodes' prefixes are prefixes of the key.
    let parent: LpmNode | undefined;
    let side: 0 | 1 = 0;
    let node = this.root;
    let m = 0;
    while (node) {
      m = this.matchLen(node, k);
      if (node.prefixlen !== m || node.prefixlen === k.prefixlen || node.prefixlen === this.maxPrefixlen) break;
      parent = node;
      side = bitAt(k.data, node.prefixlen);
      node = node.child[side];
    }
    const attach = (n: LpmNode): void => {
      if (parent) parent.child[side] = n;
      else this.root = n;
    };
    const newNode = (): LpmNode => {
      const data = new Uint8Array(this.dataSize);
      data.set(k.data);
      return { prefixlen: k.prefixlen, data, value: value.slice(), child: [undefined, undefined] };
    };

    if (node && node.prefixlen === m) {
      // The same prefix is already a node.
      if (node.value) {
        if (flags === UPDATE.NOEXIST) this.fail('EEXIST', `prefix /${k.prefixlen} exists and BPF_NOEXIST was given`);
        node.value.set(value); // in place, so views stay live
        node.data.set(k.data); // the kernel keeps the bytes of the latest update, bits past the prefix too
        return;
      }
      this.checkAdd(flags, k);
      node.value = value.slice();
      node.data.set(k.data);
      this.count++;
      return;
    }
    this.checkAdd(flags, k);
    this.count++;
    const fresh = newNode();
    if (!node) {
      attach(fresh);
    } else if (m === k.prefixlen) {
      // The new prefix contains the node's: it becomes the node's parent.
      fresh.child[bitAt(node.data, m)] = node;
      attach(fresh);
    } else {
      // They diverge at bit m: an intermediate node of length m holds both.
      const im: LpmNode = { prefixlen: m, data: node.data.slice(), value: undefined, child: [undefined, undefined] };
      const b = bitAt(k.data, m);
      im.child[b] = fresh;
      im.child[b ^ 1] = node;
      attach(im);
    }
  }

  protected override deleteElem(key: Uint8Array): void {
    const k = this.parse(key);
    if (k.prefixlen > this.maxPrefixlen) this.fail('EINVAL', `prefix length ${k.prefixlen} exceeds ${this.maxPrefixlen} bits`);
    const { node, path } = this.findExact(k);
    if (!node || !node.value) this.fail('ENOENT', `no prefix /${k.prefixlen} with that data`);
    this.count--;
    if (node.child[0] && node.child[1]) {
      node.value = undefined; // still needed to split its children
      return;
    }
    const parent = path[path.length - 1];
    const grand = path[path.length - 2];
    const replaceIn = (holder: LpmNode | undefined, old: LpmNode, by: LpmNode | undefined): void => {
      if (!holder) this.root = by;
      else holder.child[holder.child[0] === old ? 0 : 1] = by;
    };
    if (parent && !parent.value && !node.child[0] && !node.child[1]) {
      // An intermediate parent with one child left is no longer needed: its other child moves up.
      const sibling = parent.child[parent.child[0] === node ? 1 : 0];
      replaceIn(grand, parent, sibling);
      return;
    }
    replaceIn(parent, node, node.child[0] ?? node.child[1]);
  }

  private keyOf(node: LpmNode): Uint8Array {
    const key = new Uint8Array(this.spec.keySize);
    writeU32(key, 0, node.prefixlen);
    key.set(node.data, 4);
    return key;
  }

  /** The first node in post-order below `from` that has a value. */
  private leftmost(from: LpmNode | undefined): LpmNode | undefined {
    let found: LpmNode | undefined;
    let node = from;
    while (node) {
      if (!node.value) {
        node = node.child[0];
      } else {
        found = node;
        node = node.child[0] ?? node.child[1];
      }
    }
    return found;
  }

  protected override nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    if (!this.root) return undefined;
    const k = key === undefined ? undefined : this.parse(key);
    const exact = k && k.prefixlen <= this.maxPrefixlen ? this.findExact(k) : undefined;
    if (!exact?.node?.value) return this.keyOf(this.leftmost(this.root)!);
    // The post-order successor: the 1-side subtree of the first ancestor we came to from its
    // 0 side, else the nearest ancestor with a value.
    let node = exact.node;
    for (let i = exact.path.length - 1; i >= 0; i--) {
      const parent = exact.path[i]!;
      if (parent.child[0] === node && parent.child[1]) return this.keyOf(this.leftmost(parent.child[1])!);
      if (parent.value) return this.keyOf(parent);
      node = parent;
    }
    return undefined;
  }

  protected override lookupBatchElems(inBatch: Uint8Array | undefined, count: number, del: boolean): BatchResult {
    if (del) return super.lookupBatchElems(inBatch, count, del);
    return genericLookupBatch(this, inBatch, count);
  }

  protected override updateBatchElems(keys: Uint8Array[], values: Uint8Array[], elemFlags: number): void {
    genericUpdateBatch(this, keys, values, elemFlags);
  }

  protected override deleteBatchElems(keys: Uint8Array[]): void {
    genericDeleteBatch(this, keys);
  }
}
