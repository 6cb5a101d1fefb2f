/**
 * The Internet checksum arithmetic of the kernel (include/net/checksum.h, lib/checksum.c and
 * x86-64's csum_partial), on the values the kernel computes with. Checksum fields and the helpers'
 * from/to values are the bytes as a little-endian load sees them (a __be16 loaded on x86-64), which
 * is why everything here reads little-endian: one's-complement sums do not care about byte order as
 * long as every operand is read the same way.
 */

const TWO32 = 0x100000000;

/** Fold a non-negative sum to 32 bits with end-around carry (never 0 unless the sum is 0). */
function fold32(sum: number): number {
  while (sum > 0xffffffff) sum = (sum % TWO32) + Math.floor(sum / TWO32);
  return sum >>> 0;
}

/**
 * csum_partial(buf, len, seed): the buffer as little-endian 32-bit words (the tail zero-padded)
 * added to the seed with end-around carry. x86-64 adds 64-bit words and folds at the end; both are
 * the same sum modulo 2^32 - 1 and 0 only for an all-zero input, and every kernel caller folds the
 * result further, so the 16-bit results agree exactly.
 */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let sum = seed >>> 0;
  const n = bytes.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    sum += (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    if (sum >= 2 ** 52) sum = fold32(sum);
  }
  if (i < n) {
    let w = 0;
    for (let k = 0; i + k < n; k++) w |= bytes[i + k]! << (8 * k);
    sum += w >>> 0;
  }
  return fold32(sum);
}

/** csum_add: 32-bit one's-complement addition. */
export function csumAdd(a: number, b: number): number {
  const r = (a >>> 0) + (b >>> 0);
  return r > 0xffffffff ? (r - 0xffffffff) >>> 0 : r;
}

/** csum_sub: a - b as a + ~b. */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: 32 bits to the complemented 16-bit checksum. */
export function csumFold(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_from32to16: 32 bits folded to 16, not complemented (what bpf_csum_diff returns since 6.13). */
export function csumFrom32to16(sum: number): number {
  const s = ((sum >>> 0) + (((sum >>> 16) | (sum << 16)) >>> 0)) >>> 0;
  return s >>> 16;
}

/** csum16_add: 16-bit one's-complement addition. */
function csum16Add(a: number, b: number): number {
  const r = (a & 0xffff) + (b & 0xffff);
  return (r & 0xffff) + (r >>> 16);
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** csum_replace4 (and inet_proto_csum_replace4 without CHECKSUM_PARTIAL): a 32-bit field changed from `from` to `to`. */
export function csumReplace4(check: number, from: number, to: number): number {
  const diff = Uint8Array.from([...u32le(~from >>> 0), ...u32le(to >>> 0)]);
  return csumFold(csumPartial(diff, ~check >>> 0));
}

/** csum_replace2 (RFC 1624 eqn. 3 in 16 bits): a 16-bit field changed from `from` to `to`. */
export function csumReplace2(check: number, from: number, to: number): number {
  return ~csum16Add(csum16Add(~check & 0xffff, ~from & 0xffff), to & 0xffff) & 0xffff;
}

/** csum_replace_by_diff: apply a checksum difference (a bpf_csum_diff result). */
export function csumReplaceByDiff(check: number, diff: number): number {
  return csumFold(csumAdd(diff >>> 0, ~check >>> 0));
}

/**
 * bpf_csum_diff as Linux 6.13+ computes it: the sum of `to` minus the sum of `from`, seeded, folded
 * to 16 bits by csum_from32to16 (older kernels returned the unfolded 32-bit csum_partial value).
 */
export function csumDiff(from: Uint8Array, to: Uint8Array, seed: number): number {
  let r: number;
  if (from.length > 0 && to.length > 0) r = csumSub(csumPartial(to, seed), csumPartial(from, 0));
  else if (to.length > 0) r = csumPartial(to, seed);
  else if (from.length > 0) r = ~csumPartial(from, ~seed >>> 0) >>> 0;
  else r = seed >>> 0;
  return csumFrom32to16(r);
}

/** RFC 1071 checksum of a header, as big-endian words (for tests and packet builders). */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
