/** The VM every verb runs programs in: the per-CPU map width of the store, and the kernel's helpers. */
import { kernelHelpers } from '../helpers/index.js';
import { Vm } from '../vm/runtime.js';

export function makeVm(nCpus: number, verify = true): Vm {
  return new Vm({ nCpus, helpers: kernelHelpers(), verify });
}
