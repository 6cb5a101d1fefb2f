/**
 * Packet helpers (net/core/filter.c): reading and writing packet bytes, checksum updates, and
 * moving an XDP packet's head, tail and metadata. They reach the packet through the PacketOps the
 * program type puts in RunContext.state[PACKET_OPS] (vm/packet-ops.ts); offsets are from the start
 * of the packet's data (skb->data: the Ethernet header for tc, as in the kernel). Checksum fields
 * are read and written as the kernel does, in place, as a native (little-endian) u16.
 *
 * skb->ip_summed is taken as CHECKSUM_NONE (what BPF_PROG_TEST_RUN builds), so the l4 update is the
 * plain incremental update and BPF_F_PSEUDO_HDR and BPF_F_IPV6 change nothing but are accepted.
 */
import { PACKET_OPS, type PacketOps } from '../vm/packet-ops.js';
import type { HelperCall, HelperDef } from './registry.js';
import { negErrno } from './errno.js';
import { csumDiff, csumReplace2, csumReplace4, csumReplaceByDiff } from './csum.js';
import { helper, helperError, mem, ret, runOf, s32, u32 } from './support.js';

/** Checksum and store flags, as in the UAPI linux/bpf.h. */
export const BPF_F_RECOMPUTE_CSUM = 1n;
export const BPF_F_INVALIDATE_HASH = 2n;
export const BPF_F_HDR_FIELD_MASK = 0xfn;
export const BPF_F_PSEUDO_HDR = 0x10n;
export const BPF_F_MARK_MANGLED_0 = 0x20n;
export const BPF_F_MARK_ENFORCE = 0x40n;
export const BPF_F_IPV6 = 0x80n;
/** CSUM_MANGLED_0: what a UDP checksum that came out 0 is written as. */
const CSUM_MANGLED_0 = 0xffff;
const INT_MAX = 0x7fffffff;

/** The run's packet, or a clean failure for a program type without one. */
export function packetOps(call: HelperCall, name: string): PacketOps {
  const ops = runOf(call, name).state[PACKET_OPS] as PacketOps | undefined;
  if (ops === undefined) throw helperError(call, name, 'EINVAL', 'this run has no packet (the program type provides PacketOps)');
  return ops;
}

/** The u16 checksum field at `offset`, as bpf_l3/l4_csum_replace check it: -EFAULT if misplaced. */
function checksumField(bytes: Uint8Array, offset: number): DataView | undefined {
  if (offset > 0xffff || offset & 1 || offset + 2 > bytes.length) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 2);
}

