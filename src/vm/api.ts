/** The interpreter's public contract (implementation in interpreter.ts). */

export interface RunOptions {
  /** The input block: the program gets r1 = its address and r2 = its length. Empty when omitted. */
  mem?: Uint8Array;
  /** Maximum instructions executed before the run stops with ELIMIT (default 1,000,000). */
  budget?: number;
}

export interface RunResult {
  /** r0 at exit, unsigned 64-bit. */
  r0: bigint;
  /** Instructions executed (lddw counts once, exit counts). */
  insns: number;
  /** The input block after the run (programs may write to it). */
  mem: Uint8Array;
}
