/**
 * What the VM's and the kernel's Program share: the fields read off the target's own program, and
 * the test-run options and result cut down to what both targets honour.
 */
import type { Program, ProgramRunOptions, ProgramRunResult, Target } from './types.js';

/** The fields of a target's own program (a VmProgram or a KernelProgram) that Program shows. */
interface NativeProgram {
  readonly name: string;
  readonly type: string;
  readonly id: number;
  readonly tag: string;
}

export abstract class TargetProgram<N extends NativeProgram> implements Program {
  abstract readonly target: Target;
  constructor(readonly native: N, readonly section: string) {}
  get name(): string {
    return this.native.name;
  }
  get type(): string {
    return this.native.type;
  }
  get id(): number {
    return this.native.id;
  }
  get tag(): string {
    return this.native.tag;
  }
  abstract testRun(opts?: ProgramRunOptions): ProgramRunResult;
}

/** The options as a target's own test run takes them: only those given. */
export function nativeRunOptions(opts: ProgramRunOptions): ProgramRunOptions {
  const o: ProgramRunOptions = {};
  if (opts.dataIn) o.dataIn = opts.dataIn;
  if (opts.ctxIn) o.ctxIn = opts.ctxIn;
  if (opts.ctxOut !== undefined) o.ctxOut = opts.ctxOut;
  if (opts.repeat !== undefined) o.repeat = opts.repeat;
  return o;
}

/**
 * Only the fields the kernel also reports: the VM's r0 high half, instruction counts and redirect
 * targets stay behind, reachable through the target's own test run for code that wants them.
 */
export function sharedRunResult(r: ProgramRunResult): ProgramRunResult {
  const out: ProgramRunResult = { retval: r.retval, durationNs: r.durationNs, runs: r.runs };
  if (r.verdict) out.verdict = r.verdict;
  if (r.dataOut) out.dataOut = r.dataOut;
  if (r.ctxOut) out.ctxOut = r.ctxOut;
  return out;
}
