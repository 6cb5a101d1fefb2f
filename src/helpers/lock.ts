/**
 * bpf_spin_lock / bpf_spin_unlock (kernel/bpf/helpers.c). A VM run is single-threaded, so there is
 * nothing to wait for: the helpers only check what the verifier would have proven. The lock must
 * be 4 writable bytes of a map value; a run holds at most one lock at a time and unlocks the lock
 * it holds. Anything else fails the run (in the kernel it could not load, or it would deadlock).
 * The lock word itself is left alone: user space never sees a held lock, as with BPF_F_LOCK copies.
 */
import type { HelperCall, HelperDef } from './registry.js';
import { helper, helperError, mem, runOf } from './support.js';

const HELD = 'helpers.spinLock';

function lockAddress(call: HelperCall, name: string, addr: bigint): bigint {
  mem(call, name, addr, 4, true, 'lock');
  const kind = call.memory.resolve(addr)!.region.kind;
  if (kind !== 'map_value' && kind !== 'global') {
    throw helperError(call, name, 'EINVAL', `the lock at 0x${addr.toString(16)} is in ${kind} memory, not in a map value (ARG_PTR_TO_SPIN_LOCK)`);
  }
  return addr;
}

export const lockHelpers: readonly HelperDef[] = [
  helper('spin_lock', {
    proto: 'bpf_spin_lock_proto',
    args: ['ptr_to_spin_lock'],
    ret: 'void',
    impl(call, r1) {
      const name = 'bpf_spin_lock';
      const run = runOf(call, name);
      const addr = lockAddress(call, name, r1);
      const held = run.state[HELD] as bigint | undefined;
      if (held !== undefined) {
        const again = held === addr ? 'this lock is already held: locking it again would deadlock' : `a lock (0x${held.toString(16)}) is already held, and a program may hold only one`;
        throw helperError(call, name, 'EBUSY', again);
      }
      run.state[HELD] = addr;
      return 0n;
    },
  }),
  helper('spin_unlock', {
    proto: 'bpf_spin_unlock_proto',
    args: ['ptr_to_spin_lock'],
    ret: 'void',
    impl(call, r1) {
      const name = 'bpf_spin_unlock';
      const run = runOf(call, name);
      const addr = lockAddress(call, name, r1);
      const held = run.state[HELD] as bigint | undefined;
      if (held !== addr) {
        throw helperError(call, name, 'EINVAL', held === undefined ? 'no lock is held' : `the lock held is 0x${held.toString(16)}, not this one`);
      }
      run.state[HELD] = undefined;
      return 0n;
    },
  }),
];
