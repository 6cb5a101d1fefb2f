/**
 * Commands on BPF objects as a whole: pinning in bpffs (BPF_OBJ_PIN/GET), walking the kernel's id
 * space (BPF_*_GET_NEXT_ID), opening an object by id (BPF_*_GET_FD_BY_ID) and asking what an fd
 * is (BPF_OBJ_GET_INFO_BY_FD, for programs, maps, BTF and links).
 */
import { BPF_CMD, GET_ID, OBJ, OBJ_INFO, Attr } from './attr.js';
import { ERRNO } from './errors.js';
import { withScratch, type Scratch } from './native.js';
import { adoptFd, bpfCall, errorFor, newAttr, rawBpf } from './syscall.js';

// ---- bpffs -----------------------------------------------------------------------------------

/** BPF_OBJ_PIN: `path` (in a bpffs mount) now holds a reference to the object. */
export function objPin(fd: number, path: string): void {
  withScratch((s) => {
    const attr = newAttr(s).ptr(OBJ.pathname, s.cString(path)).u32(OBJ.bpf_fd, fd);
    bpfCall(BPF_CMD.OBJ_PIN, attr, OBJ.size, `pin ${path}`, {
      EEXIST: 'the path exists already (remove it first: pins are files in bpffs)',
      EPERM: 'the path is not on a bpffs mount (mount -t bpf bpf /sys/fs/bpf) or the process lacks the privilege to pin',
      ENOENT: 'its directory does not exist',
      EBADF: 'the fd is not a BPF map, program or link',
    });
  });
}

/** BPF_OBJ_GET file_flags: open a pinned map read-only or write-only. */
export const OBJ_FLAGS = { RDONLY: 1 << 3, WRONLY: 1 << 4 } as const;

/** BPF_OBJ_GET: a new fd (owned) for the object pinned at `path`. */
export function objGet(path: string, fileFlags = 0): number {
  return withScratch((s) => {
    const attr = newAttr(s).ptr(OBJ.pathname, s.cString(path)).u32(OBJ.file_flags, fileFlags);
    return adoptFd(bpfCall(BPF_CMD.OBJ_GET, attr, OBJ.size, `pin ${path}`, {
      ENOENT: 'no such pin (nothing is pinned at that path)',
      EPERM: 'the path is not a BPF object in bpffs, or the process may not open it',
      EACCES: 'the pin\'s permissions do not allow opening it with these flags',
      EINVAL: 'the file flags are invalid for this object',
    }));
  });
}

// ---- ids ---------------------------------------------------------------------------------------

export type ObjectKind = 'prog' | 'map' | 'link' | 'btf';

const NEXT_ID: Record<ObjectKind, number> = {
  prog: BPF_CMD.PROG_GET_NEXT_ID, map: BPF_CMD.MAP_GET_NEXT_ID, link: BPF_CMD.LINK_GET_NEXT_ID, btf: BPF_CMD.BTF_GET_NEXT_ID,
};
const FD_BY_ID: Record<ObjectKind, number> = {
  prog: BPF_CMD.PROG_GET_FD_BY_ID, map: BPF_CMD.MAP_GET_FD_BY_ID, link: BPF_CMD.LINK_GET_FD_BY_ID, btf: BPF_CMD.BTF_GET_FD_BY_ID,
};

/** BPF_*_GET_NEXT_ID: the first id above `startId` (0: the first), or undefined past the last. */
export function getNextId(kind: ObjectKind, startId = 0): number | undefined {
  return withScratch((s) => {
    const attr = newAttr(s).u32(GET_ID.start_id, startId);
    const r = rawBpf(NEXT_ID[kind], attr, GET_ID.size);
    if (r === -ERRNO.ENOENT) return undefined;
    if (r < 0) throw errorFor(NEXT_ID[kind], -r, `${kind} ids`, { EPERM: 'listing BPF objects needs CAP_SYS_ADMIN (root)' });
    return attr.getU32(GET_ID.next_id);
  });
}

/** Every id of `kind` the kernel has now, in increasing order. */
export function listIds(kind: ObjectKind): number[] {
  const ids: number[] = [];
  for (let id = getNextId(kind, 0); id !== undefined; id = getNextId(kind, id)) ids.push(id);
  return ids;
}

