/** The kernel target: loadObjectIntoKernel behind the shared object model. */
import type { ObjectSpec } from '../elf/object.js';
import { KernelProgram } from '../kernel/kernel-program.js';
import { loadObjectIntoKernel, type KernelLoadOptions, type KernelObject } from '../kernel/load-object.js';
import { TargetMap } from './target-map.js';
import { nativeRunOptions, sharedRunResult, TargetProgram } from './target-program.js';
import type { BpfObject, Program, ProgramRunOptions, ProgramRunResult } from './types.js';

export class KernelTargetProgram extends TargetProgram<KernelProgram> {
  readonly target = 'kernel' as const;
  testRun(opts: ProgramRunOptions = {}): ProgramRunResult {
    return sharedRunResult(this.native.testRun(nativeRunOptions(opts)));
  }
}

export interface KernelTargetObject extends BpfObject {
  readonly native: KernelObject;
}

/** Objects still open, closed at exit so a forgotten close() does not outlive the process's intent. */
const open = new Set<KernelObject>();
let exitHook = false;

export function loadIntoKernel(spec: ObjectSpec, opts: KernelLoadOptions): KernelTargetObject {
  const native = loadObjectIntoKernel(spec, opts);
  open.add(native);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const o of open) o.close();
    });
  }
  const sections = new Map(spec.programs.map((p) => [p.name, p.section]));
  const programs = new Map<string, Program>();
  for (const [name, p] of native.programs) programs.set(name, new KernelTargetProgram(p, sections.get(name) ?? ''));
  const maps = new Map([...native.maps].map(([name, m]) => [name, new TargetMap('kernel', name, () => m.id, m)] as const));
  const close = (): void => {
    native.close();
    open.delete(native);
  };
  return { target: 'kernel', file: spec.file, programs, maps, warnings: native.warnings, spec, native, close, [Symbol.dispose]: close };
}
