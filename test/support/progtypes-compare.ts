/**
 * Run the same BPF_PROG_TEST_RUN in tsbpf and in the kernel and compare: retval, data_out,
 * ctx_out, or the errno both refuse with.
 */
import assert from 'node:assert/strict';
import { BpfError } from '../../src/errors.js';
import type { Vm, VmProgram } from '../../src/vm/runtime.js';
import { testRun, type TestRunOptions } from '../../src/progtypes/test-run.js';
import { bpftoolRun, hex, syscallRun, type KernelRun, type KernelRunOptions } from './kernel-oracle.js';

export interface Outcome {
  errno?: string;
  retval?: number;
  dataOut?: string;
  ctxOut?: string;
}

/** The outcome of a run that returned: its retval and the outputs it gave, in hex. */
function returned(r: { retval: number; dataOut?: Uint8Array | undefined; ctxOut?: Uint8Array | undefined }): Outcome {
  const o: Outcome = { retval: r.retval };
  if (r.dataOut) o.dataOut = hex(r.dataOut);
  if (r.ctxOut) o.ctxOut = hex(r.ctxOut);
  return o;
}

export function tsbpfOutcome(vm: Vm, prog: VmProgram, opts: TestRunOptions): Outcome {
  try {
    return returned(testRun(vm, prog, opts));
  } catch (e) {
    if (e instanceof BpfError) return { errno: e.code };
    throw e;
  }
}

export function kernelOutcome(k: KernelRun): Outcome {
  return k.errno ? { errno: k.errno } : returned(k);
}

/**
 * Compare one case: `via` picks bpftool (the usual) or the bpf(2) harness (flags, cpu, raw
 * tracepoints, ctx_out without ctx_in). Returns the common outcome for further checks.
 */
export function agree(vm: Vm, prog: VmProgram, pin: string, opts: KernelRunOptions, what: string, via: 'bpftool' | 'syscall' = 'bpftool'): Outcome {
  const k = kernelOutcome(via === 'bpftool' ? bpftoolRun(pin, opts) : syscallRun(pin, opts));
  const t = tsbpfOutcome(vm, prog, opts);
  const brief = (o: Outcome): string => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'string' && v.length > 160 ? `${v.slice(0, 160)}...(${v.length / 2} bytes)` : v));
  assert.deepEqual(t, k, `${what}: tsbpf ${brief(t)} but the kernel ${brief(k)}`);
  return k;
}