/** BPF_*_GET_FD_BY_ID: a new fd (owned) for the object with that id. */
export function getFdById(kind: ObjectKind, id: number, openFlags = 0): number {
  return withScratch((s) => {
    const attr = newAttr(s).u32(GET_ID.id, id).u32(GET_ID.open_flags, openFlags);
    return adoptFd(bpfCall(FD_BY_ID[kind], attr, GET_ID.size, `${kind} id ${id}`, {
      ENOENT: `there is no ${kind} with id ${id} (it was freed, or never existed)`,
      EPERM: 'opening BPF objects by id needs CAP_SYS_ADMIN (root)',
    }));
  });
}

// ---- info --------------------------------------------------------------------------------------

/** BPF_OBJ_GET_INFO_BY_FD into `info` (a zeroed struct, with any output buffers it points to). */
function getInfo(s: Scratch, fd: number, info: Attr, what: string): number {
  const attr = newAttr(s).u32(OBJ_INFO.bpf_fd, fd).u32(OBJ_INFO.info_len, info.bytes.length).ptr(OBJ_INFO.info, info.mem);
  bpfCall(BPF_CMD.OBJ_GET_INFO_BY_FD, attr, OBJ_INFO.size, what, { EINVAL: 'the fd is not a BPF object, or the info struct has fields this kernel does not know' });
  return attr.getU32(OBJ_INFO.info_len);
}

/** struct bpf_prog_info offsets. */
const PI = {
  type: 0, id: 4, tag: 8, jited_prog_len: 16, xlated_prog_len: 20, jited_prog_insns: 24, xlated_prog_insns: 32,
  load_time: 40, created_by_uid: 48, nr_map_ids: 52, map_ids: 56, name: 64, ifindex: 80, gpl_compatible: 84,
  btf_id: 128, nr_func_info: 144, nr_line_info: 148, run_time_ns: 192, run_cnt: 200, recursion_misses: 208,
  verified_insns: 216, size: 232,
} as const;

export interface KernelProgInfo {
  type: number;
  id: number;
  /** The program's tag, 16 hex digits (bpftool's form without the colons). */
  tag: string;
  name: string;
  jitedSize: number;
  xlatedSize: number;
  /** Nanoseconds since boot (CLOCK_BOOTTIME) when the program was loaded. */
  loadTime: bigint;
  createdByUid: number;
  mapIds: number[];
  gplCompatible: boolean;
  btfId: number;
  funcInfoCount: number;
  lineInfoCount: number;
  /** With kernel.bpf_stats_enabled: total run time and run count. */
  runTimeNs: bigint;
  runCount: bigint;
  recursionMisses: bigint;
  verifiedInsns: number;
  /** The translated instructions (as the verifier rewrote them), when asked for and allowed. */
  xlated?: Uint8Array;
}

/** Program info; `xlated: true` also fetches the translated instructions (bpftool prog dump xlated). */
export function progInfo(fd: number, opts: { xlated?: boolean } = {}): KernelProgInfo {
  const what = `program fd ${fd}`;
  return withScratch((s) => {
    // First call: the counts, to size the arrays of the second.
    const first = new Attr(s.alloc(PI.size));
    getInfo(s, fd, first, what);
    const nMaps = first.getU32(PI.nr_map_ids);
    const xlatedLen = first.getU32(PI.xlated_prog_len);
    let info = first;
    let mapIds: Attr | undefined;
    let xlated: Attr | undefined;
    if (nMaps > 0 || (opts.xlated && xlatedLen > 0)) {
      info = new Attr(s.alloc(PI.size));
      if (nMaps > 0) {
        mapIds = new Attr(s.alloc(nMaps * 4));
        info.u32(PI.nr_map_ids, nMaps).ptr(PI.map_ids, mapIds.mem);
      }
      if (opts.xlated && xlatedLen > 0) {
        xlated = new Attr(s.alloc(xlatedLen));
        info.u32(PI.xlated_prog_len, xlatedLen).ptr(PI.xlated_prog_insns, xlated.mem);
      }
      getInfo(s, fd, info, what);
    }
    const tag = Buffer.from(info.bytes.subarray(PI.tag, PI.tag + 8)).toString('hex');
    const out: KernelProgInfo = {
      type: info.getU32(PI.type),
      id: info.getU32(PI.id),
      tag,
      name: info.getName(PI.name),
      jitedSize: info.getU32(PI.jited_prog_len),
      xlatedSize: info.getU32(PI.xlated_prog_len),
      loadTime: info.getU64(PI.load_time),
      createdByUid: info.getU32(PI.created_by_uid),
      mapIds: [],
      gplCompatible: (info.getU32(PI.gpl_compatible) & 1) === 1,
      btfId: info.getU32(PI.btf_id),
      funcInfoCount: info.getU32(PI.nr_func_info),
      lineInfoCount: info.getU32(PI.nr_line_info),
      runTimeNs: info.getU64(PI.run_time_ns),
      runCount: info.getU64(PI.run_cnt),
      recursionMisses: info.getU64(PI.recursion_misses),
      verifiedInsns: info.getU32(PI.verified_insns),
    };
    if (mapIds) for (let i = 0; i < Math.min(nMaps, info.getU32(PI.nr_map_ids)); i++) out.mapIds.push(mapIds.getU32(i * 4));
    // xlated_prog_len is 0 and no bytes come back when kernel.kptr_restrict or lockdown hides them.
    if (xlated && info.getU32(PI.xlated_prog_len) > 0) out.xlated = xlated.bytes.slice(0, info.getU32(PI.xlated_prog_len));
    return out;
  });
}

