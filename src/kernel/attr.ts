/**
 * union bpf_attr, laid out as include/uapi/linux/bpf.h lays it out (x86-64 and every 64-bit ABI:
 * __aligned_u64 fields on 8-byte boundaries). Each command uses one anonymous struct of the union;
 * the tables below give the byte offset of each field we use, and `size` is offsetofend of the last
 * field we set, which is what libbpf passes: a kernel older than the header accepts a shorter attr,
 * and a newer one zero-fills what we leave out.
 */
import type { NativeBytes } from './native.js';

/** enum bpf_cmd. */
export const BPF_CMD = {
  MAP_CREATE: 0, MAP_LOOKUP_ELEM: 1, MAP_UPDATE_ELEM: 2, MAP_DELETE_ELEM: 3, MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5, OBJ_PIN: 6, OBJ_GET: 7, PROG_ATTACH: 8, PROG_DETACH: 9, PROG_TEST_RUN: 10,
  PROG_GET_NEXT_ID: 11, MAP_GET_NEXT_ID: 12, PROG_GET_FD_BY_ID: 13, MAP_GET_FD_BY_ID: 14,
  OBJ_GET_INFO_BY_FD: 15, PROG_QUERY: 16, RAW_TRACEPOINT_OPEN: 17, BTF_LOAD: 18, BTF_GET_FD_BY_ID: 19,
  TASK_FD_QUERY: 20, MAP_LOOKUP_AND_DELETE_ELEM: 21, MAP_FREEZE: 22, BTF_GET_NEXT_ID: 23,
  MAP_LOOKUP_BATCH: 24, MAP_LOOKUP_AND_DELETE_BATCH: 25, MAP_UPDATE_BATCH: 26, MAP_DELETE_BATCH: 27,
  LINK_CREATE: 28, LINK_UPDATE: 29, LINK_GET_FD_BY_ID: 30, LINK_GET_NEXT_ID: 31, ENABLE_STATS: 32,
  ITER_CREATE: 33, LINK_DETACH: 34, PROG_BIND_MAP: 35, TOKEN_CREATE: 36,
} as const;

export type BpfCommandName = keyof typeof BPF_CMD;

export function commandName(cmd: number): string {
  const name = (Object.keys(BPF_CMD) as BpfCommandName[]).find((k) => BPF_CMD[k] === cmd);
  return name ? `BPF_${name}` : `bpf command ${cmd}`;
}

/** BPF_OBJ_NAME_LEN: names are at most 15 bytes and a NUL. */
export const BPF_OBJ_NAME_LEN = 16;

/** The BPF_MAP_CREATE struct. */
export const MAP_CREATE = {
  map_type: 0, key_size: 4, value_size: 8, max_entries: 12, map_flags: 16, inner_map_fd: 20,
  numa_node: 24, map_name: 28, map_ifindex: 44, btf_fd: 48, btf_key_type_id: 52,
  btf_value_type_id: 56, btf_vmlinux_value_type_id: 60, map_extra: 64, size: 72,
} as const;

/** The BPF_MAP_*_ELEM, GET_NEXT_KEY and MAP_FREEZE struct (next_key shares value's place). */
export const MAP_ELEM = { map_fd: 0, key: 8, value: 16, next_key: 16, flags: 24, size: 32 } as const;

/** attr.batch, for BPF_MAP_*_BATCH. */
export const MAP_BATCH = {
  in_batch: 0, out_batch: 8, keys: 16, values: 24, count: 32, map_fd: 36, elem_flags: 40, flags: 48, size: 56,
} as const;

/** The BPF_PROG_LOAD struct. */
export const PROG_LOAD = {
  prog_type: 0, insn_cnt: 4, insns: 8, license: 16, log_level: 24, log_size: 28, log_buf: 32,
  kern_version: 40, prog_flags: 44, prog_name: 48, prog_ifindex: 64, expected_attach_type: 68,
  prog_btf_fd: 72, func_info_rec_size: 76, func_info: 80, func_info_cnt: 88, line_info_rec_size: 92,
  line_info: 96, line_info_cnt: 104, attach_btf_id: 108, attach_prog_fd: 112, core_relo_cnt: 116,
  fd_array: 120, core_relos: 128, core_relo_rec_size: 136, log_true_size: 140, size: 144,
} as const;

/** The BPF_OBJ_PIN / BPF_OBJ_GET struct. */
export const OBJ = { pathname: 0, bpf_fd: 8, file_flags: 12, size: 16 } as const;

/** attr.test, for BPF_PROG_TEST_RUN. */
export const TEST_RUN = {
  prog_fd: 0, retval: 4, data_size_in: 8, data_size_out: 12, data_in: 16, data_out: 24, repeat: 32,
  duration: 36, ctx_size_in: 40, ctx_size_out: 44, ctx_in: 48, ctx_out: 56, flags: 64, cpu: 68,
  batch_size: 72, size: 76,
} as const;

/** The BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID struct (start_id/prog_id/map_id/... share offset 0). */
export const GET_ID = { start_id: 0, id: 0, next_id: 4, open_flags: 8, size: 12 } as const;

/** attr.info, for BPF_OBJ_GET_INFO_BY_FD. */
export const OBJ_INFO = { bpf_fd: 0, info_len: 4, info: 8, size: 16 } as const;

/** The BPF_BTF_LOAD struct. */
export const BTF_LOAD = {
  btf: 0, btf_log_buf: 8, btf_size: 16, btf_log_size: 20, btf_log_level: 24, btf_log_true_size: 28, size: 32,
} as const;

/** The largest struct of the union we fill (bpf_attr is smaller than this in every kernel we use). */
export const ATTR_BUFFER_SIZE = 256;

/** Typed little-endian access to a native bpf_attr (or info struct). */
export class Attr {
  private readonly dv: DataView;
  constructor(readonly mem: NativeBytes) {
    this.dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength);
  }

  get bytes(): Uint8Array {
    return this.mem.bytes;
  }

  u32(off: number, v: number): this {
    this.dv.setUint32(off, v >>> 0, true);
    return this;
  }

  u64(off: number, v: bigint): this {
    this.dv.setBigUint64(off, BigInt.asUintN(64, v), true);
    return this;
  }

  /** A user pointer: the block's address, or NULL. */
  ptr(off: number, b: NativeBytes | undefined): this {
    return this.u64(off, b ? b.addr : 0n);
  }

  /** A char[BPF_OBJ_NAME_LEN] name, cut to 15 bytes. */
  name(off: number, s: string): this {
    const enc = Buffer.from(s, 'utf8').subarray(0, BPF_OBJ_NAME_LEN - 1);
    this.mem.bytes.set(enc, off);
    return this;
  }

  getU32(off: number): number {
    return this.dv.getUint32(off, true);
  }

  getU64(off: number): bigint {
    return this.dv.getBigUint64(off, true);
  }

  /** A NUL-terminated char array of `len` bytes. */
  getName(off: number, len = BPF_OBJ_NAME_LEN): string {
    const b = this.mem.bytes.subarray(off, off + len);
    const end = b.indexOf(0);
    return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('utf8');
  }
}
