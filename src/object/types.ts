/**
 * The one object model: a BPF object loaded into a target — tsbpf's VM or the Linux kernel — seen
 * through the same types, so user code that runs a program or reads a map does not change with
 * the target. Only what both targets can honour is here; target-specific handles (VmProgram,
 * KernelProgram...) stay reachable through `native` for code that needs them.
 */
import type { BpfMap, MapSpec } from '../maps/types.js';
import type { Verdict } from '../progtypes/verdicts.js';
import type { ObjectSpec } from '../elf/object.js';

export type Target = 'vm' | 'kernel';

/** Test-run input: what BPF_PROG_TEST_RUN takes and both targets understand. */
export interface ProgramRunOptions {
  /** data_in: the frame, from its Ethernet header. */
  dataIn?: Uint8Array;
  /** ctx_in: the context (__sk_buff, xdp_md, raw tracepoint arguments). */
  ctxIn?: Uint8Array;
  /** Ask for ctx_out (default: when ctxIn is given). */
  ctxOut?: boolean;
  /** Runs (0 or absent: 1). */
  repeat?: number;
}

/** What a test run reports, the same shape on both targets. */
export interface ProgramRunResult {
  /** test.retval: r0's lower 32 bits, unsigned. */
  retval: number;
  /** What the return value means for the program's type (when tsbpf knows the type). */
  verdict?: Verdict;
  dataOut?: Uint8Array;
  ctxOut?: Uint8Array;
  /** Mean nanoseconds a run (the VM's wall clock, or the kernel's measure). */
  durationNs: number;
  runs: number;
}

export interface Program {
  readonly target: Target;
  readonly name: string;
  /** Program type, kernel name ('xdp', 'sched_cls'...). */
  readonly type: string;
  /** The ELF section it came from. */
  readonly section: string;
  /** The id in its target (VM ids and kernel ids are separate spaces). */
  readonly id: number;
  /** The kernel's program tag, 16 hex digits; the VM computes the same hash. */
  readonly tag: string;
  testRun(opts?: ProgramRunOptions): ProgramRunResult;
}

/** A map of a loaded object: the BpfMap user-space API, plus its name and id. */
export interface LoadedMap extends BpfMap {
  readonly target: Target;
  readonly name: string;
  readonly id: number;
  readonly spec: MapSpec;
  /** Every key and value, in the target's iteration order. */
  entries(): IterableIterator<[Uint8Array, Uint8Array]>;
}

export interface BpfObject {
  readonly target: Target;
  readonly file: string;
  readonly programs: Map<string, Program>;
  readonly maps: Map<string, LoadedMap>;
  /** What the loader worked around (legacy maps, BTF refused, programs skipped...). */
  readonly warnings: readonly string[];
  readonly spec: ObjectSpec;
  /** Release everything the load created (for the kernel: every fd; pinned objects live on). */
  close(): void;
  [Symbol.dispose](): void;
}