export const packetHelpers: readonly HelperDef[] = [
  helper('skb_load_bytes', {
    proto: 'bpf_skb_load_bytes_proto',
    args: ['ptr_to_ctx', 'anything', 'ptr_to_uninit_mem', 'const_size'],
    ret: 'integer',
    impl(call, _r1, r2, r3, r4) {
      const name = 'bpf_skb_load_bytes';
      const bytes = packetOps(call, name).bytes();
      const len = u32(r4);
      const dst = mem(call, name, r3, len, true, 'to');
      const offset = u32(r2);
      if (offset > INT_MAX || offset + len > bytes.length) {
        dst.fill(0);
        return negErrno('EFAULT');
      }
      dst.set(bytes.subarray(offset, offset + len));
      return 0n;
    },
  }),
  helper('skb_store_bytes', {
    proto: 'bpf_skb_store_bytes_proto',
    args: ['ptr_to_ctx', 'anything', 'ptr_to_mem', 'const_size', 'anything'],
    ret: 'integer',
    impl(call, _r1, r2, r3, r4, r5) {
      const name = 'bpf_skb_store_bytes';
      const ops = packetOps(call, name);
      const len = u32(r4);
      const src = mem(call, name, r3, len, false, 'from').slice();
      if ((r5 & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) !== 0n) return negErrno('EINVAL');
      const offset = u32(r2);
      const bytes = ops.bytes();
      if (offset > INT_MAX || offset + len > bytes.length) return negErrno('EFAULT');
      // BPF_F_RECOMPUTE_CSUM keeps skb->csum right for CHECKSUM_COMPLETE; there is none here.
      bytes.set(src, offset);
      return 0n;
    },
  }),
  helper('l3_csum_replace', {
    proto: 'bpf_l3_csum_replace_proto',
    args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'],
    ret: 'integer',
    impl(call, _r1, r2, r3, r4, r5) {
      const name = 'bpf_l3_csum_replace';
      const ops = packetOps(call, name);
      if ((r5 & ~BPF_F_HDR_FIELD_MASK) !== 0n) return negErrno('EINVAL');
      const field = checksumField(ops.bytes(), u32(r2));
      if (field === undefined) return negErrno('EFAULT');
      const check = field.getUint16(0, true);
      let next: number;
      switch (r5 & BPF_F_HDR_FIELD_MASK) {
        case 0n:
          if (r3 !== 0n) return negErrno('EINVAL');
          next = csumReplaceByDiff(check, u32(r4));
          break;
        case 2n: next = csumReplace2(check, Number(r3 & 0xffffn), Number(r4 & 0xffffn)); break;
        case 4n: next = csumReplace4(check, u32(r3), u32(r4)); break;
        default: return negErrno('EINVAL');
      }
      field.setUint16(0, next, true);
      return 0n;
    },
  }),
  helper('l4_csum_replace', {
    proto: 'bpf_l4_csum_replace_proto',
    args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'],
    ret: 'integer',
    impl(call, _r1, r2, r3, r4, r5) {
      const name = 'bpf_l4_csum_replace';
      const ops = packetOps(call, name);
      const known = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;
      if ((r5 & ~known) !== 0n) return negErrno('EINVAL');
      const field = checksumField(ops.bytes(), u32(r2));
      if (field === undefined) return negErrno('EFAULT');
      const mangled0 = (r5 & BPF_F_MARK_MANGLED_0) !== 0n;
      const check = field.getUint16(0, true);
      // A UDP checksum of 0 means "none": leave it, unless BPF_F_MARK_ENFORCE.
      if (mangled0 && (r5 & BPF_F_MARK_ENFORCE) === 0n && check === 0) return 0n;
      let next: number;
      switch (r5 & BPF_F_HDR_FIELD_MASK) {
        case 0n:
          if (r3 !== 0n) return negErrno('EINVAL');
          next = csumReplaceByDiff(check, u32(r4));
          break;
        // inet_proto_csum_replace2 is inet_proto_csum_replace4 on the zero-extended values.
        case 2n: next = csumReplace4(check, Number(r3 & 0xffffn), Number(r4 & 0xffffn)); break;
        case 4n: next = csumReplace4(check, u32(r3), u32(r4)); break;
        default: return negErrno('EINVAL');
      }
      if (mangled0 && next === 0) next = CSUM_MANGLED_0;
      field.setUint16(0, next, true);
      return 0n;
    },
  }),
  helper('csum_diff', {
    proto: 'bpf_csum_diff_proto',
    args: ['ptr_to_mem_or_null', 'const_size_or_zero', 'ptr_to_mem_or_null', 'const_size_or_zero', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3, r4, r5) {
      const name = 'bpf_csum_diff';
      const fromSize = u32(r2), toSize = u32(r4);
      const from = fromSize > 0 ? mem(call, name, r1, fromSize, false, 'from') : new Uint8Array(0);
      const to = toSize > 0 ? mem(call, name, r3, toSize, false, 'to') : new Uint8Array(0);
      return ret(csumDiff(from, to, u32(r5)));
    },
  }),
  helper('xdp_adjust_head', {
    proto: 'bpf_xdp_adjust_head_proto',
    args: ['ptr_to_ctx', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2) => ret(packetOps(call, 'bpf_xdp_adjust_head').adjustHead(s32(r2))),
  }),
  helper('xdp_adjust_tail', {
    proto: 'bpf_xdp_adjust_tail_proto',
    args: ['ptr_to_ctx', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2) => ret(packetOps(call, 'bpf_xdp_adjust_tail').adjustTail(s32(r2))),
  }),
  helper('xdp_adjust_meta', {
    proto: 'bpf_xdp_adjust_meta_proto',
    args: ['ptr_to_ctx', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2) => ret(packetOps(call, 'bpf_xdp_adjust_meta').adjustMeta(s32(r2))),
  }),
];
