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
import { copyOut, helper, helperError, mem, ret, runOf, s32, u32 } from './support.js';

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
/** The flags bpf_l4_csum_replace takes (bpf_l3_csum_replace takes only the size). */
const L4_CSUM_FLAGS = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;

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

/** The start of `len` packet bytes at the u32 `offset`, or undefined when they are not all there (-EFAULT). */
function packetRange(bytes: Uint8Array, offset: bigint, len: number): number | undefined {
  const start = u32(offset);
  return start > INT_MAX || start + len > bytes.length ? undefined : start;
}

/**
 * bpf_l3_csum_replace and bpf_l4_csum_replace: the checksum at `offset` updated for a change of
 * `from` to `to` (the low bits of `flags` say their size: 2 or 4 bytes, or 0 when `to` is a
 * bpf_csum_diff result and `from` must be 0). `known` are the flags the helper takes; `replace2`
 * is its 2-byte update. BPF_F_MARK_MANGLED_0 (l4 only) is the UDP rule: a checksum of 0 stays 0
 * unless BPF_F_MARK_ENFORCE, and one that comes out 0 is written as CSUM_MANGLED_0.
 */
function csumReplace(
  call: HelperCall, name: string, offset: bigint, from: bigint, to: bigint, flags: bigint,
  known: bigint, replace2: (check: number, from: number, to: number) => number,
): bigint {
  const ops = packetOps(call, name);
  if ((flags & ~known) !== 0n) return negErrno('EINVAL');
  const field = checksumField(ops.bytes(), u32(offset));
  if (field === undefined) return negErrno('EFAULT');
  const mangled0 = (flags & BPF_F_MARK_MANGLED_0) !== 0n;
  const check = field.getUint16(0, true);
  // A UDP checksum of 0 means "none": leave it, unless BPF_F_MARK_ENFORCE.
  if (mangled0 && (flags & BPF_F_MARK_ENFORCE) === 0n && check === 0) return 0n;
  let next: number;
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0n:
      if (from !== 0n) return negErrno('EINVAL');
      next = csumReplaceByDiff(check, u32(to));
      break;
    case 2n: next = replace2(check, Number(from & 0xffffn), Number(to & 0xffffn)); break;
    case 4n: next = csumReplace4(check, u32(from), u32(to)); break;
    default: return negErrno('EINVAL');
  }
  if (mangled0 && next === 0) next = CSUM_MANGLED_0;
  field.setUint16(0, next, true);
  return 0n;
}

/** bpf_xdp_adjust_head/tail/meta: the move is the program type's (PacketOps). */
function xdpAdjust(what: 'head' | 'tail' | 'meta', adjust: (ops: PacketOps, delta: number) => number): HelperDef {
  const name = `bpf_xdp_adjust_${what}`;
  return helper(`xdp_adjust_${what}`, {
    proto: `${name}_proto`,
    args: ['ptr_to_ctx', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2) => ret(adjust(packetOps(call, name), s32(r2))),
  });
}

/**
 * bpf_skb_change_tail(skb, new_len, flags) and bpf_skb_change_head(skb, head_room, flags): the
 * helper checks its flags (none are defined), the program type's buffer checks the sizes.
 */
function skbChange(what: 'tail' | 'head', change: (ops: PacketOps, arg: number) => number): HelperDef {
  const name = `bpf_skb_change_${what}`;
  return helper(`skb_change_${what}`, {
    proto: `${name}_proto`,
    args: ['ptr_to_ctx', 'anything', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2, r3) => (r3 !== 0n ? negErrno('EINVAL') : ret(change(packetOps(call, name), u32(r2)))),
  });
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
      const offset = packetRange(bytes, r2, len);
      return copyOut(dst, offset === undefined ? undefined : bytes.subarray(offset, offset + len), negErrno('EFAULT'));
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
      const bytes = ops.bytes();
      const offset = packetRange(bytes, r2, len);
      if (offset === undefined) return negErrno('EFAULT');
      // BPF_F_RECOMPUTE_CSUM keeps skb->csum right for CHECKSUM_COMPLETE; there is none here.
      bytes.set(src, offset);
      return 0n;
    },
  }),
  helper('l3_csum_replace', {
    proto: 'bpf_l3_csum_replace_proto',
    args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'],
    ret: 'integer',
    impl: (call, _r1, r2, r3, r4, r5) => csumReplace(call, 'bpf_l3_csum_replace', r2, r3, r4, r5, BPF_F_HDR_FIELD_MASK, csumReplace2),
  }),
  helper('l4_csum_replace', {
    proto: 'bpf_l4_csum_replace_proto',
    args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'],
    ret: 'integer',
    // inet_proto_csum_replace2 is inet_proto_csum_replace4 on the zero-extended values.
    impl: (call, _r1, r2, r3, r4, r5) => csumReplace(call, 'bpf_l4_csum_replace', r2, r3, r4, r5, L4_CSUM_FLAGS, csumReplace4),
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
  xdpAdjust('head', (ops, delta) => ops.adjustHead(delta)),
  xdpAdjust('tail', (ops, delta) => ops.adjustTail(delta)),
  xdpAdjust('meta', (ops, delta) => ops.adjustMeta(delta)),
  skbChange('tail', (ops, newLen) => ops.adjustTail(newLen - ops.length())),
  skbChange('head', (ops, room) => ops.adjustHead(-room)),
];
