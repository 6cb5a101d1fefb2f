/** A small seeded PRNG (xorshift32) so randomised tests are reproducible from their seed. */
export interface Rng {
  next(): number;
  int(n: number): number;
  u64(): bigint;
  bytes(n: number): Uint8Array;
}

export function rng(seed: number): Rng {
  let s = (seed | 0) || 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  return {
    next,
    int: (n) => next() % n,
    u64: () => (BigInt(next()) << 32n) | BigInt(next()),
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}