/** struct bpf_map_info offsets (up to map_extra). */
const MI = {
  type: 0, id: 4, key_size: 8, value_size: 12, max_entries: 16, map_flags: 20, name: 24, ifindex: 40,
  btf_vmlinux_value_type_id: 44, btf_id: 64, btf_key_type_id: 68, btf_value_type_id: 72, map_extra: 80, size: 88,
} as const;

export interface KernelMapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
  btfId: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  mapExtra: bigint;
}

export function mapInfo(fd: number): KernelMapInfo {
  return withScratch((s) => {
    const info = new Attr(s.alloc(MI.size));
    getInfo(s, fd, info, `map fd ${fd}`);
    return {
      type: info.getU32(MI.type),
      id: info.getU32(MI.id),
      keySize: info.getU32(MI.key_size),
      valueSize: info.getU32(MI.value_size),
      maxEntries: info.getU32(MI.max_entries),
      flags: info.getU32(MI.map_flags),
      name: info.getName(MI.name),
      btfId: info.getU32(MI.btf_id),
      btfKeyTypeId: info.getU32(MI.btf_key_type_id),
      btfValueTypeId: info.getU32(MI.btf_value_type_id),
      mapExtra: info.getU64(MI.map_extra),
    };
  });
}

/** struct bpf_btf_info offsets. */
const BI = { btf: 0, btf_size: 8, id: 12, name: 16, name_len: 24, kernel_btf: 28, size: 32 } as const;

export interface KernelBtfInfo {
  id: number;
  size: number;
  /** vmlinux or a module's name for kernel BTF; '' for BTF loaded by a program. */
  name: string;
  kernelBtf: boolean;
  /** The raw BTF, when asked for. */
  bytes?: Uint8Array;
}

export function btfInfo(fd: number, opts: { bytes?: boolean } = {}): KernelBtfInfo {
  const what = `BTF fd ${fd}`;
  return withScratch((s) => {
    const first = new Attr(s.alloc(BI.size));
    const name = s.alloc(64);
    first.ptr(BI.name, name).u32(BI.name_len, 64);
    getInfo(s, fd, first, what);
    const size = first.getU32(BI.btf_size);
    const out: KernelBtfInfo = {
      id: first.getU32(BI.id), size, name: Buffer.from(name.bytes.subarray(0, Math.max(0, name.bytes.indexOf(0)))).toString('utf8'),
      kernelBtf: first.getU32(BI.kernel_btf) !== 0,
    };
    if (opts.bytes && size > 0) {
      const info = new Attr(s.alloc(BI.size));
      const raw = s.alloc(size);
      info.ptr(BI.btf, raw).u32(BI.btf_size, size);
      getInfo(s, fd, info, what);
      out.bytes = raw.bytes.slice();
    }
    return out;
  });
}

export interface KernelLinkInfo {
  type: number;
  id: number;
  progId: number;
}

/** The common head of struct bpf_link_info (type, id, prog_id); the per-type union is left out for now. */
export function linkInfo(fd: number): KernelLinkInfo {
  return withScratch((s) => {
    const info = new Attr(s.alloc(16));
    getInfo(s, fd, info, `link fd ${fd}`);
    return { type: info.getU32(0), id: info.getU32(4), progId: info.getU32(8) };
  });
}
