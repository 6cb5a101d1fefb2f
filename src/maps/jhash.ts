/**
 * Bob Jenkins' lookup3 hash as the kernel's <linux/jhash.h> applies it (jhash over bytes, jhash2
 * over 32-bit words). The kernel seeds its maps randomly unless BPF_F_ZERO_SEED is set; tsbpf always
 * uses seed 0, so bloom filter bits and stack ids equal the kernel's under BPF_F_ZERO_SEED, and are
 * reproducible from run to run.
 */

const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

interface Abc { a: number; b: number; c: number }

function mix(s: Abc): void {
  let { a, b, c } = s;
  a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
  s.a = a; s.b = b; s.c = c;
}

function final(s: Abc): void {
  let { a, b, c } = s;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  s.a = a; s.b = b; s.c = c;
}

/** jhash(key, length, initval): hash of arbitrary bytes. */
export function jhash(key: Uint8Array, initval = 0): number {
  let length = key.length;
  const init = (JHASH_INITVAL + length + initval) >>> 0;
  const s: Abc = { a: init, b: init, c: init };
  let k = 0;
  const word = (i: number): number =>
    (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
  while (length > 12) {
    s.a = (s.a + word(k)) >>> 0;
    s.b = (s.b + word(k + 4)) >>> 0;
    s.c = (s.c + word(k + 8)) >>> 0;
    mix(s);
    length -= 12;
    k += 12;
  }
  if (length === 0) return s.c;
  // The last 1..12 bytes: byte i of the tail goes to a, b or c (4 bytes each), least significant first.
  const add = [0, 0, 0];
  for (let i = 0; i < length; i++) add[i >> 2]! += key[k + i]! * 2 ** (8 * (i & 3));
  s.a = (s.a + add[0]!) >>> 0;
  s.b = (s.b + add[1]!) >>> 0;
  s.c = (s.c + add[2]!) >>> 0;
  final(s);
  return s.c;
}

/** jhash2(words, n, initval): hash of 32-bit words (read little-endian from `bytes`). */
export function jhash2(bytes: Uint8Array, initval = 0): number {
  let length = bytes.length >> 2;
  const init = (JHASH_INITVAL + ((length << 2) >>> 0) + initval) >>> 0;
  const s: Abc = { a: init, b: init, c: init };
  const word = (i: number): number =>
    (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
  let k = 0;
  while (length > 3) {
    s.a = (s.a + word(k)) >>> 0;
    s.b = (s.b + word(k + 1)) >>> 0;
    s.c = (s.c + word(k + 2)) >>> 0;
    mix(s);
    length -= 3;
    k += 3;
  }
  if (length === 0) return s.c;
  if (length === 3) s.c = (s.c + word(k + 2)) >>> 0;
  if (length >= 2) s.b = (s.b + word(k + 1)) >>> 0;
  s.a = (s.a + word(k)) >>> 0;
  final(s);
  return s.c;
}

/** The kernel's htab_map_hash: jhash2 when the length is a multiple of 4, else jhash. */
export function mapHash(bytes: Uint8Array, seed: number): number {
  return bytes.length % 4 === 0 ? jhash2(bytes, seed) : jhash(bytes, seed);
}
