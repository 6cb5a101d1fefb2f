/** The VM target: loadObjectIntoVm in a fresh Vm, behind the shared object model. */
import type { ObjectSpec } from '../elf/object.js';
import { kernelHelpers } from '../helpers/index.js';
import { testRun, type TestRunOptions } from '../progtypes/test-run.js';
import { Vm, type VmOptions, type VmProgram } from '../vm/runtime.js';
import { loadObjectIntoVm, type VmObject } from '../vm/load-object.js';
import { TargetMap } from './target-map.js';
import type { BpfObject, Program, ProgramRunOptions, ProgramRunResult } from './types.js';

export class VmTargetProgram implements Program {
  readonly target = 'vm' as const;
  constructor(readonly vm: Vm, readonly native: VmProgram, readonly section: string) {}
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
  testRun(opts: ProgramRunOptions = {}): ProgramRunResult {
    const o: TestRunOptions = {};
    if (opts.dataIn) o.dataIn = opts.dataIn;
    if (opts.ctxIn) o.ctxIn = opts.ctxIn;
    if (opts.ctxOut !== undefined) o.ctxOut = opts.ctxOut;
    if (opts.repeat !== undefined) o.repeat = opts.repeat;
    const r = testRun(this.vm, this.native, o);
    // Only the fields the kernel also reports: r0's high half, instruction counts and redirect
    // targets are VM extras, reachable through testRun(vm, native) for code that wants them.
    const out: ProgramRunResult = { retval: r.retval, verdict: r.verdict, durationNs: r.durationNs, runs: r.runs };
    if (r.dataOut) out.dataOut = r.dataOut;
    if (r.ctxOut) out.ctxOut = r.ctxOut;
    return out;
  }
}

export interface VmTargetObject extends BpfObject {
  readonly vm: Vm;
  readonly native: VmObject;
}

export function loadIntoVm(spec: ObjectSpec, opts: VmOptions): VmTargetObject {
  const vm = new Vm({ helpers: kernelHelpers(), ...opts });
  const native = loadObjectIntoVm(vm, spec);
  const programs = new Map<string, Program>();
  for (const [name, p] of native.programs) programs.set(name, new VmTargetProgram(vm, p, native.specs.get(name)?.section ?? p.section ?? ''));
  const maps = new Map([...native.maps].map(([name, m]) => [name, new TargetMap('vm', name, () => m.id, m.map)] as const));
  // The VM holds nothing outside this process; close() only drops the references.
  const close = (): void => {
    programs.clear();
    maps.clear();
  };
  return { target: 'vm', file: spec.file, programs, maps, warnings: native.warnings, spec, vm, native, close, [Symbol.dispose]: close };
}
