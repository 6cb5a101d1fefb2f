/**
 * bpf_tail_call (kernel/bpf/core.c's bpf_tail_call_proto; the jump itself is the interpreter's).
 * As in the kernel, a tail call that cannot happen is not an error: the helper returns and the
 * program goes on with the next instruction. That is the case for an index past max_entries, an
 * empty slot, and the 34th tail call of a run (MAX_TAIL_CALL_CNT = 33). The return value is
 * -ENOENT for all three (the kernel's proto is RET_VOID, so programs cannot rely on it).
 * As in the kernel (___bpf_prog_run's JMP_TAIL_CALL), an in-range index counts against the limit
 * before its slot is looked at, so an empty slot uses up a tail call too.
 * The kernel refuses to put a program of another type in a program array (bpf_prog_map_compatible);
 * the VM's maps store ids unchecked, so the type is checked here, and a mismatch fails the run.
 */
import { ProgArrayMap } from '../maps/index.js';
import { MAX_TAIL_CALLS } from '../vm/interpreter.js';
import type { HelperDef } from './registry.js';
import { negErrno } from './errno.js';
import { helper, helperError, mapArg, mapOfClass, runOf, u32 } from './support.js';

export const tailCallHelpers: readonly HelperDef[] = [
  helper('tail_call', {
    proto: 'bpf_tail_call_proto',
    args: ['ptr_to_ctx', 'const_map_ptr', 'anything'],
    ret: 'void',
    impl(call, _r1, r2, r3) {
      const name = 'bpf_tail_call';
      const run = runOf(call, name);
      const m = mapArg(call, name, r2);
      const progs = mapOfClass(call, name, m, ProgArrayMap, 'a prog_array map');
      const index = u32(r3);
      if (index >= progs.spec.maxEntries || call.tailCalls >= MAX_TAIL_CALLS) return negErrno('ENOENT');
      call.tailCalls++;
      const id = progs.tailCallTarget(index);
      const target = id === undefined ? undefined : run.vm.programs.get(id);
      if (target === undefined) return negErrno('ENOENT');
      if (target.type !== run.program.type) {
        throw helperError(call, name, 'EINVAL', `slot ${index} of map '${m.name}' holds program '${target.name}' of type ${target.type}, and a ${run.program.type} program can only tail-call its own type`);
      }
      call.tailCall(target.prepared);
      return 0n;
    },
  }),
];
