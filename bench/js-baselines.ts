/**
 * The three benchmark algorithms written directly in JavaScript, as a person would write them for
 * speed: 64-bit arithmetic on pairs of 32-bit halves where the algorithm needs 64 bits (BigInt
 * versions are kept beside them, as the "obvious" way and as a cross-check), plain byte indexing
 * for the packet parse. Each computes exactly what the program of the same name in programs/
 * returns; bench/run.ts asserts that before timing anything.
 */

// ---- inputs ----

export const HASH_INPUT_SIZE = 1500;

/** 1,500 deterministic pseudo-random bytes (xorshift32), the input of the hash benchmark. */
export function makeHashInput(size = HASH_INPUT_SIZE): Uint8Array {
  const out = new Uint8Array(size);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface FrameOptions {
  size?: number;
  ethertype?: number;
  ihl?: number;
  protocol?: number;
  fragOff?: number;
  dataOffset?: number;
  dstPort?: number;
  flags?: number;
  /** IPv4 total length; defaults to the rest of the frame. */
  totalLength?: number;
}

/** An Ethernet II / IPv4 / TCP frame (1,500 bytes by default, payload filled with a pattern). */
export function makeFrame(o: FrameOptions = {}): Uint8Array {
  const size = o.size ?? HASH_INPUT_SIZE;
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = (i * 7 + 3) & 0xff; // payload pattern
  const put16 = (at: number, v: number): void => { if (at + 1 < size) { f[at] = v >>> 8; f[at + 1] = v & 0xff; } };
  const put8 = (at: number, v: number): void => { if (at < size) f[at] = v; };
  // Ethernet: dst MAC, src MAC, ethertype
  [0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02].forEach((b, i) => put8(i, b));
  put16(12, o.ethertype ?? 0x0800);
  // IPv4
  const ihl = o.ihl ?? 5;
  put8(14, 0x40 | ihl);
  put8(15, 0);
  put16(16, o.totalLength ?? size - 14);
  put16(18, 0x1234); // identification
  put16(20, o.fragOff ?? 0x4000); // DF
  put8(22, 64); // TTL
  put8(23, o.protocol ?? 6);
  put16(24, 0); // checksum (not checked)
  [10, 0, 0, 1, 10, 0, 0, 2].forEach((b, i) => put8(26 + i, b));
  // TCP
  const t = 14 + ihl * 4;
  put16(t, 49152); // source port
  put16(t + 2, o.dstPort ?? 443);
  put16(t + 4, 0x0102); put16(t + 6, 0x0304); // sequence
  put16(t + 8, 0); put16(t + 10, 0); // ack
  put8(t + 12, (o.dataOffset ?? 5) << 4);
  put8(t + 13, o.flags ?? 0x18); // PSH | ACK
  return f;
}

// ---- compute loop (programs/compute.s) ----

export const COMPUTE_ROUNDS = 50_000;

/** The compute loop on 32-bit halves: what fast JavaScript looks like for 64-bit integer code. */
export function computeJs(rounds = COMPUTE_ROUNDS): bigint {
  // state s, accumulator a; multiplier M = 0x5851f42d4c957f2d split into 16-bit limbs for the low product
  let sl = 0x4f6cdd1d | 0, sh = 0x2545f491 | 0;
  let al = 0, ah = 0;
  const ml = 0x4c957f2d, mh = 0x5851f42d, m0 = ml & 0xffff, m1 = ml >>> 16;
  const il = 0xf767814f | 0, ih = 0x14057b7e;
  const MOD = 1000003;
  for (let i = rounds; i !== 0; i--) {
    // s = s * M (low 64 bits)
    const s0 = sl & 0xffff, s1 = sl >>> 16;
    const p00 = s0 * m0, p01 = s0 * m1, p10 = s1 * m0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const nl = (mid << 16) | (p00 & 0xffff);
    sh = (s1 * m1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(sl, mh) + Math.imul(sh, ml)) | 0;
    sl = nl;
    // s += I
    const al2 = (sl + il) | 0;
    sh = (sh + ih + ((al2 >>> 0) < (sl >>> 0) ? 1 : 0)) | 0;
    sl = al2;
    // x = s ^ (s >>> 29); x ^= x << 17
    let xl = sl ^ ((sl >>> 29) | (sh << 3)), xh = sh ^ (sh >>> 29);
    xh ^= (xh << 17) | (xl >>> 15);
    xl ^= xl << 17;
    // a += x % MOD (unsigned 64-bit): (x_hi mod MOD) * 2^32 + x_lo stays below 2^53, and its
    // remainder is taken with a floor division, because `%` on doubles is a call to C fmod in V8
    const t = ((xh >>> 0) % MOD) * 4294967296 + (xl >>> 0);
    const r = t - Math.floor(t / MOD) * MOD;
    const sum = (al + r) | 0;
    ah = (ah + ((sum >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
    al = sum;
    // a ^= x s>> 7
    al ^= (xl >>> 7) | (xh << 25);
    ah ^= xh >> 7;
  }
  return (BigInt(ah >>> 0) << 32n) | BigInt(al >>> 0);
}

/** The compute loop on BigInt: the obvious way to write 64-bit code in JavaScript. */
export function computeJsBigInt(rounds = COMPUTE_ROUNDS): bigint {
  const M = 0x5851f42d4c957f2dn, I = 0x14057b7ef767814fn;
  let s = 0x2545f4914f6cdd1dn, a = 0n;
  for (let i = rounds; i !== 0; i--) {
    s = BigInt.asUintN(64, s * M + I);
    let x = s ^ (s >> 29n);
    x = BigInt.asUintN(64, x ^ (x << 17n));
    a = BigInt.asUintN(64, a + (x % 1000003n));
    a ^= BigInt.asUintN(64, BigInt.asIntN(64, x) >> 7n);
  }
  return a;
}

// ---- FNV-1a 64 (programs/fnv1a.s) ----

/** FNV-1a 64 on 32-bit halves. The prime is 2^40 + 0x1b3, so h * prime = h * 0x1b3 + (h_lo << 40). */
export function fnv1aJs(buf: Uint8Array): bigint {
  let hl = 0x84222325 | 0, hh = 0xcbf29ce4 | 0;
  for (let i = 0, n = buf.length; i < n; i++) {
    hl ^= buf[i]!;
    // hl * 0x1b3 is 41 bits: its low word is imul's result, its high word is the carry out of
    // the two 16-bit halves' products (all small integers, so V8 keeps everything in int32).
    const carry = (((hl >>> 16) * 0x1b3) + (((hl & 0xffff) * 0x1b3) >>> 16)) >>> 16;
    hh = (carry + Math.imul(hh, 0x1b3) + (hl << 8)) | 0;
    hl = Math.imul(hl, 0x1b3);
  }
  return (BigInt(hh >>> 0) << 32n) | BigInt(hl >>> 0);
}

export function fnv1aJsBigInt(buf: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0, n = buf.length; i < n; i++) h = BigInt.asUintN(64, (h ^ BigInt(buf[i]!)) * 0x100000001b3n);
  return h;
}

// ---- Ethernet / IPv4 / TCP parse (programs/parse.s) ----

/** tcp_flags << 16 | destination port, or 0 when the frame is not a well-formed unfragmented TCP/IPv4 frame. */
export function parseJs(f: Uint8Array): number {
  const len = f.length;
  if (len < 34) return 0;
  if (((f[12]! << 8) | f[13]!) !== 0x0800) return 0;
  const vihl = f[14]!;
  if (vihl >> 4 !== 4) return 0;
  const ihl = (vihl & 15) << 2;
  if (ihl < 20) return 0;
  const ipEnd = ((f[16]! << 8) | f[17]!);
  if (ipEnd < ihl) return 0;
  if (ipEnd + 14 > len) return 0;
  if ((((f[20]! << 8) | f[21]!) & 0x3fff) !== 0) return 0;
  if (f[23] !== 6) return 0;
  const t = 14 + ihl;
  if (t + 20 > ipEnd + 14) return 0;
  const doff = (f[t + 12]! >> 4) << 2;
  if (doff < 20 || t + doff > ipEnd + 14) return 0;
  return (f[t + 13]! << 16) | (f[t + 2]! << 8) | f[t + 3]!;
}
