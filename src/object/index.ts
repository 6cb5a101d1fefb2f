/** The one object model over both targets: load(file, { target: 'vm' | 'kernel' }). */
export { load, loadSpec, readSpec, type ObjectLoadOptions } from './load.js';
export type { BpfObject, Program, LoadedMap, Target, ProgramRunOptions, ProgramRunResult } from './types.js';
export { TargetMap } from './target-map.js';
export { VmTargetProgram, type VmTargetObject } from './vm.js';
export { KernelTargetProgram, type KernelTargetObject } from './kernel.js';
