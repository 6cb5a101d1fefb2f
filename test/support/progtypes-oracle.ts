/**
 * What the program-type tests share: test/c/progtypes_*.c compiled with clang and loaded into tsbpf
 * (with the kernel helpers) and into Linux, pinned by kernel-oracle.ts, which also runs the
 * kernel's side.
 */
import { loadObjectSpec } from '../../src/elf/object.js';
import { loadObjectIntoVm, type VmObject } from '../../src/vm/load-object.js';
import { Vm } from '../../src/vm/runtime.js';
import type { HelperRegistry } from '../../src/helpers/registry.js';
import { kernelHelpers } from '../../src/helpers/index.js';
import { fixedEnv } from '../../src/vm/env.js';
import { kernelLoad } from './kernel-oracle.js';
import { compileObject, type CompiledObject } from './tools.js';

/** Compile test/c/progtypes_<name>.c for BPF; the object's bytes and path. */
export function compileProgtypes(name: string): CompiledObject {
  return compileObject(`progtypes_${name}`);
}

/** The helpers the program-type tests run with: every kernel helper of src/helpers. */
export async function testHelpers(): Promise<{ registry: HelperRegistry; from: string }> {
  return { registry: kernelHelpers(), from: 'src/helpers' };
}

/** A VM with `name`'s object loaded. */
export async function loadVm(name: string, opts: { nCpus?: number } = {}): Promise<{ vm: Vm; obj: VmObject }> {
  const { path, bytes } = compileProgtypes(name);
  const { registry } = await testHelpers();
  const vm = new Vm({ helpers: registry, env: fixedEnv(), ...(opts.nCpus !== undefined ? { nCpus: opts.nCpus } : {}) });
  const obj = loadObjectIntoVm(vm, loadObjectSpec(bytes, { file: path }));
  return { vm, obj };
}

/** Load `name`'s object into the kernel; the pin directory (one pinned program per function). */
export function pinProgtypes(name: string): string {
  return kernelLoad(compileProgtypes(name).path, `pt-${name}`);
}
