/**
 * The map commands of bpf(2), one function each, over raw fds and bytes: BPF_MAP_CREATE, the
 * element commands, GET_NEXT_KEY, FREEZE and the batch commands. Sizes are the caller's business
 * (KernelMap checks them first, as the VM's maps do): the kernel copies exactly key_size and
 * value_size bytes and could not tell a short buffer from a right one.
 */
import { MapBatchError } from '../maps/base.js';
import { MAP_BATCH, MAP_CREATE, MAP_ELEM, BPF_CMD } from './attr.js';
import { ERRNO, errnoName } from './errors.js';
import { withScratch } from './native.js';
import { adoptFd, bpfCall, errorFor, newAttr, rawBpf, type ErrnoReasons } from './syscall.js';

/** Who a failure is about, for its message, and what each errno means for this caller. */
export interface CallContext {
  what: string;
  reasons?: ErrnoReasons;
}

function ctxOf(fd: number, ctx?: CallContext): CallContext {
  return ctx ?? { what: `map fd ${fd}` };
}

export interface MapCreateAttrs {
  /** enum bpf_map_type. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  /** Shown by bpftool; cut to 15 bytes. */
  name?: string;
  /** Maps of maps: a map of the inner type (the template). */
  innerMapFd?: number;
  numaNode?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  btfVmlinuxValueTypeId?: number;
  mapExtra?: bigint;
}

/** BPF_MAP_CREATE: the new map's fd (owned: close it with closeFd). */
export function mapCreate(a: MapCreateAttrs, ctx?: CallContext): number {
  return withScratch((s) => {
    const attr = newAttr(s)
      .u32(MAP_CREATE.map_type, a.type)
      .u32(MAP_CREATE.key_size, a.keySize)
      .u32(MAP_CREATE.value_size, a.valueSize)
      .u32(MAP_CREATE.max_entries, a.maxEntries)
      .u32(MAP_CREATE.map_flags, a.flags ?? 0)
      .u32(MAP_CREATE.inner_map_fd, a.innerMapFd ?? 0)
      .u32(MAP_CREATE.numa_node, a.numaNode ?? 0)
      .name(MAP_CREATE.map_name, a.name ?? '')
      .u32(MAP_CREATE.btf_fd, a.btfFd ?? 0)
      .u32(MAP_CREATE.btf_key_type_id, a.btfKeyTypeId ?? 0)
      .u32(MAP_CREATE.btf_value_type_id, a.btfValueTypeId ?? 0)
      .u32(MAP_CREATE.btf_vmlinux_value_type_id, a.btfVmlinuxValueTypeId ?? 0)
      .u64(MAP_CREATE.map_extra, a.mapExtra ?? 0n);
    const c = ctx ?? { what: `map '${a.name ?? ''}'` };
    return adoptFd(bpfCall(BPF_CMD.MAP_CREATE, attr, MAP_CREATE.size, c.what, c.reasons));
  });
}

/** BPF_MAP_LOOKUP_ELEM: the value (`valueSize` bytes, all CPUs' for per-CPU maps), or undefined on ENOENT. */
export function mapLookupElem(fd: number, key: Uint8Array, valueSize: number, flags = 0, ctx?: CallContext): Uint8Array | undefined {
  return withScratch((s) => {
    const value = s.alloc(valueSize);
    const attr = newAttr(s).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, s.copy(key)).ptr(MAP_ELEM.value, value).u64(MAP_ELEM.flags, BigInt(flags));
    const r = rawBpf(BPF_CMD.MAP_LOOKUP_ELEM, attr, MAP_ELEM.size);
    if (r === -ERRNO.ENOENT) return undefined;
    if (r < 0) throw errorFor(BPF_CMD.MAP_LOOKUP_ELEM, -r, ctxOf(fd, ctx).what, ctx?.reasons);
    return value.bytes.slice();
  });
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash types; queue/stack pop with no key). */
export function mapLookupAndDeleteElem(fd: number, key: Uint8Array | undefined, valueSize: number, ctx?: CallContext): Uint8Array | undefined {
  return withScratch((s) => {
    const value = s.alloc(valueSize);
    const attr = newAttr(s).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, key && key.length ? s.copy(key) : undefined).ptr(MAP_ELEM.value, value);
    const r = rawBpf(BPF_CMD.MAP_LOOKUP_AND_DELETE_ELEM, attr, MAP_ELEM.size);
    if (r === -ERRNO.ENOENT) return undefined;
    if (r < 0) throw errorFor(BPF_CMD.MAP_LOOKUP_AND_DELETE_ELEM, -r, ctxOf(fd, ctx).what, ctx?.reasons);
    return value.bytes.slice();
  });
}

/** BPF_MAP_UPDATE_ELEM with BPF_ANY / BPF_NOEXIST / BPF_EXIST (| BPF_F_LOCK). */
export function mapUpdateElem(fd: number, key: Uint8Array, value: Uint8Array, flags = 0, ctx?: CallContext): void {
  withScratch((s) => {
    const attr = newAttr(s).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, s.copy(key)).ptr(MAP_ELEM.value, s.copy(value)).u64(MAP_ELEM.flags, BigInt(flags));
    const c = ctxOf(fd, ctx);
    bpfCall(BPF_CMD.MAP_UPDATE_ELEM, attr, MAP_ELEM.size, c.what, c.reasons);
  });
}

/** BPF_MAP_DELETE_ELEM. */
export function mapDeleteElem(fd: number, key: Uint8Array, ctx?: CallContext): void {
  withScratch((s) => {
    const attr = newAttr(s).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, s.copy(key));
    const c = ctxOf(fd, ctx);
    bpfCall(BPF_CMD.MAP_DELETE_ELEM, attr, MAP_ELEM.size, c.what, c.reasons);
  });
}

/** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first key for undefined), or undefined at the end. */
export function mapGetNextKey(fd: number, key: Uint8Array | undefined, keySize: number, ctx?: CallContext): Uint8Array | undefined {
  return withScratch((s) => {
    const next = s.alloc(keySize);
    const attr = newAttr(s).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, key ? s.copy(key) : undefined).ptr(MAP_ELEM.next_key, next);
    const r = rawBpf(BPF_CMD.MAP_GET_NEXT_KEY, attr, MAP_ELEM.size);
    if (r === -ERRNO.ENOENT) return undefined;
    if (r < 0) throw errorFor(BPF_CMD.MAP_GET_NEXT_KEY, -r, ctxOf(fd, ctx).what, ctx?.reasons);
    return next.bytes.slice();
  });
}

/** BPF_MAP_FREEZE: user space can no longer change the map (programs still can). */
export function mapFreeze(fd: number, ctx?: CallContext): void {
  withScratch((s) => {
    const c = ctxOf(fd, ctx);
    bpfCall(BPF_CMD.MAP_FREEZE, newAttr(s).u32(MAP_ELEM.map_fd, fd), MAP_ELEM.size, c.what, c.reasons);
  });
}

// ---- batches -------------------------------------------------------------------------------

export interface KernelBatch {
  keys: Uint8Array[];
  values: Uint8Array[];
  /** The cursor the kernel wrote to out_batch (`cursorSize` bytes); undefined when it returned nothing. */
  outBatch: Uint8Array | undefined;
  /** The kernel answered ENOENT: the iteration reached the end. */
  done: boolean;
}

/**
 * BPF_MAP_LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH. `cursorSize` is the size of in_batch/out_batch:
 * hash maps use a 4-byte bucket index, the generic implementation (arrays) a key.
 */
export function mapLookupBatch(
  fd: number, inBatch: Uint8Array | undefined, count: number, sizes: { key: number; value: number; cursor: number },
  opts: { del?: boolean; elemFlags?: number; ctx?: CallContext } = {},
): KernelBatch {
  const cmd = opts.del ? BPF_CMD.MAP_LOOKUP_AND_DELETE_BATCH : BPF_CMD.MAP_LOOKUP_BATCH;
  if (count <= 0) return { keys: [], values: [], outBatch: undefined, done: false };
  return withScratch((s) => {
    const keys = s.alloc(sizes.key * count);
    const values = s.alloc(sizes.value * count);
    const out = s.alloc(Math.max(sizes.cursor, 8));
    const attr = newAttr(s)
      .ptr(MAP_BATCH.in_batch, inBatch ? s.copy(inBatch) : undefined)
      .ptr(MAP_BATCH.out_batch, out)
      .ptr(MAP_BATCH.keys, keys)
      .ptr(MAP_BATCH.values, values)
      .u32(MAP_BATCH.count, count)
      .u32(MAP_BATCH.map_fd, fd)
      .u64(MAP_BATCH.elem_flags, BigInt(opts.elemFlags ?? 0));
    const r = rawBpf(cmd, attr, MAP_BATCH.size);
    const done = r === -ERRNO.ENOENT;
    if (r < 0 && !done) throw errorFor(cmd, -r, ctxOf(fd, opts.ctx).what, opts.ctx?.reasons);
    const n = attr.getU32(MAP_BATCH.count);
    const result: KernelBatch = { keys: [], values: [], outBatch: undefined, done };
    for (let i = 0; i < n; i++) {
      result.keys.push(keys.bytes.slice(i * sizes.key, (i + 1) * sizes.key));
      result.values.push(values.bytes.slice(i * sizes.value, (i + 1) * sizes.value));
    }
    if (n > 0 || !done) result.outBatch = out.bytes.slice(0, sizes.cursor);
    return result;
  });
}

/**
 * BPF_MAP_UPDATE_BATCH / DELETE_BATCH. A failure part way is a MapBatchError whose `completed`
 * is the count the kernel reports done, as the VM's maps do.
 */
export function mapWriteBatch(
  fd: number, keys: Uint8Array[], values: Uint8Array[] | undefined, opts: { elemFlags?: number; ctx?: CallContext } = {},
): void {
  const cmd = values ? BPF_CMD.MAP_UPDATE_BATCH : BPF_CMD.MAP_DELETE_BATCH;
  if (keys.length === 0) return;
  withScratch((s) => {
    const k = s.alloc(keys.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const key of keys) {
      k.bytes.set(key, at);
      at += key.length;
    }
    let v;
    if (values) {
      v = s.alloc(values.reduce((n, x) => n + x.length, 0));
      at = 0;
      for (const value of values) {
        v.bytes.set(value, at);
        at += value.length;
      }
    }
    const attr = newAttr(s)
      .ptr(MAP_BATCH.keys, k)
      .ptr(MAP_BATCH.values, v)
      .u32(MAP_BATCH.count, keys.length)
      .u32(MAP_BATCH.map_fd, fd)
      .u64(MAP_BATCH.elem_flags, BigInt(opts.elemFlags ?? 0));
    const r = rawBpf(cmd, attr, MAP_BATCH.size);
    if (r >= 0) return;
    const done = attr.getU32(MAP_BATCH.count);
    const e = errorFor(cmd, -r, ctxOf(fd, opts.ctx).what, opts.ctx?.reasons);
    const what = values ? 'update' : 'delete';
    throw new MapBatchError(e.code, `${e.message} (${what} batch stopped after ${done} element${done === 1 ? '' : 's'}; ${errnoName(-r)})`, done);
  });
}
