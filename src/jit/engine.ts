/** Which engine runs a program: the reference interpreter or the WebAssembly JIT. */
import { BpfError } from '../errors.js';

export type Engine = 'interp' | 'jit';
export const ENGINES: readonly Engine[] = ['interp', 'jit'];

/**
 * The engine programs loaded into a VM run on unless told otherwise (Vm, LoadProgramSpec, the CLI's
 * --engine): the one place to change it. Loads into the VM go through the verifier.
 */
export const DEFAULT_ENGINE: Engine = 'jit';

/**
 * The engine of `tsbpf run`, whose raw programs skip the verifier: the reference interpreter, the
 * definition the JIT is checked against. (The JIT runs unverified programs safely too: --engine jit.)
 */
export const DEFAULT_RAW_ENGINE: Engine = 'interp';

/** An engine name from the command line or an API option, or a clear error. */
export function parseEngine(v: string, where = '--engine'): Engine {
  if (v === 'interp' || v === 'jit') return v;
  throw new BpfError('EINVAL', `${where} must be interp or jit, not '${v}'`);
}
