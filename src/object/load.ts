/**
 * load(objectFile, { target }): parse a clang-compiled BPF object and load it into the VM or the
 * kernel, handing back the same BpfObject either way.
 */
import { readFileSync } from 'node:fs';
import type { Btf } from '../btf/btf.js';
import { loadTargetBtf } from '../btf/core.js';
import { loadObjectSpec, type LoadObjectOptions, type ObjectSpec } from '../elf/object.js';
import { BpfError } from '../errors.js';
import { possibleCpus } from '../kernel/cpus.js';
import { kernelAvailable } from '../kernel/syscall.js';
import type { Env } from '../vm/env.js';
import type { Engine } from '../jit/engine.js';
import type { HelperRegistry } from '../helpers/index.js';
import { loadIntoKernel, type KernelTargetObject } from './kernel.js';
import type { BpfObject, Target } from './types.js';
import { loadIntoVm, type VmTargetObject } from './vm.js';

export interface ObjectLoadOptions {
  /** Where to load (default 'vm'). */
  target?: Target;
  /** Kernel BTF for CO-RE relocations: a parsed Btf or a file (default: /sys/kernel/btf/vmlinux when needed). */
  btf?: Btf | string;
  /** VM: CPUs of per-CPU maps (default: the machine's possible CPUs, so values look as in the kernel). */
  nCpus?: number;
  /** VM: the environment helpers see (time, pid, cpu...). */
  env?: Env;
  /** VM: the helper table (default: the kernel's helpers). */
  helpers?: HelperRegistry;
  /** VM: run tsbpf's verifier on each program as it loads (default true; false only to test unsafe programs). */
  verify?: boolean;
  /** VM: the engine the programs run on, 'interp' or 'jit' (default DEFAULT_ENGINE of jit/engine.ts). */
  engine?: Engine;
  /** Name for messages when objectFile is bytes. */
  file?: string;
  /** Kernel: load only these programs (default: every autoloaded one). */
  programs?: readonly string[];
  /** Kernel: verifier log level (1 or 2) for every program; the log is on each KernelProgram. */
  logLevel?: number;
  logSize?: number;
}

export function readSpec(objectFile: string | Uint8Array, opts: Pick<ObjectLoadOptions, 'btf' | 'file'> = {}): ObjectSpec {
  let bytes: Uint8Array;
  const file = opts.file ?? (typeof objectFile === 'string' ? objectFile : '<memory>');
  if (typeof objectFile === 'string') {
    try {
      bytes = readFileSync(objectFile);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new BpfError(code === 'ENOENT' ? 'ENOENT' : 'EIO', `${objectFile}: cannot read the object file (${code ?? (e as Error).message})`, { file: objectFile });
    }
  } else {
    bytes = objectFile;
  }
  const lo: LoadObjectOptions = { file };
  if (opts.btf !== undefined) lo.targetBtf = typeof opts.btf === 'string' ? loadTargetBtf(opts.btf) : opts.btf;
  return loadObjectSpec(bytes, lo);
}

export function load(objectFile: string | Uint8Array, opts: ObjectLoadOptions & { target: 'kernel' }): KernelTargetObject;
export function load(objectFile: string | Uint8Array, opts?: ObjectLoadOptions & { target?: 'vm' }): VmTargetObject;
export function load(objectFile: string | Uint8Array, opts?: ObjectLoadOptions): BpfObject;
export function load(objectFile: string | Uint8Array, opts: ObjectLoadOptions = {}): BpfObject {
  return loadSpec(readSpec(objectFile, opts), opts);
}

/** The same from an already parsed object. */
export function loadSpec(spec: ObjectSpec, opts: ObjectLoadOptions = {}): BpfObject {
  const target = opts.target ?? 'vm';
  if (target === 'kernel') {
    const a = kernelAvailable();
    if (!a.ok) throw new BpfError('ENOSYS', `the kernel target is not available here: ${a.reason}; use target 'vm'`);
    const ko: Parameters<typeof loadIntoKernel>[1] = {};
    if (opts.programs) ko.programs = opts.programs;
    if (opts.logLevel !== undefined) ko.logLevel = opts.logLevel;
    if (opts.logSize !== undefined) ko.logSize = opts.logSize;
    return loadIntoKernel(spec, ko);
  }
  if (target !== 'vm') throw new BpfError('EINVAL', `target must be 'vm' or 'kernel', not '${String(target)}'`);
  // Per-CPU values get the machine's width by default, so they look as they would in the kernel.
  const vo: Parameters<typeof loadIntoVm>[1] = { nCpus: opts.nCpus ?? possibleCpus() };
  if (opts.env) vo.env = opts.env;
  if (opts.helpers) vo.helpers = opts.helpers;
  if (opts.engine) vo.engine = opts.engine;
  if (opts.verify !== undefined) vo.verify = opts.verify;
  return loadIntoVm(spec, vo);
}
