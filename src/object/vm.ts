/** The VM target: loadObjectIntoVm in a fresh Vm, behind the shared object model. */
import type { ObjectSpec } from '../elf/object.js';
import { kernelHelpers } from '../helpers/index.js';
import { testRun } from '../progtypes/test-run.js';
import { Vm, type VmOptions, type VmProgram } from '../vm/runtime.js';
import { loadObjectIntoVm, type VmObject } from '../vm/load-object.js';
import { TargetMap } from './target-map.js';
import { nativeRunOptions, sharedRunResult, TargetProgram } from './target-program.js';
import type { BpfObject, Program, ProgramRunOptions, ProgramRunResult } from './types.js';

export class VmTargetProgram extends TargetProgram<VmProgram> {
  readonly target = 'vm' as const;
  constructor(readonly vm: Vm, native: VmProgram, section: string) {
    super(native, section);
  }
  testRun(opts: ProgramRunOptions = {}): ProgramRunResult {
    // testRun(vm, native) also has the VM extras: r0's high half, instruction counts, redirect targets.
    return sharedRunResult(testRun(this.vm, this.native, nativeRunOptions(opts)));
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
